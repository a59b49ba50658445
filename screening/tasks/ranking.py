"""Relevance ranking jobs."""

from celery import shared_task


@shared_task
def retrain_ranking(review_id: int) -> None:
    """Retrain a review's per-reviewer models (debounced by RankingSchedule), then
    refresh the queue's planner statistics if screening has changed its tables enough
    (runs whenever votes arrive, so the statistics never lag a screening session)."""
    from screening.services.queue import refresh_statistics
    from screening.services.ranking import run_scheduled_retrain

    if run_scheduled_retrain(review_id):
        refresh_statistics()


@shared_task
def wake_retrain(review_id: int) -> None:
    """Ask for a run once a model skipped as not yet due has become due."""
    from screening.services.ranking import request_retrain

    request_retrain(review_id)
