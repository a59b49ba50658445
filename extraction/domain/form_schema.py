"""Extraction-form definitions as plain data: sections of typed fields, their
validation, and a versioned JSON format so a team can reuse a form.

Modelled on the data-collection forms of the Cochrane Handbook (Li T, Higgins JPT,
Deeks JJ. Chapter 5: Collecting data. Cochrane Handbook v6.4, 2023, section 5.4:
forms are piloted and revised, so a definition must be able to change after
extraction starts) and on the field types Covidence and SRDR+ offer (short and long
text, numbers with units, single and multiple choice, yes/no, dates).

Field keys are what values are stored under, so they are stable identifiers; labels
are what people read and may be reworded at any time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from enum import StrEnum
from typing import Any

FORMAT = "reviewapp.extraction_form"
SCHEMA_VERSION = 1


class FieldType(StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    CHOICE = "choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    DATE = "date"


CHOICE_TYPES = frozenset({FieldType.CHOICE, FieldType.MULTIPLE_CHOICE})
NUMERIC_TYPES = frozenset({FieldType.INTEGER, FieldType.DECIMAL})

# What a numeric field means to R's meta (metacont/metabin) and metafor (escalc): the
# column it becomes in the per-outcome export. ".e" is the experimental arm, ".c" the
# control arm. Every field of one section with such roles is one outcome.
META_ROLES: dict[str, tuple[str, FieldType]] = {
    "n.e": ("Participants, experimental arm", FieldType.INTEGER),
    "mean.e": ("Mean, experimental arm", FieldType.DECIMAL),
    "sd.e": ("SD, experimental arm", FieldType.DECIMAL),
    "n.c": ("Participants, control arm", FieldType.INTEGER),
    "mean.c": ("Mean, control arm", FieldType.DECIMAL),
    "sd.c": ("SD, control arm", FieldType.DECIMAL),
    "event.e": ("Events, experimental arm", FieldType.INTEGER),
    "event.c": ("Events, control arm", FieldType.INTEGER),
}


@dataclass(frozen=True)
class Choice:
    """An option of a choice field: `value` is stored, `label` is shown."""

    value: str
    label: str


@dataclass(frozen=True)
class FieldDef:
    """One field of a form.

    `unit`, `min_value` and `max_value` apply to integer and decimal fields, `choices`
    to choice fields. `allow_not_reported` lets an extractor record "NR" instead of a
    value, as extraction tables do when a paper is silent (the value then still
    satisfies `required`).
    """

    key: str
    label: str
    type: FieldType
    required: bool = False
    help_text: str = ""
    choices: tuple[Choice, ...] = ()
    unit: str = ""
    min_value: float | None = None
    max_value: float | None = None
    allow_not_reported: bool = True
    order: int = 0
    meta_role: str = ""  # one of META_ROLES: the field's column in the outcome export


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fields: tuple[FieldDef, ...] = ()
    description: str = ""
    order: int = 0


@dataclass(frozen=True)
class FormDefinition:
    name: str
    sections: tuple[Section, ...] = ()
    description: str = ""

    def ordered_sections(self) -> tuple[Section, ...]:
        """Sections by `order`, ties kept in the order given."""
        return tuple(sorted(self.sections, key=lambda s: s.order))

    def ordered_fields(self) -> tuple[FieldDef, ...]:
        """Every field, section by section, each section's fields by `order`."""
        return tuple(
            f
            for section in self.ordered_sections()
            for f in sorted(section.fields, key=lambda f: f.order)
        )

    def field(self, key: str) -> FieldDef | None:
        return next((f for f in self.ordered_fields() if f.key == key), None)

    def section_of(self, key: str) -> Section | None:
        return next((s for s in self.sections if any(f.key == key for f in s.fields)), None)

    def outcome_sections(self) -> tuple[Section, ...]:
        """Sections holding outcome data (at least one field with a meta role)."""
        return tuple(s for s in self.ordered_sections() if any(f.meta_role for f in s.fields))


class FormDefinitionError(ValueError):
    """A definition that cannot be used; `messages` lists every problem found."""

    def __init__(self, messages: tuple[str, ...] | list[str]):
        self.messages = tuple(messages)
        super().__init__(" ".join(self.messages))


_KEY = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def normalise_text(text: str) -> str:
    """Casefolded, with runs of whitespace collapsed: how labels, choices and text
    answers are matched and compared."""
    return " ".join(str(text).split()).casefold()


def _key_problem(kind: str, key: str) -> str | None:
    if _KEY.match(key):
        return None
    return (
        f"{kind} key {key!r} must start with a lowercase letter and use only lowercase "
        "letters, digits and underscores (at most 63 characters)."
    )


