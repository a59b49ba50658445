"""The screening queue: which record a reviewer screens next.

A reviewer is offered only a record that still needs *their* vote at the stage and
still has room for one: its votes plus the live leases other reviewers hold on it stay
below the votes needed. Taking a record leases it for a few minutes, so reviewers
working at the same moment get different records and no record collects more than N
votes. Records that already have a vote come first (pairs complete early); within
each group the order is `selectors.queue_order` (relevance once ranking exists, else
the stable random `shuffle_key`).

On PostgreSQL the candidate rows are locked with SKIP LOCKED: two reviewers asking at
once never wait for each other and never take the same last free slot. On SQLite
writes are serialised by the database, which gives the same guarantee.

A ranked queue is read from the reviewer's order held in memory (`_Ranked`): ordering
100,000 scores in the database on every request costs a second; reading the order once
per model version and checking the next few hundred records costs a millisecond.
"""

from __future__ import annotations

import threading
import time
from array import array
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from reviewapp.models import Review
from screening.models import (
    Lease,
    ModelStatus,
    OutcomeStatus,
    RankingModelState,
    Record,
    RecordScore,
    Stage,
    StageOutcome,
    Vote,
)
from screening.selectors.screening import has_scores, queue_order, ranking_enabled
from screening.services.settings import screening_settings_for

LEASE_MINUTES = 10
# How many candidates to try locking at once: enough that SKIP LOCKED finds a free one
# when many reviewers ask at the same moment.
CANDIDATES = 25
ATTEMPTS = 20
# The ranked order is checked against the database this many records at a time, up to
# RANKED_SCAN records past the first one still waiting for a first vote.
RANKED_WINDOW = 200
RANKED_SCAN = 2000
RANKED_KEPT = 32  # orders kept per process (one of 100,000 records is 800 kB)


@dataclass
class _Ranked:
    """One reviewer's ranked order for one model version: record ids, best first."""

    ids: array
    # Every record before `start` has an outcome at the stage, so it never returns to
    # the unvoted group; scanning starts here. Only ever moves past such records.
    start: int = 0


_RANKED: OrderedDict[tuple, _Ranked] = OrderedDict()
_RANKED_LOCK = threading.Lock()


def _ranked(*, review: Review, reviewer) -> _Ranked | None:
    """The reviewer's scored records in queue order, or None when the SQL order applies.

    Keyed by the model state row, which the retrain saves in the same transaction as it
    rewrites the scores: a new fit (or scores deleted) is a new key, so a stale order is
    never used. No trained model: None (the queue orders in SQL).
    """
    state = (
        RankingModelState.objects.filter(review=review, reviewer=reviewer)
        .exclude(trained_at=None)
        .exclude(status=ModelStatus.WAITING)
        .values_list("pk", "version", "trained_at")
        .first()
    )
    if state is None:
        return None
    key = (review.pk, reviewer.pk, *state)
    with _RANKED_LOCK:
        ranked = _RANKED.get(key)
        if ranked is not None:
            _RANKED.move_to_end(key)
            return ranked
        ranked = _Ranked(
            array(
                "q",
                RecordScore.objects.filter(review=review, reviewer=reviewer)
                .order_by("-score", "record__shuffle_key", "record_id")
                .values_list("record_id", flat=True),
            )
        )
        for old in [k for k in _RANKED if k[:2] == key[:2]]:
            del _RANKED[old]
        _RANKED[key] = ranked
        while len(_RANKED) > RANKED_KEPT:
            _RANKED.popitem(last=False)
        return ranked


