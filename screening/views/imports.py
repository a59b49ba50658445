"""Import pages: upload exports, watch progress, read the report, retry or delete."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from reviewapp.access import review_view
from reviewapp.http import is_htmx, object_of_review_or_404, refusal_text
from reviewapp.models import Membership, Review, Role
from screening.forms.imports import KNOWN_SOURCES, ImportForm
from screening.models import ImportBatch, ImportStatus
from screening.selectors.imports import import_summaries
from screening.services import imports as import_services


def _list_context(review, membership, form):
    return {
        "review": review,
        "membership": membership,
        "form": form,
        "known_sources": KNOWN_SOURCES,
        "imports": import_summaries(review=review),
    }


@review_view(Role.VIEWER)
def import_list(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    return render(
        request,
        "screening/imports/list.html",
        _list_context(review, membership, ImportForm(review=review)),
    )


@review_view(Role.LEAD, methods=("POST",))
def import_create(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES, review=review)
    if not form.is_valid():
        return render(
            request,
            "screening/imports/list.html",
            _list_context(review, membership, form),
            status=400,
        )
    created, errors = [], []
    for upload in form.cleaned_data["files"]:
        try:
            created.append(
                import_services.create_import(
                    review=review,
                    upload=upload,
                    uploaded_by=request.user,
                    source_name=form.cleaned_data["source_name"],
                    source_kind=form.cleaned_data["source_kind"],
                    search_date=form.cleaned_data["search_date"],
                    search_query=form.cleaned_data["search_query"],
                    fmt=form.cleaned_data["format"],
                    allow_same_file=form.cleaned_data["allow_same_file"],
                    search_round=form.cleaned_data["search_round"],
                    keep_decisions=form.cleaned_data["keep_decisions"] or "",
                )
            )
        except ValidationError as exc:
            errors.append(f"{upload.name}: {refusal_text(exc)}")
    for error in errors:
        messages.error(request, error)
    if len(created) == 1 and not errors:
        return redirect("import_detail", review.pk, created[0].pk)
    if created:
        messages.success(request, f"{len(created)} file(s) queued for import.")
    return redirect("import_list", review.pk)


def _detail_context(review, membership, batch):
    return {
        "review": review,
        "membership": membership,
        "batch": batch,
        "progress": import_services.import_progress(batch),
        "voted": import_services.records_with_votes(batch)
        if batch.status == ImportStatus.DONE
        else 0,
    }


@review_view(Role.VIEWER)
def import_detail(
    request: HttpRequest, review: Review, membership: Membership, import_id: int
) -> HttpResponse:
    batch = object_of_review_or_404(ImportBatch, review, import_id)
    return render(
        request, "screening/imports/detail.html", _detail_context(review, membership, batch)
    )


@review_view(Role.VIEWER)
def import_status(
    request: HttpRequest, review: Review, membership: Membership, import_id: int
) -> HttpResponse:
    """The live part of the import page; HTMX polls it until the import has finished."""
    batch = object_of_review_or_404(ImportBatch, review, import_id)
    response = render(
        request, "screening/imports/_status.html", _detail_context(review, membership, batch)
    )
    if batch.is_finished and is_htmx(request):
        response["HX-Refresh"] = "true"  # show the full report once, then stop polling
    return response


@review_view(Role.LEAD, methods=("POST",))
def import_retry(
    request: HttpRequest, review: Review, membership: Membership, import_id: int
) -> HttpResponse:
    batch = object_of_review_or_404(ImportBatch, review, import_id)
    try:
        import_services.retry_import(batch=batch)
        messages.success(request, "Import queued again.")
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
    return redirect("import_detail", review.pk, batch.pk)


@review_view(Role.LEAD, methods=("POST",))
def import_delete(
    request: HttpRequest, review: Review, membership: Membership, import_id: int
) -> HttpResponse:
    batch = object_of_review_or_404(ImportBatch, review, import_id)
    try:
        count = import_services.delete_import(
            batch=batch, actor=request.user, confirmed=request.POST.get("confirm") == "yes"
        )
    except ValidationError as exc:
        messages.warning(request, refusal_text(exc))
        return redirect("import_detail", review.pk, batch.pk)
    messages.success(request, f"Import “{batch.filename}” deleted with its {count} records.")
    return redirect("import_list", review.pk)


urlpatterns = [
    path("imports/", import_list, name="import_list"),
    path("imports/new/", import_create, name="import_create"),
    path("imports/<id:import_id>/", import_detail, name="import_detail"),
    path("imports/<id:import_id>/status/", import_status, name="import_status"),
    path("imports/<id:import_id>/retry/", import_retry, name="import_retry"),
    path("imports/<id:import_id>/delete/", import_delete, name="import_delete"),
]
