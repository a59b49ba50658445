"""The records search's full-text documents, written by a job after the import
(screening.services.search_index): the search finds every record before and after the
job, the job is idempotent and survives a crash midway, the Records page says while it
is pending, and the import itself computes no document. SQLite here; the services run
repeats these on PostgreSQL, where most of them matter (they skip on SQLite)."""

from __future__ import annotations

import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from screening.models import ImportBatch, Record, RecordSearch
from screening.selectors import search as search_selectors
from screening.selectors.search import document_expression, search_records
from screening.services import imports
from screening.services.dedupe import dedupe_review
from screening.services.search_index import index_import
from tests.imports_dedupe.fixtures import RIS_THREE

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the documents are PostgreSQL's"
)


def _uploaded(world, content=RIS_THREE, review=None) -> ImportBatch:
    """An upload whose import has not run yet (its job not queued)."""
    return imports.create_import(
        review=review or world.review,
        upload=SimpleUploadedFile("export.ris", content),
        source_name="Embase",
        uploaded_by=world.lead,
        enqueue=False,
    )


def _imported(
    world, django_capture_on_commit_callbacks, content=RIS_THREE, review=None
) -> ImportBatch:
    """An import run to its commit, deduplicated, with its search job NOT run yet."""
    review = review or world.review
    batch = _uploaded(world, content, review=review)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        imports.execute_import(batch_id=batch.pk)
    assert callbacks, "the import queues its follow-up jobs on commit"
    dedupe_review(review_id=review.pk)
    batch.refresh_from_db()
    assert batch.records_imported == 3 and batch.search_indexed_at is None
    return batch


def _found(world, text: str) -> set[str]:
    records = search_records(
        Record.objects.filter(review=world.review), text, review_id=world.review.pk
    )
    return set(records.values_list("record_key", flat=True))


def _documents(batch) -> list[int]:
    return sorted(
        RecordSearch.objects.filter(record__batch=batch).values_list("record_id", flat=True)
    )


