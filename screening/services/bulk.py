"""Fast bulk writes for imports and deduplication, the same on SQLite and PostgreSQL.

On PostgreSQL, records go in with COPY (several times faster than INSERT for 100,000
rows) and row updates with one UPDATE … FROM (VALUES …) per thousand rows; elsewhere
(SQLite) one prepared INSERT run with executemany. Both run inside the caller's
transaction, so all-or-nothing holds.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.core.cache import cache
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from screening.models import Record

logger = logging.getLogger(__name__)

NULL = r"\N"


def _converter(field: models.Field):
    """How one field's Python value becomes COPY text, decided once per field."""
    if isinstance(field, models.JSONField):
        return lambda value: json.dumps(value, cls=field.encoder, ensure_ascii=False)
    if isinstance(field, models.BooleanField):
        return lambda value: "t" if value else "f"
    if isinstance(field, models.DateTimeField):
        return lambda value: value.isoformat()
    return lambda value: value


def insert_rows(
    model: type[models.Model], objects: Iterable[models.Model], *, batch: int = 2000
) -> int:
    """Insert new model objects (their ids are not read back); returns how many.

    `objects` may be a generator: it is consumed as the rows are written, never held
    whole. On PostgreSQL it feeds ONE streamed COPY, so the objects are made (an import
    parses its file) while the server writes the earlier rows and their indexes, on
    another core; elsewhere one prepared INSERT (`_insert_many`), `batch` objects at a
    time."""
    if connection.vendor != "postgresql":
        count = 0
        iterator = iter(objects)
        while chunk := list(itertools.islice(iterator, batch)):
            _insert_many(model, chunk)
            count += len(chunk)
        return count
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    plan = [
        (
            f.attname,
            _converter(f),
            getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False),
        )
        for f in fields
    ]
    now = timezone.now()

    def rows() -> Iterator[list]:
        for obj in objects:
            row = []
            for attname, convert, auto_now in plan:
                value = now if auto_now else getattr(obj, attname)
                row.append(NULL if value is None else convert(value))
            yield row

    stream = _CopyStream(rows())
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        try:
            cursor.copy_expert(
                f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '{NULL}')",
                stream,
                COPY_CHUNK,  # `size`, passed by position (Django's debug cursor's signature)
            )
        except Exception:
            # psycopg2 reports an error raised while reading as its own ("error in
            # .read() call"): the caller gets the original (a file error, a time limit).
            if stream.error is not None:
                raise stream.error from None
            raise
    return stream.rows_written


COPY_CHUNK = 1 << 16  # characters of CSV handed to the connection at a time


class _CopyStream:
    """A file for COPY … FROM STDIN whose `read` turns the next rows into CSV."""

    def __init__(self, rows: Iterator[list]):
        self.rows = rows
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\n")
        self.rows_written = 0
        self.error: BaseException | None = None

    def read(self, size: int = -1) -> str:
        buffer = self.buffer
        buffer.seek(0)
        buffer.truncate()
        try:
            for row in self.rows:
                self.writer.writerow(row)
                self.rows_written += 1
                if buffer.tell() >= size > 0:
                    break
        except BaseException as exc:
            self.error = exc
            raise
        return buffer.getvalue()


