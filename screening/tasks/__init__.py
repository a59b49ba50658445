"""Celery tasks of the screening app: thin, keyed by ids, idempotent; each calls a service.

One module per job kind; this package makes them visible to Celery's autodiscovery.
"""

from screening.tasks.imports import run_dedupe, run_import

__all__ = ["run_dedupe", "run_import"]
