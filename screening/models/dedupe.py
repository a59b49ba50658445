"""Duplicate groups, the candidate pairs the matcher found, and the history of merges."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from reviewapp.models import Review


class DuplicateGroup(models.Model):
    """Records that are one and the same; the primary goes on to screening, the rest are
    removed as duplicates (Record.state = duplicate). Dissolved when the last merge is undone."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="duplicate_groups")
    primary = models.ForeignKey("screening.Record", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"duplicate group {self.pk}"


class PairStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a person"
    MERGED = "merged", "Merged automatically"
    CONFIRMED = "confirmed", "Confirmed duplicate"
    REJECTED = "rejected", "Not duplicates"
    UNMERGED = "unmerged", "Merge undone"


class CandidatePairQuerySet(models.QuerySet):
    def pending(self) -> CandidatePairQuerySet:
        return self.filter(status=PairStatus.PENDING)


class CandidatePair(models.Model):
    """A pair the matcher scored as duplicate (certain) or maybe (a person decides)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="candidate_pairs")
    record_a = models.ForeignKey("screening.Record", on_delete=models.CASCADE, related_name="+")
    record_b = models.ForeignKey("screening.Record", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    automatic = models.BooleanField(help_text="the matcher was certain")
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=PairStatus.choices, default=PairStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CandidatePairQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["record_a", "record_b"], name="one_candidate_per_pair"),
            models.CheckConstraint(
                condition=Q(record_a__lt=F("record_b")), name="candidate_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["review", "status"], name="candidate_review_status")]

    def __str__(self) -> str:
        return f"pair {self.record_a_id}–{self.record_b_id} ({self.status})"


class DedupeAction(models.TextChoices):
    AUTO_MERGE = "auto_merge", "Merged automatically"
    CONFIRM = "confirm", "Confirmed as duplicates"
    REJECT = "reject", "Marked not duplicates"
    UNMERGE = "unmerge", "Merge undone"
    PRIMARY = "primary", "Primary record changed"


class DedupeEvent(models.Model):
    """Append-only history: every merge and unmerge, with who and why."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="dedupe_events")
    action = models.CharField(max_length=12, choices=DedupeAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    group = models.ForeignKey(
        DuplicateGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    record_ids = models.JSONField(default=list)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.record_ids}"