def _insert_many(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """One prepared INSERT run for every row (executemany): SQLite steps it in C, where
    bulk_create compiles a statement per 37 rows (its parameter limit) and prepares each
    value through the field in Python, ~4x slower for records. Values are prepared as
    bulk_create prepares them; only plain text and integer columns skip the field."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    plan = []
    for f in fields:
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            stamp = f.get_db_prep_save(now, connection)
            plan.append((None, lambda value, stamp=stamp: stamp))
        elif isinstance(f, _PLAIN_FIELDS):
            plan.append((f.attname, None))
        else:
            plan.append((f.attname, lambda value, f=f: f.get_db_prep_save(value, connection)))
    rows = [
        [
            convert(getattr(obj, attname) if attname else None)
            if convert
            else getattr(obj, attname)
            for attname, convert in plan
        ]
        for obj in objects
    ]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        # Table and column names come from the model, values are parameters.
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608


# Columns whose Python value is what the database stores (no field conversion needed).
_PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.ForeignKey)


def insert_records(records: Iterable[Record]) -> int:
    """Insert new Records (the import's hot path)."""
    return insert_rows(Record, records)


def update_rows(
    model: type[models.Model], rows: Sequence[tuple], columns: Sequence[str], batch: int = 1000
) -> None:
    """Set `columns` on many rows at once: rows are (pk, value, value, …) tuples.

    One UPDATE … FROM (VALUES …) per batch, which both PostgreSQL and SQLite (3.33+) run;
    Django's bulk_update builds a CASE per row and column and is far slower. Rows are
    written in primary-key order: neighbouring rows share table and index pages.
    """
    if not rows:
        return
    rows = sorted(rows, key=lambda row: row[0])
    table = connection.ops.quote_name(model._meta.db_table)
    fields = [model._meta.get_field(name) for name in columns]
    casts = ["bigint"] + [_sql_type(f) for f in fields]
    # VALUES columns are called column1, column2, … by both PostgreSQL and SQLite.
    assignments = ", ".join(
        f"{connection.ops.quote_name(f.column)} = v.column{i + 2}" for i, f in enumerate(fields)
    )
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        first = "(" + ", ".join(f"CAST(%s AS {cast})" for cast in casts) + ")"
        rest = ", ".join(["(" + ", ".join(["%s"] * len(casts)) + ")"] * (len(chunk) - 1))
        values = first + (", " + rest if rest else "")
        # Table and column names come from the model, values are parameters.
        pk = connection.ops.quote_name(model._meta.pk.column)
        sql = f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS v WHERE {table}.{pk} = v.column1"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for row in chunk for value in row])


def _sql_type(field: models.Field) -> str:
    if isinstance(field, models.ForeignKey | models.BigIntegerField | models.IntegerField):
        return "bigint"
    if isinstance(field, models.BooleanField):
        return "boolean"
    return "text" if connection.vendor == "postgresql" else "TEXT"


def insert_select(model: type[models.Model], queryset: models.QuerySet, columns: dict) -> int:
    """`INSERT INTO model (columns) SELECT … FROM queryset`: one statement, no row through
    Python (bulk tagging 10,000 records and their history). `columns` maps each field name
    of `model` to an expression of `queryset` (annotate constants with `Value`). Rows that
    break a unique constraint are skipped (`ON CONFLICT DO NOTHING`, PostgreSQL and
    SQLite alike); returns how many went in."""
    names = list(columns)
    query = queryset.annotate(**{f"_ins_{n}": e for n, e in columns.items()}).values_list(
        *(f"_ins_{n}" for n in names)
    )
    select, params = query.query.sql_with_params()
    targets = ", ".join(connection.ops.quote_name(model._meta.get_field(n).column) for n in names)
    table = connection.ops.quote_name(model._meta.db_table)
    # SQLite needs a WHERE before ON CONFLICT to parse the SELECT's end unambiguously.
    # Names are quoted by the backend and the SELECT is the ORM's, values are parameters.
    sql = (
        f"INSERT INTO {table} ({targets}) SELECT * FROM ({select}) AS rows "  # noqa: S608
        "WHERE true ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def analyze(model: type[models.Model], *columns: str) -> None:
    """Refresh PostgreSQL's statistics of a table after a bulk write: of `columns` (field
    names) only, when given; of every column and expression index otherwise.

    Until autovacuum gets round to it, the planner believes a table that just grew by
    100,000 rows is still small, and the queue's index lookups turn into scans (a 50-record
    check took 50 ms instead of 1 ms, one `next` 1.8 s of SQL). The row count and the
    columns the queries filter and join on are what it needs at once; the statistics of
    the long text (the abstract, the full-text document, the raw tags) cost most of a full
    ANALYZE (seconds at 100,000 records) and can wait for autovacuum's. Other databases:
    nothing.
    """
    if connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table} ({names})" if columns else f"ANALYZE {table}")


# autovacuum's own rule, with its defaults: a table is analysed once the rows changed
# since its last ANALYZE pass 50 + 10 % of the rows it had then.
ANALYZE_THRESHOLD = 50
ANALYZE_SCALE_FACTOR = 0.1


def analyze_changed(*targets: tuple[type[models.Model], tuple[str, ...]]) -> list[str]:
    """ANALYZE each target (a model and the field names whose statistics matter, or ()
    for all) whose rows changed past autovacuum's threshold since its last ANALYZE.
    Returns the tables analysed. Other databases: nothing.

    The queue plans its statements from these statistics, and screening rewrites the
    tables they are about (votes, outcomes, leases, record states) all day. PostgreSQL's
    autovacuum refreshes them by this same rule, but it can be off or far behind (it is
    off on the machines we measure on): with statistics from before screening began, the
    queue's "waiting for another vote" lookup was planned as a nested scan and took
    237 ms instead of 0.4 ms for a reviewer far ahead of their partner. The retrain job
    calls this after each run, so the statistics follow the screening whatever
    autovacuum does; the check is one catalogue read.

    An ANALYZE of some columns leaves PostgreSQL's count of changed rows as it was, so
    the count at such an ANALYZE is kept (in the cache) and only rows changed since
    count; a lost cache costs one ANALYZE too many.
    """
    if connection.vendor != "postgresql":
        return []
    tables = {model._meta.db_table: (model, columns) for model, columns in targets}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, pg_stat_get_mod_since_analyze(c.oid), GREATEST(c.reltuples, 0)
            FROM pg_class c WHERE c.oid = ANY(%s::regclass[])
            """,
            [list(tables)],
        )
        rows = cursor.fetchall()
    analysed = []
    for name, changed, rows_then in rows:
        key = f"analyzed-at-changes:{connection.settings_dict['NAME']}:{name}"
        counted = cache.get(key, 0)
        if changed < counted:  # a full ANALYZE (autovacuum's) has reset the count
            counted = 0
        if changed - counted <= ANALYZE_THRESHOLD + ANALYZE_SCALE_FACTOR * rows_then:
            continue
        model, columns = tables[name]
        analyze(model, *columns)
        cache.set(key, changed if columns else 0, timeout=None)
        analysed.append(name)
    return analysed


# Enough for the GIN entries of every row a bulk update rewrites (about 5 kB a record).
DEFERRED_PENDING_LIST = "2GB"


@contextmanager
def gin_upkeep_deferred(model: type[models.Model]):
    """Rewrite many rows of `model` without merging its GIN indexes row by row.

    An UPDATE that changes an indexed column (a merge sets `state` and `duplicate_group`)
    writes a new version of the row into every index, the full-text and trigram GIN
    indexes included (about three quarters of the cost). GIN takes such entries into a
    pending list and merges that list into the index whenever it passes
    `gin_pending_list_limit` (4 MB): an update round's 30,000 merged records paid for
    some forty merges inside the dedupe transaction. Inside this block the limit is
    raised, so the entries only go on the list; once the transaction has committed the
    list is merged in one pass (`gin_clean_pending_list`, concurrent with reads and
    writes, a search meanwhile reads the list as well as the index: results are the
    same). A rollback leaves nothing to merge. Elsewhere (SQLite) a no-op."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('gin_pending_list_limit'), "
            "set_config('gin_pending_list_limit', %s, true)",
            [DEFERRED_PENDING_LIST],
        )
        ((previous, _),) = cursor.fetchall()
        yield
        # Back to the usual limit for the rest of the transaction.
        cursor.execute("SELECT set_config('gin_pending_list_limit', %s, true)", [previous])
    transaction.on_commit(lambda: merge_gin_pending(model))


def merge_gin_pending(model: type[models.Model]) -> None:
    """Merge the pending lists of `model`'s GIN indexes into the indexes (PostgreSQL).
    Housekeeping after a commit: should it fail, autovacuum merges them later."""
    try:
        _merge_gin_pending(model)
    except DatabaseError:
        logger.warning("GIN pending lists of %s left to autovacuum", model._meta.db_table)


def _merge_gin_pending(model: type[models.Model]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
            "WHERE i.indrelid = %s::regclass AND a.amname = 'gin'",
            [model._meta.db_table],
        )
