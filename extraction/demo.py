"""Demo extraction for the demo review: the seed template, two extractors' values for
two studies (one difference, one consensus) and risk-of-bias assessments. Idempotent:
running it again changes nothing."""

from __future__ import annotations

from django.db import transaction

from extraction import selectors
from extraction.models import Instrument, Study
from extraction.services import forms as form_services
from extraction.services import sheets as sheet_services
from extraction.services import studies as study_services
from reviewapp.models import Membership
from screening.models import Record, RecordState

# Two of the seed review's included studies (Soin et al. 2021, table 1), as extracted.
STUDIES = [
    {
        "authors": "Younger J, Noor N, McCue R, Mackey S",
        "publication_date": "2013-02",
        "title": "Low-dose naltrexone for the treatment of fibromyalgia",
        "study_type": "prospective_study",
        "objectives": "Efficacy of LDN on fibromyalgia symptoms",
        "data_sources": "Randomised, double-blind, placebo-controlled crossover trial",
        "population": "Women with fibromyalgia",
        "sample_size": 31,
        "mean_age": 45,
        "percent_women": 100,
        "disorder": "Fibromyalgia",
        "symptoms": "Pain, fatigue, sleep disturbance",
        "symptoms_alleviated": "Pain, general satisfaction with life, mood",
        "dose": "4.5 mg/day",
        "adverse_events": "Vivid dreams, headache",
        "serious_adverse_events": "None",
    },
    {
        "authors": "Chopra P, Cooper MS",
        "publication_date": "2013",
        "title": "Treatment of complex regional pain syndrome using low dose naltrexone",
        "study_type": "case_study",
        "objectives": "Describe LDN treatment of CRPS",
        "data_sources": "Case reports",
        "population": "Patients with CRPS",
        "sample_size": 2,
        "disorder": "CRPS",
        "symptoms": "Pain, dystonia",
        "symptoms_alleviated": "Pain, dystonia",
        "dose": "4.5 mg/day",
        "adverse_events": "NR",
        "serious_adverse_events": "NR",
    },
]
# The item where the second extractor slips (reads the mean age a year lower).
DIFFERENCE = "mean_age"
DOMAIN_RATINGS = [
    {"selection": "low", "performance": "low", "detection": "low", "attrition": "unclear"},
    {"selection": "high", "performance": "high", "detection": "high", "attrition": "unclear"},
]


def _included_records(review, wanted: int) -> list[Record]:
    records = list(Record.objects.for_review(review).filter(state=RecordState.INCLUDED)[:wanted])
    if len(records) < wanted:
        # A demo review without screening results: include a few records to show extraction.
        extra = list(
            Record.objects.for_review(review)
            .unique()
            .exclude(state=RecordState.INCLUDED)
            .order_by("pk")[: wanted - len(records)]
        )
        Record.objects.filter(pk__in=[r.pk for r in extra]).update(state=RecordState.INCLUDED)
        records += extra
    return records


_STUDY_TYPES = {
    "rct": ("prospective_study", "Randomised, placebo-controlled trial"),
    "acute": ("prospective_study", "Randomised, placebo-controlled trial"),
    "pilot": ("prospective_study", "Open-label prospective study"),
    "cohort": ("retrospective_study", "Retrospective chart review"),
    "case_report": ("case_study", "Case report"),
    "case_series": ("case_study", "Case series"),
    "review": ("systematic_review", "Literature review"),
    "simulation": ("simulation_model", "Model-based analysis"),
}


def _short_name(author: str) -> str:
    """ "Costa, A. B." -> "Costa AB", as extraction forms list authors."""
    surname, _, given = author.partition(",")
    return f"{surname.strip()} {''.join(ch for ch in given if ch.isalpha())}".strip()


