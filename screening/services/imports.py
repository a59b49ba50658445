"""Importing an export file: store it, parse it in a worker, insert all or nothing.

create_import() runs in the request: it checks the upload, remembers its SHA-256 and
queues run_import. execute_import() runs in a worker (or in-process when there is no
broker): it parses the stored file as a stream and inserts records in batches inside
ONE transaction, so a failure or a dead worker leaves no records behind, and a retry
imports each record exactly once. Deduplication is queued when the import commits.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from reviewapp.models import Review
from screening.importers import (
    CONTAINER_FORMATS,
    FORMATS,
    LINE_FORMATS,
    Budget,
    FileLines,
    ImportFileError,
    ParsedRecord,
    Rejection,
    count_records,
    detect_format,
    head_text,
    iter_text_records,
    not_a_container,
    open_container,
    sniff_encoding,
)
from screening.models import (
    ImportBatch,
    ImportStatus,
    KeepDecisions,
    Record,
    RecordState,
    SourceKind,
    StageOutcome,
)
from screening.services import heartbeat
from screening.services.bulk import analyze, insert_records
from screening.services.imported_decisions import apply_imported_decisions
from screening.services.journey import flow_changed
from screening.services.search_index import enqueue_search_index

log = logging.getLogger(__name__)

PROGRESS_EVERY = 500
REJECTIONS_LISTED = 1000  # the first ones, with their lines; the rest are counted
UNEXPECTED = "An unexpected error stopped this import; nothing was imported. Retry it, or report the problem."

# Database column sizes; the full value always stays in Record.raw.
_LIMITS = {
    "record_key": 255,
    "journal": 500,
    "volume": 64,
    "issue": 64,
    "pages": 64,
    "doi": 255,
    "pmid": 32,
    "issn": 64,
    "language": 64,
    "publication_type": 255,
}


class SameFileError(ValidationError):
    """The same file (by SHA-256) was already imported into this review."""

    def __init__(self, previous: ImportBatch):
        self.previous = previous
        super().__init__(
            f"This file was already imported on {previous.created_at:%Y-%m-%d} as “{previous.filename}” "
            f"({previous.source_name}, {previous.records_imported} records). Importing it again would add "
            "every record twice; tick “import anyway” if you really mean to."
        )


def sha256_of(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def create_import(
    *,
    review: Review,
    upload: UploadedFile,
    source_name: str,
    uploaded_by,
    source_kind: str = SourceKind.DATABASE,
    search_date: date | None = None,
    search_query: str = "",
    fmt: str = "",
    allow_same_file: bool = False,
    search_round=None,
    log_entry=None,
    keep_decisions: str = "",
    enqueue: bool = True,
) -> ImportBatch:
    """Store an uploaded export and queue its import. Raises ValidationError on bad input.

    A caller that runs the import itself at once (`execute_import`: the demo, the
    `importrecords` command) passes `enqueue=False`: queued as well, the embedded mode's
    thread would write the same SQLite file at the same moment.

    The import joins `log_entry` (its PRISMA-S search log entry) and that entry's round;
    without one, the entry of `search_round` (default: the latest) for the same source."""
    if log_entry is not None:
        if log_entry.review_id != review.pk:
            raise ValidationError("That search log entry belongs to another review.")
        source_name = source_name or log_entry.source_name
        source_kind = log_entry.source_kind
        search_date = search_date or log_entry.searched_on
        search_query = search_query or log_entry.search_string
    if search_round is not None and search_round.review_id != review.pk:
        raise ValidationError("That search round belongs to another review.")
    if log_entry is not None and search_round is not None and log_entry.round_id != search_round.pk:
        raise ValidationError("That search log entry belongs to another round.")
    if not source_name.strip():
        raise ValidationError("Say which database or register this file came from.")
    if source_kind not in SourceKind.values:
        raise ValidationError(f"Unknown source kind {source_kind!r}.")
    if keep_decisions not in KeepDecisions.values:
        raise ValidationError(f"Unknown choice for decisions: {keep_decisions!r}.")
    if fmt and fmt not in FORMATS:
        raise ValidationError(
            f"Unknown format {fmt!r}; leave it empty to recognise the file from its content."
        )
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            f"“{upload.name}” is {upload.size / 1e6:.1f} MB; the limit is {settings.UPLOAD_MAX_BYTES / 1e6:.0f} MB."
        )
    if upload.size == 0:
        raise ValidationError(f"“{upload.name}” is empty.")
    digest = sha256_of(upload)
    previous = ImportBatch.objects.filter(
        review=review, sha256=digest, status=ImportStatus.DONE
    ).first()
    if previous and not allow_same_file:
        raise SameFileError(previous)
    batch = ImportBatch(
        review=review,
        source_name=source_name.strip()[:120],
        source_kind=source_kind,
        search_date=search_date,
        search_query=search_query,
        filename=upload.name[-255:],
        size=upload.size,
        sha256=digest,
        requested_format=fmt,
        uploaded_by=uploaded_by,
        keep_decisions=keep_decisions,
    )
    from screening.services.search_log import entry_for_import

    batch.log_entry = log_entry or entry_for_import(
        review=review,
        round_=search_round,
        source_name=batch.source_name,
        source_kind=source_kind,
        search_date=search_date,
        search_query=search_query,
    )
    batch.search_round_id = batch.log_entry.round_id
    batch.file.save(upload.name, upload, save=False)
    batch.save()
    if enqueue:
        enqueue_import(batch)
    return batch


def enqueue_import(batch: ImportBatch) -> None:
    """Queue the import once the upload commits: for a worker, or (embedded mode,
    IMPORT_IN_THREAD) for a thread of this process, so the request returns at once."""
    from screening.tasks import run_import

    if settings.IMPORT_IN_THREAD:
        from reviewapp.background import run_in_thread

        transaction.on_commit(lambda: run_in_thread(run_import, batch.pk))
    else:
        transaction.on_commit(lambda: run_import.delay(batch.pk))


def retry_import(*, batch: ImportBatch) -> ImportBatch:
    """Queue a failed (or stalled) import again. Nothing of the earlier attempt is left
    in the database, so the retry starts from a clean slate."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update(skip_locked=True).filter(pk=batch.pk).first()
        if locked is None:
            raise ValidationError("This import is running right now.")
        if locked.status == ImportStatus.DONE:
            raise ValidationError("This import has finished; there is nothing to retry.")
        locked.status = ImportStatus.QUEUED
        locked.error = ""
        locked.save(update_fields=["status", "error"])
        enqueue_import(locked)
    return locked


