"""The queue's planner statistics follow the screening (queue.refresh_statistics), by
autovacuum's own rule, whether or not autovacuum runs: the retrain job re-analyses the
tables screening rewrites once enough of their rows changed. PostgreSQL only."""

import pytest
from django.db import connection

from screening.models import Record
from screening.services import queue
from screening.services.ranking import request_retrain
from tests.factories import make_batch, make_record

pytestmark = pytest.mark.django_db(transaction=True)

RECORDS = Record._meta.db_table


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")


def flushed() -> None:
    """This connection's pending row counts reach the shared statistics (as another
    process would see them), as they do when a backend goes idle."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")


def planner_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        return max(cursor.fetchone()[0], 0)  # -1: never analysed


def changed_since_analyze(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_get_mod_since_analyze(%s::regclass)", [table])
        return cursor.fetchone()[0]


def records(world, n: int) -> list[Record]:
    batch = make_batch(world.review)
    made = [make_record(batch) for _ in range(n)]
    flushed()
    return made


def test_tables_changed_past_the_threshold_are_analysed_and_no_others(world):
    queue.refresh_statistics()  # whatever earlier tests left
    before = planner_rows(RECORDS)
    records(world, 80)  # over 50 + 10 % of what the planner knew
    assert changed_since_analyze(RECORDS) >= 80

    assert RECORDS in queue.refresh_statistics()
    assert planner_rows(RECORDS) == before + 80
    assert queue.refresh_statistics() == []  # nothing changed since

    made = records(world, 5)  # under the threshold: left to a later run
    Record.objects.filter(pk__in=[r.pk for r in made]).update(title="Changed")
    flushed()
    assert RECORDS not in queue.refresh_statistics()
    assert planner_rows(RECORDS) == before + 80


def test_the_retrain_job_refreshes_them_after_its_run(world):
    queue.refresh_statistics()
    before = planner_rows(RECORDS)
    records(world, 80)

    assert request_retrain(world.review.pk)  # the job runs in-process here

    assert planner_rows(RECORDS) == before + 80
