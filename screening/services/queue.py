"""The screening queue: which record a reviewer screens next.

A reviewer is offered only a record that still needs *their* vote at the stage and
still has room for one: its votes plus the live leases other reviewers hold on it stay
below the votes needed. Taking a record leases it for a few minutes, so reviewers
working at the same moment get different records and no record collects more than N
votes. Records that already have a vote come first (pairs complete early), then the
rest in the reviewer's relevance order once ranking exists, else the stable random
`shuffle_key`.

On PostgreSQL the candidate rows are locked with SKIP LOCKED: two reviewers asking at
once never wait for each other and never take the same last free slot. The lock is
FOR NO KEY UPDATE, which a foreign-key check's KEY SHARE lock does not block: a
transaction inserting rows that reference the records (votes, leases, a bulk write)
and committing with its deferred checks never makes the queue skip every candidate. On SQLite
writes are serialised by the database, which gives the same guarantee.

A ranked queue is read from the reviewer's stored order (`RankedOrder`, written by
the retrain) a window at a time: ordering 100,000 scores in the database on every
request costs a second; reading the next RANKED_SCAN ids of the order and checking
them a few dozen at a time costs a millisecond. Records that already have a vote are
few and come in the stable random order; unvoted ones follow the reviewer's order,
then (records scored by no fit yet) the stable random order.

This is the hottest path of the app (every reviewer asks for a record after every
vote), so its reads are a few plain SQL statements (`_sql`, portable between SQLite
and PostgreSQL) rather than ORM expressions: building the nested Exists/Subquery
querysets cost ~15 ms of CPU per request, the statements below well under one. The
live leases of a review at a stage are few (at most one or two per reviewer), so they
are read once per request and counted in Python instead of in every statement.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from reviewapp import prepared
from reviewapp.models import Review
from reviewapp.prepared import Read
from screening import rules
from screening.models import (
    Lease,
    OutcomeStatus,
    RankedOrder,
    RankingModelState,
    Record,
    RecordTag,
    Stage,
    StageOutcome,
    Tag,
    Vote,
)
from screening.ranking import order
from screening.selectors.screening import ranking_enabled
from screening.services.bulk import analyze_changed
from screening.services.settings import screening_settings_for

LEASE_MINUTES = 10
# Asking again for the record one holds renews its lease only once less than this is
# left: a reload (or a retried request) a moment after the record was taken writes nothing.
RENEW_BELOW = timedelta(minutes=LEASE_MINUTES / 2)
# How many candidates to try locking at once: enough that SKIP LOCKED finds a free one
# when many reviewers ask at the same moment.
CANDIDATES = 10
ATTEMPTS = 20
# The ranked order is checked against the database this many records at a time, up to
# RANKED_SCAN records a request past where this process's last scan stopped.
RANKED_WINDOW = 50
RANKED_SCAN = 2000
# Reviewers whose place in their order a process keeps: a window of RANKED_SCAN ids
# (16 kB) and the records passed over and still waiting (about one per live lease) each,
# whatever the size of the review.
RANKED_KEPT = 1024


def _sql(statement: str, params: list, **names: str) -> list[tuple]:
    """Run a read with the app's table names filled in ({record}, {outcome}, ...),
    prepared once per connection on PostgreSQL (`prepared`)."""
    tables = {
        "record": Record,
        "outcome": StageOutcome,
        "vote": Vote,
        "lease": Lease,
        "order": RankedOrder,
        "recordtag": RecordTag,
        "state": RankingModelState,
    }
    quoted = {key: connection.ops.quote_name(model._meta.db_table) for key, model in tables.items()}
    return prepared.fetchall(statement.format(**quoted, **names), params)


def _placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


def _when(moment) -> object:
    """A datetime as the database compares it in a raw statement."""
    return connection.ops.adapt_datetimefield_value(moment)


@dataclass
class _Ranked:
    """Where this process is in one reviewer's ranked order (one model version).

    The order itself stays in the database (`RankedOrder`); the process keeps a window
    of it (RANKED_SCAN ids), so its memory does not grow with the review.

    Scanning starts at `start`. Every record before it is either gone from the unvoted
    group for good (it has an outcome at the stage, or left the stage, or left the
    review) or listed in `passed`: records still waiting for a first vote that a scan
    went past, because others' leases filled them or because they were offered. So a
    request checks the few passed records and the order from `start`, never again the
    records voted on since the fit: with many reviewers on the same order, a record
    leased by two others near the top no longer makes every request re-read every
    record voted on after it.
    """

    state_id: int
    version: int
    window: list[int] = field(default_factory=list)
    window_at: int = 0
    start: int = 0
    passed: list[int] = field(default_factory=list)  # record ids, best first
    gone: bool = False  # a newer order replaced this one while it was read

    def ids(self, position: int, count: int) -> list[int]:
        """`count` ids from `position` (fewer at the end of the order)."""
        offset = position - self.window_at
        if offset < 0 or offset + count > len(self.window):
            self.window_at, offset = position, 0
            self.window = _order_slice(self, position, max(count, RANKED_SCAN))
        return self.window[offset : offset + count]


_RANKED: OrderedDict[tuple, _Ranked] = OrderedDict()
_RANKED_LOCK = threading.Lock()


def _order_slice(ranked: _Ranked, position: int, count: int) -> list[int]:
    """`count` ids of the stored order from `position`; [] when a new version replaced it."""
    rows = _sql(
        "SELECT substr(o.ids, %s, %s) FROM {order} o WHERE o.state_id = %s AND o.version = %s",
        [position * order.ID_BYTES + 1, count * order.ID_BYTES, ranked.state_id, ranked.version],
    )
    if not rows:
        ranked.gone = True
        return []
    return order.ids_of(rows[0][0] or b"")


def _ranked(*, review: Review, reviewer) -> _Ranked | None:
    """The reviewer's ranked order, or None when there is none (the SQL order applies).

    Keyed by the model's version, which the retrain writes in the same transaction as
    the order: a new fit (or an order deleted) is seen on the next request.
    """
    rows = _sql(
        "SELECT o.state_id, o.version FROM {order} o JOIN {state} s ON s.id = o.state_id"
        " WHERE s.review_id = %s AND s.reviewer_id = %s ORDER BY o.state_id LIMIT 1",
        [review.pk, reviewer.pk],
    )
    current = tuple(rows[0]) if rows else None
    key = (review.pk, reviewer.pk)
    with _RANKED_LOCK:
        if current is None:
            _RANKED.pop(key, None)
            return None
        ranked = _RANKED.get(key)
        if ranked is None or (ranked.state_id, ranked.version) != current or ranked.gone:
            ranked = _RANKED[key] = _Ranked(*current)
        _RANKED.move_to_end(key)
        while len(_RANKED) > RANKED_KEPT:
            _RANKED.popitem(last=False)
    return ranked


@dataclass
class _Ask:
    """One reviewer's request for a record: who, where, and the leases others hold."""

    review: Review
    stage: Stage
    reviewer: object
    needed: int
    now: object
    leased: Counter  # record id -> live leases held by other reviewers
    tag: Tag | None = None  # only records carrying this tag ("screen only records tagged X")

    def has_room(self, record_id: int, votes: int) -> bool:
        return rules.has_room(
            votes=votes, leases_of_others=self.leased[record_id], needed=self.needed
        )


