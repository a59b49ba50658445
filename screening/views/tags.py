"""Tags: the lead's tag page, and tagging a record from the screening page, the records
list and the record's page (HTMX: the record's tag chips come back)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme

from reviewapp.access import review_view
from reviewapp.http import is_htmx, object_of_review_or_404, parse_id, refusal_text
from reviewapp.models import Membership, Review, Role
from screening.models import Record, Tag
from screening.models.tags import COLOURS
from screening.selectors.records import vote_access
from screening.selectors.tags import review_tags, visible_tags
from screening.services import tags as tag_service
from screening.services.settings import screening_settings_for


def _tag_fields(post) -> dict:
    return {
        "name": post.get("name", ""),
        "colour": post.get("colour", "blue"),
        "key": post.get("key", ""),
        "description": post.get("description", ""),
        "private": post.get("private") in ("on", "1", "true"),
    }


@review_view(Role.VIEWER, methods=("GET", "HEAD", "POST"))
def tag_list(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    """The review's tags; the lead adds, edits and deletes them here."""
    if request.method == "POST":
        if not membership.can(Role.LEAD):
            return HttpResponse("Only the lead defines tags.", status=403)
        try:
            tag = tag_service.create_tag(review=review, **_tag_fields(request.POST))
            messages.success(request, f"Tag {tag.name} added.")
        except ValidationError as exc:
            messages.error(request, refusal_text(exc))
        return redirect("tag_list", review.pk)
    context = {
        "review": review,
        "membership": membership,
        "tags": review_tags(review),
        "colours": COLOURS,
        "is_lead": membership.can(Role.LEAD),
    }
    return render(request, "screening/tags/list.html", context)


@review_view(Role.LEAD, methods=("POST",))
def tag_update(
    request: HttpRequest, review: Review, membership: Membership, tag_id: int
) -> HttpResponse:
    tag = object_of_review_or_404(Tag, review, tag_id)
    try:
        if request.POST.get("delete"):
            removed = tag_service.delete_tag(tag, by=request.user)
            messages.success(request, f"Tag deleted; it was on {removed} record(s).")
        else:
            tag_service.update_tag(tag, **_tag_fields(request.POST))
            messages.success(request, f"Tag {tag.name} saved.")
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
    return redirect("tag_list", review.pk)


def tags_context(*, review, membership, record, user, status=None, access=None) -> dict:
    """What `screening/tags/_record_tags.html` needs for one record (`status`: the
    record's visibility.Status if the caller knows it, saving two queries)."""
    if access is None:
        access = vote_access(
            membership=membership, screening_settings=screening_settings_for(review)
        )
    statuses = {record.pk: status} if status is not None else None
    return {
        "review": review,
        "record": record,
        "shown_tags": visible_tags(
            [record.pk], access=access, user_id=user.pk, statuses=statuses
        ).get(record.pk, []),
        "all_tags": review_tags(review),
        "can_tag": membership.can(Role.REVIEWER),
    }


@review_view(Role.REVIEWER, methods=("POST",))
def record_tag(
    request: HttpRequest, review: Review, membership: Membership, record_id: int
) -> HttpResponse:
    """Put a tag on a record or take it off: `tag` (id) and `action` (add, remove, toggle)."""
    record = object_of_review_or_404(Record, review, record_id)
    tag_id = parse_id(request.POST.get("tag", ""))
    tag = Tag.objects.filter(review=review, pk=tag_id).first() if tag_id else None
    if tag is None:
        return HttpResponse("Choose one of the review's tags.", status=400)
    action = request.POST.get("action", "toggle")
    error = ""
    if action == "toggle":
        shown = visible_tags(
            [record.pk],
            access=vote_access(
                membership=membership, screening_settings=screening_settings_for(review)
            ),
            user_id=request.user.pk,
        ).get(record.pk, [])
        on = any(s.tag.pk == tag.pk and (s.mine or not tag.private) for s in shown)
        action = "remove" if on else "add"
    if action == "add":
        tag_service.add_tag(record=record, tag=tag, by=request.user)
    elif action == "remove":
        tag_service.remove_tag(record=record, tag=tag, by=request.user)
    else:
        error = "The action is add, remove or toggle."
    if is_htmx(request):
        context = tags_context(
            review=review, membership=membership, record=record, user=request.user
        )
        context["error"] = error
        # From the records list, whose rows open the page's one picker (list.html).
        context["picker_once"] = request.POST.get("picker_once") == "1"
        return render(request, "screening/tags/_record_tags.html", context)
    if error:
        messages.error(request, error)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("record_list", review.pk)


urlpatterns = [
    path("tags/", tag_list, name="tag_list"),
    path("tags/<id:tag_id>/", tag_update, name="tag_update"),
    path("records/<id:record_id>/tags/", record_tag, name="record_tag"),
]
