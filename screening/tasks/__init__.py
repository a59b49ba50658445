"""Celery tasks of the screening app: thin, keyed by ids, idempotent; each calls a service.

One module per job kind; this package makes them visible to Celery's autodiscovery.
"""

from screening.tasks.imports import run_dedupe, run_import
from screening.tasks.ranking import retrain_ranking
from screening.tasks.search import index_search

__all__ = ["index_search", "retrain_ranking", "run_dedupe", "run_import"]