_TAGGED = "AND EXISTS (SELECT 1 FROM {recordtag} t WHERE t.record_id = r.id AND t.tag_id = %s)"
_TAGGED_BY = _TAGGED[:-1] + " AND t.added_by_id = %s)"


def _tagged(ask: _Ask) -> tuple[str, list]:
    """The queue's tag filter as SQL: the tag on the record (for a private tag: the
    reviewer's own, as the policy lets them see no other on a record waiting for votes)."""
    if ask.tag is None:
        return "", []
    if ask.tag.private:
        return _TAGGED_BY, [ask.tag.pk, ask.reviewer.pk]
    return _TAGGED, [ask.tag.pk]


def _partly_voted(ask: _Ask) -> list[int]:
    """Open records with 1..N-1 votes, none of them this reviewer's, that have room,
    in the stable random order (pairs complete first, whatever the rank).

    Read in order from the partial index `outcome_half_done` (open outcomes with votes,
    by the record's shuffle key, which the outcome carries): the first few entries, each
    checked by id, not every open outcome of the review sorted on each request."""
    tagged, tag_params = _tagged(ask)
    rows = _sql(
        f"""
        SELECT r.id, o.votes FROM {{outcome}} o
        JOIN {{record}} r ON r.id = o.record_id
        WHERE o.review_id = %s AND o.stage = %s AND o.status = '{{open}}'
          AND o.votes >= 1 AND o.votes < %s AND r.state = %s
          AND NOT EXISTS (
            SELECT 1 FROM {{vote}} v
            WHERE v.record_id = o.record_id AND v.stage = %s AND v.reviewer_id = %s
          )
          {tagged}
        ORDER BY o.shuffle_key, o.record_id
        LIMIT %s
        """,  # noqa: S608 - only table names, fixed SQL and %s placeholders
        [
            ask.review.pk,
            ask.stage,
            ask.needed,
            ask.stage.awaiting_state,
            ask.stage,
            ask.reviewer.pk,
            *tag_params,
            CANDIDATES + len(ask.leased),
        ],
        # A constant, not a parameter: the generic plan can then use the partial index.
        open=OutcomeStatus.OPEN.value,
    )
    return [pk for pk, votes in rows if ask.has_room(pk, votes)][:CANDIDATES]


