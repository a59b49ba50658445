"""Ovid's own export (Embase, MEDLINE, PsycINFO… through Ovid: "Export > Citation Manager" or
"Direct export", "Fields: Complete Reference"), not RIS:

    <1. >
    VN  - Ovid Technologies
    DB  - Embase
    AN  - 2001234567
    TI  - A trial of something over several
          wrapped lines
    AU  - Smith J.
    SO  - Lancet. 391 (10120) (pp 541-551), 2018.

Records start at the ``<N. >`` line (or at a second ``VN`` line), tags are two to four
capitals padded to ``"TAG - "``, and any other line continues the last value (Ovid indents
them by six spaces; blank lines can fall inside a value). With "field labels" in full, each
label stands alone on its line and its values follow, indented:

    <1>
    Unique Identifier
      29012345
    Authors Full Name
      Smith, John.

Every original tag or label is kept in ``raw`` as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from screening.identifiers import page_range

from . import aliases
from .lines import iter_lines
from .ovid_source import parse_source
from .records import (
    ParsedRecord,
    Rejection,
    build_record,
    check_content,
    clean_text,
    split_list,
)

RECORD_MARK = re.compile(r"^\s*<\s*\d+\s*\.?\s*>\s*$")
TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{1,3})[ \t]{1,3}-(?: (.*)|$)")
# Keyword fields, in order: subject headings (with "*" for a major topic) first. (OT is
# Ovid's original-language title, not "other terms" as in PubMed's MEDLINE.)
KEYWORD_TAGS = ("MH", "SH", "KF", "KW", "DE")
# PsycINFO's key concepts; elsewhere ID is not a keyword field.
PSYCINFO_KEYWORD_TAGS = ("ID",)
# MEDLINE "ST" is the citation's status, not a publication type.
_STATUSES = frozenset(
    {"medline", "in-process", "in-data-review", "publisher", "pubmed-not-medline", "completed"}
)
# Journals@Ovid and others append the article category to the title.
_TITLE_CATEGORY = re.compile(
    r"\s*\[(?:Article|Report|Miscellaneous|References|Editorial|Review|Letter)\]\s*$", re.I
)
_AUTHOR_NOISE = re.compile(r"\s*\[[^\]]*\]\s*$|[\s\d,+*]+$")

# Ovid's full field names (as shown with "field labels": full) and the codes they stand for.
LABELS: dict[str, str] = {
    "database": "DB",
    "unique identifier": "UI",
    "accession number": "AN",
    "title": "TI",
    "article title": "TI",
    "authors": "AU",
    "author": "AU",
    "authors full name": "FA",
    "author full name": "FA",
    "institution": "IN",
    "source": "SO",
    "abstract": "AB",
    "journal name": "JN",
    "journal title": "JN",
    "journal abbreviation": "JA",
    "abbreviated source": "AS",
    "volume": "VO",
    "issue": "IP",
    "issue part": "IP",
    "issue/part": "IP",
    "page": "PG",
    "pages": "PG",
    "year of publication": "YR",
    "publication year": "YR",
    "date of publication": "DP",
    "digital object identifier": "DO",
    "doi": "DO",
    "pubmed identifier": "PM",
    "pubmed id": "PM",
    "pmid": "PM",
    "medline pmid": "PM",
    "issn": "IS",
    "issn print": "IS",
    "issn electronic": "IS",
    "language": "LG",
    "publication type": "PT",
    "document type": "DT",
    "status": "ST",
    "mesh subject headings": "MH",
    "subject headings": "MH",
    "emtree heading": "MH",
    "emtree headings": "MH",
    "keyword heading": "KF",
    "keywords": "KW",
    "author keywords": "KW",
    "key concepts": "ID",
    "link to the ovid full text or citation": "XL",
    "link to the external link resolver": "XL",
    "version id": "VN",
}


def _label_code(line: str) -> str | None:
    """The code of a full-name label line ("Authors Full Name"), or None."""
    return LABELS.get(" ".join(line.strip().rstrip(":").split()).lower())


def looks_like_ovid(lines: list[str]) -> bool:
    """Whether a file's first lines are Ovid's tagged or labelled export: a ``<1. >`` line
    followed by a tag or a known label (after the search history Ovid may put first), or
    ``VN  - Ovid Technologies`` at the top."""
    filled = [line.rstrip() for line in lines if line.strip()]
    if any(re.match(r"^VN\s{1,3}-\s*Ovid Technologies", line) for line in filled[:6]):
        return True
    for index, line in enumerate(filled[:-1]):
        if RECORD_MARK.match(line):
            after = filled[index + 1]
            return bool(TAG_LINE.match(after) or _label_code(after))
    return False


def _clean_author(name: str) -> str:
    name = _AUTHOR_NOISE.sub("", name).strip()
    # "Kowalski, Jan." -> "Kowalski, Jan"; an initial keeps its dot ("Smith J.").
    if re.search(r"\w{2,}\.$", name):
        name = name[:-1]
    return name


def _split_authors(value: str) -> list[str]:
    return [name for name in map(_clean_author, split_list(value)) if name]


def _coded(raw: dict[str, list[str]], labelled: bool) -> dict[str, list[str]]:
    if not labelled:
        return raw
    coded: dict[str, list[str]] = {}
    for label, values in raw.items():
        coded.setdefault(_label_code(label) or label, []).extend(values)
    return coded


def _first_value(tags: dict[str, list[str]], names: tuple[str, ...]) -> str:
    return next((clean_text(v) for name in names for v in tags.get(name, ()) if v.strip()), "")


def _finish(raw: dict[str, list[str]], line: int, labelled: bool) -> ParsedRecord | Rejection:
    tags = _coded(raw, labelled)
    record = build_record(tags, aliases.OVID, line=line, split_authors=_split_authors)
    if not isinstance(record, ParsedRecord):
        return record
    record.raw = raw
    record.title = _TITLE_CATEGORY.sub("", record.title)
    database = " ".join(tags.get("DB", [])).lower()
    accession = (tags.get("UI") or [""])[0].strip()
    if not record.pmid and accession.isdigit() and "medline" in database:
        record.pmid = accession  # Ovid MEDLINE's unique identifier is the PubMed id
    source = parse_source(" ".join(tags.get("SO", [])))
    # Full journal name: JN/JT, else the one in SO, else an abbreviation.
    record.journal = record.journal or source.journal or _first_value(tags, ("TA", "JA"))
    record.volume = record.volume or source.volume
    record.issue = record.issue or source.issue
    if not record.pages and not any(v.strip() for v in tags.get("PG", [])):
        record.pages = source.pages
    record.pages = page_range(record.pages)
    if source.year and not any(tags.get(tag) for tag in aliases.OVID.year):
        record.year = source.year
    keyword_tags = KEYWORD_TAGS + (PSYCINFO_KEYWORD_TAGS if "psyc" in database else ())
    keywords = [
        keyword
        for tag in keyword_tags
        for value in tags.get(tag, ())
        for keyword in split_list(value)
    ]
    record.language = record.language.rstrip(".").strip()
    record.keywords = list(dict.fromkeys(k for k in keywords if k))
    kinds = [clean_text(v) for v in tags.get("PT", ()) if v.strip()]
    if len(kinds) > 1 and kinds[0].lower() == "english abstract":
        record.publication_type = kinds[1]  # MEDLINE lists it before the article's type
    if not record.publication_type:
        status = [clean_text(v) for v in tags.get("ST", ()) if v.strip()]
        kinds = [v for v in status if v.lower() not in _STATUSES]
        record.publication_type = kinds[0] if kinds else ""
    return check_content(record)


class _Record:
    """The record being read: its tags or labels in order, each value built from its lines
    (joined once at the end, so a value wrapped over many lines costs linear time)."""

    def __init__(self, line: int) -> None:
        self.line = line
        self.raw: dict[str, list[str]] = {}
        self.key = ""
        self.parts: list[str] = []

    def start(self, key: str, value: str | None) -> None:
        """A new tag or label; a label's values follow on the next lines (value None)."""
        self.flush()
        self.key = key
        self.raw.setdefault(key, [])
        self.parts = [] if value is None else [value]

    def add(self, value: str, *, new_item: bool) -> None:
        if new_item:
            self.flush()
        self.parts.append(value)

    def flush(self) -> None:
        if self.key and self.parts:
            self.raw[self.key].append(" ".join(self.parts).strip())
        self.parts = []

    def finish(self, labelled: bool) -> ParsedRecord | Rejection:
        self.flush()
        return _finish(self.raw, self.line, labelled)


