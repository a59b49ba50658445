"""The evidence table (page and exports) and the risk-of-bias page with its figures."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from extraction import exports, figures, interchange, selectors
from extraction.models import Instrument
from extraction.services import studies as study_services
from extraction.views.studies import study_rows
from reviewapp.access import review_view
from reviewapp.models import Membership, Review, Role

EXPORTS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json; charset=utf-8", "json"),
}


def export_response(*, review: Review, kind: str) -> HttpResponse:
    """The evidence table as a download; shared by the page and the API."""
    table = selectors.evidence_table(review=review)
    if kind == "csv":
        body = exports.to_csv(table)
    elif kind == "xlsx":
        body = exports.to_xlsx(table)
    else:
        body = exports.to_json(table, review=review)
    content_type, extension = EXPORTS[kind]
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="evidence-table-review-{review.pk}.{extension}"'
    )
    return response


# Files for R (robvis, meta, metafor): name -> (file name part, description).
R_FILES = {
    "robvis-rob2": ("robvis-rob2", 'RoB 2 for robvis (tool = "ROB2")'),
    "robvis-domain": ("robvis-domain-tool", 'Domain tool for robvis (tool = "ROB1"/Generic)'),
    "long": ("evidence-long", "Evidence table, long format"),
    "meta": ("outcomes-meta", "Outcome data for meta/metafor"),
}


def r_file_response(*, review: Review, kind: str, outcome: str | None = None) -> HttpResponse:
    """One of `R_FILES` as a CSV download (no byte-order mark, formula-safe); shared
    by the page and the API. Unknown kinds are 404."""
    if kind not in R_FILES:
        raise Http404("Download robvis-rob2, robvis-domain, long or meta.")
    table = selectors.evidence_table(review=review)
    if kind == "robvis-rob2":
        rows = interchange.robvis_rows(table, tool="rob2")
    elif kind == "robvis-domain":
        rows = interchange.robvis_rows(table, tool="rob-domain")
    elif kind == "long":
        rows = interchange.long_rows(table)
    else:
        rows = interchange.meta_rows(table, outcome=outcome or None)
    response = HttpResponse(interchange.csv_for_r(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{R_FILES[kind][0]}-review-{review.pk}.csv"'
    )
    return response


@review_view(Role.VIEWER)
def evidence_r_file(
    request: HttpRequest, review: Review, membership: Membership, kind: str
) -> HttpResponse:
    return r_file_response(review=review, kind=kind, outcome=request.GET.get("outcome"))


@review_view(Role.VIEWER)
def evidence_table(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    study_services.ensure_studies(review=review)
    table = selectors.evidence_table(review=review)
    rows = [
        (
            row,
            [
                (column, table.text(row, column), row.sources.get(column.key, ""))
                for column in table.columns
            ],
        )
        for row in table.rows
    ]
    context = {
        "review": review,
        "membership": membership,
        "table": table,
        "rows": rows,
        "r_files": [(kind, label) for kind, (_name, label) in R_FILES.items()],
        "outcomes": interchange.outcomes(table),
    }
    return render(request, "extraction/evidence.html", context)


@review_view(Role.VIEWER)
def evidence_export(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    kind = request.GET.get("format", "csv")
    if kind not in EXPORTS:
        raise Http404("Export as csv, xlsx or json.")
    return export_response(review=review, kind=kind)


def _figure(request: HttpRequest, table) -> figures.Figure:
    weighted = request.GET.get("weighted") == "1"
    if request.GET.get("tool", "rob-domain") == Instrument.ROB2:
        return figures.rob2_figure(table, weighted=weighted)
    return figures.domain_tool_figure(table, weighted=weighted)


@review_view(Role.VIEWER)
def rob_overview(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    """Per-study risk-of-bias progress (both tools), the traffic lights and the bars."""
    study_services.ensure_studies(review=review)
    rows, settings = study_rows(
        review=review, membership=membership, instruments=[Instrument.DOMAIN, Instrument.ROB2]
    )
    table = selectors.evidence_table(review=review)
    weighted = request.GET.get("weighted") == "1"
    context = {
        "review": review,
        "membership": membership,
        "rows": rows,
        "settings": settings,
        "assessors": selectors.assessor_choices(review=review),
        "is_lead": membership.can(Role.LEAD),
        "slots": range(1, settings.assessors_per_study + 1),
        "figures": [
            figures.domain_tool_figure(table, weighted=weighted),
            figures.rob2_figure(table, weighted=weighted),
        ],
        "weighted": weighted,
    }
    return render(request, "extraction/rob.html", context)


@review_view(Role.VIEWER)
def rob_chart_svg(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    figure = _figure(request, selectors.evidence_table(review=review))
    return HttpResponse(figures.to_svg(figure), content_type="image/svg+xml; charset=utf-8")


@review_view(Role.VIEWER)
def rob_chart_png(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    figure = _figure(request, selectors.evidence_table(review=review))
    return HttpResponse(figures.to_png(figure), content_type="image/png")


urlpatterns = [
    path("evidence/", evidence_table, name="extraction_evidence"),
    path("evidence/export/", evidence_export, name="extraction_evidence_export"),
    path("evidence/export/<slug:kind>/", evidence_r_file, name="extraction_evidence_r_file"),
    path("risk-of-bias/", rob_overview, name="extraction_rob"),
    path("risk-of-bias/chart.svg", rob_chart_svg, name="extraction_rob_svg"),
    path("risk-of-bias/chart.png", rob_chart_png, name="extraction_rob_png"),
]