def _unvoted(ask: _Ask, want: int) -> list[int]:
    """Records without a vote at the stage that have room, in the stable random order
    (SQL): the queue without a ranked order, and after the end of one."""
    tagged, tag_params = _tagged(ask)
    rows = _sql(
        f"""
        SELECT r.id FROM {{record}} r
        WHERE r.review_id = %s AND r.state = %s
          AND NOT EXISTS (
            SELECT 1 FROM {{outcome}} o WHERE o.record_id = r.id AND o.stage = %s
          )
          {tagged}
        ORDER BY r.shuffle_key, r.id
        LIMIT %s
        """,  # noqa: S608 - only table names, fixed SQL and %s placeholders
        [
            ask.review.pk,
            ask.stage.awaiting_state,
            ask.stage,
            *tag_params,
            want + len(ask.leased),
        ],
    )
    return [pk for (pk,) in rows if ask.has_room(pk, 0)][:want]


def _awaiting(ask: _Ask, ids: list[int]) -> set[int]:
    """Which of `ids` (RANKED_WINDOW at most) await the stage without an outcome there
    (and carry the queue's tag, if any): two index lookups by id each, whatever the
    planner's statistics say. Padded to RANKED_WINDOW ids, so it is one statement."""
    tagged, tag_params = _tagged(ask)
    padded = [*ids, *[0] * (RANKED_WINDOW - len(ids))]  # no record has id 0
    states: dict[int, str | None] = {}
    for pk, state in _sql(
        f"""
        SELECT r.id, r.state FROM {{record}} r
        WHERE r.review_id = %s AND r.id IN ({_placeholders(padded)})
          {tagged}
        UNION ALL
        SELECT o.record_id, NULL FROM {{outcome}} o
        WHERE o.stage = %s AND o.record_id IN ({_placeholders(padded)})
        """,  # noqa: S608 - only table names, fixed SQL and %s placeholders
        [ask.review.pk, *padded, *tag_params, ask.stage, *padded],
    ):
        states[pk] = state if pk not in states else None  # NULL: it has an outcome
    return {pk for pk, state in states.items() if state == ask.stage.awaiting_state}