def _ranked_unvoted(
    ranked: _Ranked, *, review: Review, stage: Stage, reviewer, needed: int, now, want: int
) -> list[int] | None:
    """The first `want` unvoted records with room, in the ranked order; None: ask SQL.

    The same records, in the same order, as the SQL query over the scored records; when
    the order runs out (records without a score come next) or no candidate turns up
    within RANKED_SCAN records, the caller runs the SQL query instead.
    """
    leased = _leases_by_others(stage=stage, reviewer=reviewer, now=now)
    has_outcome = Exists(StageOutcome.objects.filter(record=OuterRef("pk"), stage=stage))
    ids: list[int] = []
    position = ranked.start
    gone_so_far = True  # every record from `start` to here has an outcome
    while len(ids) < want:
        if position >= len(ranked.ids) or position - ranked.start >= RANKED_SCAN:
            return None
        window = list(ranked.ids[position : position + RANKED_WINDOW])
        rows = {
            pk: (state, outcome, n)
            for pk, state, outcome, n in Record.objects.filter(pk__in=window, review=review)
            .annotate(has_outcome=has_outcome, n_leased=leased)
            .values_list("pk", "state", "has_outcome", "n_leased")
        }
        for offset, record_id in enumerate(window):
            row = rows.get(record_id)
            if row is None or row[1]:  # deleted, or voted on already
                if gone_so_far:
                    ranked.start = position + offset + 1
                continue
            gone_so_far = False
            state, _, n_leased = row
            if state == stage.awaiting_state and n_leased < needed:
                ids.append(record_id)
                if len(ids) == want:
                    break
        position += len(window)
    return ids


