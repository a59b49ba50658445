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
# The second extractor read the first study's mean age as 44 (a typical slip).
DIFFERENCE = ("mean_age", 44)
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
        values = dict(STUDIES[index])
        second_values = dict(values)
        if index == 0:
            second_values[DIFFERENCE[0]] = DIFFERENCE[1]
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
                key=DIFFERENCE[0],
                source="a",
                note="Checked against table 1 of the paper.",
                ctx=ctx,
            )