def _ranked_unvoted(ranked: _Ranked, ask: _Ask, want: int) -> list[int]:
    """Up to `want` unvoted records with room, in the ranked order.

    Fewer when the order runs out (records without a score, imported since the fit,
    come next) or RANKED_SCAN records turned up too few: the caller fills up with
    `_unvoted`. A tag-filtered queue checks the tag in the same statements and only
    reads `ranked` (what it skips, untagged records, is not gone for the whole queue).

    A record that leaves the stage without an outcome (marked a duplicate) is dropped
    from `passed`; should it come back (the merge undone) this process offers it again
    from the reviewer's next fit, or from the stable random order once the ranked one
    is read through.
    """
    learn = ask.tag is None
    ids: list[int] = []
    # The records passed over before, best first: those others' leases leave room in.
    roomy = [pk for pk in ranked.passed if ask.has_room(pk, 0)]
    checked: set[int] = set()
    still: set[int] = set()
    for at in range(0, len(roomy), RANKED_WINDOW):
        if len(ids) >= want:
            break
        chunk = roomy[at : at + RANKED_WINDOW]
        awaiting = _awaiting(ask, chunk)
        checked.update(chunk)
        still |= awaiting
        ids += [pk for pk in chunk if pk in awaiting][: want - len(ids)]
    if learn and checked:
        ranked.passed = [pk for pk in ranked.passed if pk not in checked or pk in still]
    position = begin = ranked.start
    while len(ids) < want and position - begin < RANKED_SCAN:
        window = ranked.ids(position, RANKED_WINDOW)
        if not window:
            break
        awaiting = _awaiting(ask, window)
        # The whole window is read: what this request does not need waits in `passed`
        # for the next ones, which then find it in one statement.
        for record_id in window:
            if record_id in awaiting:
                if learn:
                    ranked.passed.append(record_id)
                if len(ids) < want and ask.has_room(record_id, 0):
                    ids.append(record_id)
        position += len(window)
        if learn:
            ranked.start = position
    return ids


def _candidate_ids(ask: _Ask, ranked: _Ranked | None) -> list[int]:
    """Records with room for this reviewer's vote: partly voted ones first, then unvoted
    (in the ranked order, then the stable random order)."""
    ids = _partly_voted(ask)
    if len(ids) < CANDIDATES and ranked is not None:
        ids += _ranked_unvoted(ranked, ask, CANDIDATES - len(ids))
    if len(ids) < CANDIDATES:
        have = set(ids)
        more = _unvoted(ask, CANDIDATES - len(ids) + len(have))
        ids += [pk for pk in more if pk not in have][: CANDIDATES - len(ids)]
    return ids


def may_take(*, record: Record, stage: str, reviewer, needed: int, now) -> bool:
    """Whether `reviewer` may take `record` now (the caller holds the record's lock)."""
    return record.pk in with_room(
        ids=[record.pk], stage=stage, reviewer=reviewer, needed=needed, now=now
    )


def with_room(*, ids, stage: str, reviewer, needed: int, now) -> set[int]:
    """Which of the records `reviewer` may take now, in one query (the caller holds their locks).

    Run after the lock is taken, so it reads what the lock's holders committed: awaiting
    this stage, no vote of the reviewer's, not settled (or in conflict), and votes plus
    other reviewers' live leases below N.
    """
    ids = list(ids)
    if not ids:
        return set()
    stage = Stage(stage)
    # One index lookup by record id per table, whatever the planner's statistics say.
    rows = _sql(
        f"""
        SELECT 0, r.id, CASE WHEN r.state = %s THEN 1 ELSE 0 END FROM {{record}} r
        WHERE r.id IN ({_placeholders(ids)})
        UNION ALL
        SELECT 1, v.record_id, v.reviewer_id FROM {{vote}} v
        WHERE v.stage = %s AND v.record_id IN ({_placeholders(ids)})
        UNION ALL
        SELECT 2, o.record_id, 0 FROM {{outcome}} o
        WHERE o.stage = %s AND o.status <> %s AND o.record_id IN ({_placeholders(ids)})
        UNION ALL
        SELECT 3, l.record_id, 0 FROM {{lease}} l
        WHERE l.stage = %s AND l.expires_at > %s AND l.reviewer_id <> %s
          AND l.record_id IN ({_placeholders(ids)})
        """,  # noqa: S608 - only table names, fixed SQL and %s placeholders
        [
            stage.awaiting_state,
            *ids,
            stage,
            *ids,
            stage,
            OutcomeStatus.OPEN,
            *ids,
            stage,
            _when(now),
            reviewer.pk,
            *ids,
        ],
    )
    awaiting, blocked, votes, leases = set(), set(), Counter(), Counter()
    for kind, record_id, value in rows:
        if kind == 0 and value:
            awaiting.add(record_id)
        elif kind == 1:
            votes[record_id] += 1
            if value == reviewer.pk:
                blocked.add(record_id)
        elif kind == 2:
            blocked.add(record_id)  # settled or in conflict
        elif kind == 3:
            leases[record_id] += 1  # another reviewer's live lease
    return {
        pk
        for pk in awaiting - blocked
        if rules.has_room(votes=votes[pk], leases_of_others=leases[pk], needed=needed)
    }


