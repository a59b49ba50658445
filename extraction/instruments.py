"""The three instruments a study is assessed with, behind one small interface.

An instrument is the extraction form, RoB 2 or the domain-based risk-of-bias tool. Each
turns what an assessor submits into stored values (`apply_update`), says what is still
missing before a sheet can be marked done (`missing`), names the items two assessors
are compared on and a consensus is recorded for (`items`, `outcomes`), and prints a
value (`display`). Plain data in, plain data out: the rules come from
`extraction.domain`, the storage from the services.

Stored values, per instrument:
- extraction: {field key: clean value}; values of fields since removed from the form
  stay under their old keys.
- rob2: {"result": text, "1.1": "Y", ..., "d1": "high", "d1_reason": text, ...,
  "overall": ..., "overall_reason": ...}; "dN"/"overall" hold an override only, and
  only while it differs from the algorithm's proposal (which needs a reason).
- rob-domain: {domain key: "low" | "high" | "unclear", "support:<domain key>": text}.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from extraction.domain import forms as form_domain
from extraction.domain.domain_tool import DomainTool, Rating
from extraction.domain.form_schema import FieldType, FormDefinition
from extraction.domain.form_values import NOT_REPORTED, FieldError, clean_value, is_empty
from extraction.domain.rob2 import Judgement, assess, decide, parse_answers, validate_answers
from extraction.domain.rob2_questions import Effect, rob2_domains
from extraction.models.sheets import Instrument

ROB2_SHORT_TITLES = {
    1: "D1 Randomisation process",
    2: "D2 Deviations from intended interventions",
    3: "D3 Missing outcome data",
    4: "D4 Measurement of the outcome",
    5: "D5 Selection of the reported result",
}
JUDGEMENT_LABELS = {
    Judgement.LOW.value: "Low",
    Judgement.SOME_CONCERNS.value: "Some concerns",
    Judgement.HIGH.value: "High",
}
RATING_LABELS = {
    Rating.LOW.value: "Low",
    Rating.HIGH.value: "High",
    Rating.UNCLEAR.value: "Unclear",
}
SUPPORT_PREFIX = "support:"


@dataclass(frozen=True)
class Context:
    """What the rules need from the review: its current form and its settings."""

    definition: FormDefinition | None
    domain_tool: DomainTool
    effect: Effect = Effect.ASSIGNMENT


@dataclass(frozen=True)
class Item:
    """One thing assessors are compared on and a consensus value is recorded for."""

    key: str
    label: str
    group: str = ""
    help_text: str = ""


@dataclass(frozen=True)
class Update:
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    """Two assessors' outcomes for one item, for the comparison view."""

    item: Item
    value_a: Any
    value_b: Any
    agrees: bool


# --- items -------------------------------------------------------------------------


def items(instrument: str, ctx: Context) -> tuple[Item, ...]:
    if instrument == Instrument.EXTRACTION:
        if ctx.definition is None:
            return ()
        return tuple(
            Item(f.key, f"{f.label} ({f.unit})" if f.unit else f.label, s.title, f.help_text)
            for s in ctx.definition.ordered_sections()
            for f in sorted(s.fields, key=lambda f: f.order)
        )
    if instrument == Instrument.ROB2:
        return (
            *(Item(f"d{n}", title, "Domains") for n, title in ROB2_SHORT_TITLES.items()),
            Item("overall", "Overall", "Overall"),
        )
    return tuple(Item(d.key, d.name, "Domains", d.description) for d in ctx.domain_tool.domains)


def outcomes(instrument: str, ctx: Context, values: Mapping[str, Any]) -> dict[str, Any]:
    """The value of each item for one sheet: extraction values as stored, RoB 2's final
    judgements (override, else the algorithm's proposal), the domain tool's ratings."""
    if instrument == Instrument.ROB2:
        return rob2_outcomes(ctx, values)
    keys = {i.key for i in items(instrument, ctx)}
    return {k: v for k, v in values.items() if k in keys}


# --- RoB 2 -------------------------------------------------------------------------


def rob2_answers(values: Mapping[str, Any]) -> dict[int, dict]:
    """Signalling-question answers by domain number, ignoring codes that do not parse."""
    by_domain: dict[int, dict] = {n: {} for n in range(1, 6)}
    for key, value in values.items():
        head, _, tail = key.partition(".")
        if head.isdigit() and tail.isdigit() and int(head) in by_domain:
            try:
                by_domain[int(head)].update(parse_answers({key: value}))
            except ValueError:
                continue
    return by_domain


