"""The PRISMA 2020 flow of a review, counted from the database in a fixed number of queries.

Every record is in exactly one RecordState, so each box is a count of states (see
screening/prisma/counts.py for how the boxes and their "awaiting" parts add up).
Records from databases and registers feed the main arm; records from websites,
organisations and citation searching feed the "other methods" arm, which starts at
retrieval. The change counter lets the live diagram poll cheaply: the journey
(screening/services/journey.py) bumps it after every commit that changes a number.
`flow_document` renders the diagram for the page, the API and the `prisma` command.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict

from django.db.models import Count

from reviewapp.models import Review
from screening.models import ImportBatch, Record, RecordState, SourceKind
from screening.prisma import (
    PrismaFlow,
    build_flow,
    check_invariants,
    export_csv,
    export_json,
    render_svg,
)
from screening.prisma.counts import (
    OtherMethodsInput,
    PreviousVersionInput,
    PrismaInput,
    RoundDuplicatesInput,
)
from screening.selectors.rounds import FOUND_AGAIN, in_rounds, with_rounds

NO_REASON = "(no reason recorded)"
SOUGHT = (
    RecordState.FT_RETRIEVAL,
    RecordState.FT_NOT_RETRIEVED,
    RecordState.FT,
    RecordState.FT_EXCLUDED,
    RecordState.INCLUDED,
)
REMOVED = (RecordState.DUPLICATE, RecordState.AUTOMATION, RecordState.REMOVED_OTHER)
OTHER_KINDS = {k for k in SourceKind if k.is_other_method}


def round_records(review: Review, round_number: int | None):
    """The review's records, or those found in one search round (imports from before
    rounds existed belong to round 1)."""
    records = Record.objects.filter(review=review)
    if round_number is None:
        return records
    return in_rounds(records, [round_number])


def _round_duplicates(records) -> RoundDuplicatesInput:
    """The duplicates box's two lines for a review with update rounds: duplicates within
    a round and copies found again from an earlier round, counted separately (their sum
    is checked against the box)."""
    main = (
        with_rounds(records)
        .filter(state=RecordState.DUPLICATE)
        .exclude(batch__source_kind__in=OTHER_KINDS)
    )
    counts = main.aggregate(
        within=Count("pk", filter=~FOUND_AGAIN), again=Count("pk", filter=FOUND_AGAIN)
    )
    return RoundDuplicatesInput(within_round=counts["within"], found_again=counts["again"])


def _reasons_excluded(
    review: Review, kinds: dict[int, str], round_number: int | None = None
) -> dict[tuple[bool, str], int]:
    """Reports excluded at full text per (from the other methods' arm, reason's label);
    `kinds`: the source kind of each of the review's imports (by id)."""
    from screening.models.decisions import Stage, StageOutcome

    # The records' review too (it is the outcome's): their index is read from
    # (review, state), a few entries, not scanned whole for the state.
    outcomes = StageOutcome.objects.filter(
        review=review,
        stage=Stage.FULL_TEXT,
        record__review=review,
        record__state=RecordState.FT_EXCLUDED,
    )
    if round_number is not None:
        outcomes = outcomes.filter(record__in=round_records(review, round_number).values("pk"))
    # Grouped by import (each one's arm read from `kinds`), not joined with the imports.
    rows = outcomes.values_list("record__batch_id", "reason__label").annotate(n=Count("*"))
    counts: dict[tuple[bool, str], int] = defaultdict(int)
    for batch_id, label, n in rows.order_by():
        counts[kinds[batch_id] in OTHER_KINDS, label or NO_REASON] += n
    return dict(counts)


def _with_missing_reasons(reasons: dict[str, int], excluded: int) -> dict[str, int]:
    # A report excluded without a recorded reason is shown as such, never dropped.
    missing = excluded - sum(reasons.values())
    if missing > 0:
        reasons = {**reasons, NO_REASON: reasons.get(NO_REASON, 0) + missing}
    return dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0])))


