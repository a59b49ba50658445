"""Relevance ranking: one model per (review, reviewer), its scores, the retraining
schedule and the lead's stopping decisions.

Each reviewer gets their own model because a model trained on everybody's votes would
let a reviewer read a colleague's vote on an unsettled record off their own queue
order. `services.ranking` trains a reviewer's model on settled records' final
decisions plus that reviewer's own votes only. `RankedOrder` keeps each reviewer's
queue order compactly (one row per model: record ids best first, and their scores);
`RecordScore` rows are written only for members who may sort the records list by their
score (leads and owners), the one read that needs scores in SQL.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from reviewapp.models import Review
from screening.models.imports import Record


class ModelStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for an include and an exclude"
    READY = "ready", "Trained"
    FAILED = "failed", "Training failed"


class RankingModelState(models.Model):
    """What one reviewer's relevance model was trained on, and what it learned."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="ranking_models")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        max_length=8, choices=ModelStatus.choices, default=ModelStatus.WAITING
    )
    trained_at = models.DateTimeField(null=True, blank=True)
    n_include = models.PositiveIntegerField("include labels", default=0)
    n_exclude = models.PositiveIntegerField("exclude labels", default=0)
    n_scored = models.PositiveIntegerField("records scored", default=0)
    n_own = models.PositiveIntegerField(
        "own votes", default=0, help_text="The screener's own votes at the last fit."
    )
    top_include = models.JSONField(default=list, blank=True, help_text="[[term, weight], ...]")
    top_exclude = models.JSONField(default=list, blank=True, help_text="[[term, weight], ...]")
    # Fingerprint of (records, labels) the model was fitted on: an unchanged one skips the fit.
    fingerprint = models.CharField(max_length=64, blank=True)
    version = models.PositiveIntegerField(default=0, help_text="Bumped by every fit.")
    seconds = models.FloatField(default=0, help_text="How long the last fit and scoring took.")
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "reviewer"], name="one_ranking_model_per_reviewer"
            ),
        ]

    def __str__(self) -> str:
        return f"ranking model of {self.reviewer_id} in review {self.review_id}: {self.status}"


class RankedOrder(models.Model):
    """One reviewer's queue order for one model version, in two compact arrays.

    `ids`: the scored record ids, best first, as little-endian int64; `scores`: their
    scores in the same order, as little-endian float32. One row per model, rewritten
    whole by a retrain (a few hundred kB at 100,000 records) instead of one row per
    record: no index to maintain, and no foreign key to the records, so a retrain's
    COMMIT locks no record row. The queue reads it a slice at a time (`substr`).
    """

    state = models.OneToOneField(
        RankingModelState, on_delete=models.CASCADE, primary_key=True, related_name="order"
    )
    version = models.PositiveIntegerField(help_text="The model version this order is from.")
    ids = models.BinaryField(default=b"")
    scores = models.BinaryField(default=b"")

    def __str__(self) -> str:
        return f"queue order of model {self.state_id} v{self.version}"


class RecordScore(models.Model):
    """A record's relevance for one lead or owner (higher = more likely relevant), for
    sorting the records list by score in SQL.

    Only leads and owners may sort by score (`selectors.record_order`), so only their
    scores are kept here; everybody's queue order is in `RankedOrder`. No database
    foreign keys: a retrain's COMMIT must not lock the records (the queue's SKIP LOCKED
    would skip them); Django still deletes the rows with their record.
    """

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    record = models.ForeignKey(
        Record,
        on_delete=models.CASCADE,
        related_name="scores",
        db_index=False,
        db_constraint=False,
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    score = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record", "reviewer"], name="one_score_per_record_reviewer"
            ),
        ]
        indexes = [
            # A reviewer's scores: rewritten by the retrain, read in order once per model
            # version (the queue then reads that order from the cache).
            models.Index(fields=["review", "reviewer"], name="score_review_reviewer"),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} for {self.reviewer_id}: {self.score:.3f}"


class RankingSchedule(models.Model):
    """The debounce for retraining a review: at most one job queued and one running.

    `pending` says a run is wanted (a vote arrived since the last run started);
    `running_since` marks a run in progress. A vote during a run leaves `pending` set
    and the run enqueues one more job when it finishes.
    """

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="+")
    pending = models.BooleanField(default=False)
    running_since = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"ranking schedule of review {self.review_id}"


class StopRule(models.TextChoices):
    STATISTICAL = "statistical", "Statistical stopping rule"
    HEURISTIC = "heuristic", "Irrelevant records in a row"
    LEAD = "lead", "Lead's judgement"


class StoppingDecision(models.Model):
    """The lead stopped title/abstract screening: the unscreened rest was marked
    "excluded by automation tool". Kept with the evidence shown, and undoable."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="stopping_decisions")
    rule = models.CharField(max_length=12, choices=StopRule.choices)
    evidence = models.JSONField(default=dict, help_text="The estimate the lead saw.")
    record_ids = models.JSONField(default=list, help_text="Records moved to automation.")
    n_records = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    stopped_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-stopped_at", "-pk"]

    def __str__(self) -> str:
        return f"stop of review {self.review_id} ({self.rule}, {self.n_records} records)"

    @property
    def is_active(self) -> bool:
        return self.undone_at is None
