"""Retraining the relevance models (stopping the screening early: `services.stopping`).

Retraining: a vote asks for a run (`schedule_retrain`, on commit); `RankingSchedule`
keeps at most one job queued and one running per review, and a vote during a run
makes the run enqueue one more when it ends (RANKING_RUN_GAP_SECONDS later). At most
RANKING_MAX_RUNNING reviews train at once; the jobs go to the low-priority `ranking`
queue. A run (`retrain_review`) builds the review's TF-IDF features once (cached in the
process, keyed by the record set, shared by every member's model) and refits each
member whose model is due (`_due`: RANKING_REFIT_VOTES of their own votes since the
last fit, or RANKING_REFIT_SECONDS old with something new to learn) on
`selectors.ranking.training_labels`, then stores that member's queue order as one
`RankedOrder` row. What every member's refit shares (settled decisions, the records
still at title/abstract, their tie order, the query's scores) is read once per run
(`_Run`), and only when a model is due; a refit is then the fit, one sparse product,
one stable sort and one row written (and, for leads and owners, who may sort the records list by score,
their `RecordScore` rows). A model whose records and labels did not change is not
refitted, so a retried or duplicate job does nothing; a model not yet due makes the
run enqueue one more for when it is.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from reviewapp import prepared
from reviewapp.models import Membership, Review, Role
from screening.models import (
    ModelStatus,
    RankedOrder,
    RankingModelState,
    RankingSchedule,
    Record,
    RecordScore,
    RecordState,
)
from screening.ranking import order
from screening.ranking.cold_start import cold_start_scores
from screening.ranking.model import (
    FEATURES,
    Features,
    ModelSettings,
    NeedBothClasses,
    RankingModel,
    build_features,
    record_text,
    settings_for,
)
from screening.selectors import ranking as selectors
from screening.services.bulk import insert_rows
from screening.services.cold_start import ReviewQuery, review_query, review_query_scores
from screening.services.embeddings import with_semantic_block
from screening.services.settings import screening_settings_for

log = logging.getLogger(__name__)

# A run that has not finished after this long is taken to have died with its worker.
STALE_RUN = timedelta(minutes=10)
# Without a worker (the embedded default) a retrain runs inside the vote's request; on a
# large review that would make every vote slow, so there it runs at most this often.
EAGER_LARGE_REVIEW = 2000
EAGER_INTERVAL = timedelta(seconds=60)
TOP_TERMS = 12
# A job that finds RANKING_MAX_RUNNING other reviews training comes back this much later.
RETRY_BUSY_SECONDS = 15
_CHUNK = 5000
# Features of the last few reviews trained in this process: {review id: (key, Features)}.
_FEATURES: OrderedDict[int, tuple[str, Features]] = OrderedDict()
_FEATURES_KEPT = 4


# --- Scheduling ---------------------------------------------------------------


def schedule_retrain(review_id: int) -> None:
    """Ask for a retraining run once the current transaction commits (never blocks it)."""
    transaction.on_commit(lambda: request_retrain(review_id))


def request_retrain(review_id: int, *, countdown: float = 0) -> bool:
    """Mark a run as wanted; enqueue a job unless one is already queued or running.

    Returns whether a job was enqueued. Runs after every title/abstract vote, so the
    usual case (a job already queued) is one statement that changes nothing.
    """
    from screening.tasks.ranking import retrain_ranking

    now = timezone.now()
    if _throttled_in_process(review_id, now):
        return False
    table = connection.ops.quote_name(RankingSchedule._meta.db_table)
    pending = f"SELECT 1 FROM {table} WHERE review_id = %s AND pending"  # noqa: S608 - table name only
    if prepared.fetchall(pending, [review_id]):
        # The usual case: a job is queued and has not claimed the run yet, so it will
        # read this vote (committed before this call). A plain read: the upsert below
        # locks the row even when it changes nothing, and its commit waits for a WAL
        # flush, on every vote.
        return False
    # One statement: create the review's schedule row or turn `pending` on, and say
    # whether this call turned it on (no row back: a job is queued already and will
    # read this vote) and whether a run is in progress (it enqueues one more when it
    # ends, because it sees `pending`).
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
    if countdown > 0:
        retrain_ranking.apply_async((review_id,), countdown=countdown)
    else:
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
    """The job's body: claim the pending run, train, and enqueue again if votes came in
    or a model is due later.

    Returns False when there was nothing to claim (a duplicate delivery, or another run
    in progress, which will itself re-enqueue) or when RANKING_MAX_RUNNING other reviews
    are training (the job comes back a little later).
    """
    now = timezone.now()
    if _others_running(review_id, now) >= django_settings.RANKING_MAX_RUNNING:
        if not _eager():
            _retry_later(review_id)
        return False
    claimed = RankingSchedule.objects.filter(
        Q(running_since__isnull=True) | Q(running_since__lt=now - STALE_RUN),
        review_id=review_id,
        pending=True,
    ).update(pending=False, running_since=now)
    if not claimed:
        return False
    due_later: float | None = None
    try:
        review = Review.objects.filter(pk=review_id).first()
        if review is not None:
            states = retrain_review(review=review)
            due_later = min((s.due_in for s in states if s.due_in is not None), default=None)
    finally:
        RankingSchedule.objects.filter(review_id=review_id).update(
            running_since=None, finished_at=timezone.now()
        )
        gap = 0 if _eager() else django_settings.RANKING_RUN_GAP_SECONDS
        if RankingSchedule.objects.filter(review_id=review_id, pending=True).exists():
            RankingSchedule.objects.filter(review_id=review_id).update(pending=False)
            request_retrain(review_id, countdown=gap)
        elif due_later is not None and not _eager():
            # Nothing new arrived, but a model skipped as not yet due must still be
            # refreshed within RANKING_REFIT_SECONDS: ask for a run when it is due. A
            # wake-up, not a queued run, so votes meanwhile still start runs as usual.
            _wake_later(review_id, max(due_later, gap))
    return True


def _wake_later(review_id: int, seconds: float) -> None:
    from screening.tasks.ranking import wake_retrain

    # One wake-up per review at a time (they would all do the same).
    if cache.add(f"ranking-wake:{review_id}", 1, timeout=int(seconds) + 1):
        wake_retrain.apply_async((review_id,), countdown=seconds)


def _eager() -> bool:
    from reviewapp.celery import app

    return bool(app.conf.task_always_eager)


def _others_running(review_id: int, now) -> int:
    return (
        RankingSchedule.objects.filter(running_since__gte=now - STALE_RUN)
        .exclude(review_id=review_id)
        .count()
    )


def _retry_later(review_id: int) -> None:
    from screening.tasks.ranking import retrain_ranking

    # `pending` stays set, so votes meanwhile enqueue nothing more: this job is the one.
    retrain_ranking.apply_async((review_id,), countdown=max(5, RETRY_BUSY_SECONDS))


# --- Training -----------------------------------------------------------------


def features_for(review: Review) -> Features | None:
    """The review's TF-IDF matrix over its non-duplicate records, cached per record set.

    Hashed features need no fitted vocabulary, so the matrix depends only on which
    records there are: the count, largest and summed ids identify the set. (Reading
    the records' ids and states once for this and for `_Run` cost a run that fits no
    model more than the aggregate: most runs of a large team screening at people's
    pace fit none.)
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


