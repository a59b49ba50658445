"""Retraining the relevance models, and stopping title/abstract screening.

Retraining: a vote asks for a run (`schedule_retrain`, on commit); `RankingSchedule`
keeps at most one job queued and one running per review, and a vote during a run
makes the run enqueue one more when it ends. A run (`retrain_review`) builds the
review's TF-IDF features once (cached in the process, keyed by the record set) and
fits one model per reviewer on `selectors.ranking.training_labels`, then rewrites that
reviewer's `RecordScore` rows. A model whose records and labels did not change is not
refitted, so a retried or duplicate job does nothing.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from reviewapp.models import Membership, Review, Role
from screening import flow
from screening.models import (
    ModelStatus,
    RankingModelState,
    RankingSchedule,
    Record,
    RecordScore,
    RecordState,
    StoppingDecision,
    StopRule,
)
from screening.ranking.model import (
    DEFAULT_SETTINGS,
    FEATURES,
    Features,
    NeedBothClasses,
    RankingModel,
    build_features,
    record_text,
)
from screening.selectors import ranking as selectors
from screening.services import journey
from screening.services.bulk import insert_rows
from screening.services.queue import share_ranked_order
from screening.services.settings import screening_settings_for

log = logging.getLogger(__name__)

# A run that has not finished after this long is taken to have died with its worker.
STALE_RUN = timedelta(minutes=10)
# Without a worker (the embedded default) a retrain runs inside the vote's request; on a
# large review that would make every vote slow, so there it runs at most this often.
EAGER_LARGE_REVIEW = 2000
EAGER_INTERVAL = timedelta(seconds=60)
TOP_TERMS = 12
_CHUNK = 5000
# Features of the last few reviews trained in this process: {review id: (key, Features)}.
_FEATURES: OrderedDict[int, tuple[str, Features]] = OrderedDict()
_FEATURES_KEPT = 4


# --- Scheduling ---------------------------------------------------------------


def schedule_retrain(review_id: int) -> None:
    """Ask for a retraining run once the current transaction commits (never blocks it)."""
    transaction.on_commit(lambda: request_retrain(review_id))


def request_retrain(review_id: int) -> bool:
    """Mark a run as wanted; enqueue a job unless one is already queued or running.

    Returns whether a job was enqueued. Runs after every title/abstract vote, so the
    usual case (a job already queued) is one statement that changes nothing.
    """
    from screening.tasks.ranking import retrain_ranking

    now = timezone.now()
    if _throttled_in_process(review_id, now):
        return False
    # One statement: create the review's schedule row or turn `pending` on, and say
    # whether this call turned it on (no row back: a job is queued already and will
    # read this vote) and whether a run is in progress (it enqueues one more when it
    # ends, because it sees `pending`).
    table = connection.ops.quote_name(RankingSchedule._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (review_id, pending, requested_at) VALUES (%s, %s, %s)
            ON CONFLICT (review_id) DO UPDATE
              SET pending = excluded.pending, requested_at = excluded.requested_at
              WHERE {table}.pending = %s
            RETURNING running_since IS NOT NULL AND running_since >= %s
            """,  # noqa: S608 - only table names, fixed SQL and %s placeholders
            [
                review_id,
                True,
                connection.ops.adapt_datetimefield_value(now),
                False,
                connection.ops.adapt_datetimefield_value(now - STALE_RUN),
            ],
        )
        turned_on = cursor.fetchone()
    if turned_on is None or turned_on[0]:
        return False
    retrain_ranking.delay(review_id)
    return True


def _throttled_in_process(review_id: int, now) -> bool:
    from reviewapp.celery import app

    if not app.conf.task_always_eager:
        return False
    last = RankingModelState.objects.filter(review_id=review_id).aggregate(m=Max("trained_at"))["m"]
    if last is None or now - last >= EAGER_INTERVAL:
        return False
    return Record.objects.filter(review_id=review_id).count() > EAGER_LARGE_REVIEW


