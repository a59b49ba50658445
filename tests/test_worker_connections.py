"""reviewapp/celery.py: a worker keeps its PostgreSQL connection from one task to the next."""

import pytest
from django.db import connection

from reviewapp import services
from reviewapp.models import Invitation, Role
from reviewapp.tasks import send_invitation_email
from tests.services_fixtures import WORKER_DB_NAME, wait_for


def _worker_backends() -> set[tuple[int, object]]:
    """The worker's PostgreSQL backends now: (pid, when each started)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, backend_start FROM pg_stat_activity WHERE application_name = %s",
            [WORKER_DB_NAME],
        )
        return set(cursor.fetchall())


@pytest.mark.services
def test_the_worker_reuses_its_database_connection_between_tasks(worker, django_user_model):
    owner = django_user_model.objects.create_user(username="owner", password="x")
    review = services.create_review(owner=owner, title="Worker connections")
    seen = []
    for n in range(4):
        invitation = Invitation.objects.create(
            review=review, email=f"guest{n}@uni.edu", role=Role.REVIEWER, invited_by=owner
        )
        send_invitation_email.delay(invitation.pk)
        wait_for(
            lambda pk=invitation.pk: Invitation.objects.get(pk=pk).sent_at,
            what="the worker's task done",
        )
        seen.append(_worker_backends())
    # Closed after each task, the connection would be gone here (or a new one each time).
    assert all(seen), seen
    assert len(set().union(*seen[1:])) == 1, seen
