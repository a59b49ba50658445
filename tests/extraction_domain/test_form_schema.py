"""Extraction-form definitions: validation and the versioned JSON format."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extraction.domain.forms import (
    FORMAT,
    SCHEMA_VERSION,
    Choice,
    FieldDef,
    FieldType,
    FormDefinition,
    FormDefinitionError,
    Section,
    definition_from_dict,
    definition_to_dict,
    dumps_definition,
    loads_definition,
    seed_template,
    validate_definition,
)


def form(*fields, name="Form"):
    return FormDefinition(name, (Section("main", "Main", tuple(fields)),))


YES_NO = FieldDef("blinded", "Blinded?", FieldType.YES_NO)


def test_a_valid_form_has_no_problems():
    assert validate_definition(form(YES_NO)) == ()


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (form(YES_NO, name=" "), "The form needs a name."),
        (FormDefinition("Empty", (Section("s", "S"),)), "The form needs at least one field."),
        (
            form(YES_NO, FieldDef("blinded", "Again", FieldType.SHORT_TEXT)),
            "Field key 'blinded' is used twice.",
        ),
        (
            form(FieldDef("Sample Size", "N", FieldType.INTEGER)),
            "Field key 'Sample Size' must start with a lowercase letter and use only "
            "lowercase letters, digits and underscores (at most 63 characters).",
        ),
        (form(FieldDef("n", " ", FieldType.INTEGER)), "Field 'n' needs a label."),
        (
            form(FieldDef("design", "Design", FieldType.CHOICE)),
            "Field 'design' is a choice field and needs at least two choices.",
        ),
        (
            form(
                FieldDef("design", "Design", FieldType.MULTIPLE_CHOICE, choices=(Choice("a", "A"),))
            ),
            "Field 'design' is a multiple_choice field and needs at least two choices.",
        ),
        (
            form(
                FieldDef(
                    "design",
                    "Design",
                    FieldType.CHOICE,
                    choices=(Choice("rct", "RCT"), Choice("cohort", "rct")),
                )
            ),
            "Field 'design' has the choice 'rct' twice.",
        ),
        (
            form(
                FieldDef(
                    "design",
                    "Design",
                    FieldType.CHOICE,
                    choices=(Choice("", "A"), Choice("b", "B")),
                )
            ),
            "Field 'design' has a choice without a value or label.",
        ),
        (
            form(FieldDef("notes", "Notes", FieldType.LONG_TEXT, choices=(Choice("a", "A"),))),
            "Field 'notes' is a long_text field and cannot have choices.",
        ),
        (
            form(FieldDef("notes", "Notes", FieldType.SHORT_TEXT, unit="mg")),
            "Field 'notes': only integer and decimal fields have a unit.",
        ),
        (
            form(FieldDef("when", "When", FieldType.DATE, min_value=1)),
            "Field 'when': only integer and decimal fields have a minimum or maximum.",
        ),
        (
            form(FieldDef("age", "Age", FieldType.DECIMAL, min_value=10, max_value=5)),
            "Field 'age': the minimum is greater than the maximum.",
        ),
    ],
)
def test_validate_definition_explains_each_problem(definition, message):
    assert message in validate_definition(definition)


def test_section_keys_are_unique_and_titled():
    definition = FormDefinition(
        "F",
        (Section("a", "A", (YES_NO,)), Section("a", " ", (FieldDef("x", "X", FieldType.DATE),))),
    )
    assert validate_definition(definition) == (
        "Section key 'a' is used twice.",
        "Section 'a' needs a title.",
    )


def test_field_keys_are_unique_across_sections():
    definition = FormDefinition("F", (Section("a", "A", (YES_NO,)), Section("b", "B", (YES_NO,))))
    assert validate_definition(definition) == ("Field key 'blinded' is used twice.",)


def test_fields_are_ordered_by_section_then_field_order():
    definition = FormDefinition(
        "F",
        (
            Section("late", "Late", (FieldDef("z", "Z", FieldType.DATE),), order=2),
            Section(
                "early",
                "Early",
                (
                    FieldDef("b", "B", FieldType.DATE, order=2),
                    FieldDef("a", "A", FieldType.DATE, order=1),
                ),
                order=1,
            ),
        ),
    )
    assert [f.key for f in definition.ordered_fields()] == ["a", "b", "z"]
    assert definition.field("z").label == "Z"
    assert definition.field("missing") is None
    assert definition.section_of("b").key == "early"


def test_the_seed_template_round_trips_through_json():
    text = dumps_definition(seed_template())
    data = json.loads(text)
    assert data["format"] == FORMAT
    assert data["version"] == SCHEMA_VERSION
    assert loads_definition(text) == seed_template()


def test_export_shows_only_the_attributes_a_type_uses():
    data = definition_to_dict(seed_template())
    fields = {f["key"]: f for s in data["sections"] for f in s["fields"]}
    assert "choices" not in fields["title"]
    assert "unit" not in fields["title"]
    assert fields["percent_women"]["unit"] == "%"
    assert fields["study_type"]["choices"][0] == {
        "value": "prospective_study",
        "label": "Prospective study",
    }


def test_import_accepts_hand_written_json_with_defaults_and_shorthand_choices():
    definition = definition_from_dict(
        {
            "format": FORMAT,
            "version": 1,
            "name": "Mini",
            "sections": [
                {
                    "key": "s",
                    "title": "S",
                    "fields": [
                        {
                            "key": "arm",
                            "label": "Arm",
                            "type": "choice",
                            "choices": ["Drug", "Placebo"],
                        }
                    ],
                }
            ],
        }
    )
    arm = definition.field("arm")
    assert arm.choices == (Choice("Drug", "Drug"), Choice("Placebo", "Placebo"))
    assert arm.required is False
    assert arm.allow_not_reported is True


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x"}, "Not an extraction form"),
        ([1, 2], "Not an extraction form"),
        ({"format": FORMAT}, "no valid schema version"),
        ({"format": FORMAT, "version": True}, "no valid schema version"),
        (
            {"format": FORMAT, "version": SCHEMA_VERSION + 1},
            "uses schema version 2; this version reads up to 1",
        ),
        ({"format": FORMAT, "version": 1, "name": "F", "sections": 5}, "structure is malformed"),
        (
            {"format": FORMAT, "version": 1, "name": "F", "colour": "red"},
            "Form: unknown attribute(s) 'colour'",
        ),
        (
            {
                "format": FORMAT,
                "version": 1,
                "name": "F",
                "sections": [
                    {
                        "key": "s",
                        "title": "S",
                        "fields": [{"key": "a", "label": "A", "type": "float"}],
                    }
                ],
            },
            "Field 'a': type 'float' is not one of short_text, long_text",
        ),
        (
            {
                "format": FORMAT,
                "version": 1,
                "name": "F",
                "sections": [
                    {
                        "key": "s",
                        "title": "S",
                        "fields": [
                            {
                                "key": "a",
                                "label": "A",
                                "type": "integer",
                                "requird": True,
                                "min_value": "0",
                            }
                        ],
                    }
                ],
            },
            "Field 'a': unknown attribute(s) 'requird'",
        ),
    ],
)
def test_import_rejects_what_it_cannot_read(data, message):
    with pytest.raises(FormDefinitionError) as excinfo:
        definition_from_dict(data)
    assert any(message in m for m in excinfo.value.messages), excinfo.value.messages


def test_import_lists_every_problem_at_once():
    data = definition_to_dict(form(YES_NO, YES_NO))
    data["sections"][0]["fields"][0]["min_value"] = "ten"
    with pytest.raises(FormDefinitionError) as excinfo:
        definition_from_dict(data)
    assert excinfo.value.messages == (
        "Field 'blinded': min_value must be a number.",
        "Field key 'blinded' is used twice.",
    )


def test_loads_rejects_invalid_json():
    with pytest.raises(FormDefinitionError, match="Not valid JSON"):
        loads_definition("{not json")


keys = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
labels = st.text(min_size=1, max_size=20).filter(str.strip)


@st.composite
def definitions(draw):
    field_keys = draw(st.lists(keys, min_size=1, max_size=6, unique=True))
    fields = []
    for i, key in enumerate(field_keys):
        field_type = draw(st.sampled_from(list(FieldType)))
        extra = {}
        if field_type in (FieldType.CHOICE, FieldType.MULTIPLE_CHOICE):
            values = draw(st.lists(keys, min_size=2, max_size=4, unique=True))
            extra["choices"] = tuple(Choice(v, v.upper()) for v in values)
        if field_type in (FieldType.INTEGER, FieldType.DECIMAL):
            extra["unit"] = draw(st.sampled_from(["", "%", "mg"]))
            extra["min_value"] = draw(st.none() | st.integers(-5, 0))
        fields.append(
            FieldDef(
                key,
                draw(labels),
                field_type,
                required=draw(st.booleans()),
                help_text=draw(st.text(max_size=10)),
                order=i,
                **extra,
            )
        )
    return FormDefinition(draw(labels), (Section("main", draw(labels), tuple(fields)),))


@given(definitions())
def test_any_valid_definition_round_trips(definition):
    assert validate_definition(definition) == ()
    assert loads_definition(dumps_definition(definition)) == definition
