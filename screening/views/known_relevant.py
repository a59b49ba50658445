"""The lead's "Known relevant" page: paste titles, DOIs or PMIDs, see what matched."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from reviewapp.access import review_view
from reviewapp.http import object_of_review_or_404, refusal_text
from reviewapp.models import Membership, Review, Role
from screening.models import KnownRelevant
from screening.services import known_relevant as services


def _page(request, review, membership, *, text: str = "", result=None, status: int = 200):
    entries = KnownRelevant.objects.filter(review=review).select_related("record", "added_by")
    context = {
        "review": review,
        "membership": membership,
        "entries": entries,
        "n_matched": sum(1 for e in entries if e.record_id is not None),
        "text": text,
        "result": result,
        "max_lines": services.MAX_LINES,
    }
    return render(request, "screening/ranking/known_relevant.html", context, status=status)


@review_view(Role.LEAD, methods=("GET", "HEAD", "POST"))
def known_relevant(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    if request.method != "POST":
        return _page(request, review, membership)
    text = request.POST.get("text", "")
    try:
        result = services.paste_known_relevant(review=review, by=request.user, text=text)
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
        return _page(request, review, membership, text=text, status=400)
    return _page(request, review, membership, result=result)


@review_view(Role.LEAD, methods=("POST",))
def known_relevant_remove(
    request: HttpRequest, review: Review, membership: Membership, known_id: int
) -> HttpResponse:
    entry = object_of_review_or_404(KnownRelevant, review, known_id)
    services.remove_known_relevant(entry=entry)
    messages.success(request, "Removed from the known relevant papers.")
    return redirect("known_relevant", review.pk)


urlpatterns = [
    path("ranking/known-relevant/", known_relevant, name="known_relevant"),
    path(
        "ranking/known-relevant/<id:known_id>/remove/",
        known_relevant_remove,
        name="known_relevant_remove",
    ),
]
