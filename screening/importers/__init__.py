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
import io
import re
from collections.abc import Callable, Iterator

from . import (
    bibtex,
    containers,
    delimited,
    endnote_tagged,
    endnote_xml,
    medline,
    ovid,
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
    "CONTAINER_FORMATS",
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
    "not_a_container",
    "open_container",
]

FORMATS: dict[str, str] = {
    "ris": "RIS",
    "medline": "PubMed MEDLINE (.nbib)",
    "pubmed-xml": "PubMed XML",
    "wos": "Web of Science plain text",
    "wos-tab": "Web of Science tab-delimited",
    "ovid": "Ovid tagged (Embase, MEDLINE, PsycINFO via Ovid)",
    "bibtex": "BibTeX",
    "endnote-xml": "EndNote XML",
    "endnote-tagged": "EndNote tagged (.enw)",
    "csv": "CSV / TSV table",
    "xlsx": "Excel workbook (.xlsx)",
    "zip": "ZIP of export files",
}
# Read from the file's bytes (ZIP archives), never from decoded text.
CONTAINER_FORMATS = frozenset({"xlsx", "zip"})

_PARSERS: dict[str, Callable[[str], Iterator[ParsedRecord | Rejection]]] = {
    "ris": ris.parse,
    "medline": medline.parse,
    "pubmed-xml": pubmed_xml.parse,
    "wos": wos.parse,
    "wos-tab": wos_tab.parse,
    "ovid": ovid.parse,
    "bibtex": bibtex.parse,
    "endnote-xml": endnote_xml.parse,
    "endnote-tagged": endnote_tagged.parse,
    "csv": delimited.parse,
    "xlsx": delimited.parse,  # the sheet's rows come as CSV lines (containers.XlsxLines)
}


# Formats read line by line from the file. The others are streamed too, never held
# whole: XML in chunks of text (its lines may be as long as the file), BibTeX line by
# line, a few entries per bibtexparser call.
LINE_FORMATS = frozenset(
    {"ris", "medline", "wos", "wos-tab", "endnote-tagged", "csv", "ovid", "xlsx", "zip"}
)
_TAKE_BUDGET = frozenset({"bibtex", "csv", "xlsx", "endnote-xml", "pubmed-xml"})


def iter_records(data: bytes, *, fmt: str | None = None) -> Iterator[ParsedRecord | Rejection]:
    """Decode an uploaded export, recognise its format (unless ``fmt`` names it) and yield its
    records and rejections lazily, in file order.

    Raises ``UnsupportedFile`` for files reviewapp does not read and ``MalformedFile`` for
    broken ones, including a file in which no record at all was found.
    """
    if containers.is_zip(data[:4]):
        kind, container = open_container(lambda: io.BytesIO(data))
        return iter_text_records(container, fmt=kind)
    if fmt in CONTAINER_FORMATS:
        raise containers.not_a_container(FORMATS[fmt])
    text = decode(data)
    return iter_text_records(text, fmt=fmt or detect_format(text))


def not_a_container(fmt: str) -> UnsupportedFile:
    return containers.not_a_container(FORMATS[fmt])


def open_container(opener, *, max_line: int = 2_000_000):
    """An Excel workbook or a ZIP of exports (a file starting "PK"): its format and what
    `iter_text_records` reads, or a clear refusal (see `containers`)."""
    return containers.open_container(opener, detect_format, max_line=max_line)


def iter_text_records(
    text: str | FileLines, *, fmt: str, budget: Budget = DEFAULT_BUDGET
) -> Iterator[ParsedRecord | Rejection]:
    """Like ``iter_records`` for text already decoded (or a file's lines, for the
    `LINE_FORMATS`), in a format already known. Every record is held to `budget`."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown import format {fmt!r}; expected one of {sorted(FORMATS)}")
    if fmt == "zip":
        yield from _iter_zip(text, budget)
        return
    parser = _PARSERS[fmt]
    found = False
    for item in parser(text, budget=budget) if fmt in _TAKE_BUDGET else parser(text):
        found = True
        yield budget.check(item) if isinstance(item, ParsedRecord) else item
    if not found:
        raise MalformedFile(f"No records were found in this {FORMATS[fmt]} file.")


def _iter_zip(exports: containers.ZipExports, budget: Budget):
    """Every member's records in turn; a member that fails fails the whole ZIP."""
    for member in exports.members:
        try:
            for item in iter_text_records(member.lines, fmt=member.fmt, budget=budget):
                if isinstance(item, Rejection):
                    item = Rejection(item.line, f"{member.name}: {item.reason}")
                yield item
        except ImportFileError as error:
            kind = UnsupportedFile if isinstance(error, UnsupportedFile) else MalformedFile
            raise kind(f"“{member.name}” in this ZIP: {error}") from None
        except containers.UNPACK_ERRORS as error:
            raise containers.damaged(member.name, error) from None


# How each format's records start, for `count_records` (a cheap pass that never builds
# a record). CSV rows are counted with the csv module (quoted cells may span lines).
_RECORD_STARTS: dict[str, re.Pattern] = {
    "ris": re.compile(r"TY[ \t]{1,4}-"),
    "medline": re.compile(r"PMID- ?\d"),
    "wos": re.compile(r"PT "),
    "endnote-tagged": re.compile(r"%0 "),
    "wos-tab": re.compile(r"."),
    "ovid": ovid.RECORD_MARK,
    "bibtex": re.compile(r"[ \t]*@"),
}
_XML_STARTS: dict[str, re.Pattern] = {
    "pubmed-xml": re.compile(r"<Pubmed(?:Book)?Article[\s>]"),
    "endnote-xml": re.compile(r"<record[\s>]"),
}


def count_records(text: str | FileLines, *, fmt: str, limit: int) -> int:
    """About how many records the file holds (at least as many as it has), counting no
    further than `limit + 1`: lets an import refuse a file over the record cap before it
    parses or inserts anything."""
    count = 0
    if fmt == "zip":
        for member in text.members:
            count += count_records(member.lines, fmt=member.fmt, limit=limit - count)
            if count > limit:
                break
        return count
    if fmt in ("csv", "xlsx"):
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
    if fmt in _XML_STARTS:
        return _count_xml(text, _XML_STARTS[fmt], limit)
    start = _RECORD_STARTS[fmt].match
    for line in iter_lines(text):
        if start(line):
            count += 1
            if count > limit:
                break
    return count


def _count_xml(text: str | FileLines, start: re.Pattern, limit: int) -> int:
    """Record start tags in XML, read in chunks (an XML file may be one long line); a tag
    cut between two chunks is found in the next window, and counted once."""
    if isinstance(text, str):
        count = 0
        for _ in start.finditer(text):
            count += 1
            if count > limit:
                break
        return count
    count, tail = 0, ""
    with text.open_text() as stream:
        for chunk in stream:
            window = tail + chunk
            count += sum(1 for m in start.finditer(window) if m.end() > len(tail))
            if count > limit:
                break
            tail = window[-64:]
    return count
