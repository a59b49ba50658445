"""Agreement between reviewers, per stage and per pair, and each reviewer's pace (lead)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from reviewapp.access import review_view
from reviewapp.models import Membership, Review, Role
from screening.models import Stage
from screening.selectors import screening as selectors


@review_view(Role.LEAD)
def agreement(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    stage = request.GET.get("stage", Stage.TITLE_ABSTRACT)
    if stage not in Stage.values:
        stage = Stage.TITLE_ABSTRACT
    context = {
        "review": review,
        "membership": membership,
        "stage": Stage(stage),
        "stages": Stage.choices,
        "report": selectors.agreement_report(review=review, stage=stage),
    }
    return render(request, "screening/agreement.html", context)


urlpatterns = [path("agreement/", agreement, name="agreement")]
