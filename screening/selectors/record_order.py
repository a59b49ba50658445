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

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Lower, NullIf

from screening import visibility
from screening.models import RecordScore, Vote, VoteAction, VoteEvent

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
# History events anyone may see (they change what every member sees: the record's state).
PUBLIC_ACTIONS = (VoteAction.MOVE, VoteAction.RESOLVE, VoteAction.OVERRULE, VoteAction.IMPORT)
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


def order(records: QuerySet, ordering: str, *, user_id: int | None) -> QuerySet:
    """`records` sorted by `ordering` (already checked), then by id; empty values last."""
    if not ordering:
        return records.order_by("pk")
    descending = ordering.startswith("-")
    column = ordering.removeprefix("-")
    if column == "id":
        return records.order_by("-pk" if descending else "pk")
    if column == "votes":
        counts = (
            Vote.objects.filter(record=OuterRef("pk"))
            .order_by()
            .values("record")
            .annotate(n=Count("pk"))
            .values("n")
        )
        records = records.alias(
            _sort=Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))
        )
    elif column == "activity":
        events = VoteEvent.objects.filter(record=OuterRef("pk")).filter(
            Q(action__in=PUBLIC_ACTIONS) | Q(actor_id=user_id)
        )
        latest = events.order_by("-at").values("at")[:1]
        records = records.alias(_sort=Subquery(latest))
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
