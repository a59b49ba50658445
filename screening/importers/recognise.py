"""What a file is when it is not an export reviewapp reads, told from its first bytes, with
what to do instead: a list of PubMed ids or DOIs, a Word search report, an old Office file, an
HTML error page. (PDF, JSON, RTF and XML are told apart in `detect`.)"""

from __future__ import annotations

import html
import re

from .records import UnsupportedFile

_PMID = re.compile(r"^(?:PMID:?\s*)?\d{1,9}$", re.IGNORECASE)
_DOI = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?10\.\d{4,9}/\S+$", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def refusal(what: str, advice: str) -> UnsupportedFile:
    return UnsupportedFile(f"This looks like {what}, which reviewapp does not read. {advice}")


def _id_list(what: str, advice: str) -> UnsupportedFile:
    return UnsupportedFile(f"This is {what}: reviewapp needs the records themselves. {advice}")


def _cells(line: str) -> list[str]:
    return [part.strip().strip("\"'") for part in re.split(r"[,;\t]", line) if part.strip()]


def identifier_list(lines: list[str]) -> None:
    """Raise when the file is only PubMed ids and/or DOIs, one or several a line (a header
    word such as "PMID" or "DOI" allowed)."""
    filled = [line for line in lines[:500] if line.strip()]
    if len(filled) > 1 and all(re.fullmatch(r"[A-Za-z ._]{2,30}", c) for c in _cells(filled[0])):
        filled = filled[1:]  # a header ("PMID", "doi")
    items = [cell for line in filled for cell in _cells(line)]
    if not items:
        return
    pmids = sum(1 for item in items if _PMID.match(item))
    dois = sum(1 for item in items if _DOI.match(item))
    if pmids + dois < len(items):
        return
    if dois == 0:
        raise _id_list(
            "a list of PubMed ids (PMIDs)",
            "Export them from PubMed as MEDLINE (.nbib): paste the ids into PubMed's search "
            'box, search, then "Send to" > "Citation manager" (or "Save" > Format "PubMed"), '
            "and import that file.",
        )
    if pmids == 0:
        raise _id_list(
            "a list of DOIs",
            'Turn the DOIs into records first: for example Zotero\'s "Add Item by Identifier" '
            "(paste the list), then export the collection as RIS and import that file.",
        )
    raise _id_list(
        "a list of PubMed ids and DOIs",
        "Export the PubMed ids from PubMed as MEDLINE (.nbib) and turn the DOIs into records "
        'with a reference manager (Zotero: "Add Item by Identifier"), then import those files.',
    )


def search_strategy(head: str) -> None:
    """Raise for a saved search strategy or history (Ovid, EBSCO, PubMed) without records."""
    start = head[:5000]
    if re.search(r"^\s*Search Strategy:", start, re.MULTILINE) or (
        re.search(r"^\s*(?:S?1|#1)\s+.*\(\d[\d,]*\)\s*$", start, re.MULTILINE)
        and re.search(r"^\s*(?:S?2|#2)\s+", start, re.MULTILINE)
    ):
        raise refusal(
            "a search strategy or search history, without the records it found",
            'In the database, select the records and export them (Ovid: "Export" with '
            '"Fields: Complete Reference", as Citation Manager or RIS), then import that file.',
        )


def office_or_zip(head: str) -> UnsupportedFile:
    """The refusal for a ZIP-based file met as text (the import service reads .xlsx
    workbooks and ZIPs of exports before it gets here; see `containers`)."""
    start = head[:3000]
    if "word/" in start:
        return refusal(
            "a Word document (perhaps a search report or a search strategy)",
            "Import the records themselves: export them from the database as RIS, MEDLINE "
            "(.nbib) or CSV.",
        )
    if "ppt/" in start:
        return refusal("a PowerPoint presentation", "Export the records from the database as RIS.")
    if "mimetypeapplication/vnd.oasis.opendocument" in start:
        return refusal(
            "an OpenDocument file (LibreOffice)",
            "Save the sheet as CSV (or Excel .xlsx) and import that file.",
        )
    return refusal(
        "a ZIP archive or an Office document that could not be opened",
        "Import an Excel workbook (.xlsx), a ZIP of RIS/MEDLINE/CSV… exports, or the exports "
        "themselves.",
    )


def old_office(head: str) -> None:
    """Raise for Word 97-2003 (.doc) and Excel 97-2003 (.xls) files (OLE2 containers)."""
    if head.startswith("\u00d0\u00cf\u0011\u00e0") or head.startswith("\ufffd\ufffd\u0011\ufffd"):
        raise refusal(
            "an old Office file (Excel .xls or Word .doc) or a password-protected one",
            "Save a sheet as Excel .xlsx or CSV and import that file.",
        )


def html_page(head: str) -> UnsupportedFile:
    """The refusal for an HTML page, naming the page by its title (often an error)."""
    title = _TITLE.search(head[:20000])
    name = " ".join(html.unescape(title.group(1)).split())[:80] if title else ""
    shown = f' ("{name}")' if name else ""
    return refusal(
        f"an HTML page{shown}: perhaps an error page, a login page or a saved search page",
        "Export the records from the database as RIS or another export format, and import "
        "that file.",
    )