def run_scheduled_retrain(review_id: int) -> bool:
    """The job's body: claim the pending run, train, and enqueue again if votes came in.

    Returns False when there was nothing to claim (a duplicate delivery, or another run
    in progress, which will itself re-enqueue).
    """
    now = timezone.now()
    claimed = RankingSchedule.objects.filter(
        Q(running_since__isnull=True) | Q(running_since__lt=now - STALE_RUN),
        review_id=review_id,
        pending=True,
    ).update(pending=False, running_since=now)
    if not claimed:
        return False
    try:
        review = Review.objects.filter(pk=review_id).first()
        if review is not None:
            retrain_review(review=review)
    finally:
        RankingSchedule.objects.filter(review_id=review_id).update(
            running_since=None, finished_at=timezone.now()
        )
        if RankingSchedule.objects.filter(review_id=review_id, pending=True).exists():
            RankingSchedule.objects.filter(review_id=review_id).update(pending=False)
            request_retrain(review_id)
    return True


# --- Training -----------------------------------------------------------------


def features_for(review: Review) -> Features | None:
    """The review's TF-IDF matrix over its non-duplicate records, cached per record set.

    Hashed features need no fitted vocabulary, so the matrix depends only on which
    records there are: the count, largest and summed ids identify the set.
    """
    corpus = Record.objects.filter(review=review).exclude(state=RecordState.DUPLICATE)
    shape = corpus.aggregate(n=Count("pk"), top=Max("pk"), total=Sum("pk"))
    key = f"{shape['n']}:{shape['top']}:{shape['total']}"
    cached = _FEATURES.get(review.pk)
    if cached is not None and cached[0] == key:
        _FEATURES.move_to_end(review.pk)
        return cached[1]
    texts = {
        pk: record_text(title, abstract)
        for pk, title, abstract in corpus.order_by("pk").values_list("pk", "title", "abstract")
    }
    if not texts:
        return None
    features = build_features(texts)
    _FEATURES[review.pk] = (key, features)
    while len(_FEATURES) > _FEATURES_KEPT:
        _FEATURES.popitem(last=False)
    return features


def _fingerprint(features_key: str, labels: dict[int, int]) -> str:
    # FEATURES names how texts become features: a model fitted on older features refits.
    digest = hashlib.sha256(f"{features_key}|{FEATURES}|{DEFAULT_SETTINGS}|".encode())
    for record_id in sorted(labels):
        digest.update(f"{record_id}:{labels[record_id]},".encode())
    return digest.hexdigest()


def ranked_reviewers(review: Review) -> list:
    """Members who screen: reviewers, leads and owners each get a model."""
    return [
        m.user
        for m in Membership.objects.filter(review=review)
        .with_role_at_least(Role.REVIEWER)
        .select_related("user")
    ]


def retrain_reviewer(
    *,
    review: Review,
    reviewer,
    features: Features,
    settled: dict[int, int],
    shuffle_keys: dict[int, int],
) -> RankingModelState:
    """Fit `reviewer`'s model and rewrite their scores (skipped if nothing changed)."""
    started = time.perf_counter()
    labels = {
        record_id: label
        for record_id, label in selectors.training_labels(
            review=review, reviewer=reviewer, settled=settled
        ).items()
        if record_id in features.row_of
    }
    cached = _FEATURES.get(review.pk)
    fingerprint = _fingerprint(cached[0] if cached else "", labels)
    state, _ = RankingModelState.objects.get_or_create(review=review, reviewer=reviewer)
    if state.fingerprint == fingerprint and state.status != ModelStatus.FAILED:
        return state
    state.n_include = sum(labels.values())
    state.n_exclude = len(labels) - state.n_include
    state.fingerprint = fingerprint
    state.error = ""
    try:
        model = RankingModel.fit(features, labels)
    except NeedBothClasses:
        # Until both kinds of label exist the queue keeps its stable random order.
        with transaction.atomic():
            RecordScore.objects.filter(review=review, reviewer=reviewer).delete()
            state.status, state.n_scored = ModelStatus.WAITING, 0
            state.top_include = state.top_exclude = []
            state.save()
        return state
    except Exception as exc:  # a failed fit must not stop the other reviewers' models
        log.exception("ranking model of reviewer %s in review %s failed", reviewer.pk, review.pk)
        state.status, state.error = ModelStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        state.save()
        return state
    awaiting = [
        r for r in selectors.awaiting_ids(review=review, reviewer=reviewer) if r in features.row_of
    ]
    scores = model.score(features, awaiting)
    terms = model.top_terms(features, TOP_TERMS)
    with transaction.atomic():
        RecordScore.objects.filter(review=review, reviewer=reviewer).delete()
        insert_rows(  # COPY on PostgreSQL: 100,000 scores in a fraction of INSERT's time
            RecordScore,
            [
                RecordScore(review=review, record_id=record_id, reviewer=reviewer, score=score)
                for record_id, score in scores.items()
            ],
        )
        state.status = ModelStatus.READY
        state.trained_at = timezone.now()
        state.n_scored = len(scores)
        state.top_include = [[t, round(w, 4)] for t, w in terms.include]
        state.top_exclude = [[t, round(w, 4)] for t, w in terms.exclude]
        state.version += 1
        state.seconds = round(time.perf_counter() - started, 3)
        state.save()
        # Every app process reads the new queue order from the cache instead of sorting.
        transaction.on_commit(
            lambda: share_ranked_order(state=state, scores=scores, shuffle_keys=shuffle_keys)
        )
    return state


