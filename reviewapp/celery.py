"""The Celery app. Tasks are thin: they take ids and call services (see */tasks.py)."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")

app = Celery("reviewapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _close_old_connections(sender=None, **kwargs) -> None:
    """Between tasks, what Django does between requests: close a database connection
    older than CONN_MAX_AGE or broken, keep the others (settings.CELERY_DB_REUSE_MAX
    stops Celery closing every one). Never for a task run eagerly inside a request."""
    if sender is None or getattr(sender.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
