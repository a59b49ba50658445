"""The hot path's statements, prepared once per PostgreSQL connection."""

import re

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from reviewapp import prepared
from reviewapp.prepared import Read
from screening.models import Record
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


def test_the_generic_plan_is_kept_for_prepared_statements():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plan cache")
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_generic_plan"


# --- Read: an ORM read compiled once -------------------------------------------------

_RECORDS_OF_BATCH = Read(
    lambda batch, title: (
        Record.objects.select_related("batch").filter(batch_id=batch, title=title).order_by("pk")
    ),
    batch=int,
    title=str,
)


def test_a_read_gives_what_the_queryset_gives(world, django_assert_num_queries):
    batch, records = _records(world)
    title = records[1].title
    expected = list(Record.objects.filter(batch=batch, title=title).order_by("pk"))
    with django_assert_num_queries(1):
        found = _RECORDS_OF_BATCH.all(batch=batch.pk, title=title)
        assert [r.batch.filename for r in found] == [batch.filename]  # select_related
    assert found == expected
    for field in ("title", "created_at", "raw", "authors", "year", "shuffle_key"):
        assert getattr(found[0], field) == getattr(expected[0], field), field
    # Other values, same statement: nothing of the first call's values is kept.
    assert _RECORDS_OF_BATCH.one(batch=batch.pk, title="no such title") is None
    assert _RECORDS_OF_BATCH.one(batch=batch.pk, title=records[2].title) == records[2]


def test_a_read_runs_prepared_on_postgresql(world):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's prepared statements")
    batch, records = _records(world)
    _RECORDS_OF_BATCH.all(batch=batch.pk, title=records[0].title)
    with CaptureQueriesContext(connection) as queries:
        assert _RECORDS_OF_BATCH.one(batch=batch.pk, title=records[0].title) == records[0]
    assert len(queries) == 1 and queries[0]["sql"].startswith("EXECUTE q_")


def test_a_value_the_orm_transforms_is_refused_when_compiled(world):
    contains = Read(lambda title: Record.objects.filter(title__icontains=title), title=str)
    with pytest.raises(ValueError, match="title"):
        contains.all(title="x")
    with pytest.raises(TypeError):
        Read(lambda when: Record.objects.filter(created_at__gte=when), when=object)


def test_a_locking_read_needs_a_transaction(transactional_db, world):
    batch, records = _records(world)
    lock = Read(lambda pk: Record.objects.select_for_update().filter(pk=pk), pk=int)
    with transaction.atomic():
        assert lock.one(pk=records[0].pk) == records[0]
    if connection.features.has_select_for_update:  # Django's own check, kept
        with pytest.raises(TransactionManagementError):
            lock.one(pk=records[0].pk)


# --- insert / update: a model's INSERT and UPDATE built once -------------------------


def test_insert_saves_what_save_would(world):
    from screening.models import VoteEvent

    batch, records = _records(world, n=1)
    event = VoteEvent(
        review_id=world.review.pk,
        record=records[0],
        record_pk=records[0].pk,
        record_title=records[0].title,
        stage="ta",
        actor=world.reviewer,
        action="vote",
        before=None,
        after={"verdict": "include", "note": "100% sure, 'quoted'"},
    )
    prepared.insert(event)
    assert event.pk is not None and not event._state.adding
    stored = VoteEvent.objects.get(pk=event.pk)
    assert stored.after == event.after and stored.before is None
    assert stored.at == event.at and stored.actor_id == world.reviewer.pk
    again = VoteEvent(
        **{f.attname: getattr(event, f.attname) for f in VoteEvent._meta.concrete_fields}
    )
    again.pk = None
    prepared.insert(again)
    assert again.pk != event.pk and VoteEvent.objects.count() == 2


def test_update_writes_only_the_named_fields(world):
    batch, records = _records(world, n=2)
    record = Record.objects.get(pk=records[0].pk)
    record.title, record.year = "A new title", 1999
    assert prepared.update(record, ("title",)) == 1
    stored = Record.objects.get(pk=record.pk)
    assert stored.title == "A new title" and stored.year == records[0].year
    assert Record.objects.get(pk=records[1].pk).title == records[1].title
    gone = Record(pk=10**12, title="x")
    assert prepared.update(gone, ("title",)) == 0
