"""The one home of DOI and page normalisation, used by the importers and by dedupe.

A DOI is an opaque string: only its case is insignificant (DOIs are matched
case-insensitively by the registry). Old Wiley/JSTOR/BioOne DOIs follow SICI and
contain ``<``, ``>``, ``;``, ``(``, ``)`` and ``#`` — e.g.
``10.1002/(SICI)1097-4679(199901)55:1<0680:AID-JCLP1>3.0.CO;2-7`` — so nothing
inside a DOI is ever removed: no "HTML tag" stripping, no accent folding, no
punctuation squeezing. What *is* removed is what exports wrap around a DOI: URL
forms (``https://doi.org/``, ``http://dx.doi.org/``), ``doi:`` prefixes, URL and
HTML escapes (``%3C``, ``&lt;``), MEDLINE's `` [doi]`` tag, and sentence punctuation
after it.

Pages: ``page_range`` turns a start and an end (or one field) into the text stored
on a record ("221-226"); ``normalise_pages`` reads any such text into a comparable
(first page, last page) pair with abbreviated ends expanded ("221-6" -> 221, 226).
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import unquote

# A DOI starts at "10.<registrant>/" and runs to whitespace (or a quote / end of an
# HTML attribute). Registrant codes have 4 or more digits, optionally dotted
# sub-codes ("10.1000.10/123").
_DOI = re.compile(r"10\.\d{4,9}(?:\.\d+)*/[^\s\"'{}|\\^`]+", re.IGNORECASE)
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_DASHES = str.maketrans(
    {"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"}
)
_PAIRS = {")": "(", "]": "[", ">": "<"}


def normalise_doi(value: str) -> str:
    """The bare DOI found in ``value``, lower-cased, or "" when there is none.

    >>> normalise_doi("https://doi.org/10.1002/(SICI)1097-4679(199901)55:1%3C0680:AID-JCLP1%3E3.0.CO;2-7.")
    '10.1002/(sici)1097-4679(199901)55:1<0680:aid-jclp1>3.0.co;2-7'
    """
    if not value:
        return ""
    text = value if value.isascii() else unicodedata.normalize("NFKC", value).translate(_DASHES)
    if "&" in text:
        text = html.unescape(html.unescape(text))
    if _PERCENT.search(text):
        text = unquote(text)
    match = _DOI.search(text)
    if not match:
        return ""
    doi = match.group(0)
    if doi.lower().endswith("[doi]"):  # MEDLINE "10.1/x [doi]" written without the space
        doi = doi[:-5]
    doi = _strip_trailing(doi)
    if not doi.split("/", 1)[1]:
        return ""
    return doi.lower()


def identifies_an_article(doi: str) -> bool:
    """Whether a normalised DOI is specific enough to identify one article.

    Exports sometimes carry only a journal's DOI prefix ("10.17705/1cais") where the
    article's DOI belongs; such a value is kept on the record but proves nothing.
    """
    return bool(doi) and sum(ch.isalnum() for ch in doi.split("/", 1)[1]) >= 6


def _strip_trailing(doi: str) -> str:
    """Drop sentence punctuation and unbalanced closing brackets after a DOI."""
    while doi:
        last = doi[-1]
        if last in ".,;:'\"" or last in _PAIRS and doi.count(last) > doi.count(_PAIRS[last]):
            doi = doi[:-1]
        else:
            break
    return doi


_DOI_VERSION = re.compile(r"(?:\.pub\d+|(?<=\d)v\d+)$")


def doi_base(doi: str) -> str:
    """The DOI of the work regardless of version (Cochrane ".pub3", preprint "v2")."""
    return _DOI_VERSION.sub("", doi)


# --- pages -------------------------------------------------------------------------

_PLACEHOLDERS = {"", "unknown", "none", "null", "nan", "n/a", "na", "-"}
# Spreadsheets turn "21-8" into "21-Aug" and "1-6" into "01-Jun".
_MONTHS = {m: str(n) for n, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
)}  # fmt: skip
_MONTH_WORD = re.compile(r"\b(" + "|".join(_MONTHS) + r")\b")
_CLEAN_PAGE = re.compile(r"[a-z]{0,4}\d+[a-z]?")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_ROMAN_PAGE = re.compile(r"[ivxlc]{1,7}")


def page_range(start: str, end: str = "") -> str:
    """Pages as stored on a record ("221-226"): dashes unified, start and end joined,
    placeholders ("No Pagination Specified") dropped."""
    start, end = start.translate(_DASHES).strip(), end.translate(_DASHES).strip()
    if end and end != start and "-" not in start:
        pages = f"{start}-{end}" if start else end
    else:
        pages = start or end
    pages = re.sub(r"\s*-+\s*", "-", pages)
    # Ovid writes "SP - No / EP - Specified" for "No Pagination Specified".
    if "specified" in pages.lower() or "pagination" in pages.lower():
        return ""
    return pages


def normalise_pages(pages: str) -> tuple[str, str]:
    """First and last page, with abbreviated ends expanded: "221-6" -> ("221", "226").

    Letters are kept ("S358", "e123", "cd002273") because "S12" and "12" are
    different pages. Only the first range counts ("742-8; discussion 748-9").
    A start that is not a page number ("Suppl", "t") gives ("", "").
    """
    text = (pages or "").strip().lower()
    if text.strip(".[]") in _PLACEHOLDERS:
        return "", ""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    if "(" in text or "[" in text:
        text = re.sub(r"\(.*?\)|\[.*?\]", " ", text)
    text = re.split(r"[;,+]|\bdiscussion\b|\bquiz\b", text)[0]
    text = re.sub(r"^\s*(?:pp?\.?|pages?)\s*", "", text)
    text = _MONTH_WORD.sub(lambda m: _MONTHS[m.group(1)], text)
    bits = [b for b in re.split(r"\s*(?:-+|\bto\b)\s*", text.strip()) if b]
    if not bits:
        return "", ""
    start = _NON_ALNUM.sub("", bits[0]).lstrip("0")
    end = _NON_ALNUM.sub("", bits[1]).lstrip("0") if len(bits) > 1 else ""
    if _ROMAN_PAGE.fullmatch(start):
        # Front matter ("iii-vii"): editorials and columns are paged in roman numerals.
        return start, end if _ROMAN_PAGE.fullmatch(end) and end != start else ""
    if not _CLEAN_PAGE.fullmatch(start) or start.startswith("suppl"):
        return "", ""
    if not _CLEAN_PAGE.fullmatch(end):
        end = ""
    if end and end.isdigit() and start.isdigit() and len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    elif end and start[0].isalpha() and end.isdigit():
        # "S221-6": the letter prefix applies to both ends.
        prefix = re.match(r"[a-z]+", start).group(0)
        digits = start[len(prefix) :]
        if len(end) < len(digits):
            end = digits[: len(digits) - len(end)] + end
        end = prefix + end
    elif end and end[0].isalpha() and not start[0].isalpha():
        end = ""
    if end == start:
        end = ""
    return start, end