def _settled_digest(features_key: str, settings: ModelSettings, settled: dict[int, int]) -> str:
    """The part of every model's fingerprint the members share, hashed once per run: the
    features (FEATURES names how texts become them: a model fitted on older features
    refits), the query, the settings and the settled decisions."""
    digest = hashlib.sha256(f"{features_key}|{FEATURES}|{settings}|".encode())
    for record_id in sorted(settled):
        digest.update(f"{record_id}:{settled[record_id]},".encode())
    return digest.hexdigest()


def _fingerprint(settled_digest: str, own: dict[int, int]) -> str:
    """What one model learns from: the shared part and its screener's own votes."""
    digest = hashlib.sha256(f"{settled_digest}|".encode())
    for record_id in sorted(own):
        digest.update(f"{record_id}:{own[record_id]},".encode())
    return digest.hexdigest()


@dataclass
class _Run:
    """What every member's refit in one run shares, read and computed once per run
    (at 100,000 records, doing it per member cost more than the fit itself)."""

    features: Features
    settings: ModelSettings
    settled: dict[int, int]
    query: ReviewQuery
    settled_digest: str
    query_base: np.ndarray | None  # the query's score per row; None: no query or no match
    ids: np.ndarray  # record id per row
    at_ta: np.ndarray  # per row: the record is still at title/abstract
    tied: np.ndarray  # the rows in the order ties break in (`order.tie_order`)

    @classmethod
    def start(cls, review: Review, features: Features) -> _Run:
        settled = selectors.settled_labels(review=review)
        settings = settings_for(features)  # the semantic fusion once every vector is stored
        query = review_query(review)  # cold start: question, include terms, known papers
        cached = _FEATURES.get(review.pk)
        features_key = f"{cached[0] if cached else ''}|{query}"
        ids = np.asarray(features.record_ids, dtype=np.int64)
        shuffle = np.zeros(len(ids), dtype=np.int64)
        at_ta = np.zeros(len(ids), dtype=bool)
        records = Record.objects.filter(review=review).values_list("pk", "shuffle_key", "state")
        for record_id, key, state in records.iterator(_CHUNK):
            row = features.row_of.get(record_id)
            if row is not None:
                shuffle[row] = key
                at_ta[row] = state == RecordState.TA
        base = review_query_scores(features, query) if query else None
        return cls(
            features=features,
            settings=settings,
            settled=settled,
            query=query,
            settled_digest=_settled_digest(features_key, settings, settled),
            query_base=base if base is not None and base.any() else None,
            ids=ids,
            at_ta=at_ta,
            tied=order.tie_order(ids, shuffle),
        )

    def awaiting_rows(self, voted: list[int]) -> np.ndarray:
        """Rows of the records still at title/abstract but not in `voted` (a screener's
        `selectors.voted_ids`): the ones their queue ranks, in tie order."""
        awaiting = self.at_ta.copy()
        rows = (self.features.row_of.get(r) for r in voted)
        awaiting[[row for row in rows if row is not None]] = False
        return self.tied[awaiting[self.tied]]

    def store(
        self,
        state: RankingModelState,
        values: np.ndarray | None,
        rows: np.ndarray,
        sorts_by_score: bool,
    ) -> None:
        """Store the order of `rows` (in tie order) by `values` (one per feature row;
        None: no order)."""
        if values is None or not len(rows):
            _store_order(state, None, None)
            return
        ids, scored = self.ids[rows], values[rows]
        encoded = order.encode_tie_ordered(ids, scored)
        scores = None
        if sorts_by_score:  # a lead's RecordScore rows: the only per-record objects left
            scores = dict(zip(ids.tolist(), scored.astype(np.float64).tolist(), strict=True))
        _store_order(state, encoded, scores)


