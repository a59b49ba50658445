"""Full-text retrieval: the list of reports sought, PDF upload, "not retrieved", the PDF itself."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.clickjacking import xframe_options_sameorigin

from reviewapp.access import review_view
from reviewapp.http import is_htmx, object_of_review_or_404
from reviewapp.models import Membership, Review, Role
from screening.forms.screening import NotRetrievedForm, UploadForm
from screening.models import FullText, Record, RecordState
from screening.selectors import screening as selectors
from screening.services.fulltext import mark_not_retrieved, upload_fulltext
from screening.views.refusals import attempt

FILTERS = {
    "sought": [RecordState.FT_RETRIEVAL],
    "not_retrieved": [RecordState.FT_NOT_RETRIEVED],
    "retrieved": [RecordState.FT, RecordState.FT_EXCLUDED, RecordState.INCLUDED],
}


@review_view(Role.VIEWER)
def fulltext_list(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    show = request.GET.get("show", "sought")
    records = selectors.fulltext_records(review=review)
    counts = {name: records.filter(state__in=states).count() for name, states in FILTERS.items()}
    if show in FILTERS:
        records = records.filter(state__in=FILTERS[show])
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    context = {
        "review": review,
        "membership": membership,
        "page": page,
        "show": show,
        "counts": counts,
        "can_edit": membership.can(Role.REVIEWER),
    }
    return render(request, "screening/fulltext_list.html", context)


def _done(request, review, record, error: str | None, success: str) -> HttpResponse:
    if is_htmx(request):
        fulltext = FullText.objects.filter(record=record).first()
        record.refresh_from_db()
        context = {
            "review": review,
            "record": record,
            "fulltext": fulltext,
            "error": error,
            "can_edit": True,
        }
        return render(request, "screening/_fulltext_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, success)
    return redirect("fulltext_list", review.pk)


@review_view(Role.REVIEWER, methods=("POST",))
def fulltext_upload(
    request: HttpRequest, review: Review, membership: Membership, record_id: int
) -> HttpResponse:
    record = object_of_review_or_404(Record, review, record_id)
    form = UploadForm(request.POST, request.FILES)
    error = None
    if not form.is_valid():
        error = "Choose a PDF file to upload."
    else:
        _, error = attempt(
            upload_fulltext,
            record=record,
            upload=form.cleaned_data["file"],
            uploaded_by=request.user,
        )
    return _done(
        request, review, record, error, "PDF uploaded; the record is ready for full-text screening."
    )


@review_view(Role.REVIEWER, methods=("POST",))
def fulltext_not_retrieved(
    request: HttpRequest, review: Review, membership: Membership, record_id: int
) -> HttpResponse:
    record = object_of_review_or_404(Record, review, record_id)
    form = NotRetrievedForm(request.POST)
    error = None
    if not form.is_valid():
        error = "Say why the report was not retrieved."
    else:
        _, error = attempt(
            mark_not_retrieved, record=record, reason=form.cleaned_data["reason"], by=request.user
        )
    return _done(request, review, record, error, "Marked as not retrieved.")


@xframe_options_sameorigin
@review_view(Role.VIEWER)
def fulltext_file(
    request: HttpRequest, review: Review, membership: Membership, record_id: int
) -> FileResponse:
    """The PDF, to members only; framed by our own full-text screening page."""
    fulltext = (
        FullText.objects.filter(record_id=record_id, record__review=review).exclude(file="").first()
    )
    if fulltext is None:
        raise Http404("No PDF for this record")
    response = FileResponse(
        fulltext.file.open("rb"),
        content_type="application/pdf",
        filename=fulltext.filename or "fulltext.pdf",
    )
    response["Content-Disposition"] = response["Content-Disposition"].replace(
        "attachment", "inline"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


urlpatterns = [
    path("fulltext/", fulltext_list, name="fulltext_list"),
    path("records/<id:record_id>/fulltext/upload/", fulltext_upload, name="fulltext_upload"),
    path(
        "records/<id:record_id>/fulltext/not-retrieved/",
        fulltext_not_retrieved,
        name="fulltext_not_retrieved",
    ),
    path("records/<id:record_id>/fulltext.pdf", fulltext_file, name="fulltext_file"),
]