def prisma_input(*, review: Review, round_number: int | None = None) -> PrismaInput:
    """The raw counts of one review, or of one search round (a few queries whatever its
    size). A round's previous version is what earlier rounds included (plus any typed-in
    previous version of a review whose earlier version was not done here)."""
    from extraction.selectors import included_counts

    records = round_records(review, round_number)
    # Counted per state and import from an index (record_review_state_batch), without
    # reading the records; the imports (a few rows) say each one's source and round.
    # Grouped and ordered in the index's order, so PostgreSQL counts each run of equal
    # keys as it reads them (a GroupAggregate: about half the time of the parallel
    # hash aggregate it picks for an unordered GROUP BY over 100k records).
    rows = (
        records.values_list("state", "batch_id")
        .annotate(n=Count("*"))
        .order_by("state", "batch_id")
    )
    batches = {
        pk: (kind, name, number or 1)
        for pk, kind, name, number in ImportBatch.objects.filter(review=review).values_list(
            "pk", "source_kind", "source_name", "search_round__number"
        )
    }
    per_source: dict[str, dict[str, int]] = {kind: defaultdict(int) for kind in SourceKind.values}
    main, other = Counter(), Counter()
    # The duplicates box splits in two once records were found in an update round.
    updated = (round_number or 1) > 1
    for state, batch_id, n in rows:
        kind, name, number = batches[batch_id]
        updated = updated or number > 1
        per_source[kind][name] += n
        (other if kind in OTHER_KINDS else main)[state] += n

    reasons = _reasons_excluded(
        review, {pk: kind for pk, (kind, _name, _number) in batches.items()}, round_number
    )
    main_reasons = {label: n for (is_other, label), n in reasons.items() if not is_other}
    other_reasons = {label: n for (is_other, label), n in reasons.items() if is_other}
    studies, _reports = included_counts(
        review=review, records=records if round_number is not None else None
    )
    options = _options(review)

    other_sources = {name: n for kind in OTHER_KINDS for name, n in per_source[kind].items()}
    other_arm = None
    if other_sources:
        other_arm = OtherMethodsInput(
            sources=other_sources,
            reports_sought=sum(other[s] for s in SOUGHT),
            reports_not_retrieved=other[RecordState.FT_NOT_RETRIEVED],
            reports_awaiting_retrieval=other[RecordState.FT_RETRIEVAL],
            reports_excluded=_with_missing_reasons(other_reasons, other[RecordState.FT_EXCLUDED]),
            reports_awaiting_assessment=other[RecordState.FT],
            reports_included=other[RecordState.INCLUDED],
        )
    previous_studies = options.previous_studies if options else 0
    previous_reports = options.previous_reports if options else 0
    if round_number is not None and round_number > 1:
        earlier = in_rounds(Record.objects.filter(review=review), range(1, round_number))
        earlier_studies, earlier_reports = included_counts(review=review, records=earlier)
        previous_studies += earlier_studies
        previous_reports += earlier_reports
    previous = None
    if previous_studies or previous_reports or (round_number or 1) > 1:
        previous = PreviousVersionInput(
            studies_included=previous_studies, reports_included=previous_reports
        )
    return PrismaInput(
        databases=dict(per_source[SourceKind.DATABASE]),
        registers=dict(per_source[SourceKind.REGISTER]),
        duplicates_removed=main[RecordState.DUPLICATE],
        round_duplicates=_round_duplicates(records) if updated else None,
        removed_by_automation=main[RecordState.AUTOMATION],
        removed_other_reasons=main[RecordState.REMOVED_OTHER],
        records_excluded=main[RecordState.TA_EXCLUDED],
        records_awaiting_screening=main[RecordState.TA],
        reports_sought=sum(main[s] for s in SOUGHT),
        reports_not_retrieved=main[RecordState.FT_NOT_RETRIEVED],
        reports_awaiting_retrieval=main[RecordState.FT_RETRIEVAL],
        reports_excluded=_with_missing_reasons(main_reasons, main[RecordState.FT_EXCLUDED]),
        reports_awaiting_assessment=main[RecordState.FT],
        studies_included=studies,
        reports_included=main[RecordState.INCLUDED],
        other_methods=other_arm,
        previous_version=previous,
    )


def _options(review: Review):
    from screening.models import PrismaOptions

    return PrismaOptions.objects.filter(review=review).first()


def review_flow(*, review: Review, round_number: int | None = None) -> tuple[PrismaFlow, list[str]]:
    """The flow (of the whole review or of one search round) and its invariant
    violations (an empty list unless there is a bug)."""
    flow = build_flow(prisma_input(review=review, round_number=round_number))
    return flow, check_invariants(flow)


def flow_version(review_id: int) -> int:
    """A number that changes whenever a PRISMA number of the review may have changed
    (bumped by screening.services.journey): one cache read."""
    from screening.services.journey import flow_version as version

    return version(review_id)


_MAIN = "kind=database&kind=register"
_OTHER = "kind=website&kind=organisation&kind=citation"


def _states(*states: str) -> str:
    return "&".join(f"state={s}" for s in states)