def rob2_assessment(ctx: Context, values: Mapping[str, Any]):
    """The RoB 2 algorithm's proposals given the answers and the domain overrides."""
    answers = rob2_answers(values)
    finals = {
        n: Judgement(values[f"d{n}"])
        for n in range(1, 6)
        if values.get(f"d{n}") in JUDGEMENT_LABELS
    }
    try:
        return assess(answers, ctx.effect, finals)
    except ValueError:
        # An answer that the current effect's questions do not allow (the effect was
        # changed in the settings): judge without it rather than fail the page.
        cleaned = {
            n: {q: a for q, a in answers[n].items() if not validate_answers(n, {q: a}, ctx.effect)}
            for n in answers
        }
        return assess(cleaned, ctx.effect, finals)


def rob2_outcomes(ctx: Context, values: Mapping[str, Any]) -> dict[str, Any]:
    result = rob2_assessment(ctx, values)
    out: dict[str, Any] = {}
    for domain in result.domains:
        final = values.get(f"d{domain.domain}") or (
            domain.proposed.value if domain.proposed else None
        )
        if final:
            out[f"d{domain.domain}"] = final
    overall = values.get("overall") or (
        result.overall.proposed.value if result.overall.proposed else None
    )
    if overall:
        out["overall"] = overall
    return out


def _rob2_update(ctx: Context, stored: Mapping[str, Any], raw: Mapping[str, Any]) -> Update:
    questions = {
        q.id: (n, q) for n, d in enumerate(rob2_domains(ctx.effect), 1) for q in d.questions
    }
    allowed = {"result", "overall", "overall_reason"} | set(questions)
    allowed |= {f"d{n}" for n in range(1, 6)} | {f"d{n}_reason" for n in range(1, 6)}
    values = dict(stored)
    errors: dict[str, str] = {}
    for key, raw_value in raw.items():
        if key not in allowed:
            errors[key] = f"RoB 2 has no item {key!r}."
            continue
        if is_empty(raw_value):
            values.pop(key, None)
            continue
        if isinstance(raw_value, bool) or not isinstance(raw_value, str | int | float):
            errors[key] = "Enter text."
            continue
        text = str(raw_value).strip()
        if key in questions:
            number, _question = questions[key]
            problems = validate_answers(number, {key: text.upper()}, ctx.effect)
            if problems or text.upper() not in {"Y", "PY", "PN", "N", "NI", "NA"}:
                errors[key] = problems[0] if problems else "Answer Y, PY, PN, N, NI or NA."
                continue
            values[key] = text.upper()
        elif key in {f"d{n}" for n in range(1, 6)} | {"overall"}:
            if text not in JUDGEMENT_LABELS:
                errors[key] = "Choose low, some_concerns or high."
                continue
            values[key] = text
        else:
            values[key] = text
    # An override stands only while it differs from the proposal, and then needs a
    # reason. Domains first: their final judgements are what the overall proposal reads.
    for key in [*(f"d{n}" for n in range(1, 6)), "overall"]:
        result = rob2_assessment(ctx, values)
        if key == "overall":
            proposed = result.overall.proposed
        else:
            proposed = result.domains[int(key[1:]) - 1].proposed
        final = values.get(key)
        if not final:
            continue
        if proposed is not None and final == proposed.value:
            values.pop(key)
            continue
        try:
            decide(proposed, final, str(values.get(f"{key}_reason", "")))
        except ValueError as exc:
            errors[key] = str(exc)
            for k in (key, f"{key}_reason"):
                if k in stored:
                    values[k] = stored[k]
                else:
                    values.pop(k, None)
    return Update(values, errors)


# --- updates, completeness ------------------------------------------------------------


def _extraction_update(ctx: Context, stored: Mapping[str, Any], raw: Mapping[str, Any]) -> Update:
    definition = ctx.definition
    values = dict(stored)
    errors: dict[str, str] = {}
    for key, raw_value in raw.items():
        field_def = definition.field(key) if definition else None
        if field_def is None:
            errors[key] = "The form has no such field."
            continue
        try:
            clean = clean_value(field_def, raw_value)
        except FieldError as exc:
            errors[key] = str(exc)
            continue
        if clean is None:
            values.pop(key, None)
        else:
            values[key] = clean
    return Update(values, errors)


