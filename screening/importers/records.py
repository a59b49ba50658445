"""The common record shape every importer produces, the file-level errors, and the
normalisers (year, text) that all formats share; DOIs and pages are read by
screening.identifiers, the one place that also serves dedupe."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from screening.identifiers import normalise_doi, page_range

from .aliases import FieldAliases


@dataclass
class ParsedRecord:
    """One bibliographic record as read from an export, before it meets the database."""

    line: int
    record_key: str = ""
    title: str = ""
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    issn: str = ""
    keywords: list[str] = field(default_factory=list)
    language: str = ""
    publication_type: str = ""
    urls: list[str] = field(default_factory=list)
    # Every original tag/column with all its values, so an export can give the file back.
    raw: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Rejection:
    """A part of the file that looked like a record but cannot be imported as one."""

    line: int
    reason: str


class ImportFileError(Exception):
    """The whole file is refused; ``str(error)`` is written for a researcher."""


class UnsupportedFile(ImportFileError):
    """The file is not a kind of export that reviewapp reads."""


class MalformedFile(ImportFileError):
    """The file is of a known kind but broken; ``line`` says where (0 when unknown)."""

    def __init__(self, message: str, *, line: int = 0) -> None:
        super().__init__(f"Line {line}: {message}" if line else message)
        self.line = line


NO_CONTENT = "record has no title, abstract or identifier"
CUT_OFF = "record cut off at end of file (no ER line)"

_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d|2100)(?!\d)")
_ISSN = re.compile(r"\b\d{4}-?\d{3}[\dXx]\b")
_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.)", re.IGNORECASE)
_LIST_LITERAL = re.compile(r"^\[\s*(['\"]).*\1\s*\]$", re.DOTALL)


def clean_text(value: str) -> str:
    """Decode HTML entities (exports double-escape them) and collapse whitespace."""
    if "&" in value:
        value = html.unescape(html.unescape(value))
    # str.split() splits on exactly what `\s` matches, several times faster than re.sub.
    return " ".join(value.split())


def parse_year(value: str) -> int | None:
    """The first plausible four-digit year in a date such as ``2019///`` or ``2016 Jan 15``."""
    match = _YEAR.search(value)
    return int(match.group(1)) if match else None


def split_list(value: str, *, and_separated: bool = False) -> list[str]:
    """Split one cell that holds several names or keywords.

    Handles Python-list literals written by ASReview/pandas (``['a', 'b']``), ``;`` and
    ``|`` separated lists and, for BibTeX-like sources, ``A and B``.
    """
    value = value.strip()
    if not value:
        return []
    if _LIST_LITERAL.match(value):
        items = re.findall(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"", value)
        return [clean_text(a or b) for a, b in items if (a or b).strip()]
    for separator in (";", "|"):
        if separator in value:
            return [clean_text(part) for part in value.split(separator) if part.strip()]
    if and_separated and " and " in value:
        return [clean_text(part) for part in value.split(" and ") if part.strip()]
    return [clean_text(value)]


def _normalise_issn(value: str) -> str:
    # "1879-0038 (Electronic)", "ISSN 0028-0836": keep the number itself when there is one.
    match = _ISSN.search(value)
    return match.group(0).upper() if match else value


def _first(raw: dict[str, list[str]], tags: Iterable[str]) -> str:
    for tag in tags:
        for value in raw.get(tag, ()):
            text = clean_text(value)
            if text:
                return text
    return ""


def _all(raw: dict[str, list[str]], tags: Iterable[str]) -> list[str]:
    """Values of the first tag that has any (aliases are alternatives, not additions)."""
    for tag in tags:
        values = [clean_text(value) for value in raw.get(tag, ()) if value.strip()]
        if values:
            return values
    return []


def _dedupe(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def build_record(
    raw: dict[str, list[str]],
    aliases: FieldAliases,
    *,
    line: int,
    split_authors: Callable[[str], list[str]] = split_list,
    split_keywords: Callable[[str], list[str]] = split_list,
) -> ParsedRecord | Rejection:
    """Map one record's raw tags to the common shape through the format's alias table, or
    reject it when nothing in it can be screened or matched."""
    doi = ""
    for tag in aliases.doi:
        doi = next((d for d in map(normalise_doi, raw.get(tag, ())) if d), "")
        if doi:
            break
    year = None
    for tag in aliases.year:
        year = next((y for y in map(parse_year, raw.get(tag, ())) if y), None)
        if year:
            break
    given_pages = _first(raw, aliases.pages)
    if given_pages:
        pages = page_range(given_pages)
    else:
        pages = page_range(_first(raw, aliases.start_page), _first(raw, aliases.end_page))
    if aliases.combine_authors:
        author_values = [clean_text(v) for tag in aliases.authors for v in raw.get(tag, ())]
    else:
        author_values = _all(raw, aliases.authors)
    pmid = re.search(r"\d+", _first(raw, aliases.pmid))
    record = ParsedRecord(
        line=line,
        record_key=_first(raw, aliases.record_key),
        title=_first(raw, aliases.title),
        abstract=" ".join(_all(raw, aliases.abstract)),
        authors=_dedupe(a for v in author_values for a in split_authors(v)),
        year=year,
        journal=_first(raw, aliases.journal),
        volume=_first(raw, aliases.volume),
        issue=_first(raw, aliases.issue),
        pages=pages,
        doi=doi,
        pmid=pmid.group(0) if pmid else "",
        issn=_normalise_issn(_first(raw, aliases.issn)),
        keywords=_dedupe(k for v in _all(raw, aliases.keywords) for k in split_keywords(v)),
        language=_first(raw, aliases.language),
        publication_type=_first(raw, aliases.publication_type),
        urls=_dedupe(u for v in _all(raw, aliases.urls) for u in v.split() if _URL.match(u)),
        raw=raw,
    )
    return check_content(record)


def check_content(record: ParsedRecord) -> ParsedRecord | Rejection:
    """A record nobody could screen or match (no title, abstract, DOI or PMID) is rejected."""
    if record.title or record.abstract or record.doi or record.pmid:
        return record
    return Rejection(line=record.line, reason=NO_CONTENT)
