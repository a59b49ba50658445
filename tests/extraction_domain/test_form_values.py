"""Cleaning an extractor's values against a form, and comparing two extractors."""

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extraction.domain.forms import (
    NOT_REPORTED,
    Agreement,
    Choice,
    FieldDef,
    FieldError,
    FieldType,
    FormDefinition,
    Section,
    clean_value,
    clean_values,
    compare,
    orphaned_keys,
    seed_template,
)

SEED = seed_template()


def field(key):
    return SEED.field(key)


SOIN = {
    "authors": "Soin A, Soin Y, Dann T",
    "publication_date": "2021-07",
    "title": "Low-Dose Naltrexone Use for Patients with Chronic Regional Pain Syndrome",
    "study_type": "Systematic review",
    "sample_size": "29",
    "mean_age": "NR",
    "percent_women": "NR",
}


def test_it_cleans_a_complete_seed_record_into_json_ready_values():
    cleaned = clean_values(SEED, SOIN)
    assert cleaned.is_valid, cleaned.errors
    assert cleaned.values["study_type"] == "systematic_review"
    assert cleaned.values["sample_size"] == 29
    assert cleaned.values["mean_age"] == NOT_REPORTED
    assert "objectives" not in cleaned.values
    assert json.loads(json.dumps(cleaned.values)) == cleaned.values


def test_required_fields_are_reported_unless_saving_a_draft():
    cleaned = clean_values(SEED, {"authors": "  "})
    assert cleaned.errors == dict.fromkeys(
        ["authors", "publication_date", "title", "study_type", "sample_size"],
        "This field is required.",
    )
    assert clean_values(SEED, {"authors": "  "}, partial=True).is_valid


def test_values_of_removed_fields_are_kept_aside():
    cleaned = clean_values(SEED, {**SOIN, "funding": "industry", "old_scale": [1, 2]})
    assert cleaned.orphaned == {"funding": "industry", "old_scale": [1, 2]}
    assert "funding" not in cleaned.values
    assert orphaned_keys(SEED, ["authors", "funding"]) == ("funding",)


def test_errors_are_per_field_and_do_not_stop_other_fields():
    cleaned = clean_values(SEED, {**SOIN, "sample_size": "12.5", "percent_women": "140"})
    assert cleaned.errors == {
        "sample_size": "Enter a whole number.",
        "percent_women": "Must be at most 100 %.",
    }
    assert cleaned.values["authors"] == SOIN["authors"]


@pytest.mark.parametrize(
    ("key", "raw", "clean"),
    [
        ("authors", "  Soin A  ", "Soin A"),
        ("objectives", "line one\nline two", "line one\nline two"),
        ("authors", 42, "42"),
        ("sample_size", 616, 616),
        ("sample_size", "3,993", 3993),
        ("sample_size", "3 993", 3993),
        ("sample_size", 10.0, 10),
        ("sample_size", "10 participants", 10),
        ("sample_size", "n/r", NOT_REPORTED),
        ("sample_size", "Not reported", NOT_REPORTED),
        ("mean_age", "47.3", 47.3),
        ("mean_age", "47.3 years", 47.3),
        ("mean_age", 52, 52.0),
        ("percent_women", "66.7%", 66.7),
        ("percent_women", "66.7 %", 66.7),
        ("percent_women", ".5", 0.5),
        ("study_type", "case_study", "case_study"),
        ("study_type", "  CASE   study ", "case_study"),
        ("study_type", "Simulation / predictive model", "simulation_model"),
        ("publication_date", "2021", "2021"),
        ("publication_date", "2021-7", "2021-07"),
        ("publication_date", "2021/07/17", "2021-07-17"),
        ("publication_date", dt.date(2021, 7, 17), "2021-07-17"),
        ("publication_date", dt.datetime(2021, 7, 17, 9, 30), "2021-07-17"),
        ("authors", "   ", None),
        ("sample_size", None, None),
    ],
)
def test_clean_value(key, raw, clean):
    assert clean_value(field(key), raw) == clean


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("sample_size", "twelve", "Enter a number."),
        ("sample_size", True, "Enter a number."),
        ("sample_size", "-3", "Must be at least 0 participants."),
        ("sample_size", "12.5", "Enter a whole number."),
        ("sample_size", "1e999999999", "That number is too large."),
        ("mean_age", "47,3", "Use a dot as the decimal separator (47.3)."),
        ("mean_age", "nan", "Enter a number."),
        ("mean_age", "Infinity", "Enter a number."),
        ("mean_age", [47], "Enter a number."),
        ("percent_women", "101", "Must be at most 100 %."),
        ("study_type", "RCT", "Choose one of: Prospective study, Case study, Systematic review"),
        ("study_type", "NR", "Choose one of:"),
        ("publication_date", "July 2021", "Enter a date as YYYY-MM-DD, YYYY-MM or YYYY."),
        ("publication_date", "2021-02-30", "Enter a date as YYYY-MM-DD, YYYY-MM or YYYY."),
        ("publication_date", "2021-13", "Enter a date as YYYY-MM-DD, YYYY-MM or YYYY."),
        ("publication_date", 2021, "Enter a date as YYYY-MM-DD, YYYY-MM or YYYY."),
        ("authors", ["Soin"], "Enter text."),
        ("title", "x" * 501, "Keep this under 500 characters"),
    ],
)
def test_clean_value_rejects_with_a_clear_message(key, raw, message):
    with pytest.raises(FieldError) as excinfo:
        clean_value(field(key), raw)
    assert str(excinfo.value).startswith(message)