def _domain_update(ctx: Context, stored: Mapping[str, Any], raw: Mapping[str, Any]) -> Update:
    keys = {d.key for d in ctx.domain_tool.domains}
    values = dict(stored)
    errors: dict[str, str] = {}
    for key, raw_value in raw.items():
        domain_key = key.removeprefix(SUPPORT_PREFIX)
        if domain_key not in keys:
            errors[key] = "The tool has no such domain."
            continue
        if is_empty(raw_value):
            values.pop(key, None)
            continue
        if isinstance(raw_value, bool) or not isinstance(raw_value, str):
            errors[key] = "Enter text."
            continue
        text = raw_value.strip()
        if key.startswith(SUPPORT_PREFIX):
            values[key] = text
        elif text.lower() in RATING_LABELS:
            values[key] = text.lower()
        else:
            errors[key] = "Choose low, high or unclear."
    return Update(values, errors)


def apply_update(
    instrument: str, ctx: Context, stored: Mapping[str, Any], raw: Mapping[str, Any]
) -> Update:
    """The stored values after applying `raw` (key -> submitted value; empty clears).

    Keys with an error keep their stored value, so one bad field never blocks saving the
    rest (autosave saves drafts). Keys not in `raw` are untouched, which is how values
    of fields removed from the form survive every later save.
    """
    if instrument == Instrument.EXTRACTION:
        return _extraction_update(ctx, stored, raw)
    if instrument == Instrument.ROB2:
        return _rob2_update(ctx, stored, raw)
    return _domain_update(ctx, stored, raw)


def missing(instrument: str, ctx: Context, values: Mapping[str, Any]) -> dict[str, str]:
    """What must be filled before the sheet can be marked done: key -> message."""
    if instrument == Instrument.EXTRACTION:
        if ctx.definition is None:
            return {"": "The review has no extraction form yet."}
        return {
            f.key: "This field is required."
            for f in ctx.definition.ordered_fields()
            if f.required and is_empty(values.get(f.key))
        }
    done = outcomes(instrument, ctx, values)
    return {
        i.key: f"{i.label}: not judged yet." for i in items(instrument, ctx) if i.key not in done
    }


def clean_outcome(instrument: str, ctx: Context, key: str, raw: Any) -> Any:
    """A consensus value for one item; raises FieldError with the message to show."""
    item_keys = {i.key for i in items(instrument, ctx)}
    if key not in item_keys:
        raise FieldError("Not an item of this instrument.")
    if instrument == Instrument.EXTRACTION:
        return clean_value(ctx.definition.field(key), raw)
    if is_empty(raw):
        return None
    labels = JUDGEMENT_LABELS if instrument == Instrument.ROB2 else RATING_LABELS
    text = str(raw).strip().lower()
    if text not in labels:
        raise FieldError(f"Choose one of: {', '.join(labels)}.")
    return text


def compare_rows(
    instrument: str, ctx: Context, values_a: Mapping[str, Any], values_b: Mapping[str, Any]
) -> tuple[Row, ...]:
    """Each item's two outcomes; extraction uses the domain's tolerant `compare`."""
    if instrument == Instrument.EXTRACTION:
        if ctx.definition is None:
            return ()
        by_key = {i.key: i for i in items(instrument, ctx)}
        comparison = form_domain.compare(values_a, values_b, ctx.definition)
        return tuple(Row(by_key[f.key], f.value_a, f.value_b, f.agrees) for f in comparison.fields)
    a, b = outcomes(instrument, ctx, values_a), outcomes(instrument, ctx, values_b)
    return tuple(
        Row(item, a.get(item.key), b.get(item.key), a.get(item.key) == b.get(item.key))
        for item in items(instrument, ctx)
    )


# --- display ---------------------------------------------------------------------------


def _number_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        text = format(Decimal(repr(value)).normalize(), "f")
        return text
    return str(value)


def display(instrument: str, ctx: Context, key: str, value: Any) -> str:
    """A value as people read it: choice labels, Yes/No, numbers without noise."""
    if value is None:
        return ""
    if instrument == Instrument.ROB2:
        return JUDGEMENT_LABELS.get(value, str(value))
    if instrument == Instrument.DOMAIN:
        return RATING_LABELS.get(value, str(value))
    field_def = ctx.definition.field(key) if ctx.definition else None
    if value == NOT_REPORTED or field_def is None:
        if isinstance(value, list):
            return "; ".join(str(v) for v in value)
        return _number_text(value)
    labels = {c.value: c.label for c in field_def.choices}
    if field_def.type == FieldType.YES_NO and isinstance(value, bool):
        return "Yes" if value else "No"
    if field_def.type == FieldType.MULTIPLE_CHOICE and isinstance(value, list):
        return "; ".join(labels.get(v, str(v)) for v in value)
    if field_def.type == FieldType.CHOICE:
        return labels.get(value, str(value))
    return _number_text(value)
