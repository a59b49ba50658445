"""An extractor's values against a form definition: cleaning and comparing.

`clean_values` coerces what a form or an import submits into JSON-ready values, with
one message per field; values for fields no longer in the form are kept aside, since
the Cochrane Handbook (ch. 5, Collecting data) expects forms to be piloted and revised
while extraction is under way, and nobody's work may be lost to a revision.

`compare` lines up two extractors' values field by field for the consensus step
(Handbook ch. 5: data extracted independently by two people, disagreements resolved
by discussion), ignoring differences that are not disagreements: case and spacing in
text, "12" vs "12.0" in numbers, the order of a multiple choice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

from extraction.domain.form_schema import (
    CHOICE_TYPES,
    NUMERIC_TYPES,
    FieldDef,
    FieldType,
    FormDefinition,
    normalise_text,
)

NOT_REPORTED = "NR"
# Spellings extraction tables use for "the paper does not say".
_NOT_REPORTED_SPELLINGS = frozenset({"nr", "n/r", "n.r.", "not reported"})
SHORT_TEXT_MAX = 500
_MAX_DIGITS = 15  # no extracted count or measure needs more

_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0"})
# 1,234 or 1 234 (grouped thousands); anything else with a comma is ambiguous.
_GROUPED = re.compile(r"^[+-]?\d{1,3}([, ]\d{3})+(\.\d+)?$")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?$")


class FieldError(ValueError):
    """A value a field cannot take; the message is shown next to the field."""


@dataclass(frozen=True)
class CleanedValues:
    """`values`: field key -> clean value (empty fields omitted). `errors`: field key ->
    message. `orphaned`: values for keys the definition no longer has, as given."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    orphaned: dict[str, Any] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def is_empty(value: Any) -> bool:
    """None, blank text and empty collections are "not filled in"."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set | frozenset):
        return not value
    return False


def _is_not_reported(value: Any) -> bool:
    return isinstance(value, str) and normalise_text(value) in _NOT_REPORTED_SPELLINGS


def _text(field_def: FieldDef, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise FieldError("Enter text.")
    text = str(value).strip()
    if field_def.type is FieldType.SHORT_TEXT and len(text) > SHORT_TEXT_MAX:
        raise FieldError(f"Keep this under {SHORT_TEXT_MAX} characters, or use a long text field.")
    return text


def _number(field_def: FieldDef, value: Any) -> Decimal:
    """Parse a number, tolerating the field's unit typed after it ("45 %") and grouped
    thousands ("1,234"), refusing a decimal comma because "1,234" would be ambiguous."""
    if isinstance(value, bool):
        raise FieldError("Enter a number.")
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip()
        unit = field_def.unit.strip()
        if unit and text.casefold().endswith(unit.casefold()):
            text = text[: -len(unit)].strip()
        if _GROUPED.match(text):
            text = text.replace(",", "").replace(" ", "")
        if not _PLAIN_NUMBER.match(text):
            if re.match(r"^[+-]?\d+,\d+$", text):
                raise FieldError(f"Use a dot as the decimal separator ({text.replace(',', '.')}).")
            raise FieldError("Enter a number.")
        number = Decimal(text)
    else:
        raise FieldError("Enter a number.")
    if not number.is_finite():
        raise FieldError("Enter a number.")
    # "1e999999999" is a valid Decimal whose int() would exhaust memory; adjusted()
    # reads the exponent without arithmetic, which could itself overflow.
    if number and number.adjusted() >= _MAX_DIGITS:
        raise FieldError("That number is too large.")
    unit = f" {field_def.unit}" if field_def.unit else ""
    if field_def.min_value is not None and number < Decimal(str(field_def.min_value)):
        raise FieldError(f"Must be at least {field_def.min_value:g}{unit}.")
    if field_def.max_value is not None and number > Decimal(str(field_def.max_value)):
        raise FieldError(f"Must be at most {field_def.max_value:g}{unit}.")
    return number


def _integer(field_def: FieldDef, value: Any) -> int:
    number = _number(field_def, value)
    if number != number.to_integral_value():
        raise FieldError("Enter a whole number.")
    return int(number)


def _decimal(field_def: FieldDef, value: Any) -> float:
    # Stored as a float so values stay plain JSON; extraction precision (a few
    # significant digits) is far inside what a float holds exactly enough to print back.
    return float(_number(field_def, value))


def _match_choice(field_def: FieldDef, value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    wanted = normalise_text(value)
    for choice in field_def.choices:
        if wanted in (normalise_text(choice.value), normalise_text(choice.label)):
            return choice.value
    return None


def _choices_hint(field_def: FieldDef) -> str:
    return ", ".join(c.label for c in field_def.choices)


def _choice(field_def: FieldDef, value: Any) -> str:
    matched = _match_choice(field_def, value)
    if matched is None:
        raise FieldError(f"Choose one of: {_choices_hint(field_def)}.")
    return matched


def _multiple_choice(field_def: FieldDef, value: Any) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple | set | frozenset):
        raise FieldError(f"Choose any of: {_choices_hint(field_def)}.")
    chosen = set()
    unknown = []
    for item in items:
        matched = _match_choice(field_def, item)
        if matched is None:
            unknown.append(repr(item))
        else:
            chosen.add(matched)
    if unknown:
        raise FieldError(
            f"Not a choice: {', '.join(unknown)}. Choose any of: {_choices_hint(field_def)}."
        )
    # The definition's order, so equal selections are stored identically.
    return [c.value for c in field_def.choices if c.value in chosen]


def _yes_no(field_def: FieldDef, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = normalise_text(value)
        if text in _YES:
            return True
        if text in _NO:
            return False
    raise FieldError("Answer yes or no.")


def _date(field_def: FieldDef, value: Any) -> str:
    """A date as ISO text at the precision given: "2019", "2019-07" or "2019-07-17",
    because papers often give only a year or a month."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    message = "Enter a date as YYYY-MM-DD, YYYY-MM or YYYY."
    match = _DATE.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise FieldError(message)
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        dt.date(year, month or 1, day or 1)
    except ValueError:
        raise FieldError(message) from None
    if day is not None:
        return f"{year:04d}-{month:02d}-{day:02d}"
    if month is not None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}"


