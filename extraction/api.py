"""REST endpoints of the extraction app, under /api/reviews/<review_id>/. One view per
endpoint, thin: access through ReviewRolePermission, blinding through
`selectors.sheet_access`, writes through the services."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from extraction import figures, selectors
from extraction.api_schemas import (
    BARS,
    CONSENSUS_FINAL,
    FORM_DEFINITION,
    SHEET_VALUES,
    SHEET_VALUES_IN,
    TRAFFIC_LIGHT,
    json_field,
)
from extraction.domain.forms import FormDefinitionError, definition_from_dict
from extraction.domain.rob2 import Judgement
from extraction.instruments import rob2_assessment
from extraction.models import Instrument, Study
from extraction.services import forms as form_services
from extraction.services import sheets as sheet_services
from extraction.services import studies as study_services
from extraction.views.evidence import export_response, r_file_response
from reviewapp.access import ReviewRolePermission
from reviewapp.http import object_of_review_or_404
from reviewapp.input import query_choice
from reviewapp.models import Role


def _instrument(instrument: str) -> str:
    if instrument not in Instrument.values:
        raise Http404("No such form or tool: use extraction, rob2 or rob-domain.")
    return instrument


# `{instrument}` in the sheet and consensus paths.
INSTRUMENT = OpenApiParameter(
    "instrument",
    str,
    OpenApiParameter.PATH,
    enum=Instrument.values,
    description="extraction (the form), rob2 (RoB 2) or rob-domain (the domain tool)",
)


# --- the form ----------------------------------------------------------------------

FormOut = inline_serializer(
    "ExtractionForm",
    {
        "version": serializers.IntegerField(allow_null=True),
        "created_at": serializers.DateTimeField(allow_null=True),
        "definition": json_field(
            FORM_DEFINITION,
            allow_null=True,
            help_text="The form definition (format reviewapp.extraction_form).",
        ),
    },
)


class FormIn(serializers.Serializer):
    definition = serializers.DictField(
        help_text="A form definition as exported (format reviewapp.extraction_form, version 1)."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


def form_data(version) -> dict:
    return {
        "version": version.number if version else None,
        "created_at": version.created_at if version else None,
        "definition": version.definition if version else None,
    }


class ExtractionFormDetail(APIView):
    """The review's current extraction form. Any member reads; a lead replaces it (a new
    version: values entered under earlier versions are kept)."""

    permission_classes = [ReviewRolePermission]
    review_roles = {"PUT": Role.LEAD}

    @extend_schema(responses=FormOut)
    def get(self, request, review_id):
        return Response(form_data(selectors.current_form(review=request.review)))

    @extend_schema(request=FormIn, responses=FormOut)
    def put(self, request, review_id):
        data = FormIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            definition = definition_from_dict(data.validated_data["definition"])
            version = form_services.save_form(
                review=request.review,
                definition=definition,
                by=request.user,
                note=data.validated_data.get("note") or "Saved through the API",
            )
        except FormDefinitionError as exc:
            raise ValidationError({"definition": list(exc.messages)}) from None
        return Response(form_data(version))


# --- studies -------------------------------------------------------------------------


class ReportOut(serializers.Serializer):
    record_id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    doi = serializers.CharField()


class StudyOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    label = serializers.CharField()
    reports = ReportOut(many=True)


class StudyList(APIView):
    """Included studies, each with its included reports (a report belongs to one study)."""

    permission_classes = [ReviewRolePermission]

    @extend_schema(responses=StudyOut(many=True))
    def get(self, request, review_id):
        study_services.ensure_studies(review=request.review)
        studies = [
            {
                "pk": s.pk,
                "label": s.label,
                "reports": [link.record for link in s.included_reports],
            }
            for s in selectors.included_studies(review=request.review)
        ]
        return Response(StudyOut(studies, many=True).data)


# --- sheets --------------------------------------------------------------------------


class DomainProposalOut(serializers.Serializer):
    domain = serializers.IntegerField(min_value=1, max_value=5)
    proposed = serializers.ChoiceField(
        choices=[j.value for j in Judgement], allow_null=True, help_text="null while unanswered"
    )
    missing = serializers.ListField(
        child=serializers.CharField(), help_text="Asked questions still unanswered"
    )
    reason = serializers.CharField(help_text="The path taken through the flowchart")


class OverallProposalOut(serializers.Serializer):
    proposed = serializers.ChoiceField(choices=[j.value for j in Judgement], allow_null=True)
    needs_review = serializers.BooleanField(help_text="The guidance's judgement call")
    reason = serializers.CharField()


class ProposalsOut(serializers.Serializer):
    domains = DomainProposalOut(many=True)
    overall = OverallProposalOut()


def _proposals(ctx, instrument: str, values) -> dict | None:
    """The RoB 2 algorithm's proposals for a sheet's answers (the page shows the same)."""
    if instrument != Instrument.ROB2 or values is None:
        return None
    result = rob2_assessment(ctx, values)
    return {
        "domains": [
            {
                "domain": d.domain,
                "proposed": d.proposed.value if d.proposed else None,
                "missing": list(d.missing),
                "reason": d.reason,
            }
            for d in result.domains
        ],
        "overall": {
            "proposed": result.overall.proposed.value if result.overall.proposed else None,
            "needs_review": result.overall.needs_review,
            "reason": result.overall.reason,
        },
    }


class SheetOut(serializers.Serializer):
    slot = serializers.IntegerField()
    assessor = serializers.CharField()
    done = serializers.BooleanField()
    hidden = serializers.BooleanField(help_text="True while blinding hides the values.")
    values = json_field(SHEET_VALUES, allow_null=True, help_text="null while hidden")
    proposed = ProposalsOut(
        allow_null=True,
        help_text="RoB 2 only: the algorithm's proposals from these answers (null otherwise, "
        "or while hidden).",
    )


class SheetIn(serializers.Serializer):
    values = json_field(
        SHEET_VALUES_IN,
        base=serializers.DictField,
        required=False,
        help_text="Item key -> value; an empty value clears it. Keys not sent are untouched. "
        "extraction: the form's field keys (GET extraction/form/). rob2: signalling questions "
        '"1.1".."5.3" -> Y, PY, PN, N, NI or NA (the questions asked depend on the answers '
        'and on the effect in extraction/settings/); "d1".."d5" and "overall" -> low, '
        'some_concerns or high (omit to accept the proposal); "d1_reason".."d5_reason" and '
        '"overall_reason" (needed to override a proposal); "result" (the result assessed). '
        "rob-domain: each domain's key (extraction/settings/) -> low, high or unclear, "
        'and "support:<key>" -> the supporting text.',
    )
    done = serializers.BooleanField(
        required=False, help_text="true marks the sheet done, false reopens it."
    )


def _sheet_out(sheet, *, hidden: bool, ctx) -> dict:
    values = None if hidden else sheet.values
    return {
        "slot": sheet.slot,
        "assessor": sheet.assessor.username,
        "done": sheet.is_done,
        "hidden": hidden,
        "values": values,
        "proposed": _proposals(ctx, sheet.instrument, values),
    }


def _access(request, study, instrument):
    _ctx, _version, settings = selectors.context_for(review=request.review)
    return selectors.sheet_access(
        study=study,
        instrument=instrument,
        membership=request.membership,
        required=settings.assessors_per_study,
    )


class MySheet(APIView):
    """Your own values for a study (extraction, rob2 or rob-domain). PUT saves (taking a
    free extractor slot on first save); all-or-nothing: any invalid value saves none."""

    permission_classes = [ReviewRolePermission]
    review_role = Role.REVIEWER

    @extend_schema(parameters=[INSTRUMENT], responses=SheetOut)
    def get(self, request, review_id, study_id, instrument):
        study = object_of_review_or_404(Study, request.review, study_id)
        instrument = _instrument(instrument)
        access = _access(request, study, instrument)
        ctx, _version, _settings = selectors.context_for(review=request.review)
        if access.mine is None:
            return Response(
                {
                    "slot": 0,
                    "assessor": request.user.username,
                    "done": False,
                    "hidden": False,
                    "values": {},
                    "proposed": _proposals(ctx, instrument, {}),
                }
            )
        return Response(_sheet_out(access.mine, hidden=False, ctx=ctx))

    @extend_schema(parameters=[INSTRUMENT], request=SheetIn, responses=SheetOut)
    def put(self, request, review_id, study_id, instrument):
        study = object_of_review_or_404(Study, request.review, study_id)
        instrument = _instrument(instrument)
        data = SheetIn(data=request.data)
        data.is_valid(raise_exception=True)
        ctx, version, _settings = selectors.context_for(review=request.review)
        done = data.validated_data.get("done")
        access = _access(request, study, instrument)
        if done is False and access.mine is not None:
            sheet_services.reopen_sheet(sheet=access.mine, by=request.user)
        sheet = access.mine
        if "values" in data.validated_data or sheet is None:
            sheet = sheet_services.save_values(
                study=study,
                instrument=instrument,
                membership=request.membership,
                raw=data.validated_data.get("values", {}),
                ctx=ctx,
                form_version=version if instrument == Instrument.EXTRACTION else None,
                strict=True,
            ).sheet
        if done:
            sheet = sheet_services.submit_sheet(sheet=sheet, ctx=ctx, by=request.user)
        sheet.refresh_from_db()
        return Response(_sheet_out(sheet, hidden=False, ctx=ctx))


class SheetList(APIView):
    """Every extractor's sheet for a study. Blind: an extractor sees the other's values
    only once both are done (a lead who is not extracting sees them at any time)."""

    permission_classes = [ReviewRolePermission]
    review_role = Role.REVIEWER

    @extend_schema(parameters=[INSTRUMENT], responses=SheetOut(many=True))
    def get(self, request, review_id, study_id, instrument):
        study = object_of_review_or_404(Study, request.review, study_id)
        instrument = _instrument(instrument)
        access = _access(request, study, instrument)
        ctx, _version, _settings = selectors.context_for(review=request.review)
        return Response(
            [
                _sheet_out(
                    s,
                    hidden=not access.can_see_others and s.assessor_id != request.user.pk,
                    ctx=ctx,
                )
                for s in access.sheets
            ]
        )


# --- consensus -----------------------------------------------------------------------

ConsensusOut = inline_serializer(
    "Consensus",
    {
        "values": json_field(SHEET_VALUES, help_text="Item key -> the value recorded as final."),
        "final": json_field(CONSENSUS_FINAL),
    },
)


class ConsensusIn(serializers.Serializer):
    key = serializers.CharField()
    source = serializers.ChoiceField(choices=["a", "b", "edited", "clear"])
    value = serializers.JSONField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True)


def _consensus_data(request, study, instrument) -> dict:
    ctx, _version, settings = selectors.context_for(review=request.review)
    finals = selectors.final_values(
        study=study, instrument=instrument, ctx=ctx, required=settings.assessors_per_study
    )
    return {
        "values": selectors.consensus_values(study, instrument),
        "final": {k: {"value": f.value, "source": f.source} for k, f in finals.items()},
    }


class ConsensusDetail(APIView):
    """The final values of a study. PUT records one item's final value: a lead, or the
    study's two extractors once both are done."""

    permission_classes = [ReviewRolePermission]
    review_roles = {"PUT": Role.REVIEWER}

    @extend_schema(parameters=[INSTRUMENT], responses=ConsensusOut)
    def get(self, request, review_id, study_id, instrument):
        study = object_of_review_or_404(Study, request.review, study_id)
        instrument = _instrument(instrument)
        return Response(_consensus_data(request, study, instrument))

    @extend_schema(parameters=[INSTRUMENT], request=ConsensusIn, responses=ConsensusOut)
    def put(self, request, review_id, study_id, instrument):
        study = object_of_review_or_404(Study, request.review, study_id)
        instrument = _instrument(instrument)
        data = ConsensusIn(data=request.data)
        data.is_valid(raise_exception=True)
        ctx, _version, _settings = selectors.context_for(review=request.review)
        sheet_services.record_consensus(
            study=study,
            instrument=instrument,
            membership=request.membership,
            key=data.validated_data["key"],
            source=data.validated_data["source"],
            value=data.validated_data.get("value"),
            note=data.validated_data.get("note", ""),
            ctx=ctx,
        )
        study = selectors.get_study(review=request.review, study_id=study.pk)
        return Response(_consensus_data(request, study, instrument))


