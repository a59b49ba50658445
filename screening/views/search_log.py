"""The PRISMA-S search log page: rounds, one entry per source searched, exports (members
read; the lead writes)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from reviewapp.access import review_view
from reviewapp.http import object_of_review_or_404, refusal_text
from reviewapp.models import Membership, Review, Role
from screening.exports.search_log import log_response
from screening.forms.imports import KNOWN_SOURCES
from screening.forms.search_log import LogEntryForm, RoundForm
from screening.models import SearchLogEntry, SearchRound
from screening.selectors.search_log import rounds_with_entries
from screening.services import search_log as services


def _page(request, review, membership, *, entry_form=None, round_form=None, status=200):
    if not SearchRound.objects.filter(review=review).exists():
        services.initial_round(review)
    latest = services.latest_round(review)
    context = {
        "review": review,
        "membership": membership,
        "rounds": rounds_with_entries(review=review),
        "entry_form": entry_form or LogEntryForm(review=review, initial={"round": latest}),
        "round_form": round_form or RoundForm(),
        "known_sources": KNOWN_SOURCES,
        "can_edit": membership.can(Role.LEAD),
    }
    return render(request, "screening/search_log/page.html", context, status=status)


@review_view(Role.VIEWER)
def search_log(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    return _page(request, review, membership)


@review_view(Role.LEAD, methods=("POST",))
def search_round_add(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    form = RoundForm(request.POST)
    if not form.is_valid():
        return _page(request, review, membership, round_form=form, status=400)
    round_ = services.add_round(review=review, **form.cleaned_data)
    messages.success(request, f"{round_.label} added.")
    return redirect("search_log", review.pk)


@review_view(Role.LEAD, methods=("POST",))
def search_round_delete(
    request: HttpRequest, review: Review, membership: Membership, round_id: int
) -> HttpResponse:
    round_ = object_of_review_or_404(SearchRound, review, round_id)
    try:
        services.delete_round(round_=round_)
        messages.success(request, f"{round_.label} deleted.")
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
    return redirect("search_log", review.pk)


@review_view(Role.LEAD, methods=("POST",))
def search_log_add(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    form = LogEntryForm(request.POST, review=review)
    if not form.is_valid():
        return _page(request, review, membership, entry_form=form, status=400)
    try:
        services.create_entry(review=review, round_=form.cleaned_data["round"], **form.values())
    except ValidationError as exc:
        form.add_error(None, refusal_text(exc))
        return _page(request, review, membership, entry_form=form, status=400)
    messages.success(request, "Search logged.")
    return redirect("search_log", review.pk)


@review_view(Role.LEAD, methods=("GET", "POST"))
def search_log_edit(
    request: HttpRequest, review: Review, membership: Membership, entry_id: int
) -> HttpResponse:
    entry = object_of_review_or_404(SearchLogEntry, review, entry_id)
    if request.method == "POST":
        form = LogEntryForm(request.POST, instance=entry, review=review)
        if form.is_valid():
            try:
                services.update_entry(
                    entry=entry, round_=form.cleaned_data["round"], **form.values()
                )
                messages.success(request, "Search log entry saved.")
                return redirect("search_log", review.pk)
            except ValidationError as exc:
                form.add_error(None, refusal_text(exc))
        status = 400
    else:
        form = LogEntryForm(instance=entry, review=review)
        status = 200
    context = {
        "review": review,
        "membership": membership,
        "entry": entry,
        "form": form,
        "known_sources": KNOWN_SOURCES,
    }
    return render(request, "screening/search_log/edit.html", context, status=status)


@review_view(Role.LEAD, methods=("POST",))
def search_log_delete(
    request: HttpRequest, review: Review, membership: Membership, entry_id: int
) -> HttpResponse:
    entry = object_of_review_or_404(SearchLogEntry, review, entry_id)
    try:
        services.delete_entry(entry=entry)
        messages.success(request, f"Entry for {entry.source_name} deleted.")
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
    return redirect("search_log", review.pk)


def _export(fmt):
    @review_view(Role.VIEWER)
    def view(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
        return log_response(review=review, fmt=fmt)

    return view


urlpatterns = [
    path("search-log/", search_log, name="search_log"),
    path("search-log/rounds/new/", search_round_add, name="search_round_add"),
    path(
        "search-log/rounds/<id:round_id>/delete/", search_round_delete, name="search_round_delete"
    ),
    path("search-log/new/", search_log_add, name="search_log_add"),
    path("search-log/<id:entry_id>/edit/", search_log_edit, name="search_log_edit"),
    path("search-log/<id:entry_id>/delete/", search_log_delete, name="search_log_delete"),
    path("search-log/search-log.csv", _export("csv"), name="search_log_csv"),
    path("search-log/search-log.json", _export("json"), name="search_log_json"),
    path("search-log/appendix.md", _export("md"), name="search_log_md"),
    path("search-log/appendix.html", _export("html"), name="search_log_html"),
]
