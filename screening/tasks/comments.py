"""Mail for @mentions in comments: keyed by the mention's id, sends at most once."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from screening.models import Mention


@shared_task
def notify_mention(mention_id: int) -> bool:
    """E-mail the member @mentioned; False when already sent (or gone). Safe to run twice:
    the row is locked and marked sent in the same transaction as the check."""
    with transaction.atomic():
        mention = (
            Mention.objects.select_for_update(of=("self",))
            .select_related("comment__author", "comment__record", "user")
            .filter(pk=mention_id, notified_at__isnull=True, comment__deleted_at__isnull=True)
            .first()
        )
        if mention is None or not mention.user.email:
            return False
        comment = mention.comment
        url = settings.SITE_URL + reverse(
            "record_comments", args=[comment.review_id, comment.record_id]
        )
        send_mail(
            subject=f"{comment.author.username} mentioned you on record {comment.record_id}",
            message=(
                f"{comment.author.username} wrote on “{comment.record.title[:200]}”:\n\n"
                f"{comment.text}\n\nReply: {url}\n"
            ),
            from_email=None,
            recipient_list=[mention.user.email],
        )
        Mention.objects.filter(pk=mention.pk).update(notified_at=timezone.now())
    return True
