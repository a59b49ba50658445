"""The evidence table as CSV, XLSX and JSON.

Cells a spreadsheet would run as a formula (text starting with =, +, -, @, or a tab or
carriage return: OWASP "CSV injection") get a leading apostrophe in CSV and XLSX, since
record titles and extracted text come from outside the team (reviewapp/spreadsheet.py
decides it for every export). Numbers stay numbers.
"""

from __future__ import annotations

import io
import json
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from extraction.selectors import EvidenceColumn, EvidenceRow, EvidenceTable
from reviewapp.spreadsheet import csv_writer, neutralise, xlsx_text


def _number(table: EvidenceTable, row: EvidenceRow, column: EvidenceColumn) -> float | int | None:
    value = row.cells.get(column.key)
    if (
        column.instrument == "extraction"
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        return value
    return None


def cell(table: EvidenceTable, row: EvidenceRow, column: EvidenceColumn) -> Any:
    """A cell as written to a spreadsheet: a number, or neutralised text."""
    number = _number(table, row, column)
    if number is not None:
        return number
    return neutralise(table.text(row, column))


def to_csv(table: EvidenceTable) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens accents correctly."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow([neutralise(c.label) for c in table.columns])
    for row in table.rows:
        writer.writerow([cell(table, row, c) for c in table.columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: EvidenceTable) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Evidence table"
    sheet.append([xlsx_text(neutralise(c.label)) for c in table.columns])
    for header in sheet[1]:
        header.font = Font(bold=True)
    for row in table.rows:
        sheet.append([xlsx_text(cell(table, row, c)) for c in table.columns])
    # openpyxl reads any text starting with "=" as a formula; neutralised text never
    # does, but make every text cell explicitly a string all the same.
    for line in sheet.iter_rows():
        for item in line:
            if isinstance(item.value, str):
                item.data_type = "s"
    sheet.freeze_panes = "B2"
    for index, column in enumerate(table.columns, start=1):
        width = 14 if column.instrument != "study" else 28
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_data(table: EvidenceTable, *, review) -> dict:
    """JSON-ready: typed values (numbers, lists, booleans) and where each came from."""
    return {
        "review": {"id": review.pk, "title": review.title},
        "columns": [
            {"key": c.key, "label": c.label, "group": c.group, "instrument": c.instrument}
            for c in table.columns
        ],
        "studies": [
            {
                "id": row.study.pk,
                "label": row.study.label,
                "reports": [
                    {
                        "record_id": r.pk,
                        "title": r.title,
                        "authors": r.authors,
                        "year": r.year,
                        "doi": r.doi,
                        "pmid": r.pmid,
                    }
                    for r in row.reports
                ],
                "values": {
                    c.key: row.cells.get(c.key) for c in table.columns if c.instrument != "study"
                },
                "sources": row.sources,
            }
            for row in table.rows
        ],
    }


def to_json(table: EvidenceTable, *, review) -> bytes:
    return json.dumps(to_data(table, review=review), ensure_ascii=False, indent=2).encode("utf-8")