_COERCERS = {
    FieldType.SHORT_TEXT: _text,
    FieldType.LONG_TEXT: _text,
    FieldType.INTEGER: _integer,
    FieldType.DECIMAL: _decimal,
    FieldType.CHOICE: _choice,
    FieldType.MULTIPLE_CHOICE: _multiple_choice,
    FieldType.YES_NO: _yes_no,
    FieldType.DATE: _date,
}


def clean_value(field_def: FieldDef, value: Any) -> Any:
    """One field's clean value (None when empty); raises FieldError with the message
    to show. "NR" (or "not reported") is accepted where the field allows it."""
    if is_empty(value):
        return None
    # A choice labelled like "NR" wins over the not-reported shorthand.
    if field_def.type in CHOICE_TYPES and _match_choice(field_def, value) is not None:
        return _COERCERS[field_def.type](field_def, value)
    if field_def.allow_not_reported and _is_not_reported(value):
        return NOT_REPORTED
    return _COERCERS[field_def.type](field_def, value)


def clean_values(
    definition: FormDefinition, raw: Mapping[str, Any], *, partial: bool = False
) -> CleanedValues:
    """Coerce an extractor's values against the definition, field by field.

    Required fields left empty are errors unless `partial` (a draft being saved). Keys
    the definition does not have are returned in `orphaned`, untouched, so the caller
    can keep them with the record (Cochrane Handbook ch. 5: forms change as they are
    piloted; a revision must not discard extracted data).
    """
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    known = set()
    for field_def in definition.ordered_fields():
        known.add(field_def.key)
        try:
            value = clean_value(field_def, raw.get(field_def.key))
        except FieldError as exc:
            errors[field_def.key] = str(exc)
            continue
        if value is None:
            if field_def.required and not partial:
                errors[field_def.key] = "This field is required."
            continue
        values[field_def.key] = value
    orphaned = {key: value for key, value in raw.items() if key not in known}
    return CleanedValues(values, errors, orphaned)