def progress_key(batch_id: int) -> str:
    return f"import-progress:{batch_id}"


def heartbeat_key(batch_id: int) -> str:
    return f"import-heartbeat:{batch_id}"


def import_progress(batch: ImportBatch) -> dict:
    """Records read and imported so far, as the worker last reported them, and whether
    the import is `stalled`: running, but its worker stopped beating (it died)."""
    if batch.is_finished:
        return {"read": batch.records_read, "imported": batch.records_imported, "stalled": False}
    progress = cache.get(progress_key(batch.pk)) or {"read": 0, "imported": 0}
    return {**progress, "stalled": is_stalled(batch)}


def is_stalled(batch: ImportBatch) -> bool:
    """A running import whose worker has not beaten for heartbeat.STALLED_AFTER seconds."""
    if batch.status != ImportStatus.RUNNING or batch.started_at is None:
        return False
    since = (timezone.now() - batch.started_at).total_seconds()
    return since > heartbeat.STALLED_AFTER and not heartbeat.alive(heartbeat_key(batch.pk))


def _shuffle_key(sha256: str, position: int) -> int:
    # Stable across retries of the same file, spread evenly: the queue's "random" order.
    return (
        int.from_bytes(
            hashlib.blake2b(f"{sha256}:{position}".encode(), digest_size=4).digest(), "big"
        )
        >> 1
    )


