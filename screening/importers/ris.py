"""RIS (``TY  - `` … ``ER  - ``) as written by Embase/Ovid, Scopus, Web of Science, PsycINFO,
ProQuest, Lens, Dimensions, EndNote, Zotero, Mendeley and others.

rispy is not used to read the file: it returns a list (no streaming), keeps only the first
value of a repeated non-list tag, silently drops a record that has no ``ER`` and gives no line
numbers. The tag grammar below is rispy's, loosened for what real exports contain (a tab
before the dash, ``ER  -`` without a trailing space, Ovid's numbering and links between
records).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from . import aliases
from .lines import iter_lines
from .records import CUT_OFF, MalformedFile, ParsedRecord, Rejection, build_record

# "TI  - text", "A1\t- text", "ID \t- text", "ER  -": two-character tag, spaces or a tab, dash.
TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])[ \t]{1,4}-(?:[ \t]+(.*)|[ \t]*)$")
# Continuation lines of these tags are further values (rispy's list tags), not wrapped text.
LIST_TAGS = frozenset({"A1", "A2", "A3", "A4", "AU", "KW", "N1", "UR"})
_ER_ANYWHERE = re.compile(r"^ER[ \t]{1,4}-", re.MULTILINE)
_PUBMED_SOURCES = ("nlm", "pubmed", "medline")


def _finish(raw: dict[str, list[str]], line: int) -> ParsedRecord | Rejection:
    record = build_record(raw, aliases.RIS, line=line)
    # EndNote and Zotero exports of PubMed records keep the PMID in AN.
    if isinstance(record, ParsedRecord) and not record.pmid:
        source = " ".join(raw.get("DP", []) + raw.get("DB", [])).lower()
        accession = (raw.get("AN") or [""])[0].strip()
        if accession.isdigit() and any(name in source for name in _PUBMED_SOURCES):
            record.pmid = accession
    return record


def parse(text: str | Iterable[str]) -> Iterator[ParsedRecord | Rejection]:
    """Yield the records of a RIS file in order.

    A record not closed by ``ER`` is rejected as cut off, unless the file never uses ``ER``
    (some tools omit it). An ``ER`` outside any record means the structure is broken and the
    whole file is refused.
    """
    if isinstance(text, str):
        uses_end_tag = _ER_ANYWHERE.search(text) is not None
    else:  # lines read from the file: one more pass over them, nothing kept
        uses_end_tag = any(line.startswith("ER") and _ER_ANYWHERE.match(line) for line in text)
    raw: dict[str, list[str]] | None = None  # the open record
    closed: tuple[dict[str, list[str]], int] | None = None  # ended, may still get tags (Ovid)
    start = 0
    last_tag = ""
    for number, line in enumerate(iter_lines(text), start=1):
        line = line.rstrip("\n")
        match = TAG_LINE.match(line)
        if match is None:
            if raw is not None and last_tag and line.strip():
                values = raw[last_tag]
                if last_tag in LIST_TAGS or not values:
                    values.append(line.strip())
                else:
                    values[-1] = f"{values[-1]} {line.strip()}".strip()
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "TY":
            if closed:
                yield _finish(*closed)
                closed = None
            if raw is not None:
                yield (
                    Rejection(start, "record has no ER line before the next TY")
                    if uses_end_tag
                    else _finish(raw, start)
                )
            raw, start, last_tag = {"TY": [value]}, number, "TY"
        elif tag == "ER":
            if raw is None:
                raise MalformedFile(
                    "an ER line (end of record) without a TY line starting a record; the file "
                    "has more record ends than record starts, so its structure is unclear",
                    line=number,
                )
            if value:
                raw.setdefault("ER", []).append(value)
            closed, raw, last_tag = (raw, start), None, ""
        elif raw is not None:
            raw.setdefault(tag, []).append(value)
            last_tag = tag
        elif closed is not None:
            # Ovid writes e.g. "NL  - " after ER; it still belongs to that record.
            closed[0].setdefault(tag, []).append(value)
    if closed:
        yield _finish(*closed)
    if raw is not None:
        yield Rejection(start, CUT_OFF) if uses_end_tag else _finish(raw, start)