def node_urls(
    *, review: Review, flow: PrismaFlow, base: str, round_number: int | None = None
) -> dict[str, str]:
    """Each box of the diagram linked to the records list filtered to the records behind it.

    `base` is the records list URL; the query strings are its documented filters. For one
    search round every link keeps to that round's records, except the previous version
    (what earlier rounds included) and the totals (this round and the earlier ones).
    """
    from urllib.parse import quote

    from screening.models import ExclusionReason

    sought = _states(*SOUGHT)
    assessed = _states(RecordState.FT, RecordState.FT_EXCLUDED, RecordState.INCLUDED)
    links = {
        "records_identified": "",
        "database_results": "kind=database",
        "register_results": "kind=register",
        "other_results": _OTHER,
        "duplicates": f"{_MAIN}&{_states(RecordState.DUPLICATE)}",
        "duplicates_within_round": f"{_MAIN}&{_states(RecordState.DUPLICATE)}&found_again=no",
        "duplicates_found_again": f"{_MAIN}&{_states(RecordState.DUPLICATE)}&found_again=yes",
        "excluded_automatic": f"{_MAIN}&{_states(RecordState.AUTOMATION)}",
        "excluded_other": f"{_MAIN}&{_states(RecordState.REMOVED_OTHER)}",
        "records_screened": f"{_MAIN}&{_states(RecordState.TA, RecordState.TA_EXCLUDED, *SOUGHT)}",
        "records_excluded": f"{_MAIN}&{_states(RecordState.TA_EXCLUDED)}",
        "records_awaiting_screening": f"{_MAIN}&{_states(RecordState.TA)}",
        "new_studies": _states(RecordState.INCLUDED),
        "new_reports": _states(RecordState.INCLUDED),
        "total_studies": _states(RecordState.INCLUDED),
        "total_reports": _states(RecordState.INCLUDED),
    }
    for arm, kinds in (("dbr", _MAIN), ("other", _OTHER)):
        links |= {
            f"{arm}_sought_reports": f"{kinds}&{sought}",
            f"{arm}_notretrieved_reports": f"{kinds}&{_states(RecordState.FT_NOT_RETRIEVED)}",
            f"{arm}_awaiting_retrieval": f"{kinds}&{_states(RecordState.FT_RETRIEVAL)}",
            f"{arm}_assessed": f"{kinds}&{assessed}",
            f"{arm}_excluded": f"{kinds}&{_states(RecordState.FT_EXCLUDED)}",
            f"{arm}_awaiting_assessment": f"{kinds}&{_states(RecordState.FT)}",
            f"{arm}_included_reports": f"{kinds}&{_states(RecordState.INCLUDED)}",
        }
    for item in flow.database_specific_results:
        links[f"database_specific_results:{item.name}"] = f"kind=database&source={quote(item.name)}"
    for item in flow.register_specific_results:
        links[f"register_specific_results:{item.name}"] = f"kind=register&source={quote(item.name)}"
    for item in flow.other_specific_results:
        links[f"other_specific_results:{item.name}"] = f"{_OTHER}&source={quote(item.name)}"
    reason_ids = dict(
        ExclusionReason.objects.filter(review=review, stage="ft").values_list("label", "pk")
    )
    for arm, kinds, items in (
        ("dbr", _MAIN, flow.dbr_excluded_reasons),
        ("other", _OTHER, flow.other_excluded_reasons),
    ):
        for item in items:
            if item.name in reason_ids:
                links[f"{arm}_excluded:{item.name}"] = (
                    f"{kinds}&{_states(RecordState.FT_EXCLUDED)}&reason={reason_ids[item.name]}"
                )
    if round_number is not None:
        this_round = f"round={round_number}"
        links = {
            node: f"{query}&{this_round}" if query else this_round for node, query in links.items()
        }
        so_far = "&".join(f"round={n}" for n in range(1, round_number + 1))
        included = _states(RecordState.INCLUDED)
        links["total_studies"] = links["total_reports"] = f"{included}&{so_far}"
        if round_number > 1:
            earlier = "&".join(f"round={n}" for n in range(1, round_number))
            links["previous_studies"] = links["previous_reports"] = f"{included}&{earlier}"
    return {node: f"{base}?{query}" if query else base for node, query in links.items()}


CONTENT_TYPES = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


def flow_document(
    review: Review, fmt: str, *, base_url: str | None, round_number: int | None = None
) -> bytes:
    """The diagram of `review` (or of one search round) in one of CONTENT_TYPES' formats
    (page, API and command). Each number links to its records under `base_url`; with None,
    nothing is linked."""
    flow, _violations = review_flow(review=review, round_number=round_number)
    urls = (
        node_urls(review=review, flow=flow, base=base_url, round_number=round_number)
        if base_url is not None
        else {}
    )
    if fmt == "svg":
        return render_svg(flow, urls, title=f"PRISMA 2020 flow diagram: {review.title}").encode()
    if fmt == "csv":
        return export_csv(flow, urls).encode()
    if fmt == "json":
        return export_json(flow, urls).encode()
    if fmt in ("png", "pdf"):
        from screening.prisma import render_pdf, render_png

        buffer = io.BytesIO()
        (render_png if fmt == "png" else render_pdf)(flow, buffer, urls=urls)
        return buffer.getvalue()
    raise ValueError(f"unknown format {fmt!r}")
