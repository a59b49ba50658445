"""A small review screened through the real services: every state and outcome the
records list and the exports show, from two databases and one website."""

from __future__ import annotations

from dataclasses import dataclass

from screening.models import ExclusionReason, Record, RecordState, SourceKind, Stage
from screening.services.conflicts import decide_as_lead
from screening.services.votes import cast_vote
from tests.factories import make_batch, make_record
from tests.screening.factories import attach_pdf, reason


@dataclass
class Screened:
    ta_excluded: Record
    conflict: Record
    open: Record
    duplicate: Record
    ft_excluded: Record
    included: Record
    resolved: Record
    formula: Record
    web: Record
    ta_reason: ExclusionReason
    ft_reason: ExclusionReason


def screened_review(world) -> Screened:
    review, rita, rafael = world.review, world.reviewer, world.reviewer2
    pubmed = make_batch(review, source_name="PubMed")
    embase = make_batch(review, source_name="Embase")
    web = make_batch(review, source_name="Google Scholar", source_kind=SourceKind.WEBSITE)
    ta_reason, ft_reason = reason(review), reason(review, Stage.FULL_TEXT)

    def vote(record, reviewer, verdict, stage="ta", **extra):
        cast_vote(record=record, stage=stage, reviewer=reviewer, verdict=verdict, **extra)

    ta_excluded = make_record(
        pubmed, title="Naltrexone review of reviews", authors=["Smith J"], year=2019
    )
    vote(ta_excluded, rita, "exclude", reason=ta_reason, note="a review")
    vote(ta_excluded, rafael, "exclude", reason=ta_reason)

    conflict = make_record(
        pubmed,
        title="Low-dose naltrexone in fibromyalgia",
        authors=["Younger J", "Mackey S"],
        year=2013,
        doi="10.1000/fm.1",
    )
    vote(conflict, rita, "include", note="looks relevant")
    vote(conflict, rafael, "exclude", reason=ta_reason, note="rafael's secret")

    open_ = make_record(pubmed, title="Naltrexone and Crohn's disease pain", year=2011)
    vote(open_, rafael, "include", note="rafael alone")

    duplicate = make_record(
        pubmed,
        title="Low-dose naltrexone in fibromyalgia (duplicate)",
        state=RecordState.DUPLICATE,
        state_before_merge=RecordState.TA,
    )

    ft_excluded = make_record(
        embase, title="LDN in a mouse model of neuropathic pain", state=RecordState.FT, year=2018
    )
    attach_pdf(ft_excluded)
    vote(ft_excluded, rita, "exclude", stage="ft", reason=ft_reason)
    vote(ft_excluded, rafael, "exclude", stage="ft", reason=ft_reason)

    included = make_record(
        embase,
        title="LDN for complex regional pain syndrome",
        state=RecordState.FT,
        authors=["Chopra P", "Cooper MS"],
        year=2013,
        doi="10.1000/crps.2",
        journal="Pain Med",
    )
    attach_pdf(included)
    vote(included, rita, "include", stage="ft")
    vote(included, rafael, "include", stage="ft")

    resolved = make_record(embase, title="Naltrexone for chronic low back pain", year=2020)
    vote(resolved, rita, "exclude", reason=ta_reason)
    vote(resolved, rafael, "maybe")
    decide_as_lead(
        record=resolved, stage="ta", lead=world.lead, verdict="include", note="lead says go"
    )

    formula = make_record(
        web, title='=HYPERLINK("http://evil.example","click")', authors=["@Bob"], year=2021
    )
    vote(formula, rita, "include", note="+cmd|' /C calc'!A0")

    web_record = make_record(web, title="Patient forum on naltrexone", year=2022)
    for record in (ta_excluded, conflict, open_, ft_excluded, included, resolved, formula):
        record.refresh_from_db()
    return Screened(
        ta_excluded,
        conflict,
        open_,
        duplicate,
        ft_excluded,
        included,
        resolved,
        formula,
        web_record,
        ta_reason,
        ft_reason,
    )
