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
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from reviewapp.models import Review
from screening.models import Lease, OutcomeStatus, Record, Stage, StageOutcome, Vote
from screening.selectors.screening import queue_order
from screening.services.settings import screening_settings_for

LEASE_MINUTES = 10
# How many candidates to try locking at once: enough that SKIP LOCKED finds a free one
# when many reviewers ask at the same moment.
CANDIDATES = 25
ATTEMPTS = 20


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
        queue_order(partly_voted, review=review, stage=stage, reviewer=reviewer).values_list(
            "pk", flat=True
        )[:CANDIDATES]
    )
    if len(ids) < CANDIDATES:
        unvoted = (
            awaiting.exclude(
                Exists(StageOutcome.objects.filter(record=OuterRef("pk"), stage=stage))
            )
            .annotate(n_leased=leased)
            .filter(n_leased__lt=needed)
        )
        ids += list(
            queue_order(unvoted, review=review, stage=stage, reviewer=reviewer).values_list(
                "pk", flat=True
            )[: CANDIDATES - len(ids)]
        )
    return ids


def has_room(*, record: Record, stage: str, reviewer, needed: int, now) -> bool:
    """Whether `reviewer` may take `record` now (the caller holds the record's lock)."""
    votes = list(
        Vote.objects.filter(record=record, stage=stage).values_list("reviewer_id", flat=True)
    )
    if reviewer.pk in votes:
        return False
    if (
        StageOutcome.objects.filter(record=record, stage=stage)
        .exclude(status=OutcomeStatus.OPEN)
        .exists()
    ):
        return False
    leased = (
        Lease.objects.filter(record=record, stage=stage, expires_at__gt=now)
        .exclude(reviewer=reviewer)
        .count()
    )
    return len(votes) + leased < needed


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
        for record_id in ids:
            record = locked.get(record_id)
            if record is None or record.state != stage.awaiting_state:
                continue
            if has_room(record=record, stage=stage, reviewer=reviewer, needed=needed, now=now):
                Lease.objects.update_or_create(
                    record=record, stage=stage, reviewer=reviewer, defaults={"expires_at": expires}
                )
                return record
    return None


@transaction.atomic
def release(*, record: Record, stage: str, reviewer) -> None:
    """Give a leased record back (the reviewer skipped it)."""
    Lease.objects.filter(record=record, stage=stage, reviewer=reviewer).delete()
