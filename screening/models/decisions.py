"""Screening decisions: per-review settings, exclusion reasons, votes, the outcome of
each record at each stage, the lead's resolutions, queue leases and the vote history.

Record.state stays the single source of truth for the PRISMA flow; StageOutcome adds
what the flow needs per stage (the vote count the queue orders by, the conflict flag,
the one exclusion reason PRISMA counts) so every screen reads one indexed row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from reviewapp.models import Review
from screening.models.imports import Record, RecordState


class Stage(models.TextChoices):
    TITLE_ABSTRACT = "ta", "Title/abstract"
    FULL_TEXT = "ft", "Full text"

    @property
    def awaiting_state(self) -> str:
        """The Record.state of records still being screened at this stage."""
        return RecordState.TA if self == Stage.TITLE_ABSTRACT else RecordState.FT


class Verdict(models.TextChoices):
    INCLUDE = "include", "Include"
    EXCLUDE = "exclude", "Exclude"
    MAYBE = "maybe", "Maybe"


class FinalVerdict(models.TextChoices):
    INCLUDE = "include", "Include"
    EXCLUDE = "exclude", "Exclude"


# What the lead may change in a review's screening settings: the page's form, the API
# and the service take this one list.
SETTINGS_FIELDS = (
    "votes_needed_ta",
    "votes_needed_ft",
    "blind",
    "highlight_include",
    "highlight_exclude",
    "ranking_enabled",
    "show_relevance",
)


class ScreeningSettings(models.Model):
    """How a review screens. Created with defaults when the review is (or lazily)."""

    review = models.OneToOneField(
        Review, on_delete=models.CASCADE, related_name="screening_settings"
    )
    votes_needed_ta = models.PositiveSmallIntegerField(
        "votes needed at title/abstract", default=2, choices=[(1, "1"), (2, "2"), (3, "3")]
    )
    votes_needed_ft = models.PositiveSmallIntegerField(
        "votes needed at full text", default=2, choices=[(1, "1"), (2, "2"), (3, "3")]
    )
    blind = models.BooleanField(
        "blind screening",
        default=True,
        help_text="Reviewers do not see each other's votes until a record is settled.",
    )
    highlight_include = models.JSONField(default=list, blank=True, help_text="Terms marked green.")
    highlight_exclude = models.JSONField(default=list, blank=True, help_text="Terms marked red.")
    # Issue 7 (active learning) reads these; they live here so the lead sets them in one place.
    ranking_enabled = models.BooleanField("rank title/abstract records by relevance", default=True)
    show_relevance = models.BooleanField("show relevance scores to reviewers", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "screening settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(votes_needed_ta__gte=1, votes_needed_ta__lte=3),
                name="votes_needed_ta_1_to_3",
            ),
            models.CheckConstraint(
                condition=Q(votes_needed_ft__gte=1, votes_needed_ft__lte=3),
                name="votes_needed_ft_1_to_3",
            ),
        ]

    def __str__(self) -> str:
        return f"screening settings of review {self.review_id}"

    def votes_needed(self, stage: str) -> int:
        return self.votes_needed_ta if stage == Stage.TITLE_ABSTRACT else self.votes_needed_ft


class ExclusionReasonQuerySet(models.QuerySet):
    def for_stage(self, review, stage: str) -> ExclusionReasonQuerySet:
        return self.filter(review=review, stage=stage)

    def active(self) -> ExclusionReasonQuerySet:
        return self.filter(retired=False)


class ExclusionReason(models.Model):
    """A reason to exclude at one stage. A reason in use is retired, never deleted."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="exclusion_reasons")
    stage = models.CharField(max_length=2, choices=Stage.choices)
    label = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    retired = models.BooleanField(default=False)

    objects = ExclusionReasonQuerySet.as_manager()

    class Meta:
        ordering = ["stage", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "stage", "label"], name="one_reason_label_per_stage"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class VoteQuerySet(models.QuerySet):
    def for_review(self, review) -> VoteQuerySet:
        return self.filter(review=review)

    def at(self, stage: str) -> VoteQuerySet:
        return self.filter(stage=stage)

    def by(self, reviewer) -> VoteQuerySet:
        return self.filter(reviewer=reviewer)


