"""Import and deduplication jobs."""

from celery import shared_task


@shared_task
def run_import(batch_id: int) -> None:
    from screening.services.imports import execute_import

    execute_import(batch_id=batch_id)


@shared_task
def run_dedupe(review_id: int) -> None:
    from screening.services.dedupe import dedupe_review

    dedupe_review(review_id=review_id)
