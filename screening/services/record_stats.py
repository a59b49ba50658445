"""The figures the records list sorts by, stored on each record and kept exact here.

Sorting 100,000 records by "number of votes" or "last activity" computed per request
reads every matching record's votes or history; stored on the record (`Record.vote_count`,
`Record.activity_at`) the sort reads an index. They are written only here, recounted from
the votes and the history rather than incremented, so they cannot drift:

- `votes_changed`: called by the one service that writes votes (`services.votes`).
- `append_history`: the history events every member may see (`visibility.PUBLIC_HISTORY_ACTIONS`:
  moves in the flow, resolutions, overrules, imported decisions) go in through it
  (`services.journey.move`, `services.votes.record_event`, `services.imported_decisions`).
  Events only their author may count (votes, changes, tags, comments: blinded or
  private) are never stored on the record: the list adds the member's own at query time
  (`screening.selectors.record_order`), so the stored time says nothing blinded.
- `recount`: every record of a review, from scratch (the migration's backfill, benches
  that write rows directly, and the tests that check the stored figures).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import Count, IntegerField, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from reviewapp import prepared
from screening.models import Record, Vote, VoteEvent
from screening.visibility import PUBLIC_HISTORY_ACTIONS as PUBLIC_ACTIONS

_CHUNK = 2000


def vote_count_expression():
    counts = (
        Vote.objects.filter(record=OuterRef("pk"))
        .order_by()
        .values("record")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def activity_expression():
    latest = (
        VoteEvent.objects.filter(record=OuterRef("pk"), action__in=PUBLIC_ACTIONS)
        .order_by()
        .values("record")
        .annotate(at=Max("at"))
        .values("at")
    )
    return Subquery(latest)


def _chunks(ids: list[int]):
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def votes_changed(record_ids: Iterable[int]) -> None:
    """Recount the votes of these records (the caller holds their locks)."""
    ids = sorted(set(record_ids))
    if len(ids) == 1:
        # Every vote cast comes here: one prepared statement, not an ORM expression to
        # compile (a tenth of the web's CPU per vote), recounting all the same.
        record, vote = (connection.ops.quote_name(m._meta.db_table) for m in (Record, Vote))
        prepared.execute(
            f"UPDATE {record} SET vote_count = "  # noqa: S608 - table names only
            f"(SELECT COUNT(*) FROM {vote} v WHERE v.record_id = %s) WHERE id = %s",
            [ids[0], ids[0]],
        )
        return
    for chunk in _chunks(ids):
        Record.objects.filter(pk__in=chunk).update(vote_count=vote_count_expression())


def activity_changed(record_ids: Iterable[int]) -> None:
    """Read again the latest public history event of these records."""
    ids = sorted(set(record_ids))
    if len(ids) == 1:
        # Every settled record comes here: one prepared statement, as for the votes.
        record, event = (connection.ops.quote_name(m._meta.db_table) for m in (Record, VoteEvent))
        actions = sorted(PUBLIC_ACTIONS)
        prepared.execute(
            f"UPDATE {record} SET activity_at = (SELECT MAX(e.at) FROM {event} e"  # noqa: S608
            f" WHERE e.record_id = %s AND e.action IN ({', '.join(['%s'] * len(actions))}))"
            " WHERE id = %s",
            [ids[0], *actions, ids[0]],
        )
        return
    for chunk in _chunks(ids):
        Record.objects.filter(pk__in=chunk).update(activity_at=activity_expression())


def append_history(events: list[VoteEvent]) -> None:
    """Append `events` to the history, and keep the records' last public activity."""
    if not events:
        return
    if len(events) == 1:
        prepared.insert(events[0])
    else:
        VoteEvent.objects.bulk_create(events, batch_size=_CHUNK)
    activity_changed(e.record_id for e in events if e.action in PUBLIC_ACTIONS and e.record_id)


def recount(review_id: int) -> None:
    """Every record of the review from scratch: vote counts and last public activity."""
    Record.objects.filter(review_id=review_id).update(
        vote_count=vote_count_expression(), activity_at=activity_expression()
    )
