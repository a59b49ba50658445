"""Reads of the extraction app: querysets and plain data for pages, the API, exports
and the PRISMA diagram, each in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q

from extraction import instruments
from extraction.domain.domain_tool import default_tool, tool_from_dict
from extraction.domain.forms import FormDefinition, definition_from_dict
from extraction.domain.rob2_questions import Effect
from extraction.instruments import Context
from extraction.models import ExtractionSettings, FormVersion, Sheet, Study, StudyReport
from reviewapp.models import Membership, Review, Role
from screening.models import Record, RecordState


def included_counts(*, review: Review, records=None) -> tuple[int, int]:
    """(studies included, reports of included studies) for the PRISMA 2020 diagram.

    Every included record is a report; reports linked to one study count once as a
    study, and an included record not yet given a study counts as a study of its own.
    One query. `records`: count only these records of the review (a search round's).
    """
    included = (records if records is not None else Record.objects).filter(
        review=review, state=RecordState.INCLUDED
    )
    counts = included.aggregate(
        reports=Count("pk", distinct=True),
        linked_studies=Count("study_links__study", distinct=True),
        unlinked=Count("pk", filter=Q(study_links__isnull=True), distinct=True),
    )
    return counts["linked_studies"] + counts["unlinked"], counts["reports"]


def current_form(*, review: Review) -> FormVersion | None:
    return FormVersion.objects.for_review(review).order_by("-number").first()


def definition_of(version: FormVersion | None) -> FormDefinition | None:
    return definition_from_dict(version.definition) if version is not None else None


def context_for(*, review: Review) -> tuple[Context, FormVersion | None, ExtractionSettings]:
    """The instruments' context: the current form and the settings (two queries; the
    settings are not saved here, reads never write)."""
    version = current_form(review=review)
    settings = ExtractionSettings.objects.filter(review=review).first() or ExtractionSettings(
        review=review
    )
    try:
        tool = tool_from_dict(settings.domain_tool)
    except ValueError:
        tool = default_tool()
    context = Context(definition_of(version), tool, Effect(settings.rob2_effect))
    return context, version, settings


def included_studies(*, review: Review):
    """Studies with an included report, with those reports and every sheet prefetched."""
    reports = StudyReport.objects.filter(record__state=RecordState.INCLUDED).select_related(
        "record"
    )
    return (
        Study.objects.for_review(review)
        .included()
        .prefetch_related(
            Prefetch("reports", queryset=reports, to_attr="included_reports"),
            Prefetch("sheets", queryset=Sheet.objects.select_related("assessor").order_by("slot")),
            "consensus",
        )
        .order_by("label", "pk")
    )


def unlinked_included_count(*, review: Review) -> int:
    return Record.objects.filter(
        review=review, state=RecordState.INCLUDED, study_links__isnull=True
    ).count()


def get_study(*, review: Review, study_id: int) -> Study | None:
    return Study.objects.for_review(review).filter(pk=study_id).first()


def assessor_choices(*, review: Review):
    """Members who may extract and assess: reviewers and above."""
    return (
        Membership.objects.filter(review=review)
        .with_role_at_least(Role.REVIEWER)
        .select_related("user")
        .order_by("user__username")
    )


# --- sheets and blinding -------------------------------------------------------------


@dataclass
class SheetAccess:
    """What one member may see and do with one study's sheets of one instrument."""

    sheets: list[Sheet]
    required: int
    mine: Sheet | None
    all_done: bool
    can_see_others: bool
    can_record_consensus: bool
    free_slot: int | None

    @property
    def others(self) -> list[Sheet]:
        return [s for s in self.sheets if self.mine is None or s.pk != self.mine.pk]


def sheet_access(
    *, study: Study, instrument: str, membership: Membership, required: int
) -> SheetAccess:
    """The blinding rules, in one place.

    An assessor sees the other assessor's values only once every required sheet is
    done (Cochrane Handbook ch. 5: independent extraction). A lead who is not one of
    the study's assessors supervises and sees them at any time. Others (reviewers not
    assigned, viewers) see them once all are done. A consensus is recorded by a lead,
    or by the study's assessors together once both are done.
    """
    sheets = sorted(
        (s for s in study.sheets.all() if s.instrument == instrument), key=lambda s: s.slot
    )
    mine = next((s for s in sheets if s.assessor_id == membership.user_id), None)
    all_done = len(sheets) >= required and all(s.is_done for s in sheets)
    is_lead = membership.can(Role.LEAD)
    taken = {s.slot for s in sheets}
    free_slot = next((n for n in range(1, required + 1) if n not in taken), None)
    return SheetAccess(
        sheets=sheets,
        required=required,
        mine=mine,
        all_done=all_done,
        can_see_others=all_done or (is_lead and mine is None),
        can_record_consensus=(is_lead and (mine is None or all_done))
        or (mine is not None and all_done and membership.can(Role.REVIEWER)),
        free_slot=free_slot if mine is None else None,
    )


def consensus_values(study: Study, instrument: str) -> dict[str, Any]:
    for consensus in study.consensus.all():
        if consensus.instrument == instrument:
            return consensus.values
    return {}


# --- final values: the evidence table and the figures ------------------------------


@dataclass(frozen=True)
class FinalValue:
    value: Any
    source: str  # consensus | agreed | single | pending | ""