OUTCOMES = FieldDef(
    "outcomes",
    "Outcomes measured",
    FieldType.MULTIPLE_CHOICE,
    choices=(Choice("pain", "Pain"), Choice("sleep", "Sleep"), Choice("mood", "Mood")),
)
BLINDED = FieldDef("blinded", "Blinded?", FieldType.YES_NO, allow_not_reported=False)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (["Mood", "pain"], ["pain", "mood"]),
        (("sleep", "Sleep", "pain"), ["pain", "sleep"]),
        ({"mood"}, ["mood"]),
        ("Pain", ["pain"]),
        ([], None),
        ("NR", NOT_REPORTED),
    ],
)
def test_multiple_choice_is_stored_in_the_definitions_order(raw, clean):
    assert clean_value(OUTCOMES, raw) == clean


def test_multiple_choice_names_the_unknown_choices():
    with pytest.raises(
        FieldError, match="Not a choice: 'fatigue'. Choose any of: Pain, Sleep, Mood."
    ):
        clean_value(OUTCOMES, ["pain", "fatigue"])
    with pytest.raises(FieldError, match="Choose any of"):
        clean_value(OUTCOMES, 3)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (True, True),
        ("Yes", True),
        ("y", True),
        (1, True),
        ("no", False),
        (0, False),
        (False, False),
    ],
)
def test_yes_no(raw, clean):
    assert clean_value(BLINDED, raw) is clean


def test_not_reported_can_be_switched_off():
    with pytest.raises(FieldError, match="Answer yes or no."):
        clean_value(BLINDED, "NR")


def test_a_choice_spelled_like_not_reported_wins():
    reported = FieldDef(
        "reported",
        "Reported?",
        FieldType.CHOICE,
        choices=(Choice("nr", "NR"), Choice("yes", "Reported")),
    )
    assert clean_value(reported, "NR") == "nr"


def test_cleaning_is_idempotent_on_the_seed():
    once = clean_values(SEED, SOIN).values
    assert clean_values(SEED, once).values == once


# compare


def test_compare_agrees_despite_case_spacing_number_format_and_choice_order():
    definition = FormDefinition("F", (Section("s", "S", (*SEED.ordered_fields(), OUTCOMES)),))
    a = {
        **SOIN,
        "authors": "Soin A,  Soin Y, Dann T",
        "sample_size": 29,
        "outcomes": ["pain", "mood"],
    }
    b = {
        **SOIN,
        "authors": "soin a, soin y, dann t",
        "sample_size": "29.0",
        "mean_age": "nr",
        "study_type": "systematic_review",
        "outcomes": ["Mood", "Pain"],
    }
    result = compare(a, b, definition)
    assert result.differences == ()
    assert result.agreement_rate == 1.0


def test_compare_reports_each_kind_of_difference():
    a = {**SOIN, "mean_age": "47.3", "dose": "4.5 mg", "percent_women": 150}
    b = {
        **SOIN,
        "mean_age": 47.30,
        "sample_size": "30",
        "symptoms": "pain",
        "percent_women": "150.0",
    }
    result = compare(a, b, SEED)
    by_key = {f.key: f for f in result.fields}
    assert by_key["mean_age"].status is Agreement.AGREE
    assert by_key["sample_size"].status is Agreement.DISAGREE
    assert (by_key["sample_size"].value_a, by_key["sample_size"].value_b) == ("29", "30")
    assert by_key["dose"].status is Agreement.ONLY_A
    assert by_key["symptoms"].status is Agreement.ONLY_B
    assert by_key["objectives"].status is Agreement.BOTH_EMPTY
    # Out of range for the field, but the same number: not a disagreement to resolve.
    assert by_key["percent_women"].status is Agreement.AGREE
    assert [f.key for f in result.differences] == ["sample_size", "symptoms", "dose"]
    assert by_key["sample_size"].section == "characteristics"
    assert by_key["sample_size"].label == "Sample size"
    filled = [f for f in result.fields if f.status is not Agreement.BOTH_EMPTY]
    assert result.agreement_rate == pytest.approx((len(filled) - 3) / len(filled))


def test_compare_does_not_fail_on_values_a_changed_field_cannot_take():
    # sample_size was text in an earlier version of the form.
    result = compare({"sample_size": "about 30"}, {"sample_size": "About  30"}, SEED)
    assert {f.key: f.status for f in result.fields}["sample_size"] is Agreement.AGREE
    result = compare({"sample_size": ["a"]}, {"sample_size": ["A"]}, SEED)
    assert {f.key: f.status for f in result.fields}["sample_size"] is Agreement.AGREE


def test_compare_of_two_empty_records():
    result = compare({}, {}, SEED)
    assert result.agreement_rate is None
    assert len(result.fields) == 18
    assert all(f.agrees for f in result.fields)


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "authors": st.text(max_size=30),
            "sample_size": st.integers(0, 10_000) | st.integers(0, 10_000).map(str),
            "mean_age": st.floats(0, 130, allow_nan=False),
            "study_type": st.sampled_from(["case_study", "Case study", "CASE STUDY", "NR"]),
        },
    )
)
def test_a_record_always_agrees_with_itself_and_with_its_cleaned_form(raw):
    assert compare(raw, raw, SEED).differences == ()
    cleaned = clean_values(SEED, raw, partial=True)
    comparable = {k: v for k, v in raw.items() if k not in cleaned.errors}
    assert compare(comparable, cleaned.values, SEED).differences == ()
