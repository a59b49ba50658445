"""The lead's pages: conflicts per stage, resolving and overruling, a record's history."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from reviewapp.access import review_view
from reviewapp.http import is_htmx, object_of_review_or_404
from reviewapp.models import Membership, Review, Role
from screening.forms.screening import LeadDecisionForm
from screening.highlight import Highlighter
from screening.models import ExclusionReason, Record, Stage
from screening.selectors import screening as selectors
from screening.services.conflicts import decide_as_lead
from screening.services.settings import screening_settings_for
from screening.views.comments import comments_context
from screening.views.refusals import attempt
from screening.views.screen import stage_or_404
from screening.views.tags import tags_context


@review_view(Role.LEAD)
def conflicts(
    request: HttpRequest, review: Review, membership: Membership, stage: str
) -> HttpResponse:
    stage = stage_or_404(stage)
    page = Paginator(selectors.conflicts(review=review, stage=stage), 25).get_page(
        request.GET.get("page")
    )
    settings = screening_settings_for(review)
    context = {
        "review": review,
        "membership": membership,
        "stage": stage,
        "stages": Stage.choices,
        "page": page,
        "reasons": list(ExclusionReason.objects.for_stage(review, stage).active()),
        "highlighter": Highlighter(settings.highlight_include, settings.highlight_exclude),
        "settled": selectors.settled_records(review=review, stage=stage)[:20],
    }
    return render(request, "screening/conflicts.html", context)


@review_view(Role.LEAD, methods=("POST",))
def lead_decide(
    request: HttpRequest, review: Review, membership: Membership, stage: str, record_id: int
) -> HttpResponse:
    """Resolve a conflict, or overrule a settled record, with a final decision and reason."""
    stage = stage_or_404(stage)
    record = object_of_review_or_404(Record, review, record_id)
    form = LeadDecisionForm(request.POST, review=review, stage=stage)
    error = None
    if form.is_valid():
        resolution, error = attempt(
            decide_as_lead, record=record, stage=stage, lead=request.user, **form.cleaned_data
        )
    else:
        error = "Choose the final decision (include or exclude) and, to exclude, a valid reason."
    if is_htmx(request):
        context = {"review": review, "record": record, "stage": stage, "error": error}
        if not error:
            context["resolution"] = resolution
        if request.POST.get("next") == "conflicts":
            # The page's count, swapped out of band: it is right without a reload.
            context["conflict_count"] = selectors.conflicts(review=review, stage=stage).count()
        return render(request, "screening/_decision_result.html", context, status=200)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request, f"Recorded: {resolution.get_kind_display().lower()} — {resolution.verdict}."
        )
    target = request.POST.get("next", "")
    if target == "record":
        return redirect("record_detail", review.pk, record.pk)
    return redirect("conflicts", review.pk, stage)


@review_view(Role.LEAD)
def record_detail(
    request: HttpRequest, review: Review, membership: Membership, record_id: int
) -> HttpResponse:
    """A record with every vote, decision and the append-only history (lead)."""
    record = object_of_review_or_404(Record, review, record_id)
    settings = screening_settings_for(review)
    reasons = {
        stage: list(ExclusionReason.objects.for_stage(review, stage).active()) for stage in Stage
    }
    decisions = selectors.record_decisions(
        record=record, membership=membership, screening_settings=settings
    )
    for stage, entry in decisions.items():
        entry["reasons"] = reasons[stage]
        entry["code"] = stage.value
    context = {
        "review": review,
        "membership": membership,
        "record": record,
        "decisions": decisions,
        "history": selectors.visible_history(
            events=selectors.record_history(review=review, record_id=record.pk),
            decisions=decisions,
            user_id=request.user.pk,
            record_state=record.state,
        ),
        "highlighter": Highlighter(settings.highlight_include, settings.highlight_exclude),
        "fulltext": selectors.fulltext_of(record),
        **tags_context(review=review, membership=membership, record=record, user=request.user),
        **comments_context(review=review, membership=membership, record=record, user=request.user),
    }
    return render(request, "screening/record_detail.html", context)


urlpatterns = [
    path("conflicts/<str:stage>/", conflicts, name="conflicts"),
    path("conflicts/<str:stage>/records/<id:record_id>/decide/", lead_decide, name="lead_decide"),
    path("records/<id:record_id>/screening/", record_detail, name="record_detail"),
]