def _field_problems(field: FieldDef) -> list[str]:
    where = f"Field {field.key!r}"
    problems = []
    if not field.label.strip():
        problems.append(f"{where} needs a label.")
    if field.type in CHOICE_TYPES:
        if len(field.choices) < 2:
            problems.append(
                f"{where} is a {field.type.value} field and needs at least two choices."
            )
        seen: set[str] = set()
        for choice in field.choices:
            if not choice.value.strip() or not choice.label.strip():
                problems.append(f"{where} has a choice without a value or label.")
                continue
            for text in {normalise_text(choice.value), normalise_text(choice.label)}:
                if text in seen:
                    # Values are matched by value or label, so neither may repeat.
                    problems.append(f"{where} has the choice {text!r} twice.")
                seen.add(text)
    elif field.choices:
        problems.append(f"{where} is a {field.type.value} field and cannot have choices.")
    if field.type not in NUMERIC_TYPES:
        if field.unit:
            problems.append(f"{where}: only integer and decimal fields have a unit.")
        if field.min_value is not None or field.max_value is not None:
            problems.append(f"{where}: only integer and decimal fields have a minimum or maximum.")
    elif (
        field.min_value is not None
        and field.max_value is not None
        and field.min_value > field.max_value
    ):
        problems.append(f"{where}: the minimum is greater than the maximum.")
    if field.meta_role:
        if field.meta_role not in META_ROLES:
            problems.append(
                f"{where}: outcome role {field.meta_role!r} is not one of {', '.join(META_ROLES)}."
            )
        elif field.type not in NUMERIC_TYPES:
            problems.append(f"{where}: only integer and decimal fields have an outcome role.")
    return problems


def validate_definition(definition: FormDefinition) -> tuple[str, ...]:
    """Every problem that makes a definition unusable, as messages for the form builder.

    Field keys must be unique across the whole form, not just a section, because
    values are stored in one flat mapping keyed by field. Empty when usable.
    """
    problems: list[str] = []
    if not definition.name.strip():
        problems.append("The form needs a name.")
    if not any(s.fields for s in definition.sections):
        problems.append("The form needs at least one field.")
    section_keys: set[str] = set()
    field_keys: set[str] = set()
    for section in definition.sections:
        problem = _key_problem("Section", section.key)
        if problem:
            problems.append(problem)
        elif section.key in section_keys:
            problems.append(f"Section key {section.key!r} is used twice.")
        section_keys.add(section.key)
        if not section.title.strip():
            problems.append(f"Section {section.key!r} needs a title.")
        for field in section.fields:
            problem = _key_problem("Field", field.key)
            if problem:
                problems.append(problem)
            elif field.key in field_keys:
                problems.append(f"Field key {field.key!r} is used twice.")
            field_keys.add(field.key)
            problems.extend(_field_problems(field))
        roles = [f.meta_role for f in section.fields if f.meta_role]
        for role in sorted({r for r in roles if roles.count(r) > 1}):
            problems.append(f"Section {section.key!r} has two fields with the outcome role {role}.")
    return tuple(problems)


def _field_to_dict(field: FieldDef) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": field.key,
        "label": field.label,
        "type": field.type.value,
        "required": field.required,
        "help_text": field.help_text,
        "allow_not_reported": field.allow_not_reported,
        "order": field.order,
    }
    # Only the attributes a type uses, so an exported form reads cleanly.
    if field.type in CHOICE_TYPES:
        data["choices"] = [{"value": c.value, "label": c.label} for c in field.choices]
    if field.type in NUMERIC_TYPES:
        data.update(unit=field.unit, min_value=field.min_value, max_value=field.max_value)
    if field.meta_role:
        data["meta_role"] = field.meta_role
    return data


def definition_to_dict(definition: FormDefinition) -> dict[str, Any]:
    """The definition as JSON-ready data, tagged with the format and schema version."""
    return {
        "format": FORMAT,
        "version": SCHEMA_VERSION,
        "name": definition.name,
        "description": definition.description,
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "description": s.description,
                "order": s.order,
                "fields": [_field_to_dict(f) for f in s.fields],
            }
            for s in definition.sections
        ],
    }


_FIELD_KEYS = {f.name for f in dataclass_fields(FieldDef)}
_SECTION_KEYS = {"key", "title", "description", "order", "fields"}
_FORM_KEYS = {"format", "version", "name", "description", "sections"}


def _unknown(where: str, data: Mapping, allowed: set[str], problems: list[str]) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        problems.append(f"{where}: unknown attribute(s) {', '.join(map(repr, extra))}.")


