"""Reads for the discussion per record: the comments a member may read
(screening.visibility.comment_visible) and comment counts for exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from screening import visibility
from screening.models import Comment, Record
from screening.selectors.tags import record_statuses
from screening.services.comments import EDIT_MINUTES


@dataclass
class ShownComment:
    comment: Comment
    mine: bool
    editable: bool
    deletable: bool


def visible_comments(
    record: Record,
    *,
    access: visibility.Audience,
    user_id: int,
    is_lead: bool,
    status: visibility.Status | None = None,
) -> list[ShownComment]:
    if status is None:
        status = record_statuses([record.pk]).get(record.pk, visibility.Status.SETTLED)
    now = timezone.now()
    shown = []
    for comment in Comment.objects.filter(record=record).select_related("author", "deleted_by"):
        mine = comment.author_id == user_id
        if not visibility.comment_visible(audience=access, mine=mine, status=status):
            continue
        alive = comment.deleted_at is None
        shown.append(
            ShownComment(
                comment=comment,
                mine=mine,
                editable=alive
                and mine
                and now - comment.created_at <= timedelta(minutes=EDIT_MINUTES),
                deletable=alive and (mine or is_lead),
            )
        )
    return shown