class Agreement(StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"
    ONLY_A = "only_a"
    ONLY_B = "only_b"
    BOTH_EMPTY = "both_empty"


@dataclass(frozen=True)
class FieldComparison:
    """Two extractors' values for one field; values are shown as each extractor gave them."""

    key: str
    label: str
    section: str
    status: Agreement
    value_a: Any
    value_b: Any

    @property
    def agrees(self) -> bool:
        return self.status in (Agreement.AGREE, Agreement.BOTH_EMPTY)


@dataclass(frozen=True)
class FormComparison:
    fields: tuple[FieldComparison, ...]

    @property
    def differences(self) -> tuple[FieldComparison, ...]:
        return tuple(f for f in self.fields if not f.agrees)

    @property
    def agreement_rate(self) -> float | None:
        """Share of fields filled by either extractor on which both agree; None if none."""
        filled = [f for f in self.fields if f.status is not Agreement.BOTH_EMPTY]
        if not filled:
            return None
        return sum(f.status is Agreement.AGREE for f in filled) / len(filled)


def _comparable(field_def: FieldDef, value: Any) -> Any:
    """A canonical form of a value for equality: numbers as Decimal, multiple choice as
    a set, text casefolded with spacing collapsed. Values the field cannot take (an old
    value after a type change) fall back to their normalised text, never an exception."""
    try:
        clean = clean_value(field_def, value)
    except FieldError:
        if field_def.type in NUMERIC_TYPES:
            # Out of range is still a number: 150 and "150.0" agree even if both are wrong.
            unbounded = replace(field_def, min_value=None, max_value=None)
            try:
                return _number(unbounded, value)
            except FieldError:
                pass
        if isinstance(value, list | tuple | set | frozenset):
            return frozenset(normalise_text(str(v)) for v in value)
        return normalise_text(str(value))
    if clean == NOT_REPORTED or clean is None:
        return clean
    if field_def.type in NUMERIC_TYPES:
        return Decimal(repr(clean)) if isinstance(clean, float) else Decimal(clean)
    if field_def.type is FieldType.MULTIPLE_CHOICE:
        return frozenset(clean)
    if field_def.type in (FieldType.SHORT_TEXT, FieldType.LONG_TEXT):
        return normalise_text(clean)
    return clean


def compare(
    values_a: Mapping[str, Any], values_b: Mapping[str, Any], definition: FormDefinition
) -> FormComparison:
    """Field-by-field agreement between two extractors, in the form's order.

    Equal after normalising: text ignoring case and spacing, numbers by value (12 ==
    "12.0"), multiple choice as sets, choices by stored value or label. Only fields of
    the definition are compared; orphaned values stay with each extractor's record.
    """
    compared = []
    for section in definition.ordered_sections():
        for field_def in sorted(section.fields, key=lambda f: f.order):
            raw_a, raw_b = values_a.get(field_def.key), values_b.get(field_def.key)
            a, b = _comparable(field_def, raw_a), _comparable(field_def, raw_b)
            if a is None and b is None:
                status = Agreement.BOTH_EMPTY
            elif b is None:
                status = Agreement.ONLY_A
            elif a is None:
                status = Agreement.ONLY_B
            else:
                status = Agreement.AGREE if a == b else Agreement.DISAGREE
            compared.append(
                FieldComparison(field_def.key, field_def.label, section.key, status, raw_a, raw_b)
            )
    return FormComparison(tuple(compared))


def orphaned_keys(definition: FormDefinition, stored: Iterable[str]) -> tuple[str, ...]:
    """Keys of stored values that no field of the definition has (e.g. after a field
    was removed), for a "values kept from earlier versions of the form" panel."""
    known = {f.key for f in definition.ordered_fields()}
    return tuple(key for key in stored if key not in known)
