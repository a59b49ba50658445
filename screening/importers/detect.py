"""Recognise an export's format from its content (never its file name), and explain in plain
words what a file is when it is not something reviewapp reads."""

from __future__ import annotations

import re

from .delimited import looks_like_table
from .ovid import looks_like_ovid
from .recognise import html_page, identifier_list, office_or_zip, old_office, search_strategy
from .records import UnsupportedFile

_SUPPORTED = (
    "reviewapp reads RIS, PubMed (MEDLINE/.nbib or XML), Web of Science (plain text or "
    "tab-delimited), Ovid (tagged), BibTeX, EndNote (XML or tagged .enw) and CSV/TSV exports"
)
_RIS_START = re.compile(r"^TY[ \t]{1,4}-")
_MEDLINE_START = re.compile(r"^PMID- ?\d")
_BIBTEX_ENTRY = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]")
_WOS_TAB_CELL = re.compile(r"^[A-Z][A-Z0-9]$")


def _refuse(what: str, advice: str = "") -> UnsupportedFile:
    return UnsupportedFile(
        f"This looks like {what}, which reviewapp does not read. " + (advice or f"{_SUPPORTED}.")
    )


def _is_wos_tab_header(line: str) -> bool:
    cells = line.split("\t")
    tags = [cell for cell in cells if _WOS_TAB_CELL.match(cell.strip())]
    return len(cells) >= 5 and len(tags) >= 0.8 * len(cells) and {"PT", "TI"} <= set(tags)


def _refuse_markup(head: str) -> str:
    lower = head[:5000].lower()
    if "<html" in lower or "<!doctype html" in lower:
        raise html_page(head)
    if "<pubmedarticleset" in lower or "<pubmedarticle>" in lower:
        return "pubmed-xml"
    if "<records>" in lower or "<record>" in lower:
        return "endnote-xml"
    raise _refuse("an XML file that is neither PubMed XML nor EndNote XML")


def detect_format(text: str) -> str:
    """Return the format id of an export (a key of ``FORMATS``) judged from its first few
    kilobytes, or raise ``UnsupportedFile`` saying what the file seems to be."""
    head = text[:20000].lstrip()
    if not head.strip():
        raise UnsupportedFile("The file is empty.")
    if head.startswith("%PDF"):
        raise _refuse("a PDF document", f"Export the references themselves; {_SUPPORTED}.")
    if head.startswith("PK\x03\x04"):
        raise office_or_zip(head)
    old_office(head)
    if head.startswith("{\\rtf"):
        raise _refuse("a Rich Text (RTF) document")
    sample = head[:2000]
    control = sum(1 for char in sample if ord(char) < 32 and char not in "\t\n\f")
    if control > len(sample) * 0.05:
        raise _refuse("a binary file (for example an image, a spreadsheet or a database)")
    if looks_like_ovid(head.split("\n", 400)[:400]):  # "<1. >" is not markup
        return "ovid"
    if head.startswith("<"):
        return _refuse_markup(head)
    if head[0] in "{[" and re.match(r"^[\[{]\s*[\[{\"}\]]", head):
        raise _refuse("a JSON file", f"Export RIS or CSV from the tool that made it; {_SUPPORTED}.")
    if "Report Information from ProQuest" in head[:3000]:
        raise _refuse(
            "a ProQuest plain-text report",
            'Export RIS from ProQuest instead ("Export/Save" > RIS).',
        )

    lines = head.split("\n")
    first = next(line for line in lines if line.strip())
    if first.startswith("FN ") or re.match(r"^PT [A-Z]\s*$", first):
        return "wos"
    if _is_wos_tab_header(first):
        return "wos-tab"
    for line in lines[:400]:
        if _RIS_START.match(line):
            return "ris"
        if _MEDLINE_START.match(line):
            return "medline"
        if line.startswith("%0 "):
            return "endnote-tagged"
        if _BIBTEX_ENTRY.match(line):
            return "bibtex"
    identifier_list(lines)
    search_strategy(head)
    if looks_like_table(first):
        return "csv"
    if "\t" in first or "," in first or ";" in first:
        raise _refuse(
            "a table, but none of its columns is a title, abstract, author or DOI column",
            "Name the columns (for example title, abstract, authors, doi, year) and try again.",
        )
    preview = first.strip()[:60]
    raise _refuse(f'plain text (it starts "{preview}"), not a bibliographic export')