def final_values(
    *, study: Study, instrument: str, ctx: Context, required: int
) -> dict[str, FinalValue]:
    """Each item's value for the evidence table: the consensus value; else the value
    both assessors gave once both are done; else, with single extraction, the one
    assessor's value; else pending (both done, but they differ)."""
    sheets = sorted(
        (s for s in study.sheets.all() if s.instrument == instrument), key=lambda s: s.slot
    )
    agreed = consensus_values(study, instrument)
    if required > 1 and not (len(sheets) >= required and all(s.is_done for s in sheets)):
        # Blind until both are done: a half-finished pair shows nothing, not even
        # whether the two agree so far.
        sheets = []
    outcomes = [instruments.outcomes(instrument, ctx, s.values) for s in sheets]
    result: dict[str, FinalValue] = {}
    rows = (
        instruments.compare_rows(instrument, ctx, sheets[0].values, sheets[1].values)
        if len(sheets) >= 2
        else ()
    )
    agrees = {row.item.key: row.agrees for row in rows}
    for item in instruments.items(instrument, ctx):
        key = item.key
        if key in agreed:
            result[key] = FinalValue(agreed[key], "consensus")
        elif required == 1 and outcomes:
            result[key] = FinalValue(
                outcomes[0].get(key), "single" if outcomes[0].get(key) is not None else ""
            )
        elif len(outcomes) >= 2 and agrees.get(key):
            result[key] = FinalValue(
                outcomes[0].get(key), "agreed" if outcomes[0].get(key) is not None else ""
            )
        elif outcomes and any(o.get(key) is not None for o in outcomes):
            result[key] = FinalValue(None, "pending")
        else:
            result[key] = FinalValue(None, "")
    return result


def orphaned_values(*, study: Study, ctx: Context) -> dict[str, list]:
    """Values of fields no longer in the form, per key, from every extractor's sheet
    and the consensus: they are kept and exported under "(removed)" columns."""
    keys = {i.key for i in instruments.items("extraction", ctx)}
    found: dict[str, list] = defaultdict(list)
    sources = [s.values for s in study.sheets.all() if s.instrument == "extraction"]
    sources.append(consensus_values(study, "extraction"))
    for values in sources:
        for key, value in values.items():
            if key not in keys and value not in found[key]:
                found[key].append(value)
    return dict(found)


@dataclass
class EvidenceColumn:
    key: str
    label: str
    instrument: str
    group: str = ""


@dataclass
class EvidenceRow:
    study: Study
    reports: list[Record]
    cells: dict[str, Any] = field(default_factory=dict)  # column key -> value (typed)
    sources: dict[str, str] = field(default_factory=dict)


@dataclass
class EvidenceTable:
    columns: list[EvidenceColumn]
    rows: list[EvidenceRow]
    ctx: Context

    def text(self, row: EvidenceRow, column: EvidenceColumn) -> str:
        value = row.cells.get(column.key)
        if column.instrument == "removed":
            return "; ".join(
                instruments.display("extraction", self.ctx, column.key[8:], v) for v in value or []
            )
        if column.instrument == "study":
            return value or ""
        return instruments.display(column.instrument, self.ctx, column.key.split("/", 1)[-1], value)


def evidence_table(*, review: Review) -> EvidenceTable:
    """One row per included study, one column per form field (then values kept from
    removed fields, then the risk-of-bias judgements). Six queries, whatever the size."""
    ctx, _version, settings = context_for(review=review)
    required = settings.assessors_per_study
    studies = list(included_studies(review=review))
    columns = [
        EvidenceColumn("study", "Study", "study"),
        EvidenceColumn("reports", "Reports", "study"),
    ]
    columns += [
        EvidenceColumn(f"extraction/{i.key}", i.label, "extraction", i.group)
        for i in instruments.items("extraction", ctx)
    ]
    rows = []
    removed_keys: list[str] = []
    rob_seen = {"rob-domain": False, "rob2": False}
    for study in studies:
        row = EvidenceRow(study, [link.record for link in study.included_reports])
        row.cells["study"] = study.label
        row.cells["reports"] = "; ".join(report_label(r) for r in row.reports)
        for instrument in ("extraction", "rob-domain", "rob2"):
            for key, final in final_values(
                study=study, instrument=instrument, ctx=ctx, required=required
            ).items():
                row.cells[f"{instrument}/{key}"] = final.value
                row.sources[f"{instrument}/{key}"] = final.source
                if instrument != "extraction" and final.value is not None:
                    rob_seen[instrument] = True
        for key, values in orphaned_values(study=study, ctx=ctx).items():
            row.cells[f"removed/{key}"] = values
            if key not in removed_keys:
                removed_keys.append(key)
        rows.append(row)
    columns += [
        EvidenceColumn(f"removed/{k}", f"{k} (removed field)", "removed") for k in removed_keys
    ]
    if rob_seen["rob-domain"]:
        columns += [
            EvidenceColumn(f"rob-domain/{i.key}", i.label, "rob-domain", "Risk of bias")
            for i in instruments.items("rob-domain", ctx)
        ]
    if rob_seen["rob2"]:
        columns += [
            EvidenceColumn(f"rob2/{i.key}", f"RoB 2 {i.label}", "rob2", "RoB 2")
            for i in instruments.items("rob2", ctx)
        ]
    return EvidenceTable(columns, rows, ctx)


def report_label(record: Record) -> str:
    """How a report is named in the evidence table: first author, year, title."""
    parts = [record.authors[0] if record.authors else "", str(record.year or ""), record.title]
    return ", ".join(p for p in parts if p)
