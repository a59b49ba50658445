"""Mail tasks: thin, keyed by ids, safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from reviewapp.models import Invitation, Membership


@shared_task
def send_invitation_email(invitation_id: int) -> bool:
    invitation = (
        Invitation.objects.select_related("review", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None or invitation.accepted_at is not None:
        return False
    context = {
        "invitation": invitation,
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


@shared_task
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
        "url": settings.SITE_URL + reverse("review_dashboard", args=[membership.review_id]),
    }
    send_mail(
        subject=f"You were added to the review “{membership.review.title}”",
        message=render_to_string("mail/added.txt", context),
        from_email=None,
        recipient_list=[membership.user.email],
    )
    return True
