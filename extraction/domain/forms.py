"""Extraction forms: the public entry point, and the seed review's template.

The schema (definitions, validation, JSON import/export) lives in `form_schema`, value
cleaning and two-extractor comparison in `form_values`; both are re-exported here so
callers import from one place.

`seed_template()` reproduces the abstraction table of the seed review: Soin A, Soin Y,
Dann T, et al. Low-Dose Naltrexone Use for Patients with Chronic Regional Pain
Syndrome: A Systematic Literature Review. Pain Physician 2021;24(4):E393-E406,
"Data Abstraction" (the fields) and "Results" (its study types).
"""

from __future__ import annotations

from extraction.domain.form_schema import (
    FORMAT,
    META_ROLES,
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
    normalise_text,
    outcome_block,
    validate_definition,
)
from extraction.domain.form_values import (
    NOT_REPORTED,
    Agreement,
    CleanedValues,
    FieldComparison,
    FieldError,
    FormComparison,
    clean_value,
    clean_values,
    compare,
    orphaned_keys,
)

__all__ = [
    "FORMAT",
    "META_ROLES",
    "NOT_REPORTED",
    "SCHEMA_VERSION",
    "Agreement",
    "Choice",
    "CleanedValues",
    "FieldComparison",
    "FieldDef",
    "FieldError",
    "FieldType",
    "FormComparison",
    "FormDefinition",
    "FormDefinitionError",
    "Section",
    "clean_value",
    "clean_values",
    "compare",
    "definition_from_dict",
    "definition_to_dict",
    "dumps_definition",
    "loads_definition",
    "normalise_text",
    "orphaned_keys",
    "outcome_block",
    "seed_template",
    "validate_definition",
]

# The seed's 29 included studies: 11 prospective, 10 case studies, 3 systematic
# reviews, 2 retrospective, 2 simulation/predictive models, 1 combination (a
# prospective 2-part study with in vitro, human and animal parts).
SEED_STUDY_TYPES = (
    Choice("prospective_study", "Prospective study"),
    Choice("case_study", "Case study"),
    Choice("systematic_review", "Systematic review"),
    Choice("retrospective_study", "Retrospective study"),
    Choice("simulation_model", "Simulation / predictive model"),
    Choice("combination", "Combination study"),
    # Not in the seed; here so a reused template need not be edited for one study.
    Choice("other", "Other"),
)


def _text(key: str, label: str, *, long: bool = False, **options) -> FieldDef:
    kind = FieldType.LONG_TEXT if long else FieldType.SHORT_TEXT
    return FieldDef(key, label, kind, **options)


def _percent(key: str, label: str, help_text: str, order: int) -> FieldDef:
    return FieldDef(
        key,
        label,
        FieldType.DECIMAL,
        unit="%",
        min_value=0,
        max_value=100,
        help_text=help_text,
        order=order,
    )


def seed_template() -> FormDefinition:
    """The seed review's abstraction table as a ready-made form.

    Fields and their order follow the seed's "Data Abstraction" paragraph: study
    characteristics and demographics (author names, publication date, title, study
    type, objectives, data sources, population, sample size, mean age in years,
    % women, % African American), then the qualitative summary (disorder, symptoms,
    symptoms alleviated, time to resolution, dose, adverse events, SAEs). Time to
    resolution and dose are text because the seed reports ranges and titration
    schedules ("1-1.5 mg, increased every 2 weeks"), not single numbers.
    """
    return FormDefinition(
        name="Study characteristics and outcomes (LDN review abstraction table)",
        description=(
            "Reproduces the abstraction table of Soin et al., Pain Physician "
            "2021;24:E393-E406. Enter NR where a study does not report a value."
        ),
        sections=(
            Section(
                "identification",
                "Study identification",
                (
                    _text("authors", "Author name(s)", required=True, order=1),
                    FieldDef(
                        "publication_date",
                        "Publication date",
                        FieldType.DATE,
                        required=True,
                        help_text="YYYY-MM-DD, YYYY-MM or YYYY, as precise as the paper gives.",
                        order=2,
                    ),
                    _text("title", "Title", required=True, order=3),
                    FieldDef(
                        "study_type",
                        "Study type",
                        FieldType.CHOICE,
                        required=True,
                        choices=SEED_STUDY_TYPES,
                        allow_not_reported=False,
                        order=4,
                    ),
                ),
                order=1,
            ),
            Section(
                "characteristics",
                "Study characteristics and demographics",
                (
                    _text("objectives", "Objective(s)", long=True, order=1),
                    _text(
                        "data_sources",
                        "Data source(s)",
                        long=True,
                        help_text="Where the data came from: trial sites, registries, "
                        "medical records, published studies.",
                        order=2,
                    ),
                    _text("population", "Population", long=True, order=3),
                    FieldDef(
                        "sample_size",
                        "Sample size",
                        FieldType.INTEGER,
                        required=True,
                        unit="participants",
                        min_value=0,
                        help_text="Number of participants (patients) included.",
                        order=4,
                    ),
                    FieldDef(
                        "mean_age",
                        "Mean age",
                        FieldType.DECIMAL,
                        unit="years",
                        min_value=0,
                        max_value=130,
                        order=5,
                    ),
                    _percent(
                        "percent_women",
                        "Gender (% women)",
                        "Share of participants who are women.",
                        order=6,
                    ),
                    _percent(
                        "percent_african_american",
                        "Race (% African American)",
                        "Share of participants reported as African American.",
                        order=7,
                    ),
                ),
                order=2,
            ),
            Section(
                "outcomes",
                "Disorder, symptoms and safety",
                (
                    _text("disorder", "Disorder", help_text="E.g. CRPS, fibromyalgia.", order=1),
                    _text("symptoms", "Symptoms", long=True, order=2),
                    _text("symptoms_alleviated", "Symptoms alleviated", long=True, order=3),
                    _text(
                        "time_to_resolution",
                        "Time to resolution of symptoms",
                        help_text="As reported, e.g. '2 weeks', '3-6 months'.",
                        order=4,
                    ),
                    _text(
                        "dose",
                        "Dose",
                        help_text="Dose and schedule as reported, e.g. '4.5 mg/day'.",
                        order=5,
                    ),
                    _text("adverse_events", "Adverse events", long=True, order=6),
                    _text(
                        "serious_adverse_events",
                        "Serious adverse events (SAEs)",
                        long=True,
                        order=7,
                    ),
                ),
                order=3,
            ),
        ),
    )
