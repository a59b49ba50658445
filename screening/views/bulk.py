"""Bulk actions on records for the lead: tag or untag a selection (the ticked rows) or
every record matching the list's filters, after a confirmation that says how many; each
record changed is in its history. Exporting a selection is the records export with
`id=` parameters (the list's "Export selected" button)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse

from reviewapp.access import review_view
from reviewapp.http import parse_id, refusal_text
from reviewapp.models import Membership, Review, Role
from screening.models import Record, Tag
from screening.selectors.records import RecordFilters, filter_records, vote_access
from screening.services import tags as tag_service
from screening.services.settings import screening_settings_for

ACTIONS = {"tag": "Tag", "untag": "Untag"}


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


@review_view(Role.LEAD, methods=("POST",))
def records_bulk(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    """POST action (tag|untag), tag (id), scope (selected|all), id (repeatable), query
    (the list's filters); without confirm=1 it shows what would change."""
    post = request.POST
    query = post.get("query", "")
    back = reverse("record_list", args=[review.pk]) + (f"?{query}" if query else "")
    action = post.get("action", "")
    tag_id = parse_id(post.get("bulk_tag") or post.get("tag", ""))
    tag = Tag.objects.filter(review=review, pk=tag_id).first() if tag_id else None
    if action not in ACTIONS or tag is None:
        messages.error(request, "Choose tag or untag, and a tag.")
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
            "scope": scope,
            "count": len(ids),
            "ids": [str(i) for i in ids] if scope == "selected" else [],
            "query": query,
            "back": back,
        }
        return render(request, "screening/records/bulk_confirm.html", context)
    service = tag_service.tag_records if action == "tag" else tag_service.untag_records
    try:
        changed = service(review=review, record_ids=ids, tag=tag, by=request.user)
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
        return redirect(back)
    verb = "tagged" if action == "tag" else "untagged"
    messages.success(
        request, f"{changed} of {len(ids)} record(s) {verb} {tag.name}; each is in its history."
    )
    return redirect(back)


urlpatterns = [path("records/bulk/", records_bulk, name="records_bulk")]