# --- the evidence table and the risk-of-bias summary ---------------------------------


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class XLSXRenderer(BaseRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class EvidenceTableExport(APIView):
    """The evidence table: one row per included study, one column per form field (and
    risk-of-bias judgement). `?format=csv|xlsx|json`; spreadsheet cells that would run
    as formulas are neutralised with a leading apostrophe."""

    permission_classes = [ReviewRolePermission]
    renderer_classes = [JSONRenderer, CSVRenderer, XLSXRenderer]

    @extend_schema(
        responses={
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
            (200, XLSXRenderer.media_type): OpenApiResponse(OpenApiTypes.BINARY),
        }
    )
    def get(self, request, review_id, format=None):
        kind = request.accepted_renderer.format
        return export_response(
            review=request.review, kind=kind if kind in ("csv", "xlsx") else "json"
        )


class EvidenceForR(APIView):
    """The evidence table as CSV for R: `robvis-rob2` (Study, D1..D5, Overall, Weight),
    `robvis-domain` (Study, one column per domain, Overall, Weight), `long` (one row per
    study and item), `meta` (outcome, studlab, n.e, mean.e, sd.e, n.c, mean.c, sd.c,
    event.e, event.c; `?outcome=<section key>` for one outcome)."""

    permission_classes = [ReviewRolePermission]

    @extend_schema(
        operation_id="reviews_evidence_table_for_r",
        parameters=[
            OpenApiParameter(
                "kind",
                str,
                OpenApiParameter.PATH,
                enum=["robvis-rob2", "robvis-domain", "long", "meta"],
            ),
            OpenApiParameter("outcome", str, description="meta: one outcome's section key"),
        ],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR)},
    )
    def get(self, request, review_id, kind):
        return r_file_response(
            review=request.review, kind=kind, outcome=request.query_params.get("outcome")
        )