def _choice_from(raw: Any) -> Choice:
    # A bare string is shorthand for a choice whose value is its label.
    if isinstance(raw, str):
        return Choice(raw, raw)
    return Choice(str(raw["value"]), str(raw.get("label", raw["value"])))


def _number_or_none(value: Any, where: str, problems: list[str]) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(f"{where} must be a number.")
        return None
    return value


def _field_from(raw: Mapping, problems: list[str]) -> FieldDef | None:
    where = f"Field {raw.get('key', '?')!r}"
    _unknown(where, raw, _FIELD_KEYS, problems)
    try:
        field_type = FieldType(raw.get("type"))
    except ValueError:
        allowed = ", ".join(t.value for t in FieldType)
        problems.append(f"{where}: type {raw.get('type')!r} is not one of {allowed}.")
        return None
    try:
        choices = tuple(_choice_from(c) for c in raw.get("choices") or ())
    except (KeyError, TypeError):
        problems.append(f"{where}: each choice needs a value (and may have a label).")
        choices = ()
    return FieldDef(
        key=str(raw.get("key", "")),
        label=str(raw.get("label", "")),
        type=field_type,
        required=bool(raw.get("required", False)),
        help_text=str(raw.get("help_text", "")),
        choices=choices,
        unit=str(raw.get("unit") or ""),
        min_value=_number_or_none(raw.get("min_value"), f"{where}: min_value", problems),
        max_value=_number_or_none(raw.get("max_value"), f"{where}: max_value", problems),
        allow_not_reported=bool(raw.get("allow_not_reported", True)),
        order=int(raw.get("order", 0)),
        meta_role=str(raw.get("meta_role") or ""),
    )


def outcome_block(*, prefix: str, order_from: int = 1) -> tuple[FieldDef, ...]:
    """The "outcome data" block of the form builder: one field per meta/metafor column
    (arm sizes, means and SDs for continuous outcomes, events for binary ones), keys
    starting with `prefix`. Extractors fill what their outcome reports; the rest stays
    empty (or NR)."""
    return tuple(
        FieldDef(
            key=f"{prefix}_{role.replace('.', '_')}",
            label=label,
            type=field_type,
            min_value=0 if role.startswith(("n.", "event.", "sd.")) else None,
            meta_role=role,
            order=order_from + index,
        )
        for index, (role, (label, field_type)) in enumerate(META_ROLES.items())
    )


def definition_from_dict(data: Mapping[str, Any]) -> FormDefinition:
    """Rebuild a definition from `definition_to_dict` output (or hand-written JSON).

    Checks the format tag and schema version first (a newer version than this code
    knows is refused rather than half-read), then structure, then
    `validate_definition`. Raises FormDefinitionError listing every problem.
    """
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        raise FormDefinitionError([f"Not an extraction form: expected format {FORMAT!r}."])
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise FormDefinitionError(["The form has no valid schema version."])
    if version > SCHEMA_VERSION:
        raise FormDefinitionError(
            [f"The form uses schema version {version}; this version reads up to {SCHEMA_VERSION}."]
        )
    problems: list[str] = []
    _unknown("Form", data, _FORM_KEYS, problems)
    sections = []
    try:
        for raw_section in data.get("sections") or ():
            _unknown(
                f"Section {raw_section.get('key', '?')!r}", raw_section, _SECTION_KEYS, problems
            )
            parsed = [_field_from(f, problems) for f in raw_section.get("fields") or ()]
            sections.append(
                Section(
                    key=str(raw_section.get("key", "")),
                    title=str(raw_section.get("title", "")),
                    description=str(raw_section.get("description", "")),
                    order=int(raw_section.get("order", 0)),
                    fields=tuple(f for f in parsed if f is not None),
                )
            )
    except (AttributeError, TypeError, ValueError) as exc:
        raise FormDefinitionError([f"The form's structure is malformed: {exc}"]) from None
    definition = FormDefinition(
        name=str(data.get("name", "")),
        description=str(data.get("description", "")),
        sections=tuple(sections),
    )
    problems.extend(validate_definition(definition))
    if problems:
        raise FormDefinitionError(problems)
    return definition


def dumps_definition(definition: FormDefinition) -> str:
    """The definition as a JSON document (UTF-8 text, stable key order)."""
    return json.dumps(definition_to_dict(definition), ensure_ascii=False, indent=2)


def loads_definition(text: str | bytes) -> FormDefinition:
    """Parse a JSON document made by `dumps_definition`; raises FormDefinitionError."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormDefinitionError([f"Not valid JSON: {exc}"]) from None
    return definition_from_dict(data)
