"""Bulk actions on records for the lead: tag or untag, send to the full-text retrieval
list, mark not retrieved — a selection (the ticked rows) or every record matching the
list's filters, after a confirmation that says how many; each record changed is in its
history, each action in the review's log (records/actions/), where the moves are undone. Exporting a selection is the records export with
`id=` parameters (the list's "Export selected" button)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse

from reviewapp.access import review_view
from reviewapp.http import object_of_review_or_404, parse_id, refusal_text
from reviewapp.models import Membership, Review, Role
from screening.models import Record, RecordsAction, Tag
from screening.selectors.records import RecordFilters, filter_records, vote_access
from screening.services import records_actions
from screening.services import tags as tag_service
from screening.services.settings import screening_settings_for

ACTIONS = {
    "tag": "Tag",
    "untag": "Untag",
    "retrieval": "Send to the full-text retrieval list",
    "not_retrieved": "Mark not retrieved",
}
TAG_ACTIONS = ("tag", "untag")


def bulk_target(*, review, membership, user, query: str, ids: list[str], scope: str):
    """The records a bulk action applies to, and the filters they came from: the ticked
    `ids` (scope "selected"), or every record matching `query`'s filters (scope "all")."""
    access = vote_access(membership=membership, screening_settings=screening_settings_for(review))
    params = QueryDict(query, mutable=True)
    params.pop("id", None)
    if scope == "selected":
        params.setlist("id", ids)
    filters = RecordFilters.from_query(params, access=access, is_lead=True)
    if scope == "selected" and not filters.ids:
        filters = RecordFilters(errors=("Tick the records first, or choose all matching.",))
    records = filter_records(
        Record.objects.filter(review=review),
        filters=filters,
        review=review,
        access=access,
        user_id=user.pk,
    )
    return filters, records


def apply_bulk(*, action: str, review, ids: list[int], tag, reason: str, user, query: str):
    """Run one bulk action (the page and the API); the RecordsAction that logs it."""
    if action in TAG_ACTIONS:
        service = tag_service.tag_records if action == "tag" else tag_service.untag_records
        changed = service(review=review, record_ids=ids, tag=tag, by=user)
        return records_actions.log(
            review=review, by=user, kind=action, count=changed, query=query, tag=tag.name
        )
    if action == "retrieval":
        return records_actions.send_to_retrieval(
            review=review, record_ids=ids, by=user, query=query
        )
    return records_actions.mark_not_retrieved(
        review=review, record_ids=ids, reason=reason, by=user, query=query
    )


DONE = {
    "tag": "tagged {tag}",
    "untag": "untagged {tag}",
    "retrieval": "sent back to the retrieval list (only those marked not retrieved move)",
    "not_retrieved": "marked not retrieved (only those on the retrieval list without a PDF move)",
}


@review_view(Role.LEAD, methods=("POST",))
def records_bulk(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    """POST action (tag|untag|retrieval|not_retrieved), tag (id, for tag and untag),
    reason (for not_retrieved), scope (selected|all), id (repeatable), query (the list's
    filters); without confirm=1 it shows what would change."""
    post = request.POST
    query = post.get("query", "")
    back = reverse("record_list", args=[review.pk]) + (f"?{query}" if query else "")
    action = post.get("action", "")
    tag_id = parse_id(post.get("bulk_tag") or post.get("tag", ""))
    tag = Tag.objects.filter(review=review, pk=tag_id).first() if tag_id else None
    if action not in ACTIONS or (action in TAG_ACTIONS and tag is None):
        messages.error(request, "Choose an action (and a tag to tag or untag).")
        return redirect(back)
    reason = post.get("reason", "")
    if action == "not_retrieved" and not reason.strip():
        messages.error(request, "Say why the reports were not retrieved.")
        return redirect(back)
    scope = "all" if post.get("scope") == "all" else "selected"
    filters, records = bulk_target(
        review=review,
        membership=membership,
        user=request.user,
        query=query,
        ids=post.getlist("id"),
        scope=scope,
    )
    if filters.errors:
        messages.error(request, " ".join(filters.errors))
        return redirect(back)
    ids = list(records.order_by("pk").values_list("pk", flat=True))
    if post.get("confirm") != "1":
        context = {
            "review": review,
            "membership": membership,
            "action": action,
            "action_label": ACTIONS[action],
            "tag": tag,
            "reason": reason,
            "scope": scope,
            "count": len(ids),
            "ids": [str(i) for i in ids] if scope == "selected" else [],
            "query": query,
            "back": back,
        }
        return render(request, "screening/records/bulk_confirm.html", context)
    try:
        done = apply_bulk(
            action=action,
            review=review,
            ids=ids,
            tag=tag,
            reason=reason,
            user=request.user,
            query=filters.as_query(),
        )
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
        return redirect(back)
    what = DONE[action].format(tag=tag.name if tag else "")
    undo = " Undo on the log page." if done.undoable else ""
    messages.success(
        request, f"{done.count} of {len(ids)} record(s) {what}; each is in its history.{undo}"
    )
    return redirect(back)


@review_view(Role.LEAD)
def records_actions_page(
    request: HttpRequest, review: Review, membership: Membership
) -> HttpResponse:
    """The review's log of bulk actions and records exports, newest first, with undo for
    the actions that moved records."""
    context = {
        "review": review,
        "membership": membership,
        "actions": records_actions.recent(review, limit=100),
    }
    return render(request, "screening/records/actions.html", context)


@review_view(Role.LEAD, methods=("POST",))
def records_action_undo(
    request: HttpRequest, review: Review, membership: Membership, action_id: int
) -> HttpResponse:
    action = object_of_review_or_404(RecordsAction, review, action_id)
    try:
        restored = records_actions.undo(action, by=request.user)
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(
            request, f"Undone: {restored} record(s) went back (those that moved on since stay)."
        )
    return redirect("records_actions", review.pk)


urlpatterns = [
    path("records/bulk/", records_bulk, name="records_bulk"),
    path("records/actions/", records_actions_page, name="records_actions"),
    path("records/actions/<id:action_id>/undo/", records_action_undo, name="records_action_undo"),
]
