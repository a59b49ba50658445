"""The one service that moves records through the PRISMA flow (read with screening/flow.py).

`move` looks each move up in the flow's table, writes Record.state, drops the moved
records' queue leases, appends the move to each record's history (VoteEvent "move") and
bumps the live PRISMA diagram's version when the transaction commits. Nothing else in
the app writes Record.state.

`flow_changed` is for what changes a PRISMA number without moving a record: records
created or deleted by an import, studies linked or unlinked, a full-text reason renamed,
the previous version's numbers edited. Every change of a PRISMA number calls one of the
two (tests/prisma_app/test_flow_version.py checks it over random operations).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from reviewapp import prepared
from screening import flow
from screening.models import Lease, Record, VoteAction, VoteEvent
from screening.services.record_stats import append_history

_CHUNK = 2000


def _version_key(review_id: int) -> str:
    return f"prisma-version:{review_id}"


def _many_key(review_id: int) -> str:
    return f"prisma-many-version:{review_id}"


def flow_version(review_id: int) -> int:
    """A number that changes whenever a PRISMA number of the review may have: one cache read."""
    return cache.get_or_set(_version_key(review_id), 1, None)


def many_version(review_id: int) -> int:
    """A number that changes with every change of the flow but one record's move (which a
    team at work makes every second): imports, merges, stops, study links… What figures
    shared for a few seconds renew on at once (the team's progress)."""
    return cache.get_or_set(_many_key(review_id), 1, None)


def flow_changed(review_id: int, *, one_record: bool = False) -> None:
    """Bump the review's flow version once the transaction commits (and, unless the
    change is `one_record`'s move, its `many_version`)."""
    keys = [_version_key(review_id)] + ([] if one_record else [_many_key(review_id)])

    def bump():
        for key in keys:
            try:
                cache.incr(key)
            except ValueError:  # not in the cache yet (or evicted): start afresh
                cache.set(key, 2, None)

    transaction.on_commit(bump)


def move(
    records: Record | Iterable[Record],
    event: str,
    *,
    by=None,
    restore_to: dict[int, str] | None = None,
    history: bool = True,
) -> int:
    """Move `records` (of one review) on `event`; returns how many changed state.

    Each record needs `pk`, `review_id`, `state` (and `title` for the history); the
    instances are updated in place. A move the flow does not allow raises
    ValidationError and changes nothing. `restore_to`: for an undone merge, each
    record's state before the merge (by id). `history=False` for moves whose own
    history is kept elsewhere (merges: DedupeEvent; stops: StoppingDecision).
    """
    items = [records] if isinstance(records, Record) else list(records)
    moves: list[tuple[Record, str, str]] = []  # (record, from, to)
    try:
        for record in items:
            target = flow.next_state(
                record.state, event, restore_to=(restore_to or {}).get(record.pk)
            )
            if target != record.state:
                moves.append((record, record.state, target))
    except flow.FlowError as exc:
        raise ValidationError(f"This record cannot move there: {exc}.") from None
    if not moves:
        return 0
    review_ids = {record.review_id for record, _, _ in moves}
    if len(review_ids) != 1:
        raise ValueError("move() takes records of one review")
    if isinstance(records, Record):
        records.state = moves[0][2]
        prepared.update(records, ("state",))
    else:
        by_target: dict[str, list[int]] = defaultdict(list)
        for record, _, target in moves:
            by_target[target].append(record.pk)
            record.state = target
        for target, ids in by_target.items():
            for start in range(0, len(ids), _CHUNK):
                Record.objects.filter(pk__in=ids[start : start + _CHUNK]).update(state=target)
    moved_ids = [record.pk for record, _, _ in moves]
    drop_leases(moved_ids)
    if history:
        append_history(
            [
                VoteEvent(
                    review_id=record.review_id,
                    record_id=record.pk,
                    record_pk=record.pk,
                    record_title=(getattr(record, "title", "") or "")[:1000],
                    stage=flow.stage_of(event),
                    actor=by,
                    action=VoteAction.MOVE,
                    before={"state": before},
                    after={"state": target, "event": str(event)},
                )
                for record, before, target in moves
            ]
        )
    flow_changed(review_ids.pop(), one_record=len(moves) == 1)
    return len(moves)


def drop_leases(record_ids: list[int]) -> None:
    """A record that moved is no longer where any lease was taken: give every lease back."""
    if len(record_ids) == 1:  # a vote settling its record: one prepared statement
        table = connection.ops.quote_name(Lease._meta.db_table)
        prepared.execute(f"DELETE FROM {table} WHERE record_id = %s", record_ids)  # noqa: S608
        return
    for start in range(0, len(record_ids), _CHUNK):
        Lease.objects.filter(record_id__in=record_ids[start : start + _CHUNK]).delete()


def rows_moved(review_id: int, record_ids: list[int]) -> None:
    """For a service that wrote states it took from `flow.next_state` together with other
    columns in one bulk statement (merges and unmerges): the rest of a move, with the
    history kept by the caller (DedupeEvent)."""
    drop_leases(list(record_ids))
    flow_changed(review_id)
