"""Sorting the records list, its export and the API (`?ordering=`): which columns, for
whom, and as what SQL. Every order ends with the record id, so pages never overlap.

Columns: `year`, `title`, `first_author`, `journal`, `source`, `imported` (the import's
date), `state`, `activity` (last activity: the latest event of the record's history that
the member may see whatever the blinding — a move in the flow, a resolution or overrule,
an imported decision — or one of their own), `id` — for everyone; `votes` (how many votes the record has, at every
stage) for members who may see votes (screening.visibility: viewers never do); `score`
(the member's own relevance score) for leads. `-` before a column sorts descending.
"""

from __future__ import annotations

from django.db.models import (
    F,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Greatest, Lower, NullIf

from screening import visibility
from screening.models import RecordScore, VoteEvent

EVERYONE = (
    "year",
    "title",
    "first_author",
    "journal",
    "source",
    "imported",
    "state",
    "activity",
    "id",
)
COLUMNS = (*EVERYONE, "votes", "score")
LABELS = {
    "year": "Year",
    "title": "Title",
    "first_author": "First author",
    "journal": "Journal",
    "source": "Source",
    "imported": "Imported",
    "state": "State",
    "activity": "Last activity",
    "votes": "Votes",
    "score": "Score",
    "id": "Id",
}


def allowed(*, access: visibility.Audience, is_lead: bool) -> tuple[str, ...]:
    """The columns this member may sort by."""
    columns = list(EVERYONE)
    if access != visibility.Audience.NONE:
        columns.append("votes")
    if is_lead:
        columns.append("score")
    return tuple(columns)


def check(value: str, *, access: visibility.Audience, is_lead: bool) -> str | None:
    """An error in words, or None when `value` ("year", "-votes", ...) may be used."""
    column = value.removeprefix("-")
    if column in allowed(access=access, is_lead=is_lead):
        return None
    return f"Sorting by {value} is not available; use one of {', '.join(allowed(access=access, is_lead=is_lead))}."


class LastActivityOrder:
    """The records sorted by last activity, read a page at a time without computing every
    matching record's last activity.

    A member's last activity on a record is the stored time of its latest public event
    (`Record.activity_at`, kept by screening.services.record_stats), or their own latest
    event on it if later. The records split in two: those the member has no event on,
    whose time is the stored one (an index walk, stopping after the page), and those
    they have events on (their own events, joined and grouped: as many as they touched).
    Each part is read in the final order up to the end of the page asked for; merged,
    they give that page exactly (a record among the first N overall is among the first N
    of its part). Sliced and counted like a QuerySet, for the paginators.
    """

    ordered = True

    def __init__(self, records: QuerySet, *, descending: bool, user_id: int | None):
        self.records = records.order_by()
        self._ids = records.order_by().prefetch_related(None).select_related(None)
        self.descending = descending
        self.user_id = user_id

    def order_by(self, *fields) -> QuerySet:
        return self.records.order_by(*fields)

    def count(self) -> int:
        return self.records.count()

    def __len__(self) -> int:
        return self.count()

    def _first(self, stop: int) -> list[int]:
        """The ids of the first `stop` records in this order."""
        at = F("activity_at")
        sort = at.desc(nulls_last=True) if self.descending else at.asc(nulls_last=True)
        pk = "-pk" if self.descending else "pk"
        if self.user_id is None:  # nobody's own events (history without an actor is not)
            mine = VoteEvent.objects.none()
        else:
            mine = VoteEvent.objects.filter(actor_id=self.user_id, record__isnull=False)
        others = list(
            self._ids.exclude(pk__in=mine.values("record_id"))
            .order_by(sort, pk)
            .values_list("pk", "activity_at")[:stop]
        )
        own = []
        if self.user_id is not None:
            own = list(
                self._ids.filter(vote_events__actor_id=self.user_id)
                .values("pk", "activity_at")
                .annotate(own=Max("vote_events__at"))
                # GREATEST skips NULL on PostgreSQL; elsewhere it is NULL: fall back to own.
                .annotate(_sort=Coalesce(Greatest("activity_at", "own"), "own"))
                .order_by(F("_sort").desc() if self.descending else F("_sort").asc(), pk)
                .values_list("pk", "_sort")[:stop]
            )
        dated = sorted(
            (row for row in [*others, *own] if row[1] is not None),
            key=lambda row: (row[1], row[0]),
            reverse=self.descending,
        )
        undated = sorted((pk for pk, when in others if when is None), reverse=self.descending)
        return [pk for pk, _ in dated] + undated

    def __getitem__(self, window):
        if not isinstance(window, slice) or window.step:
            raise TypeError("LastActivityOrder is read by slices")
        start, stop = window.start or 0, window.stop
        if stop is None:
            stop = self.count()
        ids = self._first(stop)[start:stop]
        rows = {record.pk: record for record in self.records.filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]

    def __iter__(self):
        return iter(self[:])


def order(records: QuerySet, ordering: str, *, user_id: int | None) -> QuerySet | LastActivityOrder:
    """`records` sorted by `ordering` (already checked), then by id; empty values last.
    By last activity: a `LastActivityOrder`, which the paginators slice like a QuerySet."""
    if not ordering:
        return records.order_by("pk")
    descending = ordering.startswith("-")
    column = ordering.removeprefix("-")
    if column == "id":
        return records.order_by("-pk" if descending else "pk")
    if column == "votes":
        # Stored and never empty: the plain order, which one index serves both ways.
        if descending:
            return records.order_by("-vote_count", "-pk")
        return records.order_by("vote_count", "pk")
    if column == "activity":
        return LastActivityOrder(records, descending=descending, user_id=user_id)
    if column == "score":
        score = RecordScore.objects.filter(record=OuterRef("pk"), reviewer_id=user_id).values(
            "score"
        )[:1]
        records = records.alias(_sort=Subquery(score))
    else:
        expression = {
            "year": F("year"),
            "title": NullIf(Lower("title"), Value("")),
            "first_author": NullIf(Lower(KT("authors__0")), Value("")),
            "journal": NullIf(Lower("journal"), Value("")),
            "source": Lower("batch__source_name"),
            "imported": F("batch__created_at"),
            "state": F("state"),
        }[column]
        records = records.alias(_sort=expression)
    sort = F("_sort").desc(nulls_last=True) if descending else F("_sort").asc(nulls_last=True)
    return records.order_by(sort, "-pk" if descending else "pk")
