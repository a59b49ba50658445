"""The numbers of the methods text (screening/methods_text.py), gathered from the data,
and the page each number links to."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from reviewapp.models import Review
from screening import methods_text as text
from screening.models import (
    CandidatePair,
    PairStatus,
    Record,
    RecordState,
    Resolution,
    ResolutionKind,
    ScreeningSettings,
    SearchRound,
    Stage,
    StoppingDecision,
    Vote,
)
from screening.selectors.prisma import review_flow
from screening.selectors.screening import agreement_report
from screening.selectors.search_log import log_entries

STAGE_LABELS = {Stage.TITLE_ABSTRACT: "title/abstract", Stage.FULL_TEXT: "full text"}


def report_links(review: Review) -> dict[str, str]:
    """Where each kind of number can be checked."""
    pk = review.pk
    return {
        "search_log": reverse("search_log", args=[pk]),
        "records": reverse("record_list", args=[pk]),
        "duplicates": reverse("duplicate_groups", args=[pk]),
        "prisma": reverse("prisma", args=[pk]),
        "agreement": reverse("agreement", args=[pk]),
        "conflicts": reverse("conflicts", args=[pk, Stage.TITLE_ABSTRACT]),
        "ranking": reverse("ranking", args=[pk]),
        "fulltext": reverse("fulltext_list", args=[pk]),
        "extraction": reverse("extraction_home", args=[pk]),
        "rob": reverse("extraction_rob", args=[pk]),
    }


def _rounds(review: Review) -> tuple[text.RoundFacts, ...]:
    entries = log_entries(review=review)
    rounds = []
    for round_ in SearchRound.objects.filter(review=review).order_by("number"):
        sources = tuple(
            text.SourceFacts(
                name=e["source_name"],
                method=e["method"],
                platform=e["platform"],
                searched_on=e["searched_on"],
                imported=e["imported"],
            )
            for e in entries
            if e["round"] == round_.number and (e["files"] or e["searched_on"])
        )
        rounds.append(text.RoundFacts(round_.number, round_.label, round_.searched_on, sources))
    return tuple(rounds)


def _duplicates(review: Review) -> tuple[int, int]:
    """(removed automatically, removed after a person confirmed): every removed duplicate
    is one or the other, so the two add up to the PRISMA box."""
    removed = Record.objects.filter(review=review, state=RecordState.DUPLICATE)
    confirmed = CandidatePair.objects.filter(review=review, status=PairStatus.CONFIRMED)
    manual = removed.filter(
        Q(pk__in=confirmed.values("record_a")) | Q(pk__in=confirmed.values("record_b"))
    ).count()
    return removed.count() - manual, manual


def _stage(review: Review, stage: str, needed: int, screened: int) -> text.StageFacts:
    report = agreement_report(review=review, stage=stage)
    overall = report.overall
    two_raters = len(overall.pairs) == 1
    kappa = overall.pairs[0].agreement.cohen_kappa if two_raters else overall.fleiss_kappa
    resolutions = Resolution.objects.filter(record__review=review, stage=stage)
    return text.StageFacts(
        label=STAGE_LABELS[stage],
        votes_needed=needed,
        reviewers=Vote.objects.filter(record__review=review, stage=stage)
        .values("reviewer")
        .distinct()
        .count(),
        screened=screened,
        agreement_items=overall.n_items,
        kappa_name="Cohen's κ" if two_raters else "Fleiss' κ",
        kappa=kappa,
        ac1=overall.gwet_ac1,
        pabak=overall.pabak,
        conflicts_resolved=resolutions.filter(kind=ResolutionKind.RESOLUTION)
        .values("record")
        .distinct()
        .count(),
        overruled=resolutions.filter(kind=ResolutionKind.OVERRULE)
        .values("record")
        .distinct()
        .count(),
    )


def _extraction(review: Review) -> dict:
    from extraction.models import ExtractionSettings, Sheet
    from extraction.models.sheets import Instrument

    settings = ExtractionSettings.objects.filter(review=review).first()
    submitted = Sheet.objects.filter(study__review=review, submitted_at__isnull=False)
    rob = submitted.exclude(instrument=Instrument.EXTRACTION)
    tools = {
        Instrument.ROB2: "the Cochrane RoB 2 tool",
        Instrument.DOMAIN: "a domain-based risk-of-bias tool",
    }
    used = set(rob.values_list("instrument", flat=True).distinct())
    return {
        "extractors_per_study": settings.assessors_per_study if settings else 2,
        "studies_extracted": submitted.filter(instrument=Instrument.EXTRACTION)
        .values("study")
        .distinct()
        .count(),
        "rob_tools": tuple(label for key, label in tools.items() if key in used),
        "studies_assessed_rob": rob.values("study").distinct().count(),
    }


def methods_facts(*, review: Review) -> text.MethodsFacts:
    """Every number of the methods text, from the data (a few dozen queries)."""
    flow, _ = review_flow(review=review)
    settings = ScreeningSettings.objects.filter(review=review).first() or ScreeningSettings(
        review=review
    )
    automatic, manual = _duplicates(review)
    stops = tuple(
        text.StopFacts(
            rule=stop.get_rule_display(),
            records_excluded=stop.n_records,
            recall_target=(stop.evidence or {}).get("recall_target")
            if stop.rule == "statistical"
            else None,
            stopped_on=stop.stopped_at.date(),
        )
        for stop in StoppingDecision.objects.filter(review=review, undone_at__isnull=True).order_by(
            "stopped_at"
        )
    )
    return text.MethodsFacts(
        rounds=_rounds(review),
        records_identified=flow.records_identified + flow.other_results,
        duplicates_automatic=automatic,
        duplicates_manual=manual,
        blind=settings.blind,
        stages=(
            _stage(review, Stage.TITLE_ABSTRACT, settings.votes_needed_ta, flow.records_screened),
            _stage(
                review,
                Stage.FULL_TEXT,
                settings.votes_needed_ft,
                flow.dbr_assessed + flow.other_assessed,
            ),
        ),
        ranking_enabled=settings.ranking_enabled,
        stops=stops,
        reports_sought=flow.dbr_sought_reports + flow.other_sought_reports,
        reports_not_retrieved=flow.dbr_notretrieved_reports + flow.other_notretrieved_reports,
        reports_assessed=flow.dbr_assessed + flow.other_assessed,
        studies_included=flow.total_studies,
        reports_included=flow.total_reports,
        **_extraction(review),
    )


def methods_report(*, review: Review) -> list[text.Paragraph]:
    return text.methods_paragraphs(methods_facts(review=review))
