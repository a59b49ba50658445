"""Table exports from the browser: the Exports page and one download per table.

`?format=csv|xlsx` (and `ris` for included records); the records table also takes the
records list's filters. What each role gets is documented in `screening.exports`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import path

from reviewapp.access import review_view
from reviewapp.models import Membership, Review, Role
from screening.exports import TABLES
from screening.exports.responses import export_response
from screening.exports.tables import ExportContext
from screening.selectors.records import RecordFilters, VoteAccess, vote_access
from screening.services.records_actions import log_export
from screening.services.settings import screening_settings_for


def export_context(request, review: Review, membership: Membership, *, table: str) -> ExportContext:
    """Who exports, what they may see, and (for the records table) the list's filters."""
    access = vote_access(membership=membership, screening_settings=screening_settings_for(review))
    filters = (
        RecordFilters.from_query(request.GET, access=access, is_lead=membership.can(Role.LEAD))
        if TABLES[table].filterable
        else RecordFilters()
    )
    return ExportContext(
        review=review,
        access=access,
        user_id=request.user.pk,
        filters=filters,
        labels=request.GET.get("labels", ""),
    )


@review_view(Role.VIEWER)
def exports(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    access = vote_access(membership=membership, screening_settings=screening_settings_for(review))
    tables = [table for table in TABLES.values() if membership.can(table.least_role)]
    context = {
        "review": review,
        "membership": membership,
        "tables": tables,
        "with_votes": access != VoteAccess.NONE,
        "sees_all": access == VoteAccess.ALL,
    }
    return render(request, "screening/records/exports.html", context)


def _download(request: HttpRequest, review: Review, membership: Membership, table: str):
    fmt = request.GET.get("format", TABLES[table].formats[0])
    if fmt not in TABLES[table].formats:
        return HttpResponseBadRequest(
            f"This table exports as {', '.join(TABLES[table].formats)}.", content_type="text/plain"
        )
    context = export_context(request, review, membership, table=table)
    if context.filters.errors:
        return HttpResponseBadRequest(" ".join(context.filters.errors), content_type="text/plain")
    log_export(context=context, table=table, fmt=fmt, by=request.user)
    return export_response(table=table, fmt=fmt, context=context)


def _download_view(table: str):
    def view(request: HttpRequest, review: Review, membership: Membership):
        return _download(request, review, membership, table)

    view.__name__ = view.__qualname__ = f"export_{table}"
    view.__doc__ = TABLES[table].description
    return review_view(TABLES[table].least_role)(view)


urlpatterns = [
    path("exports/", exports, name="exports"),
    *[path(f"exports/{name}/", _download_view(name), name=f"export_{name}") for name in TABLES],
]
