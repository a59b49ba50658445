"""Discussion per record: write, edit (the author, within 10 minutes), delete (the author
or a lead), each kept in the record's history (VoteEvent "comment", without the text:
the text lives in the comment and its versions, read through the visibility policy).

@mentions of members notify them by e-mail through the worker
(`screening.tasks.comments.notify_mention`, which sends each mention once), but only
members who may read the comment now: on a record still waiting for votes a mention of
another screener is kept and not sent, so a mail never breaks blinding.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from reviewapp.models import Membership, Role
from screening import visibility
from screening.models import Comment, Mention, Record, VoteAction, VoteEvent
from screening.services.tags import history_stage

EDIT_MINUTES = 10
MAX_LENGTH = 5000
_MENTION = re.compile(r"(?<![\w@])@([\w.+-]{1,150})")


def mentioned_usernames(text: str) -> list[str]:
    return list(dict.fromkeys(m.rstrip(".") for m in _MENTION.findall(text)))


def _clean(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError("Write something first.")
    if len(text) > MAX_LENGTH:
        raise ValidationError(f"A comment is at most {MAX_LENGTH} characters.")
    return text


def _history(comment: Comment, *, by, op: str) -> None:
    record = comment.record
    VoteEvent.objects.create(
        review_id=comment.review_id,
        record=record,
        record_pk=record.pk,
        record_title=(record.title or "")[:1000],
        stage=history_stage(record.state),
        actor=by,
        action=VoteAction.COMMENT,
        after={"comment_id": comment.pk, "op": op, "private": True},
    )


def _audience(review, membership: Membership) -> visibility.Audience:
    from screening.services.settings import screening_settings_for

    return visibility.audience(
        role_rank=membership.role_enum.rank, blind=screening_settings_for(review).blind
    )


def _mentions(comment: Comment) -> None:
    """Record the members @mentioned; e-mail those who may read the comment now."""
    from screening.selectors.tags import record_statuses

    names = mentioned_usernames(comment.text)
    if not names:
        return
    members = Membership.objects.filter(
        review_id=comment.review_id, user__username__in=names
    ).select_related("user", "review")
    status = record_statuses([comment.record_id]).get(comment.record_id, visibility.Status.SETTLED)
    for membership in members:
        if membership.user_id == comment.author_id:
            continue
        mention, created = Mention.objects.get_or_create(comment=comment, user=membership.user)
        sees = visibility.comment_visible(
            audience=_audience(membership.review, membership), mine=False, status=status
        )
        if created and sees:
            from screening.tasks.comments import notify_mention

            transaction.on_commit(lambda pk=mention.pk: notify_mention.delay(pk))


@transaction.atomic
def add_comment(*, record: Record, author, text: str) -> Comment:
    comment = Comment.objects.create(
        review_id=record.review_id, record=record, author=author, text=_clean(text)
    )
    _history(comment, by=author, op="add")
    _mentions(comment)
    return comment


@transaction.atomic
def edit_comment(comment: Comment, *, by, text: str, now=None) -> Comment:
    now = now or timezone.now()
    if comment.author_id != by.pk:
        raise ValidationError("Only its author edits a comment.")
    if comment.deleted_at is not None:
        raise ValidationError("This comment was deleted.")
    if now - comment.created_at > timedelta(minutes=EDIT_MINUTES):
        raise ValidationError(f"A comment can be edited for {EDIT_MINUTES} minutes only.")
    text = _clean(text)
    if text == comment.text:
        return comment
    comment.versions = [*comment.versions, {"text": comment.text, "until": now.isoformat()}]
    comment.text, comment.edited_at = text, now
    comment.save(update_fields=["text", "versions", "edited_at"])
    _history(comment, by=by, op="edit")
    _mentions(comment)
    return comment


@transaction.atomic
def delete_comment(comment: Comment, *, by, membership: Membership) -> Comment:
    if comment.author_id != by.pk and not membership.can(Role.LEAD):
        raise ValidationError("Only its author or a lead deletes a comment.")
    if comment.deleted_at is None:
        comment.deleted_at, comment.deleted_by = timezone.now(), by
        comment.save(update_fields=["deleted_at", "deleted_by"])
        _history(comment, by=by, op="delete")
    return comment