def _take(*, record_id: int, stage: str, reviewer, expires) -> None:
    """Lease the record to `reviewer` (renewing their lease if one is there): one statement."""
    _leases_only()
    table = connection.ops.quote_name(Lease._meta.db_table)
    prepared.execute(
        f"INSERT INTO {table} (record_id, stage, reviewer_id, expires_at) VALUES (%s, %s, %s, %s)"  # noqa: S608 - table name only
        " ON CONFLICT (record_id, stage, reviewer_id) DO UPDATE SET expires_at = excluded.expires_at",
        [record_id, stage, reviewer.pk, _when(expires)],
    )


def _leases_only() -> None:
    """Called before `next_record` writes. When it is the whole transaction, it writes
    only leases: a hint held for minutes, not a record of anyone's work. Such a commit
    need not wait for PostgreSQL to flush it to disk (a crash right after forgets at most
    that lease, and the queue hands the record out again); its rows, locks and
    visibility are as on any commit. Inside a caller's transaction (a vote) nothing changes.
    """
    if connection.vendor == "postgresql" and len(connection.atomic_blocks) == 1:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


# The record handed out, without the import's raw tags (no screen shows them).
_LEASED = Read(lambda record: Record.objects.defer("raw").filter(pk=record), record=int)


def _leased(record_id: int) -> Record:
    record = _LEASED.one(record=record_id)
    if record is None:
        raise Record.DoesNotExist(record_id)  # under its lock: never
    return record


# The candidates this request may take: locked, skipping those another transaction
# holds; always CANDIDATES ids (padded with 0, which no record has), so one statement.
_LOCK_FREE = Read(
    lambda **ids: (
        Record.objects.select_for_update(skip_locked=True, no_key=True, of=("self",))
        .filter(pk__in=list(ids.values()))
        .only("id")
        .order_by()
    ),
    **{f"id{i}": int for i in range(CANDIDATES)},
)


def _lock_free(ids: list[int]) -> set[int]:
    locked = set()
    for at in range(0, len(ids), CANDIDATES):
        chunk = ids[at : at + CANDIDATES]
        padded = [*chunk, *[0] * (CANDIDATES - len(chunk))]
        values = {f"id{i}": pk for i, pk in enumerate(padded)}
        locked |= {record.pk for record in _LOCK_FREE.all(**values)}
    return locked


