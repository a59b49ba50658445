"""Writes for reviews and membership. Views, the API and commands call these."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from reviewapp.models import Invitation, Membership, Review, Role

User = get_user_model()


def single_line(text: str) -> str:
    """Titles go into mail subjects: every run of whitespace (CR, LF, tabs, U+2028…)
    becomes one space, so no title can carry a header line."""
    return " ".join(str(text or "").split())


@transaction.atomic
def create_review(*, owner, title: str, question: str = "", protocol_id: str = "") -> Review:
    review = Review.objects.create(
        title=single_line(title),
        question=question,
        protocol_id=single_line(protocol_id),
        created_by=owner,
    )
    Membership.objects.create(review=review, user=owner, role=Role.OWNER, added_by=owner)
    from screening.services.settings import setup_new_review

    setup_new_review(review=review)  # default screening settings and exclusion reasons
    return review


@transaction.atomic
def update_review(*, review: Review, **fields) -> Review:
    allowed = {"title", "question", "protocol_id"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(review, name, single_line(value) if name in ("title", "protocol_id") else value)
    review.full_clean()
    review.save()
    return review


@dataclass(frozen=True)
class AddMemberResult:
    membership: Membership | None
    invitation: Invitation | None

    @property
    def invited(self) -> bool:
        return self.invitation is not None


@transaction.atomic
def add_member(*, review: Review, who: str, role: Role, added_by) -> AddMemberResult:
    """Add a member by username or e-mail.

    A known user becomes a member at once and, when we have an e-mail for them, is told
    by mail. An e-mail address nobody has an account for gets an invitation to sign up.
    """
    who = who.strip()
    if not who:
        raise ValidationError("Give a username or an e-mail address.")
    role = Role(role)
    user = User.objects.filter(username=who).first()
    if user is None and "@" in who:
        user = User.objects.filter(email__iexact=who).order_by("pk").first()
    if user is None:
        if "@" not in who:
            raise ValidationError(f"Nobody here has the username “{who}”.")
        return AddMemberResult(
            None, invite_by_email(review=review, email=who, role=role, invited_by=added_by)
        )
    if Membership.objects.filter(review=review, user=user).exists():
        raise ValidationError(f"{user.username} is already a member of this review.")
    membership = Membership.objects.create(review=review, user=user, role=role, added_by=added_by)
    if user.email:
        from reviewapp.tasks import send_added_email

        transaction.on_commit(lambda: send_added_email.delay(membership.pk))
    return AddMemberResult(membership, None)


@transaction.atomic
def invite_by_email(*, review: Review, email: str, role: Role, invited_by) -> Invitation:
    from django.core.validators import validate_email

    validate_email(email)
    invitation = Invitation.objects.filter(
        review=review, email__iexact=email, accepted_at__isnull=True
    ).first()
    if invitation is None:
        invitation = Invitation.objects.create(
            review=review, email=email, role=Role(role), invited_by=invited_by
        )
    elif invitation.sent_at is not None:
        # Inviting the same address again asks for a new mail (the task sends only
        # while sent_at is empty, so a redelivered task never sends twice).
        Invitation.objects.filter(pk=invitation.pk).update(sent_at=None)
    from reviewapp.tasks import send_invitation_email

    transaction.on_commit(lambda: send_invitation_email.delay(invitation.pk))
    return invitation


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user) -> Membership:
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation has already been used.")
    membership, _ = Membership.objects.get_or_create(
        review=invitation.review,
        user=user,
        defaults={"role": invitation.role, "added_by": invitation.invited_by},
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def _lock_owners(review: Review) -> int:
    # Lock the owner rows so two owners leaving at the same moment cannot both succeed.
    return len(list(Membership.objects.select_for_update().filter(review=review, role=Role.OWNER)))


@transaction.atomic
def change_role(*, membership: Membership, role: Role) -> Membership:
    role = Role(role)
    if (
        membership.role == Role.OWNER
        and role != Role.OWNER
        and _lock_owners(membership.review) <= 1
    ):
        raise ValidationError("The last owner cannot step down; make someone else owner first.")
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_member(*, membership: Membership) -> None:
    """Remove a member (or let them leave). The review keeps at least one owner."""
    if membership.role == Role.OWNER and _lock_owners(membership.review) <= 1:
        raise ValidationError("The last owner cannot leave; make someone else owner first.")
    membership.delete()
