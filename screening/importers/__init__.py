"""Import parsers: bibliographic exports (RIS, MEDLINE, PubMed XML, Web of Science, BibTeX,
EndNote, CSV) to one common record shape. Pure Python; no Django, no database.

    for item in iter_records(uploaded_bytes):
        if isinstance(item, Rejection): ...   # a part of the file that is not a usable record
        else: ...                             # a ParsedRecord

File-level problems raise ``ImportFileError`` (``UnsupportedFile`` or ``MalformedFile``) before
or during iteration; the caller imports a file all-or-nothing.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator

from . import (
    bibtex,
    delimited,
    endnote_tagged,
    endnote_xml,
    medline,
    pubmed_xml,
    ris,
    wos,
    wos_tab,
)
from .budget import DEFAULT as DEFAULT_BUDGET
from .budget import Budget
from .decoding import FileLines, decode, head_text, sniff_encoding
from .detect import detect_format
from .lines import first_line, iter_lines
from .records import (
    ImportFileError,
    MalformedFile,
    ParsedRecord,
    Rejection,
    UnsupportedFile,
)

__all__ = [
    "FORMATS",
    "LINE_FORMATS",
    "Budget",
    "count_records",
    "FileLines",
    "head_text",
    "sniff_encoding",
    "ImportFileError",
    "MalformedFile",
    "ParsedRecord",
    "Rejection",
    "UnsupportedFile",
    "decode",
    "detect_format",
    "iter_records",
    "iter_text_records",
]

FORMATS: dict[str, str] = {
    "ris": "RIS",
    "medline": "PubMed MEDLINE (.nbib)",
    "pubmed-xml": "PubMed XML",
    "wos": "Web of Science plain text",
    "wos-tab": "Web of Science tab-delimited",
    "bibtex": "BibTeX",
    "endnote-xml": "EndNote XML",
    "endnote-tagged": "EndNote tagged (.enw)",
    "csv": "CSV / TSV table",
}

_PARSERS: dict[str, Callable[[str], Iterator[ParsedRecord | Rejection]]] = {
    "ris": ris.parse,
    "medline": medline.parse,
    "pubmed-xml": pubmed_xml.parse,
    "wos": wos.parse,
    "wos-tab": wos_tab.parse,
    "bibtex": bibtex.parse,
    "endnote-xml": endnote_xml.parse,
    "endnote-tagged": endnote_tagged.parse,
    "csv": delimited.parse,
}


# Formats read line by line from the file (never the whole text in memory); the others
# (XML, BibTeX) need the text at once.
LINE_FORMATS = frozenset({"ris", "medline", "wos", "wos-tab", "endnote-tagged", "csv"})
_TAKE_BUDGET = frozenset({"bibtex", "csv"})


def iter_records(data: bytes, *, fmt: str | None = None) -> Iterator[ParsedRecord | Rejection]:
    """Decode an uploaded export, recognise its format (unless ``fmt`` names it) and yield its
    records and rejections lazily, in file order.

    Raises ``UnsupportedFile`` for files reviewapp does not read and ``MalformedFile`` for
    broken ones, including a file in which no record at all was found.
    """
    text = decode(data)
    return iter_text_records(text, fmt=fmt or detect_format(text))


def iter_text_records(
    text: str | FileLines, *, fmt: str, budget: Budget = DEFAULT_BUDGET
) -> Iterator[ParsedRecord | Rejection]:
    """Like ``iter_records`` for text already decoded (or a file's lines, for the
    `LINE_FORMATS`), in a format already known. Every record is held to `budget`."""
    if fmt not in _PARSERS:
        raise ValueError(f"unknown import format {fmt!r}; expected one of {sorted(FORMATS)}")
    if isinstance(text, FileLines) and fmt not in LINE_FORMATS:
        text = text.read()
    parser = _PARSERS[fmt]
    found = False
    for item in parser(text, budget=budget) if fmt in _TAKE_BUDGET else parser(text):
        found = True
        yield budget.check(item) if isinstance(item, ParsedRecord) else item
    if not found:
        raise MalformedFile(f"No records were found in this {FORMATS[fmt]} file.")


# How each format's records start, for `count_records` (a cheap pass that never builds
# a record). CSV rows are counted with the csv module (quoted cells may span lines).
_RECORD_STARTS: dict[str, re.Pattern] = {
    "ris": re.compile(r"TY[ \t]{1,4}-"),
    "medline": re.compile(r"PMID- ?\d"),
    "wos": re.compile(r"PT "),
    "endnote-tagged": re.compile(r"%0 "),
    "wos-tab": re.compile(r"."),
}
_TEXT_STARTS: dict[str, re.Pattern] = {
    "bibtex": re.compile(r"^[ \t]*@", re.MULTILINE),
    "pubmed-xml": re.compile(r"<Pubmed(?:Book)?Article[\s>]"),
    "endnote-xml": re.compile(r"<record[\s>]"),
}


def count_records(text: str | FileLines, *, fmt: str, limit: int) -> int:
    """About how many records the file holds (at least as many as it has), counting no
    further than `limit + 1`: lets an import refuse a file over the record cap before it
    parses or inserts anything."""
    count = 0
    if fmt == "csv":
        lines = iter_lines(text)
        next(lines, None)  # the header
        rows = csv.reader(lines, delimiter=delimited.header_delimiter(first_line(text)))
        try:
            for row in rows:
                count += any(cell.strip() for cell in row)
                if count > limit:
                    break
        except csv.Error:
            pass  # the parser says what is wrong, with the line
        return count
    if fmt in _TEXT_STARTS:
        whole = text if isinstance(text, str) else text.read()
        for _ in _TEXT_STARTS[fmt].finditer(whole):
            count += 1
            if count > limit:
                break
        return count
    start = _RECORD_STARTS[fmt].match
    for line in iter_lines(text):
        if start(line):
            count += 1
            if count > limit:
                break
    return count
