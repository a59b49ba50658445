"""One assessor's sheet (extraction form, RoB 2, domain tool), the side-by-side
comparison, and recording the consensus value. Blinding is decided by
`selectors.sheet_access`, used by every page here and by the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from extraction import instruments, selectors
from extraction.domain.rob2_questions import rob2_domains
from extraction.instruments import SUPPORT_PREFIX, Context
from extraction.models import Instrument, Study
from extraction.services import sheets as sheet_services
from extraction.views.common import instrument_or_404
from reviewapp.access import review_view
from reviewapp.http import is_htmx, object_of_review_or_404, refusal_text
from reviewapp.models import Membership, Review, Role


@dataclass
class FieldView:
    field: Any
    value: Any
    text: str

    @property
    def choice_values(self) -> list:
        return self.value if isinstance(self.value, list) else []

    @property
    def yes_no(self) -> str:
        if self.value is True:
            return "yes"
        if self.value is False:
            return "no"
        return self.value or ""


@dataclass
class QuestionView:
    id: str
    text: str
    condition: str
    options: list[str]
    answer: str


@dataclass
class DomainView:
    number: int
    title: str
    questions: list[QuestionView]
    proposed: str | None
    reason: str
    missing: tuple[str, ...]
    override: str
    override_reason: str

    @property
    def okey(self) -> str:
        return f"d{self.number}"


def rob2_view(ctx: Context, values: dict[str, Any]) -> tuple[list[DomainView], dict]:
    """The RoB 2 sheet as the page shows it: asked questions only, proposals, overrides."""
    result = instruments.rob2_assessment(ctx, values)
    domains = []
    for definition, judged in zip(rob2_domains(ctx.effect), result.domains, strict=True):
        asked = set(judged.asked)
        domains.append(
            DomainView(
                number=definition.number,
                title=definition.title,
                questions=[
                    QuestionView(
                        q.id,
                        q.text,
                        q.condition,
                        [o.value for o in q.options],
                        values.get(q.id, ""),
                    )
                    for q in definition.questions
                    if q.id in asked
                ],
                proposed=judged.proposed.value if judged.proposed else None,
                reason=judged.reason,
                missing=judged.missing,
                override=values.get(f"d{definition.number}", ""),
                override_reason=values.get(f"d{definition.number}_reason", ""),
            )
        )
    overall = {
        "proposed": result.overall.proposed.value if result.overall.proposed else None,
        "reason": result.overall.reason,
        "needs_review": result.overall.needs_review,
        "override": values.get("overall", ""),
        "override_reason": values.get("overall_reason", ""),
    }
    return domains, overall


def _raw_from_post(request: HttpRequest, instrument: str, ctx: Context) -> dict[str, Any]:
    """What the page submitted, for exactly the items the page shows, so a field left
    empty clears its value and keys the page does not show are left alone."""
    post = request.POST
    raw: dict[str, Any] = {}
    if instrument == Instrument.EXTRACTION:
        for f in ctx.definition.ordered_fields() if ctx.definition else ():
            raw[f.key] = post.getlist(f.key) if f.type == "multiple_choice" else post.get(f.key, "")
        return raw
    if instrument == Instrument.DOMAIN:
        for d in ctx.domain_tool.domains:
            raw[d.key] = post.get(d.key, "")
            raw[SUPPORT_PREFIX + d.key] = post.get(SUPPORT_PREFIX + d.key, "")
        return raw
    for key in post:
        if key != "csrfmiddlewaretoken":
            raw[key] = post.get(key, "")
    return raw


def _sheet_context(request, review, membership, study, instrument) -> dict[str, Any]:
    ctx, version, settings = selectors.context_for(review=review)
    access = selectors.sheet_access(
        study=study,
        instrument=instrument,
        membership=membership,
        required=settings.assessors_per_study,
    )
    values = access.mine.values if access.mine else {}
    context = {
        "review": review,
        "membership": membership,
        "study": study,
        "instrument": instrument,
        "instrument_label": Instrument(instrument).label,
        "access": access,
        "ctx": ctx,
        "version": version,
        "values": values,
        "errors": {},
        "can_edit": (access.mine is not None and not access.mine.is_done)
        or (access.mine is None and access.free_slot is not None),
    }
    if instrument == Instrument.EXTRACTION:
        definition = ctx.definition
        context["sections"] = (
            [
                (
                    s,
                    [
                        FieldView(
                            f,
                            values.get(f.key),
                            instruments.display(instrument, ctx, f.key, values.get(f.key)),
                        )
                        for f in sorted(s.fields, key=lambda f: f.order)
                    ],
                )
                for s in definition.ordered_sections()
            ]
            if definition
            else []
        )
        orphaned = [k for k in values if definition is None or definition.field(k) is None]
        context["orphaned"] = [(k, values[k]) for k in orphaned]
    elif instrument == Instrument.ROB2:
        context["domains"], context["overall"] = rob2_view(ctx, values)
        context["judgements"] = list(instruments.JUDGEMENT_LABELS.items())
    else:
        context["domains"] = [
            (d, values.get(d.key, ""), values.get(SUPPORT_PREFIX + d.key, ""))
            for d in ctx.domain_tool.domains
        ]
        context["ratings"] = list(instruments.RATING_LABELS.items())
    return context


@review_view(Role.REVIEWER, methods=("GET", "HEAD", "POST"))
def sheet(
    request: HttpRequest, review: Review, membership: Membership, study_id: int, instrument: str
) -> HttpResponse:
    """GET: the member's own sheet (blind to the other's). POST: autosave (HTMX, on
    every change) or the Save button; the first save takes a free slot."""
    study = object_of_review_or_404(Study, review, study_id)
    instrument = instrument_or_404(instrument)
    if request.method == "POST":
        ctx, version, _settings = selectors.context_for(review=review)
        raw = _raw_from_post(request, instrument, ctx)
        try:
            result = sheet_services.save_values(
                study=study,
                instrument=instrument,
                membership=membership,
                raw=raw,
                ctx=ctx,
                form_version=version if instrument == Instrument.EXTRACTION else None,
            )
        except ValidationError as exc:
            if is_htmx(request):
                return render(
                    request,
                    "extraction/_sheet_status.html",
                    {"problem": refusal_text(exc), "errors": {}, "oob": True},
                    status=409,
                )
            messages.error(request, refusal_text(exc))
            return redirect("extraction_sheet", review.pk, study.pk, instrument)
        if is_htmx(request):
            context = _sheet_context(request, review, membership, study, instrument)
            keys = dict.fromkeys([*raw, *result.errors])
            context.update(
                errors=result.errors,
                error_list=[(key, result.errors.get(key, "")) for key in keys],
                saved=result.changed,
                oob=True,
            )
            return render(request, "extraction/_sheet_saved.html", context)
        if result.errors:
            for key, message in result.errors.items():
                messages.error(request, f"{key}: {message}")
        else:
            messages.success(request, "Saved.")
        return redirect("extraction_sheet", review.pk, study.pk, instrument)
    context = _sheet_context(request, review, membership, study, instrument)
    return render(request, "extraction/sheet.html", context)


@review_view(Role.REVIEWER, methods=("POST",))
def sheet_submit(
    request: HttpRequest, review: Review, membership: Membership, study_id: int, instrument: str
) -> HttpResponse:
    """Mark the member's sheet done (action=done) or reopen it (action=reopen)."""
    study = object_of_review_or_404(Study, review, study_id)
    instrument = instrument_or_404(instrument)
    ctx, _version, settings = selectors.context_for(review=review)
    access = selectors.sheet_access(
        study=study,
        instrument=instrument,
        membership=membership,
        required=settings.assessors_per_study,
    )
    if access.mine is None:
        messages.error(request, "You have no sheet for this study yet.")
        return redirect("extraction_sheet", review.pk, study.pk, instrument)
    try:
        if request.POST.get("action") == "reopen":
            sheet_services.reopen_sheet(sheet=access.mine, by=request.user)
            messages.info(request, "Reopened: you can change your values again.")
        else:
            sheet_services.submit_sheet(sheet=access.mine, ctx=ctx, by=request.user)
            messages.success(request, f"{study.label}: marked done.")
    except ValidationError as exc:
        messages.error(request, "Not done yet: " + refusal_text(exc))
    return redirect("extraction_sheet", review.pk, study.pk, instrument)