def parse(text: str | Iterable[str]) -> Iterator[ParsedRecord | Rejection]:
    """Yield the records of an Ovid export in order."""
    record: _Record | None = None
    labelled = False  # the file names its fields in full ("Authors Full Name")
    after_blank = False
    for number, line in enumerate(iter_lines(text), start=1):
        line = line.rstrip("\n")
        if RECORD_MARK.match(line):
            if record and (record.raw or record.parts):
                yield record.finish(labelled)
            record, after_blank = _Record(number), False
            continue
        if not line.strip():
            after_blank = True
            continue
        indented = line[0].isspace()
        match = None if indented or labelled else TAG_LINE.match(line)
        if match:
            tag, value = match.group(1), (match.group(2) or "").strip()
            if tag == "VN" and record and "VN" in record.raw:  # a file without "<N. >" lines
                yield record.finish(labelled)
                record = None
            if record is None:
                record = _Record(number)
            record.start(tag, value)
        elif not indented and record is not None and (labelled or _label_code(line)):
            labelled = True
            record.start(" ".join(line.split()).rstrip(":"), None)
        elif record is not None and record.key:
            if labelled:
                # One item per line, except the text fields, whose lines are wrapped text.
                new_item = _label_code(record.key) not in ("AB", "TI", "SO", "IN")
            else:
                # Tagged: indented lines wrap the value; after a blank line, a new one.
                new_item = after_blank
            record.add(line.strip(), new_item=new_item)
        after_blank = False
    if record and (record.raw or record.parts):
        yield record.finish(labelled)