def retrain_review(*, review: Review) -> list[RankingModelState]:
    """Refit every screening member's model of `review` (idempotent)."""
    if not screening_settings_for(review).ranking_enabled:
        return []
    features = features_for(review)
    if features is None:  # no records yet
        return []
    settled = selectors.settled_labels(review=review)
    shuffle_keys = dict(Record.objects.filter(review=review).values_list("pk", "shuffle_key"))
    return [
        retrain_reviewer(
            review=review,
            reviewer=user,
            features=features,
            settled=settled,
            shuffle_keys=shuffle_keys,
        )
        for user in ranked_reviewers(review)
    ]


# --- Stopping -----------------------------------------------------------------


def _chunks(ids: list[int]):
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


@transaction.atomic
def stop_screening(*, review: Review, by, rule: str, note: str = "") -> StoppingDecision:
    """Mark every record nobody has voted on at title/abstract "excluded by automation
    tool", keeping the evidence the lead saw. Partly voted records stay to be finished."""
    rule = StopRule(rule)
    evidence = selectors.stopping_evidence(review=review)
    if evidence.n_screened == 0:
        raise ValidationError("Nothing has been screened yet: there is no evidence to stop on.")
    if rule == StopRule.STATISTICAL and not (
        evidence.statistical and evidence.statistical.should_stop
    ):
        raise ValidationError(
            "The statistical rule says keep screening, so it cannot be the reason to stop now. "
            "To stop anyway, choose the lead's judgement and say why in the note."
        )
    if (
        rule != StopRule.STATISTICAL
        and not (evidence.statistical and evidence.statistical.should_stop)
        and not note.strip()
    ):
        raise ValidationError(
            "The statistical rule says keep screening: to stop anyway, say why in the note."
        )
    candidates = selectors.stoppable_records(review=review)
    locked = list(candidates.select_for_update().order_by("pk").values_list("pk", flat=True))
    # Re-read after the locks: a vote committed meanwhile keeps its record with people.
    record_ids: list[int] = []
    for chunk in _chunks(locked):
        record_ids += candidates.filter(pk__in=chunk).order_by("pk").values_list("pk", flat=True)
    for chunk in _chunks(record_ids):
        journey.move(
            Record.objects.filter(pk__in=chunk).only("pk", "review_id", "state"),
            flow.Event.STOP,
            by=by,
            history=False,  # the StoppingDecision keeps the records and the evidence
        )
    decision = StoppingDecision.objects.create(
        review=review,
        rule=rule,
        evidence=evidence.as_dict(),
        record_ids=record_ids,
        n_records=len(record_ids),
        note=note[:2000],
        stopped_by=by,
    )
    journey.flow_changed(review.pk)
    return decision


@transaction.atomic
def undo_stop(*, decision: StoppingDecision, by) -> int:
    """Put the records a stop removed back at title/abstract; returns how many."""
    decision = StoppingDecision.objects.select_for_update().get(pk=decision.pk)
    if decision.undone_at is not None:
        raise ValidationError("This stop has already been undone.")
    restored = 0
    for chunk in _chunks(list(decision.record_ids)):
        restored += journey.move(
            Record.objects.filter(
                pk__in=chunk, review_id=decision.review_id, state=RecordState.AUTOMATION
            ).only("pk", "review_id", "state"),
            flow.Event.UNSTOP,
            by=by,
            history=False,
        )
    decision.undone_at, decision.undone_by = timezone.now(), by
    decision.save(update_fields=["undone_at", "undone_by"])
    # The restored records lost their scores at the last fit: refit even on the same labels.
    RankingModelState.objects.filter(review_id=decision.review_id).update(fingerprint="")
    journey.flow_changed(decision.review_id)
    schedule_retrain(decision.review_id)
    return restored
