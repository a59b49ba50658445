"""Import and deduplication jobs."""

from celery import shared_task
from django.conf import settings

# The import stops itself at IMPORT_TIME_LIMIT (checked between records); the worker's
# soft limit catches a parser stuck in one call (the import then fails cleanly, its
# transaction rolled back), the hard limit kills what ignores even that.


@shared_task(
    soft_time_limit=settings.IMPORT_TIME_LIMIT + 30,
    time_limit=settings.IMPORT_TIME_LIMIT + 90,
)
def run_import(batch_id: int) -> None:
    from screening.services.imports import execute_import

    execute_import(batch_id=batch_id)


@shared_task
def run_dedupe(review_id: int) -> None:
    from screening.services.dedupe import dedupe_review

    dedupe_review(review_id=review_id)
