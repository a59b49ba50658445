"""CSV, semicolon-separated and tab-separated tables: Scopus, Lens, OpenAlex, Zotero, Embase,
ASReview's generic columns. The delimiter is read from the header row, columns are matched to
fields through the ``CSV`` alias row, case-insensitively."""

from __future__ import annotations

import csv
import dataclasses
import re
from collections.abc import Iterable, Iterator

from . import aliases
from .budget import DEFAULT, NOT_KEPT, Budget
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


def _mapped_names() -> frozenset[str]:
    """Every column name the alias table reads (plus Embase's "source")."""
    names = {"source"}
    for item in dataclasses.fields(aliases.CSV):
        value = getattr(aliases.CSV, item.name)
        if isinstance(value, tuple):
            names.update(value)
    return frozenset(names)


def parse(
    text: str | Iterable[str], *, budget: Budget = DEFAULT
) -> Iterator[ParsedRecord | Rejection]:
    """Yield one record per non-empty row of a delimited table.

    A table of thousands of columns costs no more than the budget: each row reads the
    first `budget.max_columns` columns (kept in `raw`, with the count of the others)
    and the columns the alias table maps, and skips the rest."""
    stream = iter_lines(text)
    reader = csv.reader(stream, delimiter=header_delimiter(first_line(text)))
    # A cell over the field cap rejects its row (the budget's check); one over the record
    # cap is a quote never closed, or no table at all: the file fails, with the line.
    csv.field_size_limit(budget.max_record_chars + 1)
    try:
        header = next(reader, [])
        originals = [cell.strip().strip("\ufeff") for cell in header]
        names = _column_names(header)
        mapped = _mapped_names()
        read = sorted(
            set(range(min(len(header), budget.max_columns)))
            | {index for index, name in enumerate(names) if name in mapped}
        )
        while True:
            line = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                return
            if not any(cell.strip() for cell in row):
                continue
            width = len(row)
            indexes = read if width <= len(header) else [*read, *range(len(header), width)]
            raw: dict[str, list[str]] = {}
            by_name: dict[str, list[str]] = {}
            for index in indexes:
                if index >= width:
                    break
                cell = row[index]
                original = originals[index] if index < len(originals) else ""
                raw.setdefault(original or f"column {index + 1}", []).append(cell)
                name = names[index] if index < len(names) else f"column {index + 1}"
                if cell.strip():
                    by_name.setdefault(name, []).append(cell)
            if len(indexes) < width:
                raw[NOT_KEPT] = [str(width - len(indexes))]
            record = build_record(by_name, aliases.CSV, line=line, split_authors=_split_authors)
            if isinstance(record, ParsedRecord):
                record.raw = raw
                _fill_from_embase_source(record, by_name)
            yield record
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise MalformedFile(
                f"a cell is longer than {budget.max_record_chars:,} characters, more than a "
                "whole record may hold (perhaps a quote that is never closed)",
                line=reader.line_num,
            ) from None
        raise MalformedFile(f"the table cannot be read ({error})", line=reader.line_num) from None
