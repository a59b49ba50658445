"""Screening settings for the lead: votes needed, blinding, highlight terms, exclusion reasons."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from reviewapp.access import review_view
from reviewapp.http import object_of_review_or_404, refusal_text
from reviewapp.models import Membership, Review, Role
from screening.forms.screening import ReasonForm, ScreeningSettingsForm
from screening.models import ExclusionReason, Stage
from screening.services import settings as settings_services


@review_view(Role.LEAD, methods=("GET", "HEAD", "POST"))
def screening_settings(
    request: HttpRequest, review: Review, membership: Membership
) -> HttpResponse:
    current = settings_services.screening_settings_for(review)
    form = ScreeningSettingsForm(request.POST or None, instance=current)
    if request.method == "POST":
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            # Leave the instance untouched by the form: the service does the writing.
            current.refresh_from_db()
            settings_services.update_settings(review=review, by=request.user, **fields)
            messages.success(request, "Screening settings saved.")
            return redirect("screening_settings", review.pk)
        status = 400
    else:
        status = 200
    reasons = ExclusionReason.objects.filter(review=review)
    context = {
        "review": review,
        "membership": membership,
        "form": form,
        "stages": [(stage, [r for r in reasons if r.stage == stage]) for stage in Stage],
    }
    return render(request, "screening/settings.html", context, status=status)


@review_view(Role.LEAD, methods=("POST",))
def reason_add(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    form = ReasonForm(request.POST)
    stage = request.POST.get("stage", "")
    if not form.is_valid() or stage not in Stage.values:
        messages.error(request, "Give the reason a label.")
        return redirect("screening_settings", review.pk)
    try:
        settings_services.add_reason(review=review, stage=stage, label=form.cleaned_data["label"])
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
    return redirect("screening_settings", review.pk)


@review_view(Role.LEAD, methods=("POST",))
def reason_update(
    request: HttpRequest, review: Review, membership: Membership, reason_id: int
) -> HttpResponse:
    """Rename (label), retire or restore (action), or move up/down (action) a reason."""
    reason = object_of_review_or_404(ExclusionReason, review, reason_id)
    action = request.POST.get("action", "save")
    try:
        if action == "delete":
            settings_services.delete_reason(reason=reason)
        elif action in ("retire", "restore"):
            settings_services.update_reason(reason=reason, retired=action == "retire")
        elif action in ("up", "down"):
            position = (
                list(ExclusionReason.objects.for_stage(review, reason.stage)).index(reason) + 1
            )
            settings_services.update_reason(
                reason=reason, order=position - 1 if action == "up" else position + 1
            )
        else:
            settings_services.update_reason(reason=reason, label=request.POST.get("label", ""))
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
    return redirect("screening_settings", review.pk)


urlpatterns = [
    path("screening/settings/", screening_settings, name="screening_settings"),
    path("screening/reasons/", reason_add, name="reason_add"),
    path("screening/reasons/<id:reason_id>/", reason_update, name="reason_update"),
]
