"""The extraction form and settings. Every change of the form is a new FormVersion;
values are stored by field key, so a change never touches anyone's values."""

from __future__ import annotations

import re
from dataclasses import replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from extraction.domain.domain_tool import BiasDomain, DomainTool, tool_from_dict, tool_to_dict
from extraction.domain.forms import (
    Choice,
    FieldDef,
    FieldType,
    FormDefinition,
    FormDefinitionError,
    Section,
    definition_to_dict,
    loads_definition,
    outcome_block,
    seed_template,
    validate_definition,
)
from extraction.models import ExtractionSettings, FormVersion
from reviewapp.models import Review


def settings_for(*, review: Review) -> ExtractionSettings:
    """The review's extraction settings, made with the defaults on first use."""
    settings, _ = ExtractionSettings.objects.get_or_create(review=review)
    return settings


@transaction.atomic
def update_settings(
    *,
    review: Review,
    assessors_per_study: int,
    rob2_effect: str,
    domains: list[BiasDomain] | None = None,
    tool_name: str | None = None,
) -> ExtractionSettings:
    settings = settings_for(review=review)
    if assessors_per_study not in (1, 2):
        raise ValidationError("One or two extractors per study.")
    if assessors_per_study == 1 and settings.review.studies.filter(sheets__slot=2).exists():
        raise ValidationError(
            "Some studies already have a second extractor; keep two extractors per study."
        )
    settings.assessors_per_study = assessors_per_study
    settings.rob2_effect = rob2_effect
    if domains is not None:
        current = tool_from_dict(settings.domain_tool)
        tool = DomainTool(tool_name or current.name, tuple(domains), current.reference)
        try:
            tool_from_dict(tool_to_dict(tool))
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        settings.domain_tool = tool_to_dict(tool)
    settings.full_clean()
    settings.save()
    return settings


@transaction.atomic
def save_form(*, review: Review, definition: FormDefinition, by, note: str = "") -> FormVersion:
    """Store `definition` as the review's next form version (unchanged: no new version)."""
    problems = validate_definition(definition)
    if problems:
        raise ValidationError(list(problems))
    Review.objects.select_for_update().filter(pk=review.pk).first()
    data = definition_to_dict(definition)
    latest = FormVersion.objects.for_review(review).order_by("-number").first()
    if latest is not None and latest.definition == data:
        return latest
    number = (FormVersion.objects.for_review(review).aggregate(n=Max("number"))["n"] or 0) + 1
    return FormVersion.objects.create(
        review=review, number=number, definition=data, note=note[:200], created_by=by
    )


def use_seed_template(*, review: Review, by) -> FormVersion:
    return save_form(review=review, definition=seed_template(), by=by, note="Seed template")


def import_form(*, review: Review, text: str | bytes, by) -> FormVersion:
    """A form exported from this or another review (JSON); raises ValidationError."""
    try:
        definition = loads_definition(text)
    except FormDefinitionError as exc:
        raise ValidationError(list(exc.messages)) from None
    return save_form(review=review, definition=definition, by=by, note="Imported from JSON")


# --- the form builder's edits: each takes the current definition, returns a new one ----


def _with_section(definition: FormDefinition, key: str, change) -> FormDefinition:
    if not any(s.key == key for s in definition.sections):
        raise ValidationError("No such section.")
    return replace(
        definition,
        sections=tuple(change(s) if s.key == key else s for s in definition.sections),
    )


def _renumbered(items: list) -> tuple:
    return tuple(replace(item, order=position) for position, item in enumerate(items, 1))


def _free_key(base: str, taken: set[str]) -> str:
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def empty_definition(name: str = "Extraction form") -> FormDefinition:
    return FormDefinition(name=name, sections=())


def add_section(definition: FormDefinition, *, title: str) -> FormDefinition:
    taken = {s.key for s in definition.sections}
    key = _free_key(_slug(title) or "section", taken)
    sections = [*definition.ordered_sections(), Section(key, title.strip())]
    return replace(definition, sections=_renumbered(sections))


def add_outcome_block(definition: FormDefinition, *, title: str) -> FormDefinition:
    """A section for one outcome whose fields map to meta/metafor's columns
    (`n.e, mean.e, sd.e, event.e, n.c, mean.c, sd.c, event.c`): the per-outcome export
    (`extraction.interchange.meta_rows`) reads them."""
    title = title.strip()
    if not title:
        raise ValidationError("Name the outcome (e.g. Pain at 12 weeks).")
    with_section = add_section(definition, title=title)
    section = with_section.ordered_sections()[-1]
    taken = {f.key for f in definition.ordered_fields()}
    base, n = section.key[:40], 2
    prefix = base
    while any(f.key in taken for f in outcome_block(prefix=prefix)):
        prefix, n = f"{base}_{n}", n + 1
    fields = outcome_block(prefix=prefix)
    return _with_section(with_section, section.key, lambda s: replace(s, fields=fields))


def update_section(definition: FormDefinition, *, key: str, title: str, description: str):
    return _with_section(
        definition, key, lambda s: replace(s, title=title.strip(), description=description.strip())
    )


