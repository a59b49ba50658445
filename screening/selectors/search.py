"""The records search on the database: a `screening.search.Plan` as a filter.

PostgreSQL: full-text search (English stemming) over one document per record — title,
abstract, journal, authors and keywords (`document_expression`) — kept in its own table,
`RecordSearch`, with a GIN index, written after each import by a low-priority job
(`screening.services.search_index`), not by the import itself. Until the job has written
an import's documents (`ImportBatch.search_indexed_at` unset), the search computes them
for that import's records only, as it goes: every record is found at every moment, those
of a just-imported file a little slower. All the words, phrases, prefixes and `-not`s
make one tsquery (`a && b && !!c`), so each candidate's stored document is decompressed
once; field prefixes (ti:, ab:, au:, kw:, jo:) narrow by it too, then check their own
column. Phrases need each candidate's positions: PostgreSQL confirms them on the document
(the GIN index has no positions). DOI fragments use `ILIKE` (with a pg_trgm index when
the extension can be created).

SQLite (the embedded default) has no stemming: each word must appear as a whole word
(a prefix for `word*`, the words in order for a phrase), case-insensitively, matched by
a regular expression in Python; authors and keywords are matched in their JSON text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from screening import search
from screening.models import ImportBatch, ImportStatus, Record, RecordSearch

CONFIG = "english"
_TABLE = Record._meta.db_table
_DOCUMENTS = RecordSearch._meta.db_table
DOCUMENT_COLUMNS = ("title", "abstract", "journal", "authors", "keywords")


def _column(name: str, table: str = _TABLE) -> str:
    column = f'"{table}"."{name}"' if table else f'"{name}"'
    return f"COALESCE({column}::text, '')"


def document_expression(table: str = "") -> str:
    """A record's full-text document as SQL, over the columns of `table` (a table name,
    an alias or a trigger's NEW; unqualified when empty). The one definition: the search
    job writes it, the search computes it for records not indexed yet, and migration
    0023's trigger rewrites it when a record's text changes."""
    return (
        f"to_tsvector('{CONFIG}'::regconfig, "
        + " || ' ' || ".join(_column(c, table=table) for c in DOCUMENT_COLUMNS)
        + ")"
    )


DOCUMENT_EXPRESSION = document_expression()


# A search computes the documents of records whose import still waits for its index job
# (about 0.3 ms of PostgreSQL's CPU each) only while they are this few: a second or two.
# Beyond, it searches the stored documents alone until the job has written the rest,
# and says so (`PendingDocuments.skipped`): a search of many seconds would time out.
INLINE_DOCUMENTS_MAX = 5_000


@dataclass(frozen=True)
class PendingDocuments:
    """Imports whose documents the index job has not written yet, for one search."""

    batches: tuple[int, ...] = ()  # their records' documents are computed by the search
    skipped: int = 0  # records of such imports the search leaves out (too many to compute)


def searched_inline(waiting: int) -> bool:
    """Whether a search computes the documents of `waiting` records itself."""
    return waiting <= INLINE_DOCUMENTS_MAX


def pending_documents(review_id: int | None = None) -> PendingDocuments:
    """The finished imports (of one review, or of every review) still without their
    stored documents, and whether a search computes them or leaves them out."""
    if connection.vendor != "postgresql":
        return PendingDocuments()
    waiting = ImportBatch.objects.filter(status=ImportStatus.DONE, search_indexed_at__isnull=True)
    if review_id is not None:
        waiting = waiting.filter(review_id=review_id)
    rows = list(waiting.values_list("pk", "records_imported"))
    records = sum(imported for _, imported in rows)
    if searched_inline(records):
        return PendingDocuments(batches=tuple(pk for pk, _ in rows))
    return PendingDocuments(skipped=records)


def _document_hit(query: str, params: list, pending: PendingDocuments) -> tuple[str, list]:
    """Records whose whole document matches `query` (all of them for a query of stop words
    only): the stored documents (GIN index), and the records of `pending.batches`, imports
    whose job has not written their documents yet, computed here.

    The second part is left out most of the time (the job follows each import within
    seconds or minutes: no import is waiting); while one waits, only its records still
    without a stored document are computed (fewer as the job goes). The subquery is
    fenced (`OFFSET 0`) so that PostgreSQL checks which records wait before it computes a
    document: planned freely, it computed every record's first. The empty-query test
    sits inside each part, where PostgreSQL folds it away, so that the whole stays one
    `IN` it can plan as a join from the few matches to their records."""
    empty = f"numnode({query}) = 0"
    sql = (
        f'"{_TABLE}"."id" IN ('  # noqa: S608 - names from the models, the query from parameters
        f'SELECT "record_id" FROM "{_DOCUMENTS}" WHERE ("document" @@ ({query}) OR {empty})'
    )
    sql_params = [*params, *params]
    if pending.batches:
        columns = ", ".join(f'"waiting"."{c}"' for c in DOCUMENT_COLUMNS)
        sql += (
            f' UNION ALL SELECT "unindexed"."id" FROM (SELECT "waiting"."id", {columns} '  # noqa: S608
            f'FROM "{_TABLE}" AS "waiting" WHERE "waiting"."batch_id" = ANY(%s) '
            f'AND NOT EXISTS (SELECT 1 FROM "{_DOCUMENTS}" AS "written" '
            f'WHERE "written"."record_id" = "waiting"."id") OFFSET 0) AS "unindexed" '
            f"WHERE ({document_expression('unindexed')} @@ ({query}) OR {empty})"
        )
        sql_params += [list(pending.batches), *params, *params]
    return sql + ")", sql_params


def _field_document(column: str) -> str:
    return f"to_tsvector('{CONFIG}'::regconfig, {_column(column)})"


def _tsquery(term: search.Term) -> tuple[str, list]:
    """A tsquery for one term, built by PostgreSQL's own functions from the user's text."""
    if term.prefix:
        # Only \w characters reach here (screening.search), so the lexeme is safe.
        return f"to_tsquery('{CONFIG}'::regconfig, %s)", [f"{term.words[0]}:*"]
    if term.phrase:
        return f"phraseto_tsquery('{CONFIG}'::regconfig, %s)", [term.text]
    return f"plainto_tsquery('{CONFIG}'::regconfig, %s)", [term.text]


WHOLE = None  # `_matches` over the whole document rather than one column's


def _matches(
    document: str | None,
    query: str,
    params: list,
    *,
    negate: bool = False,
    pending: PendingDocuments = PendingDocuments(),
) -> Q:
    if document is WHOLE:
        assert not negate, "a `-word` joins the whole document's query as `!!`"
        sql, sql_params = _document_hit(query, params, pending)
        return Q(RawSQL(f"({sql})", sql_params, output_field=BooleanField()))  # noqa: S611 - fixed SQL
    hit, hit_params = f"{document} @@ ({query})", params
    if negate:  # "-the": a query of stop words only excludes nothing
        return ~Q(RawSQL(f"({hit})", hit_params, output_field=BooleanField()))  # noqa: S611 - fixed SQL, %s
    # An empty query (only stop words: "the") matches everything rather than nothing
    # (PostgreSQL folds `numnode` of a constant query at planning: no cost either way).
    sql = f"({hit} OR numnode({query}) = 0)"
    return Q(RawSQL(sql, [*hit_params, *params], output_field=BooleanField()))  # noqa: S611 - fixed SQL


def _doi_fragment(text: str) -> Q:
    """DOIs containing `text`, case-insensitively: `ILIKE`, which the trigram index serves
    (Django's `icontains` is `UPPER(doi) LIKE UPPER(…)`, which no index serves)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    sql = f'("{_TABLE}"."doi" ILIKE %s)'
    return Q(RawSQL(sql, [f"%{escaped}%"], output_field=BooleanField()))  # noqa: S611 - fixed SQL


def _postgres_q(plan: search.Plan, pending: PendingDocuments) -> Q:
    """One tsquery over the stored document for every word, phrase, prefix and `-not`
    (`a && b && !!c`): each candidate's document is read and decompressed once, not once
    per term. Field prefixes narrow by the document too, then check their own column."""
    combined: list[tuple[str, list]] = []
    checks = Q()
    for term in plan.terms:
        if term.field == "doi" or (term.field == search.ANY and search.is_doi(term.text)):
            hit = _doi_fragment(term.text)
        elif term.field == "pmid":
            hit = Q(pmid=term.text)
        else:
            query, params = _tsquery(term)
            if term.field != search.ANY:
                if term.negate:
                    checks &= _matches(_field_document(term.field), query, params, negate=True)
                    continue
                hit = _matches(_field_document(term.field), query, params)
                combined.append((query, params))  # let the index narrow first
            elif term.negate:
                # "-the": a query of stop words only excludes nothing (`!!` of it is empty).
                combined.append((f"!! ({query})", params))
                continue
            elif search.is_pmid(term.text):
                hit = _matches(WHOLE, query, params, pending=pending) | Q(pmid=term.text)
            else:
                combined.append((query, params))
                continue
        checks &= ~hit if term.negate else hit
    if not combined:
        return checks
    query = " && ".join(f"({sql})" for sql, _ in combined)
    params = [p for _, ps in combined for p in ps]
    return _matches(WHOLE, query, params, pending=pending) & checks


_SQLITE_ANY = ("title", "abstract", "journal", "authors", "keywords", "doi", "pmid")


def _pattern(term: search.Term) -> str:
    words = [re.escape(w) for w in term.words]
    body = r"\W+".join(words)
    end = "" if term.prefix else r"(?!\w)"
    return rf"(?<!\w){body}{end}"


def _sqlite_q(plan: search.Plan) -> Q:
    q = Q()
    for term in plan.terms:
        if term.field == "doi":
            hit = Q(doi__icontains=term.text)
        elif term.field == "pmid":
            hit = Q(pmid=term.text)
        elif term.field == search.ANY and search.is_doi(term.text):
            hit = Q(doi__icontains=term.text)
        elif not term.words:
            continue
        else:
            pattern = _pattern(term)
            columns = _SQLITE_ANY if term.field == search.ANY else (term.field,)
            hit = Q()
            for column in columns:
                hit |= Q(**{f"{column}__iregex": pattern})
        q &= ~hit if term.negate else hit
    return q


def search_q(plan: search.Plan, pending: PendingDocuments | None = None) -> Q:
    """The records matching `plan`, as a filter for Record querysets; `pending` as
    `pending_documents()` says (of every review when not given)."""
    # The years first: PostgreSQL checks conditions of equal cost in the order written,
    # and a year is cheaper to compare than a document to decompress.
    q = Q()
    if plan.year_from is not None:
        q &= Q(year__gte=plan.year_from)
    if plan.year_to is not None:
        q &= Q(year__lte=plan.year_to)
    if connection.vendor != "postgresql":
        return q & _sqlite_q(plan)
    return q & _postgres_q(plan, pending_documents() if pending is None else pending)


def search_records(records: QuerySet, text_or_plan, *, review_id: int | None = None) -> QuerySet:
    """`records` that match the search (of review `review_id`: only its waiting imports are
    looked at; of every review when not given)."""
    plan = search.parse(text_or_plan) if isinstance(text_or_plan, str) else text_or_plan
    if plan.empty:
        return records
    pending = pending_documents(review_id) if connection.vendor == "postgresql" else None
    return records.filter(search_q(plan, pending))
