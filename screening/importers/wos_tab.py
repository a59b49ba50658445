"""Web of Science tab-delimited exports: a header row of the plain-text tags (``PT AU … UT``),
one record per row, no quoting, often UTF-16 or UTF-8 with a BOM."""

from __future__ import annotations

from collections.abc import Iterator

from . import aliases
from .lines import iter_lines
from .records import MalformedFile, ParsedRecord, Rejection, build_record


def parse(text: str) -> Iterator[ParsedRecord | Rejection]:
    """Yield one record per row. Multi-valued cells (``AU``, ``DE``…) use ``; `` and are split
    by the common record builder."""
    lines = iter_lines(text)
    header = [cell.strip() for cell in next(lines, "").rstrip("\n").split("\t")]
    if "PT" not in header:
        raise MalformedFile("the header row of this Web of Science table has no PT column", line=1)
    for number, line in enumerate(lines, start=2):
        line = line.rstrip("\n")
        if not line.strip():
            continue
        cells = line.split("\t")
        raw: dict[str, list[str]] = {}
        for index, cell in enumerate(cells):
            tag = header[index] if index < len(header) and header[index] else f"column {index + 1}"
            if cell.strip() or index < len(header):
                raw.setdefault(tag, []).append(cell)
        yield _finish(raw, number)


def _finish(raw: dict[str, list[str]], line: int) -> ParsedRecord | Rejection:
    non_empty = {tag: [v for v in values if v.strip()] for tag, values in raw.items()}
    record = build_record(non_empty, aliases.WOS, line=line)
    if isinstance(record, ParsedRecord):
        record.raw = raw
    return record
