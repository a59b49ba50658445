"""Reads for the search log: rounds, their entries, and what each entry's imports gave."""

from __future__ import annotations

from django.db.models import Prefetch

from reviewapp.models import Review
from screening.models import ImportBatch, ImportStatus, SearchLogEntry, SearchRound


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


def rounds_with_entries(*, review: Review) -> list[dict]:
    """The rounds of the review in order, each with its entries as plain data."""
    facts = log_entries(review=review)
    return [
        {
            "round": round_,
            "entries": [f for f in facts if f["round"] == round_.number],
        }
        for round_ in SearchRound.objects.filter(review=review).order_by("number")
    ]
