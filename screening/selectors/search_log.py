"""Reads for the search log: rounds, their entries, and what each entry's imports gave."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q

from reviewapp.models import Review
from screening.models import (
    ImportBatch,
    ImportStatus,
    Record,
    RecordState,
    SearchLogEntry,
    SearchRound,
)
from screening.selectors.rounds import FOUND_AGAIN, with_rounds


def entry_facts(entry: SearchLogEntry) -> dict:
    """One entry as plain data: what the lead logged and what its finished imports gave
    (records imported, lines rejected with their reasons), and whether the count the
    source reported differs from what was imported."""
    batches = [b for b in entry.imports.all() if b.status == ImportStatus.DONE]
    imported = sum(b.records_imported for b in batches)
    rejected = [
        {"file": b.filename, "line": item.get("line"), "reason": item.get("reason")}
        for b in batches
        for item in (b.rejected or [])
    ]
    reported = entry.reported_count
    return {
        "id": entry.pk,
        "round": entry.round.number,
        "round_label": entry.round.label,
        "source_name": entry.source_name,
        "source_kind": entry.source_kind,
        "method": entry.get_source_kind_display(),
        "platform": entry.platform,
        "searched_on": entry.searched_on,
        "search_string": entry.search_string,
        "limits": entry.limits,
        "reported_count": reported,
        "note": entry.note,
        "files": [b.filename for b in batches],
        "imports_pending": sum(1 for b in entry.imports.all() if b.status != ImportStatus.DONE),
        "imported": imported,
        "rejected": len(rejected),
        "rejected_lines": rejected,
        "difference": None if reported is None or not batches else imported - reported,
    }


def _entries(review: Review):
    return (
        SearchLogEntry.objects.filter(review=review)
        .select_related("round")
        .prefetch_related(Prefetch("imports", queryset=ImportBatch.objects.order_by("created_at")))
        .order_by("round__number", "source_kind", "source_name", "pk")
    )


def log_entries(*, review: Review, round_number: int | None = None) -> list[dict]:
    """Every entry of the log (or of one round) as plain data, rounds in order."""
    entries = _entries(review)
    if round_number is not None:
        entries = entries.filter(round__number=round_number)
    return [entry_facts(entry) for entry in entries]


EMPTY_COUNTS = {
    "identified": 0,
    "duplicates_within": 0,
    "found_again": 0,
    "found_again_screened": 0,
    "new": 0,
}


def round_counts(*, review: Review) -> dict[int, dict[str, int]]:
    """Per round number: records identified, duplicates removed within the round, records
    found again (copies of a record of an earlier round, linked to it and not screened
    again; `found_again_screened`: of which the earlier copy was already screened past
    title/abstract), and new records (the rest, which enter screening). One query;
    imports from before rounds count as round 1."""
    duplicate = Q(state=RecordState.DUPLICATE)
    rows = (
        with_rounds(Record.objects.filter(review=review))
        .values("found_in_round")
        .annotate(
            identified=Count("pk"),
            duplicates=Count("pk", filter=duplicate),
            found_again=Count("pk", filter=FOUND_AGAIN),
            found_again_screened=Count(
                "pk",
                filter=FOUND_AGAIN & ~Q(duplicate_group__primary__state=RecordState.TA),
            ),
        )
        .order_by()
    )
    counts = {}
    for row in rows:
        counts[row["found_in_round"]] = {
            "identified": row["identified"],
            "duplicates_within": row["duplicates"] - row["found_again"],
            "found_again": row["found_again"],
            "found_again_screened": row["found_again_screened"],
            "new": row["identified"] - row["duplicates"],
        }
    return counts


def rounds_with_entries(*, review: Review) -> list[dict]:
    """The rounds of the review in order, each with its entries and counts as plain data."""
    facts = log_entries(review=review)
    counts = round_counts(review=review)
    return [
        {
            "round": round_,
            "entries": [f for f in facts if f["round"] == round_.number],
            "counts": counts.get(round_.number, EMPTY_COUNTS),
        }
        for round_ in SearchRound.objects.filter(review=review).order_by("number")
    ]


def round_from_query(review: Review, value) -> int | None:
    """`?round=N` of a page or endpoint: None (the whole review) when absent; an
    existing round's number; Http404 for anything else."""
    from django.http import Http404

    from reviewapp.http import parse_id

    if value in (None, ""):
        return None
    number = parse_id(value)
    if number is None or not SearchRound.objects.filter(review=review, number=number).exists():
        raise Http404("No such search round.")
    return number