def _compare_context(review, membership, study, instrument) -> dict[str, Any]:
    ctx, _version, settings = selectors.context_for(review=review)
    access = selectors.sheet_access(
        study=study,
        instrument=instrument,
        membership=membership,
        required=settings.assessors_per_study,
    )
    context = {
        "review": review,
        "membership": membership,
        "study": study,
        "instrument": instrument,
        "instrument_label": Instrument(instrument).label,
        "access": access,
        "rows": [],
        "choices": {
            Instrument.ROB2: list(instruments.JUDGEMENT_LABELS.items()),
            Instrument.DOMAIN: list(instruments.RATING_LABELS.items()),
        }.get(instrument),
    }
    if not access.can_see_others:
        return context
    sheets = access.sheets
    values_a = sheets[0].values if sheets else {}
    values_b = sheets[1].values if len(sheets) > 1 else {}
    agreed = selectors.consensus_values(study, instrument)
    rows = []
    for row in instruments.compare_rows(instrument, ctx, values_a, values_b):
        key = row.item.key
        rows.append(
            {
                "item": row.item,
                "a": instruments.display(instrument, ctx, key, row.value_a),
                "b": instruments.display(instrument, ctx, key, row.value_b),
                "differs": not row.agrees and len(sheets) > 1,
                "final": instruments.display(instrument, ctx, key, agreed.get(key)),
                "resolved": key in agreed,
            }
        )
    context.update(
        rows=rows,
        sheet_a=sheets[0] if sheets else None,
        sheet_b=sheets[1] if len(sheets) > 1 else None,
        differences=sum(1 for r in rows if r["differs"]),
        unresolved=sum(1 for r in rows if r["differs"] and not r["resolved"]),
    )
    if instrument == Instrument.DOMAIN:
        context["support"] = {
            d.key: (
                values_a.get(SUPPORT_PREFIX + d.key, ""),
                values_b.get(SUPPORT_PREFIX + d.key, ""),
            )
            for d in ctx.domain_tool.domains
        }
    if instrument == Instrument.EXTRACTION:
        keys = {r["item"].key for r in rows}
        context["orphaned"] = [
            (k, values_a.get(k), values_b.get(k))
            for k in dict.fromkeys([*values_a, *values_b])
            if k not in keys
        ]
    return context


