"""The discussion of a record (HTMX partial on the screening page and the record page,
or a page of its own): read what the policy lets you, write, edit, delete."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from reviewapp.access import review_view
from reviewapp.http import is_htmx, object_of_review_or_404, refusal_text
from reviewapp.models import Membership, Review, Role
from screening.models import Comment, Record
from screening.selectors.comments import visible_comments
from screening.selectors.records import vote_access
from screening.services import comments as comment_service
from screening.services.settings import screening_settings_for


def comments_context(
    *, review, membership, record, user, error: str = "", status=None, access=None
) -> dict:
    if access is None:
        access = vote_access(
            membership=membership, screening_settings=screening_settings_for(review)
        )
    return {
        "review": review,
        "membership": membership,
        "record": record,
        "comments": visible_comments(
            record,
            access=access,
            user_id=user.pk,
            is_lead=membership.can(Role.LEAD),
            status=status,
        ),
        "can_comment": membership.can(Role.REVIEWER),
        "comment_error": error,
    }


def _render(request, review, membership, record, error="", status=200):
    context = comments_context(
        review=review, membership=membership, record=record, user=request.user, error=error
    )
    template = (
        "screening/comments/_thread.html" if is_htmx(request) else "screening/comments/page.html"
    )
    return render(request, template, context, status=status)


@review_view(Role.VIEWER, methods=("GET", "HEAD", "POST"))
def record_comments(
    request: HttpRequest, review: Review, membership: Membership, record_id: int
) -> HttpResponse:
    """GET: the thread; POST `text`: a new comment (reviewers and up)."""
    record = object_of_review_or_404(Record, review, record_id)
    error = ""
    if request.method == "POST":
        if not membership.can(Role.REVIEWER):
            return HttpResponse("Viewers read the discussion; screeners write in it.", status=403)
        try:
            comment_service.add_comment(
                record=record, author=request.user, text=request.POST.get("text", "")
            )
        except ValidationError as exc:
            error = refusal_text(exc)
    return _render(request, review, membership, record, error)


@review_view(Role.REVIEWER, methods=("POST",))
def comment_change(
    request: HttpRequest, review: Review, membership: Membership, comment_id: int
) -> HttpResponse:
    """POST `text`: edit your comment (10 minutes); POST `delete=1`: delete it (author or lead)."""
    comment = object_of_review_or_404(Comment.objects.select_related("record"), review, comment_id)
    record = comment.record
    error = ""
    try:
        if request.POST.get("delete"):
            comment_service.delete_comment(comment, by=request.user, membership=membership)
        else:
            comment_service.edit_comment(
                comment, by=request.user, text=request.POST.get("text", "")
            )
    except ValidationError as exc:
        error = refusal_text(exc)
    return _render(request, review, membership, record, error)


urlpatterns = [
    path("records/<id:record_id>/comments/", record_comments, name="record_comments"),
    path("comments/<id:comment_id>/", comment_change, name="comment_change"),
]