class Vote(models.Model):
    """One reviewer's current vote on one record at one stage. Changes are kept in VoteEvent."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="votes")
    # The record's review, kept beside it (records never change review) so a reviewer's
    # votes in one review are counted from one index, without reading the records.
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=2, choices=Stage.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="screening_votes"
    )
    verdict = models.CharField(max_length=8, choices=Verdict.choices)
    reason = models.ForeignKey(
        ExclusionReason, null=True, blank=True, on_delete=models.PROTECT, related_name="votes"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VoteQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "stage", "reviewer"], name="one_vote_per_record_stage_reviewer"
            ),
            models.CheckConstraint(
                condition=Q(verdict__in=Verdict.values), name="vote_verdict_valid"
            ),
            models.CheckConstraint(
                condition=Q(reason__isnull=True) | Q(verdict=Verdict.EXCLUDE),
                name="vote_reason_only_on_exclude",
            ),
        ]
        indexes = [
            models.Index(fields=["reviewer", "stage", "-updated_at"], name="vote_reviewer_recent"),
            # "You: N done" and which waiting records a reviewer voted on, on every
            # screening page and vote: index-only reads.
            models.Index(
                fields=["review", "reviewer", "stage", "record"], name="vote_review_reviewer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id} {self.verdict} {self.record_id} at {self.stage}"


class OutcomeStatus(models.TextChoices):
    OPEN = "open", "Awaiting votes"
    CONFLICT = "conflict", "Conflict"
    SETTLED = "settled", "Settled"


class SettledBy(models.TextChoices):
    VOTES = "votes", "Votes agreed"
    RESOLUTION = "resolution", "Resolved by the lead"
    OVERRULE = "overrule", "Overruled by the lead"
    IMPORT = "import", "Imported with the records"


class StageOutcomeQuerySet(models.QuerySet):
    def for_review(self, review) -> StageOutcomeQuerySet:
        return self.filter(review=review)

    def conflicts(self, stage: str) -> StageOutcomeQuerySet:
        return self.filter(stage=stage, status=OutcomeStatus.CONFLICT)


class StageOutcome(models.Model):
    """Where one record stands at one stage. Created with the record's first vote.

    `votes` counts the current votes (the queue orders by it), `status` flags conflicts
    (the record stays in its awaiting state, so PRISMA's "awaiting" boxes include it),
    and `reason` is the single exclusion reason PRISMA counts per report.
    `shuffle_key` is the record's (which never changes), copied by the vote that creates
    the outcome: the queue finds the records waiting for a second vote in the stable
    random order from a small index of open outcomes with votes (`outcome_half_done`),
    without reading every one of them and their records.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="outcomes")
    stage = models.CharField(max_length=2, choices=Stage.choices)
    votes = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        max_length=8, choices=OutcomeStatus.choices, default=OutcomeStatus.OPEN
    )
    shuffle_key = models.PositiveIntegerField(default=0)
    decision = models.CharField(max_length=8, choices=FinalVerdict.choices, blank=True)
    reason = models.ForeignKey(
        ExclusionReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    settled_by = models.CharField(max_length=10, choices=SettledBy.choices, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    objects = StageOutcomeQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record", "stage"], name="one_outcome_per_record_stage"
            ),
            models.CheckConstraint(
                condition=Q(status="settled", decision__in=FinalVerdict.values)
                | (~Q(status="settled") & Q(decision="")),
                name="outcome_decision_iff_settled",
            ),
        ]
        indexes = [
            models.Index(
                fields=["review", "stage", "status", "votes"], name="outcome_review_stage_status"
            ),
            # Records waiting for another vote, in the queue's order (services/queue.py).
            models.Index(
                fields=["review", "stage", "shuffle_key", "record"],
                include=["votes"],
                condition=Q(status="open", votes__gte=1),
                name="outcome_half_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} at {self.stage}: {self.status} {self.decision}"

    @property
    def is_settled(self) -> bool:
        return self.status == OutcomeStatus.SETTLED


class ResolutionKind(models.TextChoices):
    RESOLUTION = "resolution", "Conflict resolved"
    OVERRULE = "overrule", "Settled record overruled"


class Resolution(models.Model):
    """The lead's final decision on a conflict, or an overrule of a settled record."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="resolutions")
    stage = models.CharField(max_length=2, choices=Stage.choices)
    kind = models.CharField(max_length=10, choices=ResolutionKind.choices)
    verdict = models.CharField(max_length=8, choices=FinalVerdict.choices)
    reason = models.ForeignKey(
        ExclusionReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.verdict} on {self.record_id} at {self.stage}"


class Lease(models.Model):
    """A record handed to a reviewer by the queue, reserved for a few minutes so that
    reviewers working at the same moment are given different records."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="leases")
    stage = models.CharField(max_length=2, choices=Stage.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record", "stage", "reviewer"], name="one_lease_per_record_stage_reviewer"
            ),
        ]
        indexes = [
            models.Index(fields=["reviewer", "stage", "expires_at"], name="lease_reviewer_stage")
        ]

    def __str__(self) -> str:
        return f"lease of {self.record_id} to {self.reviewer_id} until {self.expires_at:%H:%M}"


class VoteAction(models.TextChoices):
    VOTE = "vote", "Voted"
    CHANGE = "change", "Changed vote"
    RESOLVE = "resolve", "Resolved conflict"
    OVERRULE = "overrule", "Overruled"
    MOVE = "move", "Moved in the flow"
    TAG = "tag", "Tagged"
    UNTAG = "untag", "Untagged"
    COMMENT = "comment", "Commented"
    IMPORT = "import", "Decision imported"


class VoteEvent(models.Model):
    """Append-only history of votes, changes, resolutions, overrules and moves in the flow.

    It outlives the record: deleting an import sets `record` to NULL and the stored id
    and title still say what the event was about.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="vote_events")
    record = models.ForeignKey(
        Record, null=True, blank=True, on_delete=models.SET_NULL, related_name="vote_events"
    )
    record_pk = models.BigIntegerField()
    record_title = models.TextField(blank=True)
    stage = models.CharField(max_length=2, choices=Stage.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=8, choices=VoteAction.choices)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["review", "record_pk"], name="voteevent_review_record")]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id} on {self.record_pk} at {self.stage}"
