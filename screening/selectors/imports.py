"""Reads for the import pages and the dashboard."""

from django.db.models import Count, Q

from reviewapp.models import Review
from screening.models import ImportBatch, ImportStatus, Record, RecordState


def import_summaries(*, review: Review):
    """Imports of a review, newest first, each with its records still in the review."""
    return (
        ImportBatch.objects.filter(review=review)
        .select_related("uploaded_by")
        .annotate(duplicates_now=Count("records", filter=Q(records__state=RecordState.DUPLICATE)))
        .order_by("-created_at")
    )


def records_per_source(*, review: Review) -> list[dict]:
    """Records identified per database/register (PRISMA identification), in one query."""
    return list(
        Record.objects.filter(review=review)
        .values("batch__source_name", "batch__source_kind")
        .annotate(n=Count("pk"))
        .order_by("batch__source_kind", "batch__source_name")
    )


def import_counts(*, review: Review) -> dict[str, int]:
    totals = Record.objects.filter(review=review).aggregate(
        identified=Count("pk"),
        duplicates=Count("pk", filter=Q(state=RecordState.DUPLICATE)),
    )
    totals["running"] = ImportBatch.objects.filter(
        review=review, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
    ).count()
    return totals