@review_view(Role.REVIEWER)
def compare(
    request: HttpRequest, review: Review, membership: Membership, study_id: int, instrument: str
) -> HttpResponse:
    """The two sheets side by side, differing items marked, with the consensus column.
    Blind until both are done (for the study's assessors)."""
    study = object_of_review_or_404(Study, review, study_id)
    instrument = instrument_or_404(instrument)
    context = _compare_context(review, membership, study, instrument)
    return render(request, "extraction/compare.html", context)


@review_view(Role.REVIEWER, methods=("POST",))
def consensus_record(
    request: HttpRequest, review: Review, membership: Membership, study_id: int, instrument: str
) -> HttpResponse:
    """Record one item's final value: source a / b (an assessor's), edited, or clear."""
    study = object_of_review_or_404(Study, review, study_id)
    instrument = instrument_or_404(instrument)
    key, source = request.POST.get("key", ""), request.POST.get("source", "")
    if not key or not source:
        messages.error(request, "Choose a value to record.")
        return redirect("extraction_compare", review.pk, study.pk, instrument)
    ctx, _version, _settings = selectors.context_for(review=review)
    try:
        sheet_services.record_consensus(
            study=study,
            instrument=instrument,
            membership=membership,
            key=key,
            source=source,
            value=request.POST.get("value"),
            note=request.POST.get("note", ""),
            ctx=ctx,
        )
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, "Final value recorded.")
    url = reverse("extraction_compare", args=[review.pk, study.pk, instrument])
    return redirect(f"{url}#item-{key}")


urlpatterns = [
    path("studies/<id:study_id>/<slug:instrument>/", sheet, name="extraction_sheet"),
    path(
        "studies/<id:study_id>/<slug:instrument>/done/",
        sheet_submit,
        name="extraction_sheet_submit",
    ),
    path(
        "studies/<id:study_id>/<slug:instrument>/compare/",
        compare,
        name="extraction_compare",
    ),
    path(
        "studies/<id:study_id>/<slug:instrument>/consensus/",
        consensus_record,
        name="extraction_consensus",
    ),
]
