"""OpenAPI schemas of the extraction API's documents: the form definition, each
instrument's sheet values, the consensus and the risk-of-bias summary, so clients
generated from /api/schema/ get typed objects instead of free-form JSON.

A sheet's `values` depend on the `{instrument}` in its path; OpenAPI 3.0 cannot tie a
body to a path value, so `values` is one of the three shapes (RoB 2's is closed: its
keys are fixed by the guidance; the form's and the domain tool's keys are the review's
own, read from extraction/form/ and extraction/settings/).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from extraction.domain.form_schema import FORMAT, SCHEMA_VERSION, FieldType
from extraction.domain.rob2_questions import Answer, Effect, rob2_domains
from extraction.instruments import JUDGEMENT_LABELS, RATING_LABELS

ROB2_QUESTIONS = list(
    dict.fromkeys(q.id for e in Effect for d in rob2_domains(e) for q in d.questions)
)
ROB2_JUDGEMENTS = ["d1", "d2", "d3", "d4", "d5", "overall"]
_TEXT = {"type": "string"}

ROB2_VALUES = {
    "type": "object",
    "title": "Rob2Values",
    "description": "rob2: signalling question -> answer; an override of the proposed "
    'judgement ("d1".."d5", "overall") only while it differs from the proposal, with its '
    'reason ("…_reason"); "result": the result assessed.',
    "properties": {
        "result": _TEXT,
        **{q: {"type": "string", "enum": [a.value for a in Answer]} for q in ROB2_QUESTIONS},
        **{k: {"type": "string", "enum": list(JUDGEMENT_LABELS)} for k in ROB2_JUDGEMENTS},
        **{f"{k}_reason": _TEXT for k in ROB2_JUDGEMENTS},
    },
    "additionalProperties": False,
}
DOMAIN_VALUES = {
    "type": "object",
    "title": "DomainToolValues",
    "description": "rob-domain: domain key -> low, high or unclear; "
    '"support:<domain key>" -> the supporting text.',
    "additionalProperties": {"type": "string"},
}
EXTRACTION_VALUES = {
    "type": "object",
    "title": "ExtractionValues",
    "description": "extraction: form field key -> its value (text, number, date as "
    'YYYY-MM-DD, yes/no, a choice\'s value or a list of them, or "NR" for not reported).',
    "additionalProperties": {},
}
SHEET_VALUES = {"anyOf": [ROB2_VALUES, DOMAIN_VALUES, EXTRACTION_VALUES], "nullable": True}

# What PUT accepts: answers in any case, surrounding spaces, an empty value to clear.
_ANSWER_IN = {
    "type": "string",
    "nullable": True,
    "pattern": r"^\s*([YyNn]|[Pp][YyNn]|[Nn][IiAa])?\s*$",
}
_JUDGEMENT_IN = {
    "type": "string",
    "nullable": True,
    "pattern": r"^\s*(low|some_concerns|high)?\s*$",
}
ROB2_VALUES_IN = {
    **ROB2_VALUES,
    "title": "Rob2ValuesIn",
    "properties": {
        "result": {"type": "string", "nullable": True},
        **{q: _ANSWER_IN for q in ROB2_QUESTIONS},
        **{k: _JUDGEMENT_IN for k in ROB2_JUDGEMENTS},
        **{f"{k}_reason": {"type": "string", "nullable": True} for k in ROB2_JUDGEMENTS},
    },
}
SHEET_VALUES_IN = {
    "anyOf": [
        ROB2_VALUES_IN,
        {**DOMAIN_VALUES, "additionalProperties": {"type": "string", "nullable": True}},
        EXTRACTION_VALUES,
    ]
}

_CHOICE = {
    "type": "object",
    "properties": {"value": _TEXT, "label": _TEXT},
    "required": ["value", "label"],
}
_NUMBER = {"type": "number", "nullable": True}
FORM_FIELD = {
    "type": "object",
    "title": "ExtractionFormField",
    "properties": {
        "key": _TEXT,
        "label": _TEXT,
        "type": {"type": "string", "enum": [t.value for t in FieldType]},
        "required": {"type": "boolean"},
        "help_text": _TEXT,
        "allow_not_reported": {"type": "boolean"},
        "order": {"type": "integer"},
        "choices": {"type": "array", "items": _CHOICE, "description": "choice types only"},
        "unit": {"type": "string", "description": "numeric types only"},
        "min_value": _NUMBER,
        "max_value": _NUMBER,
        "meta_role": {"type": "string", "description": "an outcome column for R (n.e, mean.e, …)"},
    },
    "required": ["key", "label", "type", "required", "help_text", "allow_not_reported", "order"],
}
FORM_DEFINITION = {
    "type": "object",
    "title": "ExtractionFormDefinition",
    "description": f"An extraction form (format {FORMAT}, version {SCHEMA_VERSION}): sections "
    "of typed fields; field keys are what sheet values are stored under.",
    "nullable": True,
    "properties": {
        "format": {"type": "string", "enum": [FORMAT]},
        "version": {"type": "integer", "enum": [SCHEMA_VERSION]},
        "name": _TEXT,
        "description": _TEXT,
        "sections": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "key": _TEXT,
                    "title": _TEXT,
                    "description": _TEXT,
                    "order": {"type": "integer"},
                    "fields": {"type": "array", "items": FORM_FIELD},
                },
                "required": ["key", "title", "description", "order", "fields"],
            },
        },
    },
    "required": ["format", "version", "name", "description", "sections"],
}

CONSENSUS_FINAL = {
    "type": "object",
    "description": "Item key -> its final value and where it comes from.",
    "additionalProperties": {
        "type": "object",
        "properties": {
            "value": {"nullable": True},
            "source": {
                "type": "string",
                "enum": ["consensus", "agreed", "single", "pending", ""],
                "description": '"" while the item has no value yet',
            },
        },
        "required": ["value", "source"],
    },
}

_JUDGEMENT_KEYS = sorted({*JUDGEMENT_LABELS, *RATING_LABELS, "no_information", "not_rated"})
TRAFFIC_LIGHT = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "study": _TEXT,
            "judgements": {"type": "array", "items": {"type": "string", "nullable": True}},
        },
        "required": ["study", "judgements"],
    },
}
BARS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "domain": _TEXT,
            "percent": {
                "type": "object",
                "description": f"judgement ({', '.join(_JUDGEMENT_KEYS)}) -> percent",
                "additionalProperties": {"type": "number"},
            },
        },
        "required": ["domain", "percent"],
    },
}


def json_field(schema: dict, *, base=serializers.JSONField, **kwargs) -> serializers.Field:
    """A `base` field (JSON by default; DictField for input that must be an object)
    documented with `schema`."""
    field_class = extend_schema_field(schema)(type(f"Documented{base.__name__}", (base,), {}))
    return field_class(**kwargs)
