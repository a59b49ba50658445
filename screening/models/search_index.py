"""The records search's full-text documents (PostgreSQL), kept beside the records.

One row per record: its document (title, abstract, journal, authors and keywords,
English stemming; `screening.selectors.search.document_expression`) with a GIN index.
An import does not write them: a low-priority job fills them after the import commits
(`screening.services.search_index`), and until an import's records are in here
(`ImportBatch.search_indexed_at` unset) the search computes their documents itself, so
it finds them all the same. Deleting a record deletes its row. On SQLite the table
stays empty: the search there reads the record's own columns.
"""

from __future__ import annotations

from django.db import models


class DocumentField(models.Field):
    """A `tsvector` on PostgreSQL (text elsewhere, never written): only SQL reads and
    writes it, so it needs no conversion to or from Python."""

    description = "A full-text document (PostgreSQL tsvector)"

    def db_type(self, connection) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"


class RecordSearch(models.Model):
    record = models.OneToOneField(
        "screening.Record", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    document = DocumentField()

    def __str__(self) -> str:
        return f"search document of record {self.record_id}"