def _record_from(parsed: ParsedRecord, *, batch: ImportBatch, position: int) -> Record:
    fields = {name: (getattr(parsed, name) or "")[:limit] for name, limit in _LIMITS.items()}
    year = parsed.year if parsed.year and 1000 <= parsed.year <= 2200 else None
    return Record(
        review_id=batch.review_id,
        batch=batch,
        position=position,
        line=parsed.line,
        title=parsed.title,
        abstract=parsed.abstract,
        authors=parsed.authors,
        year=year,
        keywords=parsed.keywords,
        urls=parsed.urls,
        raw=parsed.raw,
        shuffle_key=_shuffle_key(batch.sha256, position),
        state=_initial_state(batch),
        **fields,
    )


def _initial_state(batch: ImportBatch) -> str:
    # PRISMA 2020's "other methods" arm (websites, organisations, citation searching) has
    # no title/abstract screening: its reports go straight to retrieval.
    return (
        RecordState.FT_RETRIEVAL
        if SourceKind(batch.source_kind).is_other_method
        else RecordState.TA
    )


@dataclass
class _Counts:
    read: int = 0
    imported: int = 0


def execute_import(*, batch_id: int) -> ImportBatch | None:
    """Parse and insert one import, all or nothing. Safe to call twice or concurrently."""
    claimable = ImportBatch.objects.filter(pk=batch_id).exclude(status=ImportStatus.DONE)
    if connection.vendor == "sqlite":
        # SQLite has no row locks to make a second caller skip a running import (the
        # embedded thread and `importrecords` may both try): only one may take it.
        claimable = claimable.exclude(status=ImportStatus.RUNNING)
    started = claimable.update(
        status=ImportStatus.RUNNING,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
        error="",
    )
    if not started:
        return ImportBatch.objects.filter(pk=batch_id).first()
    with heartbeat.beating(heartbeat_key(batch_id)):
        return _run_claimed_import(batch_id)


def _run_claimed_import(batch_id: int) -> ImportBatch | None:
    try:
        staged = _staged(batch_id)
        with transaction.atomic():
            # The row lock makes a second worker (a redelivered task) skip this import
            # while the first one is still at it; if the first died, its lock died too.
            batch = (
                ImportBatch.objects.select_for_update(skip_locked=True).filter(pk=batch_id).first()
            )
            if batch is None or batch.status == ImportStatus.DONE:
                return batch
            counts, rejected, fmt = _insert_records(batch, staged)
            batch.status = ImportStatus.DONE
            batch.detected_format = fmt
            batch.records_read = counts.read
            batch.records_imported = counts.imported
            batch.rejected = rejected
            batch.finished_at = timezone.now()
            batch.save()
            # Moving in from another tool: its title/abstract decisions, kept.
            kept = apply_imported_decisions(batch=batch)
            if kept:
                ImportBatch.objects.filter(pk=batch.pk).update(decisions_kept=kept)
            from screening.tasks import run_dedupe

            flow_changed(batch.review_id)
            transaction.on_commit(_analyze_after_import)
            transaction.on_commit(lambda: run_dedupe.delay(batch.review_id))
            # Its search documents once deduplication has committed (dedupe.py queues
            # them): the team waits for deduplication, not for the index, and on two cores
            # the two jobs would share the CPU. Until then the search computes the documents
            # of this import's records. An import of no records has nothing to wait for.
            if not counts.imported:
                enqueue_search_index(batch.pk)
    except ImportFileError as exc:
        _fail(batch_id, str(exc))
    except SoftTimeLimitExceeded:  # the worker's clock (see screening.tasks.run_import)
        _fail(batch_id, str(ImportTooLong()))
    except RecursionError:
        _fail(batch_id, "The file is nested too deeply to read; nothing was imported.")
    except Exception:
        log.exception("import %s failed", batch_id)
        _fail(batch_id, UNEXPECTED)
        raise
    finally:
        cache.delete(progress_key(batch_id))
    return ImportBatch.objects.get(pk=batch_id)


