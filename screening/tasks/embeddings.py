"""Sentence-embedding jobs for the ranking's semantic block."""

from celery import shared_task


@shared_task
def embed_records(review_id: int) -> None:
    """Embed the review's records that have no vector yet, then ask for a retrain."""
    from screening.services.embeddings import embedding_job

    embedding_job(review_id)
