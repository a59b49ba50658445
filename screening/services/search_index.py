"""Writing the records search's full-text documents (PostgreSQL) after an import.

The import does not compute them: that was most of PostgreSQL's work per imported record
(0.34 of 0.49 ms). When deduplication of an import commits, `enqueue_search_index`
queues `index_import` on the low-priority queue: after deduplication, not beside it, since
that is what the team waits for and the two would share the CPU (at 100,000 records the
documents cost PostgreSQL about as much CPU as the whole deduplication). The job writes the
import's documents into `RecordSearch` a chunk at a time, each chunk its own transaction
(`INSERT … SELECT … ON CONFLICT DO NOTHING`, skipping records already written): a worker
killed midway loses one chunk, and running the job again, or twice at once, completes it
without duplicates. Then it marks the import indexed (`ImportBatch.search_indexed_at`).

Until then the search (`screening.selectors.search`) computes the documents of the
import's records itself: it is complete at every moment, only slower for those records,
and the Records page says so (`unindexed_records`). On SQLite there is nothing to write
(its search reads the records' own columns): the job only marks the import.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from screening.models import ImportBatch, ImportStatus, Record, RecordSearch
from screening.selectors.search import document_expression
from screening.services.bulk import analyze, merge_gin_pending

CHUNK = 5000  # records per transaction: about two seconds of PostgreSQL's work
# An import still without its documents this long after it finished has lost its job (a
# worker killed before taking it, a broker emptied): `requeue_lost_jobs` queues it again.
LOST_AFTER = timedelta(minutes=10)


def enqueue_search_index(batch_id: int) -> None:
    """Queue the search documents of an import once the current transaction commits
    (deduplication's, or an empty import's own)."""
    from screening.tasks import index_search

    transaction.on_commit(lambda: index_search.delay(batch_id))


def index_import(*, batch_id: int, chunk: int = CHUNK) -> int:
    """Write the search documents of one finished import's records; returns how many
    were written now (0 when another run had written them). Idempotent."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status != ImportStatus.DONE or batch.search_indexed_at:
        return 0
    written = 0
    if connection.vendor == "postgresql":
        ids = list(
            Record.objects.filter(batch_id=batch_id).order_by("pk").values_list("pk", flat=True)
        )
        try:
            for start in range(0, len(ids), chunk):
                part = ids[start : start + chunk]
                written += _write_documents(batch_id, part[0], part[-1])
        except IntegrityError:
            # The import was deleted meanwhile (its records with it): nothing to index.
            if not ImportBatch.objects.filter(pk=batch_id).exists():
                return written
            raise
        if written:
            merge_gin_pending(RecordSearch)
            analyze(RecordSearch, "record")
    ImportBatch.objects.filter(pk=batch_id, search_indexed_at__isnull=True).update(
        search_indexed_at=timezone.now()
    )
    return written


def _write_documents(batch_id: int, first: int, last: int) -> int:
    table = RecordSearch._meta.db_table
    records = Record._meta.db_table
    sql = (
        f'INSERT INTO "{table}" ("record_id", "document") '  # noqa: S608 - names from models
        f'SELECT "r"."id", {document_expression("r")} FROM "{records}" AS "r" '
        f'WHERE "r"."batch_id" = %s AND "r"."id" BETWEEN %s AND %s '
        f'AND NOT EXISTS (SELECT 1 FROM "{table}" AS "s" WHERE "s"."record_id" = "r"."id") '
        'ON CONFLICT ("record_id") DO NOTHING'
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [batch_id, first, last])
        return cursor.rowcount


def requeue_lost_jobs(review_id: int) -> list[int]:
    """Queue the index job again for the review's imports that finished over
    `LOST_AFTER` ago and are still not indexed (at most once per `LOST_AFTER` each; the
    job is idempotent, so a job that was only slow costs nothing). The Records page calls
    it while it says an index is being built, so no import stays unsearched for good."""
    from screening.tasks import index_search

    lost = ImportBatch.objects.filter(
        review_id=review_id,
        status=ImportStatus.DONE,
        search_indexed_at__isnull=True,
        finished_at__lt=timezone.now() - LOST_AFTER,
    ).values_list("pk", flat=True)
    queued = []
    for batch_id in lost:
        if cache.add(f"search-index-requeued:{batch_id}", 1, LOST_AFTER.total_seconds()):
            index_search.delay(batch_id)
            queued.append(batch_id)
    return queued
