"""Ovid's one-line citation (``SO``) split into journal, volume, issue, pages and year.

Each Ovid database writes it its own way:

    Embase     Lancet. 391 (10120) (pp 541-551), 2018. Date of Publication: 10 February 2018.
               BMC Proceedings. Conference: 9th Meeting. Germany. 12 (Supplement 3) (no pagination), 2018.
    MEDLINE    Journal of Clinical Oncology. 36(15):1523-1530, 2018 05 20.
               BMJ. 360:k123, 2018 01 15.
    PsycINFO   Journal of Health Psychology. Vol.24(7), Jun 2019, pp. 847-856.
               Clinical Psychology & Psychotherapy. 2019, No Pagination Specified.

Only what the text shows plainly is taken; anything else stays empty (the whole SO is kept in
the record's raw tags)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from screening.identifiers import page_range

from .records import parse_year


@dataclass
class Source:
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    year: int | None = None


# An issue in parentheses may itself hold one level of parentheses: "(5-B(E))".
_ISSUE = r"\((?P<issue>[^()]*(?:\([^()]*\)[^()]*)*)\)"

# Embase: "... VOL (ISSUE) (pp 1-9 | no pagination), YEAR"; the volume follows the last ". ".
_EMBASE_ANCHOR = re.compile(r"\((?P<pages>pp\.?\s*[^()]*|no pagination)\),\s*(?P<year>\d{4})", re.I)
_EMBASE_HEAD = re.compile(r"^(?P<head>.*)\.\s+(?P<volume>[^\s()]+)?\s*(?:" + _ISSUE + r")?\s*$")
# MEDLINE: "Journal. VOL(ISSUE):PAGES, YEAR ..." (issue or volume may be missing).
_MEDLINE = re.compile(
    r"^(?P<head>.*?)\.\s+(?P<volume>[^\s():,]+)?\s*(?:" + _ISSUE + r")?"
    r":\s*(?P<pages>[^,]+?),\s*(?P<year>\d{4})\b"
)
# PsycINFO: "Journal. Vol.24(7), [Month] 2019, pp. 847-856." / ", ArtID 123"
_PSYCINFO = re.compile(r"^(?P<head>.*?)\.\s+Vol\.?\s*(?P<volume>[^\s(,]+)\s*(?:" + _ISSUE + r")?,")
_PSYCINFO_PAGES = re.compile(
    r",\s*(?:pp?\.\s*(?P<pages>[^,]+?)|ArtID:?\s*(?P<article>[^,\s]+?))\.?\s*$"
)
_CONFERENCE = re.compile(r"\.\s+Conference:.*$", re.IGNORECASE)


def _journal(head: str) -> str:
    head = _CONFERENCE.sub("", head.strip())
    return head.strip().rstrip(".").strip()


def parse_source(text: str) -> Source:
    """The parts of an Ovid ``SO`` value that it shows plainly."""
    text = " ".join(text.split())
    if not text:
        return Source()
    anchor = _EMBASE_ANCHOR.search(text)
    if anchor:
        prefix = text[: anchor.start()].strip()
        match = _EMBASE_HEAD.match(prefix)
        pages = anchor["pages"]
        return Source(
            journal=_journal(match["head"] if match else prefix),
            volume=(match["volume"] or "").rstrip(".") if match else "",
            issue=(match["issue"] or "").strip() if match else "",
            pages="" if pages.lower() == "no pagination" else page_range(pages[2:].lstrip(". ")),
            year=int(anchor["year"]),
        )
    match = _PSYCINFO.match(text)
    if match:
        rest = text[match.end() :]
        pages = _PSYCINFO_PAGES.search(rest)
        return Source(
            journal=_journal(match["head"]),
            volume=match["volume"].rstrip("."),
            issue=(match["issue"] or "").strip(),
            pages=page_range((pages["pages"] or pages["article"]) if pages else ""),
            year=parse_year(rest),
        )
    match = _MEDLINE.match(text)
    if match:
        return Source(
            journal=_journal(match["head"]),
            volume=match["volume"] or "",
            issue=(match["issue"] or "").strip(),
            pages=page_range(match["pages"]),
            year=int(match["year"]),
        )
    # "Journal. 2019, No Pagination Specified." / "Journal. 2019 Jan 15." (ahead of print)
    head, _, rest = text.partition(". ")
    return Source(journal=_journal(head) if rest else "", year=parse_year(rest or text))