# What the queue, the records list and deduplication filter, join and sort on.
PLANNER_COLUMNS = (
    "review", "batch", "state", "shuffle_key", "duplicate_group", "year", "doi", "pmid",
)  # fmt: skip


def _analyze_after_import() -> None:
    analyze(Record, *PLANNER_COLUMNS)
    analyze(StageOutcome)


def _fail(batch_id: int, message: str) -> None:
    ImportBatch.objects.filter(pk=batch_id).update(
        status=ImportStatus.FAILED, error=message, finished_at=timezone.now(), records_imported=0
    )


def import_budget() -> Budget:
    """The caps of one import, from the settings (see `screening.importers.budget`)."""
    return Budget(
        max_field_chars=settings.IMPORT_MAX_FIELD_CHARS,
        max_record_chars=settings.IMPORT_MAX_RECORD_CHARS,
        max_columns=settings.IMPORT_MAX_COLUMNS,
        max_records=settings.IMPORT_MAX_RECORDS,
    )


class ImportTooLong(ImportFileError):
    def __init__(self) -> None:
        super().__init__(
            f"This import took longer than {settings.IMPORT_TIME_LIMIT} seconds, the limit for "
            "one file, and was stopped; nothing was imported. Split the export into smaller "
            "files (or ask the administrator to raise IMPORT_TIME_LIMIT)."
        )


class TooManyRecords(ImportFileError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"This file holds more than {limit:,} records, the limit for one import; nothing "
            "was imported. Split the export into smaller files (or ask the administrator to "
            "raise IMPORT_MAX_RECORDS)."
        )


def open_export(batch: ImportBatch, budget: Budget) -> tuple[str, FileLines | object]:
    """The stored file's format (from its first 64 KB: nothing else is decoded to decide)
    and its lines, decoded as they are read."""
    storage, name = batch.file.storage, batch.file.name
    with storage.open(name, "rb") as handle:
        if handle.read(4) == b"PK\x03\x04":  # an .xlsx workbook or a ZIP of exports
            return open_container(
                lambda: storage.open(name, "rb"), max_line=budget.max_field_chars + 1000
            )
        encoding = sniff_encoding(handle)  # one pass in 1 MB chunks, nothing kept
        fmt = batch.requested_format or detect_format(head_text(handle, encoding))
    if fmt in CONTAINER_FORMATS:
        raise not_a_container(fmt)
    # Line formats get each line cut past the field cap (room left for a tag, so a cut
    # value is still over the cap and its record rejected); a CSV line or a BibTeX line
    # may hold a whole record (cutting it would unbalance its quotes or braces; a longer
    # one is over the record cap anyway); XML is read in chunks, not lines.
    if fmt in ("csv", "bibtex"):
        max_line = budget.max_record_chars + 1000
    elif fmt in LINE_FORMATS:
        max_line = budget.max_field_chars + 1000
    else:
        max_line = sys.maxsize - 1
    return fmt, FileLines(lambda: storage.open(name, "rb"), encoding, max_line=max_line)


def _items(batch: ImportBatch) -> tuple[str, Iterator[ParsedRecord | Rejection]]:
    """The file's format and its records and rejections, read lazily within the budget:
    a file over the record cap is refused before anything is parsed, and reading stops
    with `ImportTooLong` at the time limit."""
    deadline = time.monotonic() + settings.IMPORT_TIME_LIMIT
    budget = import_budget()
    fmt, lines = open_export(batch, budget)
    source = lines  # every format is read as a stream, never decoded whole
    if count_records(source, fmt=fmt, limit=budget.max_records) > budget.max_records:
        raise TooManyRecords(budget.max_records)

    def read() -> Iterator[ParsedRecord | Rejection]:
        for number, item in enumerate(iter_text_records(source, fmt=fmt, budget=budget), 1):
            if number > budget.max_records:
                raise TooManyRecords(budget.max_records)
            if number % 256 == 0 and time.monotonic() > deadline:
                raise ImportTooLong()
            yield item
        if time.monotonic() > deadline:
            raise ImportTooLong()

    return fmt, read()