def delete_section(definition: FormDefinition, *, key: str) -> FormDefinition:
    _with_section(definition, key, lambda s: s)
    return replace(definition, sections=tuple(s for s in definition.sections if s.key != key))


def move_section(definition: FormDefinition, *, key: str, step: int) -> FormDefinition:
    ordered = list(definition.ordered_sections())
    index = next((i for i, s in enumerate(ordered) if s.key == key), None)
    if index is None:
        raise ValidationError("No such section.")
    other = index + step
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    return replace(definition, sections=_renumbered(ordered))


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_")
    if slug and not slug[0].isalpha():
        slug = f"f_{slug}"
    return slug[:50]


def parse_choices(text: str) -> tuple[Choice, ...]:
    """One choice per line: "label" or "value | label"."""
    choices = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if "|" in line:
            value, label = (part.strip() for part in line.split("|", 1))
        else:
            value = label = line.strip()
        choices.append(Choice(value, label))
    return tuple(choices)


def _number(text: str | None) -> float | None:
    if text is None or not str(text).strip():
        return None
    try:
        return float(text)
    except ValueError:
        raise ValidationError(f"{text!r} is not a number.") from None


def build_field(
    *,
    key: str,
    label: str,
    type: str,
    required: bool = False,
    help_text: str = "",
    choices: str = "",
    unit: str = "",
    min_value: str | None = None,
    max_value: str | None = None,
) -> FieldDef:
    try:
        field_type = FieldType(type)
    except ValueError:
        raise ValidationError(f"Unknown field type {type!r}.") from None
    numeric = field_type in (FieldType.INTEGER, FieldType.DECIMAL)
    return FieldDef(
        key=key,
        label=label.strip(),
        type=field_type,
        required=required,
        help_text=help_text.strip(),
        choices=parse_choices(choices)
        if field_type in (FieldType.CHOICE, FieldType.MULTIPLE_CHOICE)
        else (),
        unit=unit.strip() if numeric else "",
        min_value=_number(min_value) if numeric else None,
        max_value=_number(max_value) if numeric else None,
    )


def add_field(definition: FormDefinition, *, section: str, **attrs) -> FormDefinition:
    taken = {f.key for f in definition.ordered_fields()}
    wanted = attrs.pop("key", "") or _slug(attrs.get("label", "")) or "field"
    field_def = build_field(key=_free_key(_slug(wanted) or "field", taken), **attrs)

    def change(s: Section) -> Section:
        ordered = [*sorted(s.fields, key=lambda f: f.order), field_def]
        return replace(s, fields=_renumbered(ordered))

    return _with_section(definition, section, change)


def update_field(definition: FormDefinition, *, key: str, **attrs) -> FormDefinition:
    """Change a field's label, type, choices... Its key stays: values are stored by key."""
    section = definition.section_of(key)
    if section is None:
        raise ValidationError("No such field.")
    old = definition.field(key)
    new = replace(build_field(key=key, **attrs), order=old.order)
    if old.meta_role and new.type in (FieldType.INTEGER, FieldType.DECIMAL):
        new = replace(new, meta_role=old.meta_role)  # the outcome role survives an edit

    def change(s: Section) -> Section:
        return replace(s, fields=tuple(new if f.key == key else f for f in s.fields))

    return _with_section(definition, section.key, change)


def delete_field(definition: FormDefinition, *, key: str) -> FormDefinition:
    """Remove a field from the form; values entered for it stay with each sheet."""
    section = definition.section_of(key)
    if section is None:
        raise ValidationError("No such field.")
    return _with_section(
        definition,
        section.key,
        lambda s: replace(
            s,
            fields=_renumbered(
                [f for f in sorted(s.fields, key=lambda f: f.order) if f.key != key]
            ),
        ),
    )


def move_field(definition: FormDefinition, *, key: str, step: int) -> FormDefinition:
    """Up or down within its section; past the section's edge, into the next section."""
    section = definition.section_of(key)
    if section is None:
        raise ValidationError("No such field.")
    ordered = sorted(section.fields, key=lambda f: f.order)
    index = next(i for i, f in enumerate(ordered) if f.key == key)
    other = index + step
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
        return _with_section(
            definition, section.key, lambda s: replace(s, fields=_renumbered(ordered))
        )
    sections = list(definition.ordered_sections())
    position = sections.index(section) + step
    if not 0 <= position < len(sections):
        return definition
    moving = ordered.pop(index)
    target = sections[position]
    target_fields = sorted(target.fields, key=lambda f: f.order)
    target_fields = [moving, *target_fields] if step > 0 else [*target_fields, moving]
    changed = {
        section.key: replace(section, fields=_renumbered(ordered)),
        target.key: replace(target, fields=_renumbered(target_fields)),
    }
    return replace(definition, sections=tuple(changed.get(s.key, s) for s in definition.sections))


def rename_form(definition: FormDefinition, *, name: str, description: str) -> FormDefinition:
    return replace(definition, name=name.strip(), description=description.strip())
