"""Reviews and who may do what in them."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    """Roles, from least to most powerful. Each role can do everything the ones below it can."""

    VIEWER = "viewer", "Viewer (reads, exports)"
    REVIEWER = "reviewer", "Reviewer (screens, extracts)"
    LEAD = "lead", "Lead (resolves conflicts, edits settings)"
    OWNER = "owner", "Owner (manages members)"

    @property
    def rank(self) -> int:
        return ROLE_RANK[self]

    def at_least(self, other: Role) -> bool:
        return ROLE_RANK[self] >= ROLE_RANK[Role(other)]


ROLE_RANK = {Role.VIEWER: 0, Role.REVIEWER: 1, Role.LEAD: 2, Role.OWNER: 3}


class ReviewQuerySet(models.QuerySet):
    def for_user(self, user) -> ReviewQuerySet:
        """Reviews the user is a member of."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Review(models.Model):
    title = models.CharField(max_length=300)
    question = models.TextField("research question", blank=True)
    protocol_id = models.CharField(
        "protocol / registration id",
        max_length=100,
        blank=True,
        help_text="For example a PROSPERO number such as CRD42020123456.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class MembershipQuerySet(models.QuerySet):
    def owners(self) -> MembershipQuerySet:
        return self.filter(role=Role.OWNER)

    def with_role_at_least(self, role: Role) -> MembershipQuerySet:
        return self.filter(role__in=[r for r in Role if Role(r).at_least(role)])


class Membership(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.REVIEWER)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="one_membership_per_user"),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="membership_role_valid"
            ),
        ]
        ordering = ["review", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.review_id}"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def can(self, role: Role) -> bool:
        return self.role_enum.at_least(role)


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """An invitation sent by e-mail to someone who has no account yet."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.REVIEWER)
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "email"],
                condition=Q(accepted_at__isnull=True),
                name="one_open_invitation_per_email",
            )
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation of {self.email} to {self.review_id}"

    @property
    def expires_at(self):
        from datetime import timedelta

        return self.created_at + timedelta(days=settings.INVITATION_MAX_AGE_DAYS)

    @property
    def is_expired(self) -> bool:
        from django.utils import timezone

        return timezone.now() >= self.expires_at
