"""The records search's full-text documents, written after an import (low priority)."""

from celery import shared_task


@shared_task
def index_search(batch_id: int) -> None:
    from screening.services.search_index import index_import

    index_import(batch_id=batch_id)
