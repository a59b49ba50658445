"""Importing through the services: stored, parsed, all or nothing, idempotent, deduplicated."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from screening.models import CandidatePair, ImportBatch, ImportStatus, Record, RecordState
from screening.services import dedupe as dedupe_service
from screening.services import imports as services
from tests.imports_dedupe.fixtures import BROKEN_RIS, MEDLINE_DUPLICATE, RIS_THREE


def _upload(world, content, name="export.ris", **kwargs):
    return services.create_import(
        review=world.review,
        upload=SimpleUploadedFile(name, content),
        source_name=kwargs.pop("source", "Embase"),
        uploaded_by=world.lead,
        **kwargs,
    )


def test_it_imports_a_file_and_keeps_every_tag(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = _upload(world, RIS_THREE, search_query='"low-dose naltrexone" AND pain')
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE and batch.detected_format == "ris"
    assert (batch.records_read, batch.records_imported, batch.rejected) == (3, 3, [])
    record = Record.objects.get(record_key="r1")
    assert record.title == "Low-dose naltrexone for fibromyalgia: a pilot trial"
    assert record.authors == ["Younger, Jarred", "Mackey, Sean"]
    assert (record.year, record.volume, record.issue, record.pages) == (2009, "10", "4", "663-672")
    assert record.doi == "10.1111/j.1526-4637.2009.00613.x"
    assert record.raw["JO"] == ["Pain Medicine"] and record.state == RecordState.TA
    assert batch.sha256 and batch.file.read() == RIS_THREE


def test_it_refuses_a_malformed_file_whole(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = _upload(world, BROKEN_RIS)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert "ER" in batch.error
    assert not Record.objects.exists()


def test_it_refuses_a_file_it_does_not_read(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = _upload(world, b"%PDF-1.7\n binary", name="paper.pdf")
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED and "PDF" in batch.error
    assert not Record.objects.exists()


def test_it_flags_the_same_file_twice(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(world, RIS_THREE)
    with pytest.raises(services.SameFileError, match="already imported"):
        _upload(world, RIS_THREE, name="again.ris")
    assert ImportBatch.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        _upload(world, RIS_THREE, name="again.ris", allow_same_file=True)
    assert Record.objects.count() == 6


def test_it_refuses_files_over_the_size_limit(world, settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="the limit is"):
        _upload(world, RIS_THREE)
    assert not ImportBatch.objects.exists()


def test_running_the_import_twice_never_imports_twice(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = _upload(world, RIS_THREE)
    services.execute_import(batch_id=batch.pk)
    assert Record.objects.count() == 3
    batch.refresh_from_db()
    assert batch.attempts == 1


def test_a_failed_import_can_be_retried(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = _upload(world, RIS_THREE)
    # Simulate a worker that died: the transaction rolled back, the status stayed "running".
    Record.objects.all().delete()
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING)
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_import(batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE and Record.objects.count() == 3


def test_it_deduplicates_across_imports(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(world, RIS_THREE, source="Embase")
    with django_capture_on_commit_callbacks(execute=True):
        pubmed = _upload(world, MEDLINE_DUPLICATE, name="pubmed.nbib", source="PubMed")
    pubmed.refresh_from_db()
    assert pubmed.records_imported == 2 and pubmed.duplicates_found == 1
    kept, removed = Record.objects.filter(doi="10.1111/j.1526-4637.2009.00613.x").order_by("-state")
    assert {kept.state, removed.state} == {RecordState.TA, RecordState.DUPLICATE}
    assert kept.duplicate_group == removed.duplicate_group and kept.duplicate_group.primary == kept
    assert (
        kept.abstract
    )  # the primary is the richer record (both have abstracts, PubMed's has PMID)
    pair = CandidatePair.objects.get()
    assert pair.automatic and "DOI" in " ".join(pair.reasons)


def test_deleting_an_import_removes_its_records_and_undoes_merges(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        embase = _upload(world, RIS_THREE, source="Embase")
    with django_capture_on_commit_callbacks(execute=True):
        pubmed = _upload(world, MEDLINE_DUPLICATE, name="pubmed.nbib", source="PubMed")
    services.delete_import(batch=pubmed, actor=world.lead)
    assert not ImportBatch.objects.filter(pk=pubmed.pk).exists()
    assert Record.objects.count() == 3
    assert set(Record.objects.values_list("state", flat=True)) == {RecordState.TA}
    assert not Record.objects.filter(duplicate_group__isnull=False).exists()
    assert Record.objects.filter(batch=embase).count() == 3


def test_a_bulk_import_refreshes_the_planners_statistics(world, django_capture_on_commit_callbacks):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("ANALYZE is for PostgreSQL's planner")

    def estimated_rows() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'screening_record'")
            return cursor.fetchone()[0]

    with django_capture_on_commit_callbacks(execute=True):
        _upload(world, RIS_THREE)

    # Before autovacuum notices (it waits for 50 rows + 10 %), the planner knows the rows.
    assert estimated_rows() == Record.objects.count() == 3


def test_a_running_import_is_stalled_once_its_heartbeat_stops(world):
    from datetime import timedelta

    from django.core.cache import cache
    from django.utils import timezone

    from screening.services import heartbeat

    batch = _upload(world, RIS_THREE)
    started = timezone.now() - timedelta(seconds=heartbeat.STALLED_AFTER + 1)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING, started_at=started)
    batch.refresh_from_db()
    with heartbeat.beating(services.heartbeat_key(batch.pk)):
        assert services.import_progress(batch)["stalled"] is False  # the worker beats
    assert cache.get(services.heartbeat_key(batch.pk)) is None
    assert services.import_progress(batch)["stalled"] is True  # it stopped: tell the lead
    ImportBatch.objects.filter(pk=batch.pk).update(started_at=timezone.now())
    batch.refresh_from_db()
    assert services.import_progress(batch)["stalled"] is False  # just started: not yet


def test_a_caller_that_runs_the_import_itself_queues_nothing(
    world, settings, django_capture_on_commit_callbacks
):
    # The demo and `importrecords` run each import at once: queued as well, the embedded
    # mode's thread would write the same SQLite file at the same moment ("database is
    # locked" in `make run`'s demo).
    settings.IMPORT_IN_THREAD = True
    with django_capture_on_commit_callbacks() as queued:
        batch = services.create_import(
            review=world.review,
            upload=SimpleUploadedFile("a.ris", RIS_THREE),
            source_name="PubMed",
            uploaded_by=world.lead,
            enqueue=False,
        )
    assert queued == [] and batch.status == ImportStatus.QUEUED
    services.execute_import(batch_id=batch.pk)
    assert Record.objects.filter(batch=batch).count() == 3
    with django_capture_on_commit_callbacks() as queued:
        _upload(world, MEDLINE_DUPLICATE)
    assert len(queued) == 1  # the pages' uploads are still queued


def test_deduplication_marks_the_import_and_rewrites_only_the_merged_records(
    world, django_capture_on_commit_callbacks
):
    from django.db import connection

    with django_capture_on_commit_callbacks(execute=True):
        embase = _upload(world, RIS_THREE, source="Embase")
    embase.refresh_from_db()
    assert embase.deduplicated and not Record.objects.awaiting_dedupe().exists()

    def row_versions() -> dict[int, str]:
        # PostgreSQL's xmin: the transaction that wrote each row's current version.
        if connection.vendor != "postgresql":
            return {}
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, xmin::text FROM screening_record")
            return dict(cursor.fetchall())

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pubmed = _upload(world, MEDLINE_DUPLICATE, name="pubmed.nbib", source="PubMed")
    for callback in callbacks:  # the import, which commits its records...
        callback()
    imported = row_versions()
    assert set(Record.objects.awaiting_dedupe().values_list("batch", flat=True)) == {pubmed.pk}
    summary = dedupe_service.dedupe_review(review_id=world.review.pk)  # ...then compared
    assert (summary.compared, summary.removed) == (Record.objects.filter(batch=pubmed).count(), 1)
    pubmed.refresh_from_db()
    assert pubmed.deduplicated and pubmed.duplicates_found == 1
    assert not Record.objects.awaiting_dedupe().exists()
    rewritten = {pk for pk, version in row_versions().items() if imported[pk] != version}
    # Only the merged pair's rows changed (state and group); no record is rewritten to
    # say it was compared (that is its import's flag).
    assert rewritten <= set(
        Record.objects.filter(duplicate_group__isnull=False).values_list("pk", flat=True)
    )
    assert dedupe_service.dedupe_review(review_id=world.review.pk).compared == 0


def test_merges_leave_the_full_text_indexes_whole_once_committed(
    world, django_capture_on_commit_callbacks
):
    # A merge rewrites its records' index entries; the GIN ones are only listed during the
    # dedupe transaction (screening/services/bulk.py) and merged into the indexes after it.
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("GIN pending lists are PostgreSQL's")

    def setting() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW gin_pending_list_limit")
            return cursor.fetchone()[0]

    def pages_left_pending() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
                "WHERE i.indrelid = 'screening_record'::regclass AND a.amname = 'gin'"
            )
            return sum(pages for (pages,) in cursor.fetchall())

    usual = setting()
    with django_capture_on_commit_callbacks(execute=True):
        _upload(world, RIS_THREE, source="Embase")
    with django_capture_on_commit_callbacks(execute=True):
        _upload(world, MEDLINE_DUPLICATE, name="pubmed.nbib", source="PubMed")
    assert Record.objects.filter(state=RecordState.DUPLICATE).count() == 1
    assert pages_left_pending() == 0 and setting() == usual
    merged = Record.objects.get(state=RecordState.DUPLICATE)
    word = merged.title.split()[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM screening_recordsearch "
            "WHERE document @@ plainto_tsquery('english', %s) AND record_id = %s",
            [word, merged.pk],
        )
        assert cursor.fetchone()[0] == 1
