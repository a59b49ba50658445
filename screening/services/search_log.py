"""Search rounds and the PRISMA-S search log: every write goes through here.

Round 1 (the initial search) exists as soon as anything is imported. Every import
belongs to one round and one log entry: given no entry, `entry_for_import` finds the
round's entry for the same source (by name and method) or starts one from what the
import says (source, date, query), so the log is never missing a source that was imported.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from reviewapp.models import Review
from screening.models import SearchLogEntry, SearchRound, SourceKind

ENTRY_FIELDS = (
    "source_name",
    "source_kind",
    "platform",
    "searched_on",
    "search_string",
    "limits",
    "reported_count",
    "note",
)


def initial_round(review: Review) -> SearchRound:
    round_, _ = SearchRound.objects.get_or_create(review=review, number=1)
    return round_


def latest_round(review: Review) -> SearchRound:
    return SearchRound.objects.filter(review=review).order_by("-number").first() or initial_round(
        review
    )


@transaction.atomic
def add_round(*, review: Review, searched_on: date | None = None, note: str = "") -> SearchRound:
    """A new update round, numbered after the last one."""
    Review.objects.select_for_update().filter(pk=review.pk).first()  # one number at a time
    initial_round(review)
    last = SearchRound.objects.filter(review=review).aggregate(n=Max("number"))["n"] or 1
    return SearchRound.objects.create(
        review=review, number=last + 1, searched_on=searched_on, note=note
    )


def update_round(*, round_: SearchRound, searched_on: date | None, note: str) -> SearchRound:
    round_.searched_on = searched_on
    round_.note = note
    round_.save(update_fields=["searched_on", "note"])
    return round_


@transaction.atomic
def delete_round(*, round_: SearchRound) -> None:
    """Only the last update round, and only while nothing was imported into it."""
    if round_.is_initial:
        raise ValidationError("The initial search cannot be deleted.")
    if SearchRound.objects.filter(review_id=round_.review_id, number__gt=round_.number).exists():
        raise ValidationError("Only the last round can be deleted.")
    if round_.imports.exists():
        raise ValidationError("Records were imported into this round; delete its imports first.")
    round_.delete()


def _clean(review: Review, values: dict) -> dict:
    values = {key: values[key] for key in ENTRY_FIELDS if key in values}
    if "source_name" in values:
        values["source_name"] = (values["source_name"] or "").strip()[:120]
        if not values["source_name"]:
            raise ValidationError("Say which database, register or website was searched.")
    if "source_kind" in values and values["source_kind"] not in SourceKind.values:
        raise ValidationError(f"Unknown method {values['source_kind']!r}.")
    for key in ("platform",):
        if key in values:
            values[key] = (values[key] or "").strip()[:120]
    for key in ("search_string", "limits", "note"):
        if key in values:
            values[key] = values[key] or ""
    count = values.get("reported_count")
    if count is not None and (not isinstance(count, int) or count < 0):
        raise ValidationError("The number of records the source reported is a whole number ≥ 0.")
    return values


def create_entry(*, review: Review, round_: SearchRound | None = None, **values) -> SearchLogEntry:
    """A new log entry in `round_` (default: the latest round)."""
    round_ = round_ or latest_round(review)
    if round_.review_id != review.pk:
        raise ValidationError("That round belongs to another review.")
    values = _clean(review, values)
    if "source_name" not in values:
        raise ValidationError("Say which database, register or website was searched.")
    return SearchLogEntry.objects.create(review=review, round=round_, **values)


def update_entry(
    *, entry: SearchLogEntry, round_: SearchRound | None = None, **values
) -> SearchLogEntry:
    """Change an entry. An entry with imports stays in its round (its records were
    identified in that round); everything else about it can be corrected."""
    values = _clean(entry.review, values)
    with transaction.atomic():
        # The stored round, not the instance's (a bound form may have changed it already).
        stored_round = (
            SearchLogEntry.objects.filter(pk=entry.pk).values_list("round_id", flat=True).get()
        )
        entry.round_id = stored_round
        if round_ is not None and round_.pk != stored_round:
            if round_.review_id != entry.review_id:
                raise ValidationError("That round belongs to another review.")
            if entry.imports.exists():
                raise ValidationError(
                    "Files were imported under this entry; it stays in its round."
                )
            entry.round = round_
        for key, value in values.items():
            setattr(entry, key, value)
        entry.save()
    return entry


def delete_entry(*, entry: SearchLogEntry) -> None:
    if entry.imports.exists():
        raise ValidationError(
            "Files were imported under this entry; delete the imports first, or edit the entry."
        )
    entry.delete()


def entry_for_import(
    *,
    review: Review,
    round_: SearchRound | None,
    source_name: str,
    source_kind: str,
    search_date: date | None,
    search_query: str,
) -> SearchLogEntry:
    """The log entry an import without one attaches to: the round's entry for the same
    source and method, or a new one started from the import's own description."""
    round_ = round_ or latest_round(review)
    entry = (
        SearchLogEntry.objects.filter(
            round=round_, source_name__iexact=source_name.strip(), source_kind=source_kind
        )
        .order_by("pk")
        .first()
    )
    if entry is None:
        return create_entry(
            review=review,
            round_=round_,
            source_name=source_name,
            source_kind=source_kind,
            searched_on=search_date,
            search_string=search_query,
        )
    changed = []
    if entry.searched_on is None and search_date:
        entry.searched_on = search_date
        changed.append("searched_on")
    if not entry.search_string and search_query:
        entry.search_string = search_query
        changed.append("search_string")
    if changed:
        entry.save(update_fields=[*changed, "updated_at"])
    return entry
