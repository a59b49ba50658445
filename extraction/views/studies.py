"""The extraction overview (studies, their reports, who extracts what), the lead's
study management (link, unlink, rename, assign) and the extraction settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from extraction import selectors
from extraction.domain.domain_tool import BiasDomain
from extraction.models import Instrument, Study
from extraction.services import forms as form_services
from extraction.services import sheets as sheet_services
from extraction.services import studies as study_services
from extraction.views.common import instrument_or_404
from reviewapp.access import review_view
from reviewapp.http import object_of_review_or_404, parse_id, refusal_text
from reviewapp.models import Membership, Review, Role


def study_rows(*, review: Review, membership: Membership, instruments: list[str]):
    """Each included study with its reports and, per instrument, its sheet access."""
    _ctx, _version, settings = selectors.context_for(review=review)
    rows = []
    for study in selectors.included_studies(review=review):
        rows.append(
            {
                "study": study,
                "reports": [link.record for link in study.included_reports],
                "access": [
                    (
                        instrument,
                        selectors.sheet_access(
                            study=study,
                            instrument=instrument,
                            membership=membership,
                            required=settings.assessors_per_study,
                        ),
                    )
                    for instrument in instruments
                ],
            }
        )
    return rows, settings


@review_view(Role.VIEWER)
def extraction_home(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    """Studies to extract: reports, extractors and their progress, links to each sheet."""
    study_services.ensure_studies(review=review)
    rows, settings = study_rows(
        review=review, membership=membership, instruments=[Instrument.EXTRACTION]
    )
    context = {
        "review": review,
        "membership": membership,
        "rows": rows,
        "settings": settings,
        "version": selectors.current_form(review=review),
        "assessors": selectors.assessor_choices(review=review),
        "is_lead": membership.can(Role.LEAD),
        "slots": range(1, settings.assessors_per_study + 1),
        "instrument": Instrument.EXTRACTION,
    }
    return render(request, "extraction/home.html", context)


@review_view(Role.LEAD, methods=("POST",))
def study_link(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    """Link the chosen studies' reports into the target study."""
    ids = [n for n in map(parse_id, request.POST.getlist("studies")) if n]
    target_id = parse_id(request.POST.get("target", ""))
    target = Study.objects.for_review(review).filter(pk=target_id).first() if target_id else None
    if target is None:
        messages.error(request, "Choose the study to link the reports into.")
        return redirect("extraction_home", review.pk)
    others = list(Study.objects.for_review(review).filter(pk__in=ids))
    try:
        study_services.link_studies(review=review, target=target, others=others, by=request.user)
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, f"Reports linked into {target.label}.")
    return redirect("extraction_home", review.pk)


@review_view(Role.LEAD, methods=("POST",))
def study_unlink(
    request: HttpRequest, review: Review, membership: Membership, study_id: int
) -> HttpResponse:
    study = object_of_review_or_404(Study, review, study_id)
    record_id = parse_id(request.POST.get("record", ""))
    try:
        if record_id is None:
            raise ValidationError("Choose the report to unlink.")
        new_study = study_services.unlink_report(
            review=review, study=study, record_id=record_id, by=request.user
        )
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, f"The report is now a study of its own: {new_study.label}.")
    return redirect("extraction_home", review.pk)


@review_view(Role.LEAD, methods=("POST",))
def study_rename(
    request: HttpRequest, review: Review, membership: Membership, study_id: int
) -> HttpResponse:
    study = object_of_review_or_404(Study, review, study_id)
    try:
        study_services.rename_study(study=study, label=request.POST.get("label", ""))
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, f"Renamed to {study.label}.")
    return redirect("extraction_home", review.pk)


@review_view(Role.LEAD, methods=("POST",))
def study_assign(
    request: HttpRequest, review: Review, membership: Membership, study_id: int, instrument: str
) -> HttpResponse:
    """Put a member in one of the study's extractor slots, or empty the slot."""
    study = object_of_review_or_404(Study, review, study_id)
    instrument = instrument_or_404(instrument)
    user_id = request.POST.get("user", "")
    slot = request.POST.get("slot", "")
    target_id = parse_id(user_id)
    target = (
        Membership.objects.filter(review=review, user_id=target_id).first() if target_id else None
    )
    try:
        if not slot.isdigit():
            raise ValidationError("Choose a slot.")
        if user_id and target is None:
            raise ValidationError("Not a member of this review.")
        sheet_services.assign_assessor(
            study=study, instrument=instrument, slot=int(slot), membership=target, by=request.user
        )
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, f"{study.label}: extractors updated.")
    where = "extraction_home" if instrument == Instrument.EXTRACTION else "extraction_rob"
    return redirect(where, review.pk)


def _parse_domains(text: str) -> list[BiasDomain]:
    """One domain per line: "key | name | description" (description optional)."""
    domains = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 2:
            raise ValidationError(f"“{line.strip()}”: write key | name | description.")
        domains.append(BiasDomain(parts[0], parts[1], " | ".join(parts[2:])))
    return domains


def _domains_text(tool: dict) -> str:
    return "\n".join(
        " | ".join(p for p in (d["key"], d["name"], d.get("description", "")) if p)
        for d in tool.get("domains", [])
    )


@review_view(Role.LEAD, methods=("GET", "HEAD", "POST"))
def extraction_settings(
    request: HttpRequest, review: Review, membership: Membership
) -> HttpResponse:
    """Extractors per study, the RoB 2 effect, and the domains of the simple RoB tool."""
    settings = form_services.settings_for(review=review)
    domains_text = _domains_text(settings.domain_tool)
    if request.method == "POST":
        domains_text = request.POST.get("domains", "")
        try:
            form_services.update_settings(
                review=review,
                assessors_per_study=int(request.POST.get("assessors_per_study") or 0),
                rob2_effect=request.POST.get("rob2_effect", ""),
                domains=_parse_domains(domains_text),
                tool_name=request.POST.get("tool_name", "").strip() or None,
            )
        except (ValidationError, ValueError) as exc:
            text = refusal_text(exc) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, text)
        else:
            messages.success(request, "Extraction settings saved.")
            return redirect("extraction_settings", review.pk)
    context = {
        "review": review,
        "membership": membership,
        "settings": settings,
        "domains_text": domains_text,
        "effects": settings._meta.get_field("rob2_effect").choices,
    }
    return render(request, "extraction/settings.html", context)


urlpatterns = [
    path("extraction/", extraction_home, name="extraction_home"),
    path("extraction/settings/", extraction_settings, name="extraction_settings"),
    path("extraction/studies/link/", study_link, name="extraction_study_link"),
    path("extraction/studies/<id:study_id>/unlink/", study_unlink, name="extraction_study_unlink"),
    path("extraction/studies/<id:study_id>/rename/", study_rename, name="extraction_study_rename"),
    path(
        "extraction/studies/<id:study_id>/<slug:instrument>/assign/",
        study_assign,
        name="extraction_study_assign",
    ),
]