@transaction.atomic
def next_record(*, review: Review, stage: str, reviewer, tag: Tag | None = None) -> Record | None:
    """Lease and return the next record for `reviewer` at `stage`, or None when none is left.
    `tag`: only records carrying it (the reviewer's own, for a private tag).

    Asking again before voting returns the same record (the lease is renewed once less
    than half of it is left), so a reload or a retried request never hands out a second one.
    """
    stage = Stage(stage)
    now = timezone.now()
    expires = now + timedelta(minutes=LEASE_MINUTES)
    needed = screening_settings_for(review).votes_needed(stage)
    # The review's leases at the stage, soonest to expire first: whether each is live,
    # and whether it is due for renewal (less than RENEW_BELOW left).
    leases = _sql(
        """
        SELECT l.id, l.record_id, l.reviewer_id,
               CASE WHEN l.expires_at > %s THEN 1 ELSE 0 END,
               CASE WHEN l.expires_at < %s THEN 1 ELSE 0 END
        FROM {lease} l JOIN {record} r ON r.id = l.record_id
        WHERE l.stage = %s AND r.review_id = %s
        ORDER BY l.expires_at, l.id
        """,
        [_when(now), _when(now + RENEW_BELOW), stage, review.pk],
    )
    expired = [pk for pk, _, holder, live, _ in leases if holder == reviewer.pk and not live]
    if expired:
        _leases_only()
        Lease.objects.filter(pk__in=expired).delete()
    due = {
        record_id: bool(renew)
        for _, record_id, holder, live, renew in leases
        if holder == reviewer.pk and live
    }
    held = list(due)  # soonest to expire first
    if held and tag is not None:
        carrying = RecordTag.objects.filter(tag=tag, record_id__in=held)
        if tag.private:
            carrying = carrying.filter(added_by=reviewer)
        tagged = set(carrying.values_list("record_id", flat=True))
        held = [record_id for record_id in held if record_id in tagged]
    if held:
        room = with_room(ids=held, stage=stage, reviewer=reviewer, needed=needed, now=now)
        for record_id in held:
            if record_id in room:
                if due[record_id]:  # else a reload writes nothing
                    _leases_only()
                    Lease.objects.filter(
                        record_id=record_id, stage=stage, reviewer=reviewer
                    ).update(expires_at=expires)
                return _leased(record_id)
    ranked = None
    if stage == Stage.TITLE_ABSTRACT and ranking_enabled(review):
        ranked = _ranked(review=review, reviewer=reviewer)
    ask = _Ask(
        review=review,
        stage=stage,
        reviewer=reviewer,
        needed=needed,
        now=now,
        leased=Counter(
            record_id for _, record_id, holder, live, _ in leases if holder != reviewer.pk and live
        ),
        tag=tag,
    )
    for attempt in range(ATTEMPTS):
        ids = _candidate_ids(ask, ranked)
        if not ids:
            return None
        locked = _lock_free(ids)
        if not locked:
            # Every candidate is being handed out or voted on at this instant: wait a
            # moment and look again rather than telling the reviewer nothing is left.
            time.sleep(0.005 * (attempt + 1))
            continue
        free = [pk for pk in ids if pk in locked]
        room = with_room(ids=free, stage=stage, reviewer=reviewer, needed=needed, now=now)
        for record_id in free:
            if record_id in room:
                _take(record_id=record_id, stage=stage, reviewer=reviewer, expires=expires)
                return _leased(record_id)
        # Others took these since the candidates were read: read their leases again.
        ask.leased = Counter(
            Lease.objects.filter(stage=stage, record__review_id=review.pk, expires_at__gt=now)
            .exclude(reviewer=reviewer)
            .values_list("record_id", flat=True)
        )
    return None


@transaction.atomic
def release(*, record: Record, stage: str, reviewer) -> None:
    """Give a leased record back (the reviewer skipped it)."""
    Lease.objects.filter(record=record, stage=stage, reviewer=reviewer).delete()


def refresh_statistics() -> list[str]:
    """Re-analyse the tables the queue's statements are planned on, those whose rows
    changed past autovacuum's threshold (``bulk.analyze_changed``); returns their names.

    Screening rewrites votes, outcomes, leases and record states all day; the retrain
    job calls this after each run, so the planner's picture follows the screening even
    where autovacuum is off or behind. Records: only the columns the queue filters on.
    """
    from screening.services.imports import PLANNER_COLUMNS

    return analyze_changed((Vote, ()), (StageOutcome, ()), (Lease, ()), (Record, PLANNER_COLUMNS))
