"""REST: the PRISMA 2020 flow as JSON (default), or CSV / SVG with ?format=."""

from django.http import HttpResponse
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.views import APIView

from reviewapp.access import ReviewRolePermission
from reviewapp.api_schema import id_parameter
from screening.selectors.prisma import CONTENT_TYPES, flow_document


class _Passthrough(BaseRenderer):
    """Lets DRF's ?format= pick CSV or SVG; the view writes the bytes itself."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class CSVRenderer(_Passthrough):
    media_type = "text/csv"
    format = "csv"


class SVGRenderer(_Passthrough):
    media_type = "image/svg+xml"
    format = "svg"


_ITEM = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "n": {"type": "integer"},
        "node": {"type": "string"},
        "url": {"type": "string", "nullable": True},
    },
    "required": ["name", "n", "node", "url"],
}
# The JSON document of screening/prisma/export.py (its docstring is the reference).
PRISMA_FLOW_SCHEMA = {
    "type": "object",
    "properties": {
        "schema": {"type": "string", "enum": ["reviewapp.prisma-flow"]},
        "version": {"type": "integer", "enum": [1]},
        "complete": {"type": "boolean"},
        "awaiting": {"type": "integer"},
        "arms": {
            "type": "object",
            "properties": {
                "other_methods": {"type": "boolean"},
                "previous_version": {"type": "boolean"},
            },
            "required": ["other_methods", "previous_version"],
        },
        "violations": {"type": "array", "items": {"type": "string"}},
        "nodes": {
            "type": "object",
            "description": "Every box in diagram order, by the PRISMA2020 package's node names",
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "label": {"type": "string"},
                    "n": {"type": "integer"},
                    "url": {"type": "string", "nullable": True},
                    "items": {"type": "array", "items": _ITEM},
                },
                "required": ["label", "n", "url"],
            },
        },
    },
    "required": ["schema", "version", "complete", "awaiting", "arms", "violations", "nodes"],
}


class PrismaFlowView(APIView):
    """Every PRISMA 2020 count of the review: identified per database and register,
    duplicates and other removals, screened, excluded, sought, not retrieved, assessed,
    excluded per reason, included studies and reports, the optional arms, what still
    awaits each step, and any invariant violation. `?format=csv` gives the PRISMA2020 R
    package's template; `?format=svg` the diagram."""

    permission_classes = [ReviewRolePermission]
    renderer_classes = [JSONRenderer, CSVRenderer, SVGRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=["json", "csv", "svg"]),
            id_parameter("round", "One search round's number (default: whole review)"),
        ],
        responses={
            (200, "application/json"): OpenApiResponse(
                PRISMA_FLOW_SCHEMA, description="reviewapp.prisma-flow, version 1"
            ),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="The PRISMA2020 R package's template"
            ),
            (200, "image/svg+xml"): OpenApiResponse(OpenApiTypes.STR, description="The diagram"),
        },
    )
    def get(self, request, review_id):
        fmt = request.accepted_renderer.format
        fmt = fmt if fmt in ("csv", "svg") else "json"
        from screening.selectors.search_log import round_from_query

        round_number = round_from_query(request.review, request.query_params.get("round"))
        base = request.build_absolute_uri(reverse("record_list", args=[request.review.pk]))
        return HttpResponse(
            flow_document(request.review, fmt, base_url=base, round_number=round_number),
            content_type=CONTENT_TYPES[fmt],
        )


urlpatterns = [path("prisma/", PrismaFlowView.as_view(), name="prisma")]