def ranked_reviewers(review: Review) -> list:
    """Members who screen: reviewers, leads and owners each get a model."""
    return [
        m.user
        for m in Membership.objects.filter(review=review)
        .with_role_at_least(Role.REVIEWER)
        .select_related("user")
    ]


def _score_sorters(review: Review) -> set[int]:
    """Members who may sort the records list by their score (`selectors.record_order`)."""
    return set(
        Membership.objects.filter(review=review)
        .with_role_at_least(Role.LEAD)
        .values_list("user_id", flat=True)
    )


def _due(state: RankingModelState, *, own: int, small: bool, now) -> float | None:
    """Seconds until `state`'s model is due for a refit (0: now, if what it learns from
    changed), `own` being its screener's title/abstract vote count now; None while the
    screener has not voted since the model's last fit.

    A model waiting for both classes, failed, forced (no fingerprint) or of a small
    review is due at once; a trained one after RANKING_REFIT_VOTES of its screener's
    own votes, or RANKING_REFIT_SECONDS after its last fit (new settled decisions, new
    records): every vote of 200 screeners changes every model's labels, and refitting
    all of them each time is what starved the web. A screener who is not screening
    (no vote since the last fit) gets no timed refit: the team's settled decisions
    would refit every member's model every RANKING_REFIT_SECONDS, most of a large
    team's training, for queues nobody reads; their next vote makes it due.
    """
    if small or state.status != ModelStatus.READY or not state.fingerprint:
        return 0
    if state.trained_at is None or own - state.n_own >= django_settings.RANKING_REFIT_VOTES:
        return 0
    if own == state.n_own:
        return None
    age = (now - state.trained_at).total_seconds()
    return max(0.0, django_settings.RANKING_REFIT_SECONDS - age)


