"""The hot path's statements, prepared once per PostgreSQL connection."""

import re

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from screening.services import prepared
from tests.factories import make_batch, make_record

pytestmark = pytest.mark.django_db

STATEMENT = "SELECT r.id, r.title FROM screening_record r WHERE r.batch_id = %s AND r.id >= %s ORDER BY r.id"


def _plain(params):
    with connection.cursor() as cursor:
        cursor.execute(STATEMENT, params)
        return cursor.fetchall()


def _records(world, n=3):
    batch = make_batch(world.review)
    records = [make_record(batch, title=f"Title {i} with 100% of % signs") for i in range(n)]
    return batch, records


def test_the_rows_are_the_plain_statements_on_every_database(world):
    batch, records = _records(world)
    params = [batch.pk, records[1].pk]
    assert prepared.fetchall(STATEMENT, params) == _plain(params)
    assert prepared.fetchall(STATEMENT, params) == _plain(params)  # again, prepared
    assert [row[0] for row in prepared.fetchall(STATEMENT, params)] == [r.pk for r in records[1:]]


def test_postgresql_prepares_once_per_connection_in_the_same_round_trip(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs the statement as it is")
    batch, records = _records(world)
    statement = STATEMENT + " -- once"
    with CaptureQueriesContext(connection) as first:
        rows = prepared.fetchall(statement, [batch.pk, 0])
    with CaptureQueriesContext(connection) as second:
        again = prepared.fetchall(statement, [batch.pk, 0])
    assert rows == again == _plain([batch.pk, 0])
    assert len(first) == 1 and first[0]["sql"].startswith("PREPARE q_")
    assert "$1" in first[0]["sql"] and "\n; EXECUTE q_" in first[0]["sql"]
    assert len(second) == 1 and second[0]["sql"].startswith("EXECUTE q_")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%-- once%"]
        )
        assert cursor.fetchone()[0] == 1


def test_a_rolled_back_transaction_keeps_the_statement_prepared(world):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's prepared statements")
    batch, records = _records(world)
    statement = STATEMENT + " -- rolled back"
    with pytest.raises(DatabaseError), transaction.atomic():
        prepared.fetchall(statement, [batch.pk, 0])
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")
    with CaptureQueriesContext(connection) as after:
        assert prepared.fetchall(statement, [batch.pk, 0]) == _plain([batch.pk, 0])
    assert after[0]["sql"].startswith("EXECUTE q_")


def test_the_oldest_statements_are_let_go_past_the_limit(world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's prepared statements")
    monkeypatch.setattr(prepared, "MAX_PER_CONNECTION", 2)
    batch, records = _records(world)
    statements = [STATEMENT + f" -- kept {i}" for i in range(3)]
    for statement in statements:
        assert prepared.fetchall(statement, [batch.pk, 0]) == _plain([batch.pk, 0])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", ["%-- kept%"]
        )
        held = sorted(re.search(r"kept \d", row[0]).group() for row in cursor.fetchall())
    assert held == ["kept 1", "kept 2"]
    # The first one again: prepared anew, same rows.
    assert prepared.fetchall(statements[0], [batch.pk, 0]) == _plain([batch.pk, 0])


def test_a_new_connection_prepares_again(world, settings):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's prepared statements")
    batch, records = _records(world)
    statement = STATEMENT + " -- reconnect"
    assert prepared.fetchall(statement, [batch.pk, 0]) == _plain([batch.pk, 0])
    # What Django does after CONN_MAX_AGE or an error: another server connection, which
    # has none of the old one's statements (simulated on the same one).
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    connection._prepared_for = None
    with CaptureQueriesContext(connection) as queries:
        assert prepared.fetchall(statement, [batch.pk, 0]) == _plain([batch.pk, 0])
    assert queries[0]["sql"].startswith("PREPARE q_")


def test_turned_off_the_statement_runs_as_it_is(world, settings):
    settings.DATABASE_PREPARED = False
    batch, records = _records(world)
    with CaptureQueriesContext(connection) as queries:
        assert prepared.fetchall(STATEMENT, [batch.pk, 0]) == _plain([batch.pk, 0])
    assert queries[0]["sql"].startswith("SELECT r.id, r.title")
