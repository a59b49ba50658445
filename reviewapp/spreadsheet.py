"""Tables written for spreadsheets: CSV and XLSX cells that never run as formulas.

Record titles, abstracts, notes and extracted text come from outside the team. Text that
starts with =, +, -, @ (or their full-width forms), a tab, a carriage return or a line
feed runs as a formula when the file is opened in Excel, LibreOffice or Google Sheets
(OWASP "CSV injection"), and so does such text behind leading whitespace or control
characters, which spreadsheets skip (and XLSX cannot even store: they are dropped, which
would uncover the "="). Such text gets a leading apostrophe. Numbers and booleans stay
as they are. This is the one place that decides it; every CSV and XLSX export in
reviewapp writes its cells through `cell` (CSV through `csv_writer`, which also quotes
every text cell so a semicolon-separated reading cannot split one off).

In XLSX every text cell is written with the string type (`data_type = "s"`), so even
text that reaches openpyxl unneutralised is never stored as a formula.

`csv_chunks` and `xlsx_file` take rows lazily, so a table of any size streams through
them without being held in memory.
"""

from __future__ import annotations

import csv
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\u2212")
# What a spreadsheet skips (or XLSX drops) before it looks for a formula: whitespace of
# any kind, control and format characters (zero-width, direction marks, the BOM).
_SKIPPED_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def _visible_start(text: str) -> str:
    for index, char in enumerate(text):
        if not (char.isspace() or unicodedata.category(char) in _SKIPPED_CATEGORIES):
            return text[index:]
    return ""


def neutralise(text: str) -> str:
    """Text a spreadsheet will show as text, never evaluate."""
    if text and (text[0] in "\t\r\n" or _visible_start(text).startswith(FORMULA_STARTS)):
        return "'" + text
    return text


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


def csv_writer(output: Any):
    """The csv.writer every CSV export uses: text cells always quoted, numbers bare."""
    return csv.writer(output, quoting=csv.QUOTE_NONNUMERIC)


class _Line:
    """A file-like object for csv.writer that hands back each line instead of storing it."""

    def write(self, text: str) -> str:
        return text


def csv_chunks(rows: Iterable[Sequence[Any]], *, chunk_rows: int = 500) -> Iterator[bytes]:
    """UTF-8 CSV (with a byte-order mark, so Excel reads accents) in chunks of rows."""
    writer = csv_writer(_Line())
    lines = ["\ufeff"]
    for row in rows:
        lines.append(writer.writerow([cell(value) for value in row]))
        if len(lines) >= chunk_rows:
            yield "".join(lines).encode("utf-8")
            lines = []
    if lines:
        yield "".join(lines).encode("utf-8")


def xlsx_cell(sheet: Any, value: Any, *, font: Font | None = None) -> WriteOnlyCell:
    """A write-only cell holding `value` (already through `cell`), text typed as text."""
    item = WriteOnlyCell(sheet, value=xlsx_text(value))
    if isinstance(item.value, str):
        item.data_type = "s"
    if font is not None:
        item.font = font
    return item


def xlsx_file(rows: Iterable[Sequence[Any]], *, title: str) -> IO[bytes]:
    """An XLSX workbook of one sheet (first row bold, frozen) in an anonymous temporary
    file, positioned at its start. openpyxl's write-only mode keeps one row in memory at
    a time; closing the file deletes it."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    font: Font | None = bold
    for row in rows:
        sheet.append([xlsx_cell(sheet, cell(value), font=font) for value in row])
        font = None
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    workbook.save(output)
    output.seek(0)
    return output
