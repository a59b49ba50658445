"""CSV, semicolon-separated and tab-separated tables: Scopus, Lens, OpenAlex, Zotero, Embase,
ASReview's generic columns. The delimiter is read from the header row, columns are matched to
fields through the ``CSV`` alias row, case-insensitively."""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterable, Iterator

from . import aliases
from .lines import first_line, iter_lines
from .records import (
    MalformedFile,
    ParsedRecord,
    Rejection,
    build_record,
    page_range,
    split_list,
)

_DELIMITERS = (",", ";", "\t")
# Columns that alone show a table is bibliographic (generic ones like "id" or "date" do not).
CORE_COLUMNS = frozenset(
    aliases.CSV.title + aliases.CSV.abstract + aliases.CSV.authors + aliases.CSV.doi[:3]
)


def normalise_column(name: str) -> str:
    """``"Abstract "``, ``"publication_year"``, ``"ids.pmid"`` -> ``abstract``,
    ``publication year``, ``ids pmid``: how columns are matched against the alias table."""
    return re.sub(r"[\s_.]+", " ", name.strip().strip("\ufeff")).strip().lower()


def header_delimiter(first_line: str) -> str:
    """The delimiter that splits the header row into the most columns (comma on a tie)."""
    best, best_count = ",", 1
    for delimiter in _DELIMITERS:
        try:
            cells = next(csv.reader([first_line], delimiter=delimiter), [])
        except csv.Error:
            continue
        if len(cells) > best_count:
            best, best_count = delimiter, len(cells)
    return best


def looks_like_table(first_line: str) -> bool:
    """Whether a first line is the header of a bibliographic table."""
    try:
        cells = next(csv.reader([first_line], delimiter=header_delimiter(first_line)), [])
    except csv.Error:
        return False
    return any(normalise_column(cell) in CORE_COLUMNS for cell in cells)


def _split_authors(value: str) -> list[str]:
    # Older Scopus CSV: "Rahmani A.M., Gia T.N., Negash B." (comma after the initials).
    if ";" not in value and "|" not in value and re.search(r"\.,\s", value):
        return [name.strip() for name in re.split(r"(?<=\.),\s+", value) if name.strip()]
    return split_list(value, and_separated=True)


# Embase CSV has no year/volume columns, only "Source": "Endoscopic Ultrasound (2014) 3:3
# (152-160). Date of Publication: 2014".
_EMBASE_SOURCE = re.compile(
    r"^(?P<journal>.+?) \((?P<year>\d{4})\)(?: (?P<volume>[^:\s(]+))?(?::(?P<issue>[^\s(]+))?"
    r"(?: \((?P<pages>[^)]*)\))?"
)


def _fill_from_embase_source(record: ParsedRecord, by_name: dict[str, list[str]]) -> None:
    match = _EMBASE_SOURCE.match((by_name.get("source") or [""])[0])
    if record.year is not None or not match:
        return
    record.journal = match["journal"].strip()
    record.year = int(match["year"])
    record.volume = record.volume or (match["volume"] or "")
    record.issue = record.issue or (match["issue"] or "")
    record.pages = record.pages or page_range(match["pages"] or "")


def _column_names(header: list[str]) -> list[str]:
    """Normalised names; a repeated column keeps its values under the first one's name."""
    return [normalise_column(cell) or f"column {index + 1}" for index, cell in enumerate(header)]


def parse(text: str | Iterable[str]) -> Iterator[ParsedRecord | Rejection]:
    """Yield one record per non-empty row of a delimited table."""
    stream = iter_lines(text)
    reader = csv.reader(stream, delimiter=header_delimiter(first_line(text)))
    # Abstracts can be long; a runaway quote is still caught by the limit below.
    csv.field_size_limit(min(sys.maxsize, 2**27))
    try:
        header = next(reader, [])
        originals = [cell.strip().strip("\ufeff") for cell in header]
        names = _column_names(header)
        while True:
            line = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                return
            if not any(cell.strip() for cell in row):
                continue
            raw: dict[str, list[str]] = {}
            for index, cell in enumerate(row):
                original = originals[index] if index < len(originals) else ""
                raw.setdefault(original or f"column {index + 1}", []).append(cell)
            by_name: dict[str, list[str]] = {}
            for index, cell in enumerate(row):
                name = names[index] if index < len(names) else f"column {index + 1}"
                if cell.strip():
                    by_name.setdefault(name, []).append(cell)
            record = build_record(by_name, aliases.CSV, line=line, split_authors=_split_authors)
            if isinstance(record, ParsedRecord):
                record.raw = raw
                _fill_from_embase_source(record, by_name)
            yield record
    except csv.Error as error:
        raise MalformedFile(f"the table cannot be read ({error})", line=reader.line_num) from None