class RobSummaryOut(serializers.Serializer):
    tool = serializers.CharField()
    title = serializers.CharField()
    domains = serializers.ListField(child=serializers.CharField())
    traffic_light = json_field(TRAFFIC_LIGHT, help_text="One row per study, one cell per domain")
    bars = json_field(BARS, help_text="The bar chart: one bar per domain")
    weighted = serializers.BooleanField()


class RiskOfBiasSummary(APIView):
    """Both tools' summaries: the traffic light (study x domain) and the bar chart's
    percentages (`?weighted=1` weighs studies by sample size)."""

    permission_classes = [ReviewRolePermission]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "weighted", str, enum=["0", "1"], description="1: weigh studies by sample size"
            )
        ],
        responses=RobSummaryOut(many=True),
    )
    def get(self, request, review_id):
        table = selectors.evidence_table(review=request.review)
        weighted = query_choice(request, "weighted", ["0", "1"]) == "1"
        out = []
        for figure in (
            figures.domain_tool_figure(table, weighted=weighted),
            figures.rob2_figure(table, weighted=weighted),
        ):
            out.append(
                {
                    "tool": figure.tool,
                    "title": figure.title,
                    "domains": figure.domains,
                    "traffic_light": [
                        {"study": label, "judgements": [c.key for c in cells]}
                        for label, cells in figure.rows
                    ],
                    "bars": [
                        {
                            "domain": bar.name,
                            "percent": {(level.key or "not_rated"): p for level, p in bar.percents},
                        }
                        for bar in figure.bars
                    ],
                    "weighted": figure.weighted,
                }
            )
        return Response(out)
