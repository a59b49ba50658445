"""Tables written for spreadsheets: CSV and XLSX cells that never run as formulas.

Record titles, abstracts, notes and extracted text come from outside the team. Text that
starts with =, +, -, @, a tab or a carriage return runs as a formula when the file is
opened in Excel, LibreOffice or Google Sheets (OWASP "CSV injection"), so such text gets
a leading apostrophe. Numbers and booleans stay as they are. This is the one place that
decides it; every CSV and XLSX export in reviewapp writes its cells through `cell`.

`csv_chunks` and `xlsx_file` take rows lazily, so a table of any size streams through
them without being held in memory.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text a spreadsheet will show as text, never evaluate."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell(value: Any) -> Any:
    """A value as written to a CSV or XLSX cell: numbers stay numbers, dates become ISO
    text (XLSX has no time zones), None an empty cell, anything else neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


def xlsx_text(value: Any) -> Any:
    """Drop the control characters that the XLSX format cannot store."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


class _Line:
    """A file-like object for csv.writer that hands back each line instead of storing it."""

    def write(self, text: str) -> str:
        return text


def csv_chunks(rows: Iterable[Sequence[Any]], *, chunk_rows: int = 500) -> Iterator[bytes]:
    """UTF-8 CSV (with a byte-order mark, so Excel reads accents) in chunks of rows."""
    writer = csv.writer(_Line())
    lines = ["\ufeff"]
    for row in rows:
        lines.append(writer.writerow([cell(value) for value in row]))
        if len(lines) >= chunk_rows:
            yield "".join(lines).encode("utf-8")
            lines = []
    if lines:
        yield "".join(lines).encode("utf-8")


def xlsx_file(rows: Iterable[Sequence[Any]], *, title: str) -> IO[bytes]:
    """An XLSX workbook of one sheet (first row bold, frozen) in an anonymous temporary
    file, positioned at its start. openpyxl's write-only mode keeps one row in memory at
    a time; closing the file deletes it."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = True
    for row in rows:
        values = [xlsx_text(cell(value)) for value in row]
        if header:
            cells = []
            for value in values:
                item = WriteOnlyCell(sheet, value=value)
                item.font = bold
                cells.append(item)
            sheet.append(cells)
            header = False
        else:
            sheet.append(values)
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    workbook.save(output)
    output.seek(0)
    return output
