"""HTTP responses for the table exports, shared by the pages and the API.

CSV and RIS stream from the row generators as the client reads them. XLSX cannot be
written as a stream (a ZIP's directory comes last), so openpyxl's write-only workbook
goes to a temporary file first, which is then streamed and deleted.
"""

from __future__ import annotations

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from reviewapp.spreadsheet import csv_chunks, xlsx_file
from screening.exports.tables import TABLES, ExportContext

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ris": "application/x-research-info-systems; charset=utf-8",
}


def export_filename(*, review_id: int, table: str, fmt: str) -> str:
    return f"review-{review_id}-{table}-{timezone.localdate():%Y%m%d}.{fmt}"


def _ris_chunks(table: str, context: ExportContext, *, per_chunk: int = 200):
    entries = []
    for entry in TABLES[table].ris(context):
        entries.append(entry)
        if len(entries) >= per_chunk:
            yield "".join(entries).encode("utf-8")
            entries = []
    if entries:
        yield "".join(entries).encode("utf-8")


def export_response(*, table: str, fmt: str, context: ExportContext):
    """The file of `table` in `fmt` (one of the table's formats) as an attachment."""
    spec = TABLES[table]
    if fmt not in spec.formats:
        raise ValueError(f"{spec.title} exports as {', '.join(spec.formats)}, not {fmt}")
    filename = export_filename(review_id=context.review.pk, table=table, fmt=fmt)
    if fmt == "xlsx":
        return FileResponse(
            xlsx_file(spec.rows(context), title=spec.title),
            as_attachment=True,
            filename=filename,
            content_type=CONTENT_TYPES["xlsx"],
        )
    chunks = _ris_chunks(table, context) if fmt == "ris" else csv_chunks(spec.rows(context))
    response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
