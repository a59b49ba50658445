"""The records search syntax, as a pure parser (read this before screening/selectors/search.py).

One box searches title, abstract, authors, keywords, journal, DOI and PubMed id:

- `naltrexone pain`: every word (AND), anywhere
- `"low dose"`: a phrase; `naltrex*`: words starting so; `-mouse`: not this word
- field prefixes: `ti:` title, `ab:` abstract, `au:` authors, `kw:` keywords,
  `jo:` journal, `doi:` a DOI or a fragment of one, `pmid:` a PubMed id,
  `year:2019`, `year:2019..2021`, `year:2019..`, `year:..2021`;
  they combine with the rest: `ti:"chronic pain" -au:smith year:2015..`
- a DOI (`10.1000/xyz`) or a PubMed id (digits) typed alone is looked up as such too.

`parse` turns the text into a `Plan` (terms, year range, errors in words for the
user); the database side (`screening.selectors.search`) turns a plan into a filter
for PostgreSQL full-text search or for the SQLite fallback, and `highlight_terms`
gives what to mark in the results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FIELDS = {
    "ti": "title",
    "title": "title",
    "ab": "abstract",
    "abstract": "abstract",
    "au": "authors",
    "author": "authors",
    "kw": "keywords",
    "keyword": "keywords",
    "jo": "journal",
    "journal": "journal",
    "doi": "doi",
    "pmid": "pmid",
}
TEXT_FIELDS = ("title", "abstract", "authors", "keywords", "journal")
ANY = "any"
MAX_TERMS = 20
MAX_LENGTH = 500

_TOKEN = re.compile(
    r"""
    (?P<neg>-)?
    (?:(?P<field>[A-Za-z]+):)?
    (?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))
    """,
    re.VERBOSE,
)
_YEAR = re.compile(r"^(?P<lo>\d{4})?(?:(?P<range>\.\.)(?P<hi>\d{4})?)?$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$", re.IGNORECASE)
_PMID = re.compile(r"^\d{1,9}$")
_WORDS = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Term:
    """One thing to look for: `text` in `field` (ANY: every text field)."""

    text: str
    field: str = ANY
    phrase: bool = False  # the words in this order
    prefix: bool = False  # words starting with `text`
    negate: bool = False

    @property
    def words(self) -> list[str]:
        return _WORDS.findall(self.text)


@dataclass(frozen=True)
class Plan:
    terms: tuple[Term, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    errors: tuple[str, ...] = field(default=(), compare=False)

    @property
    def empty(self) -> bool:
        return not self.terms and self.year_from is None and self.year_to is None

    def highlight_terms(self) -> list[str]:
        """What to mark in the results, in screening.highlight's syntax (`word*`, phrases)."""
        marks = []
        for term in self.terms:
            if term.negate or term.field not in (ANY, *TEXT_FIELDS) or is_doi(term.text):
                continue
            if term.phrase:
                marks.append(" ".join(term.words))
            else:
                # Stemming on PostgreSQL finds "trials" for "trial": mark the word's forms.
                marks += [f"{word}*" for word in term.words]
        return [m for m in marks if m]


def _year(value: str) -> tuple[int | None, int | None] | None:
    match = _YEAR.match(value)
    if not match or not (match["lo"] or match["hi"]):
        return None
    lo = int(match["lo"]) if match["lo"] else None
    hi = int(match["hi"]) if match["hi"] else None
    if not match["range"]:
        hi = lo
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    return lo, hi


def parse(text: str) -> Plan:
    """The plan for a search box's text (see the module's docstring for the syntax)."""
    text = (text or "").strip()
    errors: list[str] = []
    if len(text) > MAX_LENGTH:
        errors.append(f"The search was cut to its first {MAX_LENGTH} characters.")
        text = text[:MAX_LENGTH]
    terms: list[Term] = []
    year_from = year_to = None
    for match in _TOKEN.finditer(text):
        negate = bool(match["neg"])
        name = (match["field"] or "").lower()
        phrase = match["phrase"]
        word = match["word"]
        if name and name != "year" and name not in FIELDS:
            # Not a field we know ("covid:19"): search the token as typed.
            word = f"{match['field']}:{word if word is not None else phrase}"
            phrase, name = None, ""
        if name == "year":
            years = _year((word or phrase or "").strip())
            if years is None or negate:
                errors.append(f"year:{word or phrase} is not a year or a range (year:2019..2021).")
                continue
            year_from, year_to = years
            continue
        where = FIELDS.get(name, ANY)
        if phrase is not None:
            if _WORDS.search(phrase):
                terms.append(
                    Term(
                        phrase.strip(), where, phrase=len(_WORDS.findall(phrase)) > 1, negate=negate
                    )
                )
            continue
        if word is None or word == "-":
            continue
        if where in ("doi", "pmid"):
            value = word.strip().rstrip("*")
            if value:
                terms.append(Term(value, where, negate=negate))
            continue
        if where == ANY and not negate and (_DOI.match(word) or _PMID.match(word)):
            terms.append(Term(word, ANY))
            continue
        prefix = word.endswith("*")
        words = _WORDS.findall(word)
        if not words:
            continue
        if prefix:
            # "low-dos*": low, then words starting with dos.
            if not negate:
                terms += [Term(w, where) for w in words[:-1]]
            terms.append(Term(words[-1], where, prefix=True, negate=negate))
        else:
            joined = " ".join(words)
            terms.append(Term(joined, where, phrase=len(words) > 1, negate=negate))
    if len(terms) > MAX_TERMS:
        errors.append(f"Only the first {MAX_TERMS} search terms are used.")
        terms = terms[:MAX_TERMS]
    return Plan(tuple(terms), year_from, year_to, tuple(errors))


def is_doi(text: str) -> bool:
    return bool(_DOI.match(text))


def is_pmid(text: str) -> bool:
    return bool(_PMID.match(text))