def _values_from_paper(record: Record) -> dict | None:
    """A demo record's extraction, read off the work it came from (None: not a demo work),
    so the evidence table agrees with the record's title and abstract."""
    from screening.demo_data import work_with_doi

    work = work_with_doi(record.doi or "")
    if work is None:
        return None
    facts = dict(work["facts"])
    # Designs whose paper is not about the drawn condition say what they are about instead.
    about = {
        "acute": ("acute postoperative pain", f"patients undergoing {facts['surgery']}"),
        "animal": ("neuropathic pain (animal model)", f"the {facts['species']} model"),
        "in_vitro": ("neuroinflammation (in vitro)", facts["cells"]),
    }.get(facts["design"])
    if about:
        facts.update(condition=about[0], patients=about[1], outcome="opioid consumption")
    study_type, source = _STUDY_TYPES.get(facts["design"], ("other", "Other design"))
    single = facts["design"] == "case_report"
    return {
        "authors": ", ".join(_short_name(a) for a in record.authors),
        "publication_date": str(record.year or ""),
        "title": record.title,
        "study_type": study_type,
        "objectives": f"Effect of LDN on {facts['outcome']} in {facts['condition']}",
        "data_sources": source,
        "population": facts["patients"][0].upper() + facts["patients"][1:],
        "sample_size": 1 if single else facts["n"],
        "mean_age": facts["age"],
        "percent_women": (100 if facts["sex"] == "woman" else 0) if single else facts["women"],
        "disorder": facts["condition"][0].upper() + facts["condition"][1:],
        "symptoms": f"{facts['outcome']}, {facts['outcome2']}".capitalize(),
        "symptoms_alleviated": facts["outcome"].capitalize(),
        "dose": f"{facts['dose']}/day",
        "adverse_events": facts["adverse"].capitalize(),
        "serious_adverse_events": "None",
    }


@transaction.atomic
def add_demo_extraction(*, review, users) -> None:
    """`users`: the demo users by username (owner, lead, reviewer1, reviewer2)."""
    lead, first, second = users["lead"], users["reviewer1"], users["reviewer2"]
    if selectors.current_form(review=review) is None:
        form_services.use_seed_template(review=review, by=lead)
    records = _included_records(review, len(STUDIES))
    if not records:
        return
    study_services.ensure_studies(review=review)
    ctx, version, _settings = selectors.context_for(review=review)
    memberships = {
        m.user_id: m
        for m in Membership.objects.filter(review=review, user__in=[lead, first, second])
    }
    for index, record in enumerate(records):
        study = Study.objects.get(reports__record=record)
        values = _values_from_paper(record) or dict(STUDIES[index])
        second_values = dict(values)
        if index == 0:
            # The second extractor misreads the mean age by a year (a typical slip).
            second_values[DIFFERENCE] = values[DIFFERENCE] - 1
        for user, raw in ((first, values), (second, second_values)):
            membership = memberships[user.pk]
            for instrument, answers in (
                (Instrument.EXTRACTION, raw),
                (Instrument.DOMAIN, DOMAIN_RATINGS[index]),
            ):
                access = selectors.sheet_access(
                    study=study, instrument=instrument, membership=membership, required=2
                )
                if access.mine is not None and access.mine.is_done:
                    continue
                if access.mine is None and access.free_slot is None:
                    continue
                result = sheet_services.save_values(
                    study=study,
                    instrument=instrument,
                    membership=membership,
                    raw=answers,
                    ctx=ctx,
                    form_version=version if instrument == Instrument.EXTRACTION else None,
                )
                sheet_services.submit_sheet(sheet=result.sheet, ctx=ctx, by=user)
                study = Study.objects.get(pk=study.pk)
        if index == 0:
            # The lead settles the difference in favour of the first extractor.
            sheet_services.record_consensus(
                study=study,
                instrument=Instrument.EXTRACTION,
                membership=memberships[lead.pk],
                key=DIFFERENCE,
                source="a",
                note="Checked against table 1 of the paper.",
                ctx=ctx,
            )