def _leases_by_others(*, stage: str, reviewer, now):
    return Coalesce(
        Subquery(
            Lease.objects.filter(record=OuterRef("pk"), stage=stage, expires_at__gt=now)
            .exclude(reviewer=reviewer)
            .order_by()
            .values("record")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _my_vote(stage: str, reviewer):
    return Exists(Vote.objects.filter(record=OuterRef("pk"), stage=stage, reviewer=reviewer))


def _candidate_ids(*, review: Review, stage: Stage, reviewer, needed: int, now) -> list[int]:
    """Records with room for this reviewer's vote: partly voted ones first, then unvoted."""
    ranked = scored = None
    if stage == Stage.TITLE_ABSTRACT and ranking_enabled(review):
        ranked = _ranked(review=review, reviewer=reviewer)
        scored = ranked is not None or has_scores(review=review, reviewer=reviewer)
    awaiting = Record.objects.filter(review=review, state=stage.awaiting_state)
    leased = _leases_by_others(stage=stage, reviewer=reviewer, now=now)
    partly_voted = (
        awaiting.filter(
            Exists(
                StageOutcome.objects.filter(
                    record=OuterRef("pk"),
                    stage=stage,
                    status=OutcomeStatus.OPEN,
                    votes__gte=1,
                    votes__lt=needed,
                )
            )
        )
        .exclude(_my_vote(stage, reviewer))
        .annotate(
            n_votes=Subquery(
                StageOutcome.objects.filter(record=OuterRef("pk"), stage=stage).values("votes")[:1]
            ),
            n_leased=leased,
        )
        .filter(n_votes__lt=needed - F("n_leased"))
    )
    ids = list(
        queue_order(
            partly_voted, review=review, stage=stage, reviewer=reviewer, scored=scored
        ).values_list("pk", flat=True)[:CANDIDATES]
    )
    if len(ids) < CANDIDATES:
        if ranked is not None:
            found = _ranked_unvoted(
                ranked,
                review=review,
                stage=stage,
                reviewer=reviewer,
                needed=needed,
                now=now,
                want=CANDIDATES - len(ids),
            )
            if found is not None:
                return ids + found
        unvoted = (
            awaiting.exclude(
                Exists(StageOutcome.objects.filter(record=OuterRef("pk"), stage=stage))
            )
            .annotate(n_leased=leased)
            .filter(n_leased__lt=needed)
        )
        ids += list(
            queue_order(
                unvoted, review=review, stage=stage, reviewer=reviewer, scored=scored
            ).values_list("pk", flat=True)[: CANDIDATES - len(ids)]
        )
    return ids


def has_room(*, record: Record, stage: str, reviewer, needed: int, now) -> bool:
    """Whether `reviewer` may take `record` now (the caller holds the record's lock)."""
    return record.pk in with_room(
        ids=[record.pk], stage=stage, reviewer=reviewer, needed=needed, now=now
    )


def with_room(*, ids, stage: str, reviewer, needed: int, now) -> set[int]:
    """Which of the records `reviewer` may take now, in one query (the caller holds their locks).

    Run after the lock is taken, so it reads what the lock's holders committed: no vote
    of the reviewer's, not settled, and votes plus other reviewers' live leases below N.
    """
    votes = Coalesce(
        Subquery(
            Vote.objects.filter(record=OuterRef("pk"), stage=stage)
            .order_by()
            .values("record")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )
    closed = Exists(
        StageOutcome.objects.filter(record=OuterRef("pk"), stage=stage).exclude(
            status=OutcomeStatus.OPEN
        )
    )
    rows = (
        Record.objects.filter(pk__in=ids)
        .annotate(
            n_votes=votes,
            mine=_my_vote(stage, reviewer),
            closed=closed,
            n_leased=_leases_by_others(stage=stage, reviewer=reviewer, now=now),
        )
        .values_list("pk", "n_votes", "mine", "closed", "n_leased")
    )
    return {
        pk
        for pk, n_votes, mine, is_closed, n_leased in rows
        if not mine and not is_closed and n_votes + n_leased < needed
    }


def _take(*, record: Record, stage: str, reviewer, expires) -> None:
    """Lease `record` to `reviewer` (renewing their lease if one is there): one statement."""
    Lease.objects.bulk_create(
        [Lease(record=record, stage=stage, reviewer=reviewer, expires_at=expires)],
        update_conflicts=True,
        unique_fields=["record", "stage", "reviewer"],
        update_fields=["expires_at"],
    )


@transaction.atomic
def next_record(*, review: Review, stage: str, reviewer) -> Record | None:
    """Lease and return the next record for `reviewer` at `stage`, or None when none is left.

    Asking again before voting returns the same record (the lease is renewed), so a
    reload or a retried request never hands out a second one.
    """
    stage = Stage(stage)
    now = timezone.now()
    expires = now + timedelta(minutes=LEASE_MINUTES)
    needed = screening_settings_for(review).votes_needed(stage)
    Lease.objects.filter(reviewer=reviewer, stage=stage, expires_at__lte=now).delete()
    held = (
        Lease.objects.filter(
            reviewer=reviewer,
            stage=stage,
            record__review=review,
            record__state=stage.awaiting_state,
            expires_at__gt=now,
        )
        .filter(
            ~Exists(Vote.objects.filter(record=OuterRef("record"), stage=stage, reviewer=reviewer))
        )
        .filter(
            ~Exists(
                StageOutcome.objects.filter(record=OuterRef("record"), stage=stage).exclude(
                    status=OutcomeStatus.OPEN
                )
            )
        )
        .select_related("record")
        .order_by("expires_at")
        .first()
    )
    if held is not None:
        Lease.objects.filter(pk=held.pk).update(expires_at=expires)
        return held.record
    for attempt in range(ATTEMPTS):
        ids = _candidate_ids(review=review, stage=stage, reviewer=reviewer, needed=needed, now=now)
        if not ids:
            return None
        locked = {
            r.pk: r
            for r in Record.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=ids)
            .order_by()
        }
        if not locked:
            # Every candidate is being handed out or voted on at this instant: wait a
            # moment and look again rather than telling the reviewer nothing is left.
            time.sleep(0.005 * (attempt + 1))
            continue
        free = [pk for pk in ids if pk in locked and locked[pk].state == stage.awaiting_state]
        room = with_room(ids=free, stage=stage, reviewer=reviewer, needed=needed, now=now)
        for record_id in free:
            if record_id in room:
                record = locked[record_id]
                _take(record=record, stage=stage, reviewer=reviewer, expires=expires)
                return record
    return None


@transaction.atomic
def release(*, record: Record, stage: str, reviewer) -> None:
    """Give a leased record back (the reviewer skipped it)."""
    Lease.objects.filter(record=record, stage=stage, reviewer=reviewer).delete()
