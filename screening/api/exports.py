"""REST: the table exports, `GET /api/reviews/{id}/exports/<table>/?format=...`.

The same files as the Exports page, with the same roles and blinding (see
`screening.exports`). `?format=` picks the file type (or send an Accept header); a
format a table does not offer is a 404, as DRF answers for unknown formats.
"""

from __future__ import annotations

import json

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer
from rest_framework.views import APIView

from reviewapp.access import ReviewRolePermission
from reviewapp.models import Role
from screening.api.records import FILTER_PARAMETERS
from screening.exports import TABLES
from screening.exports.responses import CONTENT_TYPES, export_response
from screening.exports.tables import ExportContext
from screening.selectors.records import RecordFilters, vote_access
from screening.services.records_actions import log_export
from screening.services.settings import screening_settings_for


class _FileRenderer(BaseRenderer):
    """Names a file type for content negotiation; the view streams the file itself, so
    only error responses (a dict) pass through here, as JSON text."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode("utf-8")


class CSVRenderer(_FileRenderer):
    media_type, format, charset = "text/csv", "csv", "utf-8"


class XLSXRenderer(_FileRenderer):
    media_type, format, charset = CONTENT_TYPES["xlsx"], "xlsx", None


class RISRenderer(_FileRenderer):
    media_type, format, charset = "application/x-research-info-systems", "ris", "utf-8"


RENDERERS = {"csv": CSVRenderer, "xlsx": XLSXRenderer, "ris": RISRenderer}
SCHEMA_TYPES = {"csv": OpenApiTypes.STR, "xlsx": OpenApiTypes.BINARY, "ris": OpenApiTypes.STR}


def export_view(name: str) -> type[APIView]:
    """The APIView exporting one table, with that table's least role and formats."""
    table = TABLES[name]

    class TableExport(APIView):
        permission_classes = [ReviewRolePermission]
        review_role = table.least_role
        renderer_classes = [RENDERERS[fmt] for fmt in table.formats]

        @extend_schema(
            operation_id=f"reviews_exports_{name}",
            summary=f"Export: {table.title.lower()}",
            description=f"{table.description} Least role: {table.least_role}.",
            parameters=FILTER_PARAMETERS if table.filterable else None,
            responses={
                (200, RENDERERS[fmt].media_type): OpenApiResponse(SCHEMA_TYPES[fmt])
                for fmt in table.formats
            },
        )
        def get(self, request, review_id, format=None):
            access = vote_access(
                membership=request.membership,
                screening_settings=screening_settings_for(request.review),
            )
            filters = RecordFilters()
            if table.filterable:
                filters = RecordFilters.from_query(
                    request.query_params,
                    access=access,
                    is_lead=request.membership.can(Role.LEAD),
                )
                if filters.errors:
                    raise ValidationError({"detail": list(filters.errors)})
            context = ExportContext(
                review=request.review,
                access=access,
                user_id=request.user.pk,
                filters=filters,
                labels=request.query_params.get("labels", ""),
            )
            log_export(
                context=context, table=name, fmt=request.accepted_renderer.format, by=request.user
            )
            return export_response(
                table=name, fmt=request.accepted_renderer.format, context=context
            )

    TableExport.__name__ = TableExport.__qualname__ = f"{name.title()}Export"
    TableExport.__doc__ = table.description
    return TableExport


urlpatterns = [
    path(f"exports/{name}/", export_view(name).as_view(), name=f"export_{name}") for name in TABLES
]
