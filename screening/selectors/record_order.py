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

from django.db import connection
from django.db.models import (
    Case,
    DateTimeField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
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


def last_activity(*, user_id: int | None, review_id: int | None):
    """The record's last activity for this member: the stored time of its latest public
    event (`Record.activity_at`, screening.services.record_stats), or the member's own
    latest event on it if later. The own part is looked up only for the records the
    member has events on (a set PostgreSQL hashes once), one index probe each."""
    if user_id is None:
        return F("activity_at")
    events = VoteEvent.objects.filter(actor_id=user_id, record__isnull=False)
    if review_id is not None:
        events = events.filter(review_id=review_id)
    own = Subquery(
        VoteEvent.objects.filter(record=OuterRef("pk"), actor_id=user_id)
        .order_by("-at")
        .values("at")[:1]
    )
    mine = Case(When(Q(pk__in=events.values("record_id")), then=own), output_field=DateTimeField())
    if connection.vendor == "postgresql":
        return Greatest("activity_at", mine)  # PostgreSQL's GREATEST skips a NULL side
    # Elsewhere GREATEST is NULL as soon as one side is: fall back to the other side.
    return Coalesce(Greatest("activity_at", mine), "activity_at", mine)


def order(
    records: QuerySet, ordering: str, *, user_id: int | None, review_id: int | None = None
) -> QuerySet:
    """`records` sorted by `ordering` (already checked), then by id; empty values last."""
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
        records = records.alias(_sort=last_activity(user_id=user_id, review_id=review_id))
    elif column == "score":
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
