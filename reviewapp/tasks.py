"""Mail tasks: thin, keyed by ids, safe to run twice.

A task can be delivered twice (a worker dies after sending but before acknowledging;
`acks_late` hands the task to another worker). The invitation task therefore sends only
while the invitation's `sent_at` is empty, holding the invitation's row lock from the
check until `sent_at` is written: a second delivery waits for the lock, then finds the
mail sent. When sending fails nothing is written, so the retry (or a later run) sends it.
`invite_by_email` empties `sent_at` when the owner invites the same address again: that
is a request for a new mail, not a redelivery.
"""

from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from reviewapp.models import Invitation, Membership

# Failures of the mail server (refused, timed out, rejected) are retried with backoff.
MAIL_RETRY = {
    "autoretry_for": (OSError, SMTPException),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
}


def _name(user) -> str:
    """How a mail names the person who acted; empty when nobody did (a shell command)."""
    if user is None:
        return ""
    return user.get_full_name() or user.username


@shared_task(**MAIL_RETRY)
def send_invitation_email(invitation_id: int) -> bool:
    """Send the invitation mail once. False when there is nothing to send."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("review", "invited_by")
            .filter(pk=invitation_id, accepted_at__isnull=True, sent_at__isnull=True)
            .first()
        )
        if invitation is None:  # gone, accepted, or already sent by an earlier delivery
            return False
        context = {
            "invitation": invitation,
            "by": _name(invitation.invited_by),
            "url": settings.SITE_URL + reverse("invitation_accept", args=[invitation.token]),
        }
        send_mail(
            subject=f"You are invited to the review “{invitation.review.title}”",
            message=render_to_string("mail/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
        Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    return True


@shared_task(**MAIL_RETRY)
def send_added_email(membership_id: int) -> bool:
    membership = (
        Membership.objects.select_related("review", "user", "added_by")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None or not membership.user.email:
        return False
    context = {
        "membership": membership,
        "by": _name(membership.added_by),
        "url": settings.SITE_URL + reverse("review_dashboard", args=[membership.review_id]),
    }
    send_mail(
        subject=f"You were added to the review “{membership.review.title}”",
        message=render_to_string("mail/added.txt", context),
        from_email=None,
        recipient_list=[membership.user.email],
    )
    return True