def _staged(batch_id: int) -> tuple[str, Iterator[ParsedRecord | Rejection]] | None:
    """On SQLite (the embedded default) the file is parsed before the import's
    transaction opens: SQLite has one writer at a time, and reviewers' votes must not
    wait while a large file is parsed. The write that follows is one short burst.

    The parsed records wait in a temporary file, not in memory, so a file at the upload
    limit costs what one record costs (the spool is this process's own, read back once)."""
    if connection.vendor != "sqlite":
        return None
    batch = ImportBatch.objects.get(pk=batch_id)
    fmt, items = _items(batch)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _unspooled
    read, chunk = 0, []
    try:
        for item in items:
            chunk.append(item)
            read += 1
            if read % PROGRESS_EVERY == 0:  # a list at a time: a third faster than one by one
                pickle.dump(chunk, spool, protocol=pickle.HIGHEST_PROTOCOL)
                chunk = []
                cache.set(progress_key(batch_id), {"read": read, "imported": 0}, 3600)
        pickle.dump(chunk, spool, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return fmt, _unspooled(spool)


def _unspooled(spool) -> Iterator[ParsedRecord | Rejection]:
    with spool:
        while True:
            try:
                yield from pickle.load(spool)  # noqa: S301 - our own spool, written just above
            except EOFError:
                return


def _insert_records(
    batch: ImportBatch, staged: tuple[str, Iterator] | None = None
) -> tuple[_Counts, list[dict], str]:
    """Read the file's records and write them as they come: one streamed COPY on
    PostgreSQL (parsing overlaps the server's writing), batches elsewhere."""
    fmt, items = staged if staged is not None else _items(batch)
    counts = _Counts()
    rejected: list[dict] = []

    def records() -> Iterator[Record]:
        for item in items:
            counts.read += 1
            if isinstance(item, Rejection):
                if len(rejected) < REJECTIONS_LISTED:
                    rejected.append({"line": item.line, "reason": item.reason})
            else:
                counts.imported += 1
                yield _record_from(item, batch=batch, position=counts.read)
            if counts.read % PROGRESS_EVERY == 0:
                cache.set(
                    progress_key(batch.pk),
                    {"read": counts.read, "imported": counts.imported},
                    3600,
                )

    insert_records(records())
    unlisted = counts.read - counts.imported - len(rejected)
    if unlisted > 0:
        rejected.append({"line": 0, "reason": f"and {unlisted:,} more records rejected"})
    return counts, rejected, fmt


class ImportHasVotes(ValidationError):
    pass


def records_with_votes(batch: ImportBatch) -> int:
    try:
        from screening.models import Vote
    except ImportError:  # screening votes not installed yet
        return 0
    return Vote.objects.filter(record__batch=batch).values("record").distinct().count()


@transaction.atomic
def delete_import(*, batch: ImportBatch, actor, confirmed: bool = False) -> int:
    """Delete an import and its records. Once any record has a vote, the caller must
    confirm; the votes' history survives (it does not depend on the record rows)."""
    voted = records_with_votes(batch)
    if voted and not confirmed:
        raise ImportHasVotes(
            f"{voted} records of this import already have votes. Deleting removes them from "
            "screening (their votes stay in the history). Confirm to delete."
        )
    from screening.services.dedupe import release_records

    record_ids = list(batch.records.values_list("pk", flat=True))
    release_records(
        review=batch.review,
        record_ids=record_ids,
        actor=actor,
        reason=f"import “{batch.filename}” deleted",
    )
    count = len(record_ids)
    batch.records.all().delete()
    batch.file.delete(save=False)
    batch.delete()
    flow_changed(batch.review_id)
    return count
