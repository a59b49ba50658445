"""The lead's Ranking page: each reviewer's model, the stopping evidence, stop and undo."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from reviewapp.access import review_view
from reviewapp.http import object_of_review_or_404, refusal_text
from reviewapp.models import Membership, Review, Role
from screening.models import StoppingDecision, StopRule
from screening.selectors import ranking as selectors
from screening.services import ranking as services
from screening.services import stopping
from screening.services.settings import screening_settings_for


@review_view(Role.LEAD)
def ranking(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    context = {
        "review": review,
        "membership": membership,
        "settings": screening_settings_for(review),
        "models": selectors.visible_models(review=review, membership=membership),
        "evidence": selectors.stopping_evidence(review=review),
        "history": selectors.stopping_history(review=review),
        "rules": StopRule.choices,
    }
    return render(request, "screening/ranking/page.html", context)


@review_view(Role.LEAD, methods=("POST",))
def ranking_stop(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    rule = request.POST.get("rule", "")
    if rule not in StopRule.values:
        messages.error(request, "Choose the rule you are stopping on.")
        return redirect("ranking", review.pk)
    try:
        decision = stopping.stop_screening(
            review=review, by=request.user, rule=rule, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(
            request,
            f"Stopped: {decision.n_records} unscreened record"
            f"{'s' if decision.n_records != 1 else ''} marked excluded by automation tool.",
        )
    return redirect("ranking", review.pk)


@review_view(Role.LEAD, methods=("POST",))
def ranking_undo(
    request: HttpRequest, review: Review, membership: Membership, stop_id: int
) -> HttpResponse:
    decision = object_of_review_or_404(StoppingDecision, review, stop_id)
    try:
        restored = stopping.undo_stop(decision=decision, by=request.user)
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, f"Undone: {restored} records are back at title/abstract.")
    return redirect("ranking", review.pk)


@review_view(Role.LEAD, methods=("POST",))
def ranking_retrain(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    services.schedule_retrain(review.pk)
    messages.info(request, "Retraining has been asked for; the models update in a moment.")
    return redirect("ranking", review.pk)


urlpatterns = [
    path("ranking/", ranking, name="ranking"),
    path("ranking/retrain/", ranking_retrain, name="ranking_retrain"),
    path("ranking/stop/", ranking_stop, name="ranking_stop"),
    path("ranking/stops/<id:stop_id>/undo/", ranking_undo, name="ranking_undo"),
]
