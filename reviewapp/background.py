"""Embedded mode (no broker): long tasks run in a thread after the response.

With no CELERY_BROKER_URL, Celery tasks run eagerly, inside whatever called them. An
import of tens of thousands of records then held the upload's request for a minute and
more. `run_in_thread` starts the task in a daemon thread instead, once the request's
transaction has committed; the page polls its progress exactly as it does when a worker
runs it. If the process stops mid-way, the import's transaction dies with it and Retry
imports it again (see screening.services.imports).
"""

from __future__ import annotations

import logging
import threading

from django.db import connections

log = logging.getLogger(__name__)


def run_in_thread(task, *args) -> threading.Thread:
    thread = threading.Thread(
        target=_run, args=(task, args), daemon=True, name=f"{task.name}{args}"
    )
    thread.start()
    return thread


def _run(task, args) -> None:
    try:
        task.run(*args)
    except Exception:
        log.exception("background task %s%s failed", task.name, args)
    finally:
        connections.close_all()