def retrain_reviewer(
    *, review: Review, reviewer, shared: _Shared, sorts_by_score: bool = False
) -> RankingModelState:
    """Fit `reviewer`'s model and store their queue order (skipped if nothing changed;
    postponed, with `due_in` set on the state, if the model is not yet due). `shared`
    gives the run's shared reads, made by the first model that is due."""
    started = time.perf_counter()
    features = shared.features
    # Every title/abstract vote counts towards the next refit, including those on records
    # settled since (counting only the labels on records still waiting, a screener whose
    # records settled at their second vote never reached RANKING_REFIT_VOTES).
    voted = selectors.voted_ids(review=review, reviewer=reviewer)
    state, _ = RankingModelState.objects.get_or_create(review=review, reviewer=reviewer)
    state.due_in = None
    # Not due yet: skip before reading labels or hashing them (a run checks every member;
    # with 200 of them on 100,000 records that work was most of a run's cost).
    due = _due(
        state, own=len(voted), small=len(features.row_of) <= EAGER_LARGE_REVIEW, now=timezone.now()
    )
    if due is None:  # idle since its last fit: due again at the screener's next vote
        return state
    if due:
        state.due_in = due
        return state
    own = selectors.own_labels(review=review, reviewer=reviewer)
    run = shared()
    features = run.features  # with the semantic block when it is on
    fingerprint = _fingerprint(run.settled_digest, own)
    if state.fingerprint == fingerprint and state.status != ModelStatus.FAILED:
        return state
    labels = {
        record_id: label
        for record_id, label in selectors.training_labels(
            review=review, reviewer=reviewer, settled=run.settled, own=own
        ).items()
        if record_id in features.row_of
    }
    state.n_include = sum(labels.values())
    state.n_exclude = len(labels) - state.n_include
    state.n_own = len(voted)
    state.fingerprint = fingerprint
    state.error = ""
    try:
        model = RankingModel.fit(features, labels, run.settings)
    except NeedBothClasses:
        # Until both kinds of label exist the queue follows the review's question and
        # highlight terms, or keeps its stable random order when there are none.
        return _cold_start(run, voted, state, sorts_by_score)
    except Exception as exc:  # a failed fit must not stop the other reviewers' models
        log.exception("ranking model of reviewer %s in review %s failed", reviewer.pk, review.pk)
        state.status, state.error = ModelStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        state.save()
        return state
    rows = run.awaiting_rows(voted)
    values = model._raw_scores(features) + model.intercept
    if run.query_base is not None:  # blended with the query's while includes are few
        values = cold_start_scores(run.query_base, values, state.n_include)
    terms = model.top_terms(features, TOP_TERMS)
    with transaction.atomic():
        state.status = ModelStatus.READY
        state.trained_at = timezone.now()
        state.n_scored = len(rows)
        state.top_include = [[t, round(w, 4)] for t, w in terms.include]
        state.top_exclude = [[t, round(w, 4)] for t, w in terms.exclude]
        state.version += 1
        state.seconds = round(time.perf_counter() - started, 3)
        state.save()
        run.store(state, values, rows, sorts_by_score)
    return state


def _store_order(
    state: RankingModelState, encoded: order.EncodedOrder | None, scores: dict[int, float] | None
) -> None:
    """The model's queue order as one row (none: no order, the stable random one applies),
    and the per-record scores only for a member who may sort the records list by them."""
    if encoded is None:
        RankedOrder.objects.filter(state=state).delete()
    else:
        # One INSERT ... ON CONFLICT: update_or_create would first read the old row,
        # both arrays (a MB at 100,000 records), only to overwrite it.
        RankedOrder.objects.bulk_create(
            [
                RankedOrder(
                    state=state, version=state.version, ids=encoded.ids, scores=encoded.scores
                )
            ],
            update_conflicts=True,
            unique_fields=["state"],
            update_fields=["version", "ids", "scores"],
        )
    RecordScore.objects.filter(review_id=state.review_id, reviewer_id=state.reviewer_id).delete()
    if scores:
        insert_rows(  # COPY on PostgreSQL: 100,000 scores in a fraction of INSERT's time
            RecordScore,
            [
                RecordScore(
                    review_id=state.review_id,
                    record_id=record_id,
                    reviewer_id=state.reviewer_id,
                    score=score,
                )
                for record_id, score in scores.items()
            ],
        )


def _cold_start(run: _Run, voted: list[int], state, sorts_by_score) -> RankingModelState:
    rows = run.awaiting_rows(voted) if run.query_base is not None else np.empty(0)
    with transaction.atomic():
        state.status, state.n_scored = ModelStatus.WAITING, 0
        state.top_include = state.top_exclude = []
        if len(rows):
            state.n_scored = len(rows)
            state.version += 1
        state.save()
        run.store(state, run.query_base, rows.astype(np.int64), sorts_by_score)
    return state


def retrain_review(*, review: Review) -> list[RankingModelState]:
    """Refit every screening member's model of `review` that is due (idempotent).

    Each returned state's `due_in` says, for a model skipped as not yet due, in how many
    seconds it will be (None: up to date)."""
    if not screening_settings_for(review).ranking_enabled:
        return []
    features = features_for(review)
    if features is None:  # no records yet
        return []
    shared = _Shared(review, features)
    sorters = _score_sorters(review)
    return [
        retrain_reviewer(
            review=review, reviewer=user, shared=shared, sorts_by_score=user.pk in sorters
        )
        for user in ranked_reviewers(review)
    ]


class _Shared:
    """The run's `_Run`, read when a first model is due (most runs of a large team have
    none and read only the members' vote counts)."""

    def __init__(self, review: Review, features: Features):
        self.review, self.features, self._run = review, features, None

    def __call__(self) -> _Run:
        if self._run is None:
            features = with_semantic_block(self.review, self.features)
            self._run = _Run.start(self.review, features)
        return self._run
