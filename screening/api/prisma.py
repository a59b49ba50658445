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
            200: OpenApiResponse(
                OpenApiTypes.OBJECT, description="reviewapp.prisma-flow JSON, or CSV/SVG"
            )
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