def test_the_search_finds_an_import_before_and_after_its_job(
    world, django_capture_on_commit_callbacks
):
    batch = _imported(world, django_capture_on_commit_callbacks)
    assert _documents(batch) == []
    # Before the job: the search computes the documents of this import's records.
    assert _found(world, "naltrexone") == {"r1", "r2"}
    assert _found(world, '"low dose" fibromyalgia') == {"r1"}
    assert _found(world, "naltrexone -fibromyalgia") == {"r2"}
    index_import(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.search_indexed_at is not None
    if connection.vendor == "postgresql":
        records = sorted(batch.records.values_list("pk", flat=True))
        assert _documents(batch) == records
        # Stemming: only the stored documents can give "fibromyalgia patients" for "patient".
        assert _found(world, "patient") == {"r1"}
    assert _found(world, "naltrexone") == {"r1", "r2"}
    assert _found(world, '"low dose" fibromyalgia') == {"r1"}
    assert _found(world, "naltrexone -fibromyalgia") == {"r2"}


def test_the_import_queues_the_job_and_the_whole_path_leaves_the_import_indexed(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        batch = imports.create_import(
            review=world.review,
            upload=SimpleUploadedFile("export.ris", RIS_THREE),
            source_name="Embase",
            uploaded_by=world.lead,
        )
    batch.refresh_from_db()
    assert batch.deduplicated and batch.search_indexed_at is not None
    if connection.vendor == "postgresql":
        assert len(_documents(batch)) == 3
    assert _found(world, "naltrexone") == {"r1", "r2"}


@postgresql_only
def test_the_job_is_idempotent(world, django_capture_on_commit_callbacks):
    batch = _imported(world, django_capture_on_commit_callbacks)
    assert index_import(batch_id=batch.pk) == 3
    assert index_import(batch_id=batch.pk) == 0  # marked: nothing to do
    # Run again as if the mark were lost (a worker died between the last chunk and it).
    ImportBatch.objects.filter(pk=batch.pk).update(search_indexed_at=None)
    assert index_import(batch_id=batch.pk, chunk=1) == 0
    assert _documents(batch) == sorted(batch.records.values_list("pk", flat=True))
    assert RecordSearch.objects.count() == 3


@postgresql_only
def test_a_job_failing_midway_leaves_a_complete_search_and_a_rerun_finishes(
    world, django_capture_on_commit_callbacks
):
    batch = _imported(world, django_capture_on_commit_callbacks)
    first, second, third = batch.records.order_by("pk").values_list("pk", flat=True)
    # A real failure inside the database on the second chunk (a dying disk, a kill).
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused'; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER test_refuse BEFORE INSERT ON screening_recordsearch FOR EACH ROW "
            f"WHEN (NEW.record_id = {second}) EXECUTE FUNCTION test_refuse()"
        )
    with pytest.raises(DatabaseError, match="refused"):
        index_import(batch_id=batch.pk, chunk=1)
    batch.refresh_from_db()
    assert _documents(batch) == [first] and batch.search_indexed_at is None
    assert _found(world, "naltrexone") == {"r1", "r2"}  # still complete meanwhile
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER test_refuse ON screening_recordsearch")
    assert index_import(batch_id=batch.pk, chunk=1) == 2
    batch.refresh_from_db()
    assert _documents(batch) == [first, second, third] and batch.search_indexed_at
    assert _found(world, "naltrexone") == {"r1", "r2"}


@postgresql_only
def test_the_records_page_says_while_the_index_is_pending(
    world, client_for, django_capture_on_commit_callbacks
):
    batch = _imported(world, django_capture_on_commit_callbacks)
    client = client_for(world.viewer)
    url = reverse("record_list", args=[world.review.pk])
    html = client.get(url, {"q": "naltrexone"}).content.decode()
    assert 'data-testid="search-index-pending"' in html
    assert "Search index being built for 3 records" in html
    assert html.count('data-testid="record"') == 2
    index_import(batch_id=batch.pk)
    html = client.get(url, {"q": "naltrexone"}).content.decode()
    assert 'data-testid="search-index-pending"' not in html
    assert html.count('data-testid="record"') == 2


@postgresql_only
def test_too_many_waiting_records_are_left_out_and_said_so(
    world, client_for, django_capture_on_commit_callbacks, monkeypatch
):
    """Past `INLINE_DOCUMENTS_MAX` waiting records a search would take seconds per request
    (and time out at 100k): it searches the stored documents alone, and the page and the
    API say how many records it did not look at, until the job has written them."""
    monkeypatch.setattr(search_selectors, "INLINE_DOCUMENTS_MAX", 2)
    batch = _imported(world, django_capture_on_commit_callbacks)
    assert _found(world, "naltrexone") == set()  # the 3 waiting records are not searched
    client = client_for(world.viewer)
    html = client.get(reverse("record_list", args=[world.review.pk]), {"q": "naltrexone"})
    html = html.content.decode()
    assert "Search index being built for 3 records just imported" in html
    assert "the search box does not look at those records" in html
    api = f"/api/reviews/{world.review.pk}/records/"
    body = client.get(api, {"q": "naltrexone"}).json()
    assert body["count"] == 0 and body["search_skipped"] == 3
    assert client.get(api).json()["search_skipped"] == 0  # no search, nothing left out
    index_import(batch_id=batch.pk)
    assert _found(world, "naltrexone") == {"r1", "r2"}
    body = client.get(api, {"q": "naltrexone"}).json()
    assert body["count"] == 2 and body["search_skipped"] == 0
    html = client.get(reverse("record_list", args=[world.review.pk]), {"q": "naltrexone"})
    assert b"search-index-pending" not in html.content


@postgresql_only
def test_another_reviews_waiting_import_costs_this_search_nothing(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    """Only the review's own waiting imports are computed or counted: another team's large
    import neither slows this review's search nor makes it leave records out."""
    monkeypatch.setattr(search_selectors, "INLINE_DOCUMENTS_MAX", 3)
    _imported(world, django_capture_on_commit_callbacks)
    other = _imported(world, django_capture_on_commit_callbacks, review=world.other_review)
    mine = search_selectors.pending_documents(world.review.pk)
    assert other.pk not in mine.batches and len(mine.batches) == 1 and mine.skipped == 0
    assert _found(world, "naltrexone") == {"r1", "r2"}
    everyone = search_selectors.pending_documents()
    assert everyone.skipped == 6 and everyone.batches == ()


def test_sqlite_has_nothing_to_build_and_says_nothing(
    world, client_for, django_capture_on_commit_callbacks
):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's search reads the records' own columns")
    _imported(world, django_capture_on_commit_callbacks)
    html = client_for(world.viewer).get(reverse("record_list", args=[world.review.pk])).content
    assert b"search-index-pending" not in html
    assert _found(world, "naltrexone") == {"r1", "r2"}


@postgresql_only
def test_no_statement_of_the_import_or_its_dedupe_computes_a_document(
    world, django_capture_on_commit_callbacks
):
    batch = _uploaded(world)
    with CaptureQueriesContext(connection) as queries:
        with django_capture_on_commit_callbacks(execute=False):
            imports.execute_import(batch_id=batch.pk)
        dedupe_review(review_id=world.review.pk)
    statements = [q["sql"] for q in queries.captured_queries]
    assert any("screening_record" in sql for sql in statements)
    assert not [sql for sql in statements if "to_tsvector" in sql.lower()]
    with CaptureQueriesContext(connection) as job:
        index_import(batch_id=batch.pk)
    assert any("to_tsvector" in q["sql"] for q in job.captured_queries)


@postgresql_only
def test_changed_text_is_searched_as_changed(world, django_capture_on_commit_callbacks):
    batch = _imported(world, django_capture_on_commit_callbacks)
    index_import(batch_id=batch.pk)
    Record.objects.filter(record_key="r2").update(title="Zebrafish husbandry", abstract="")
    assert _found(world, "zebrafish") == {"r2"}
    assert _found(world, "naltrexone") == {"r1"}
    assert RecordSearch.objects.count() == 3


@postgresql_only
def test_deleting_an_import_deletes_its_documents(world, django_capture_on_commit_callbacks):
    batch = _imported(world, django_capture_on_commit_callbacks)
    index_import(batch_id=batch.pk)
    assert RecordSearch.objects.count() == 3
    imports.delete_import(batch=batch, actor=world.lead)
    assert RecordSearch.objects.count() == 0


def test_the_migration_writes_the_document_the_search_computes():
    migration = importlib.import_module("screening.migrations.0023_record_search_table")
    assert migration.document("r") == document_expression("r")


@postgresql_only
def test_the_records_page_queues_a_lost_job_again(
    world, client_for, django_capture_on_commit_callbacks
):
    """An import whose job was lost (a worker killed before taking it) does not stay
    unsearched: past `LOST_AFTER`, the Records page queues the job again, once."""
    from datetime import timedelta

    from django.core.cache import cache
    from django.utils import timezone

    from screening.services.search_index import LOST_AFTER, requeue_lost_jobs

    cache.clear()
    batch = _imported(world, django_capture_on_commit_callbacks)
    url = reverse("record_list", args=[world.review.pk])
    client = client_for(world.viewer)
    client.get(url)  # just finished: its job may still be on its way
    batch.refresh_from_db()
    assert batch.search_indexed_at is None
    ImportBatch.objects.filter(pk=batch.pk).update(
        finished_at=timezone.now() - LOST_AFTER - timedelta(seconds=1)
    )
    html = client.get(url).content  # queues it again (the tests' tasks run at once)
    assert b"search-index-pending" in html  # the page was drawn before the job ran
    batch.refresh_from_db()
    assert batch.search_indexed_at is not None
    assert _documents(batch) == sorted(batch.records.values_list("pk", flat=True))
    ImportBatch.objects.filter(pk=batch.pk).update(search_indexed_at=None)
    assert requeue_lost_jobs(world.review.pk) == []  # once per LOST_AFTER


def test_deduplication_queues_the_job_when_it_commits_and_an_empty_import_its_own(
    world, django_capture_on_commit_callbacks
):
    batch = _uploaded(world)
    with django_capture_on_commit_callbacks(execute=False):
        imports.execute_import(batch_id=batch.pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dedupe_review(review_id=world.review.pk)
    assert callbacks, "deduplication queues the import's search documents on commit"
    batch.refresh_from_db()
    assert batch.deduplicated and batch.search_indexed_at is not None
    if connection.vendor == "postgresql":
        assert len(_documents(batch)) == 3

    empty = _uploaded(world, b"TY  - JOUR\nER  - \n")
    with django_capture_on_commit_callbacks(execute=True):
        imports.execute_import(batch_id=empty.pk)
    empty.refresh_from_db()
    assert (empty.status, empty.records_imported) == ("done", 0), empty.error
    assert empty.search_indexed_at is not None
