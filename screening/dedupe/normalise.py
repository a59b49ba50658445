"""Normalisation of bibliographic fields so that equal things compare equal.

Each function takes one raw field and returns its canonical form; `normalise_record`
bundles them into a `NormRecord` that blocking and scoring work on. Nothing here
decides whether two records are duplicates.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

from screening.dedupe.records import DedupeRecord
from screening.identifiers import doi_base, identifies_an_article, normalise_doi, normalise_pages

_HTML_TAG = re.compile(r"<[^>]{0,40}>")
# Letters and digits of every script survive ("Исследование", "研究", "μελέτη"):
# a non-Latin title must never normalise to nothing.
_NON_ALNUM = re.compile(r"[\W_]+")
_ASCII_NON_ALNUM = re.compile(r"[^a-z0-9]+")  # the same on lower-case ASCII, faster


def _squeeze(text: str, replacement: str) -> str:
    """Runs of anything but letters and digits (of any script) replaced."""
    pattern = _ASCII_NON_ALNUM if text.isascii() else _NON_ALNUM
    return pattern.sub(replacement, text)


# Databases mark a title translated into English by wrapping it in brackets and
# sometimes add a note; both are noise for matching.
_TRANSLATION_NOTE = re.compile(
    r"\((?:author'?s transl|authors'? transl|translated|english abstract|multiple letters)[^)]*\)",
    re.I,
)
# MEDLINE/Ovid annotations about *other* records ("[Erratum appears in ...]",
# "[Comment in ...]") and trailing tags ("[Review] [33 refs] [Spanish]"). The first
# kind marks the article itself, not a notice, so it is removed before notices are
# recognised. An annotation cut off by a length limit has no closing bracket.
_ANNOTATION = re.compile(
    r"\[\s*(?:erratum|comment|retraction|retracted|summary|update|corrected|republished"
    r"|expression|reprint|see)\b[^\]]*\]?",
    re.I,
)
_TRAILING_TAG = re.compile(r"\[\s*(?:[a-z]+|\d+ refs?|\d+)\s*\]", re.I)
# Placeholders some exports put where a field is unknown.
_PLACEHOLDERS = {"", "unknown", "none", "null", "nan", "n/a", "na", "[no title available]"}


# Slots: a 200k-record review holds every normalised record at once during matching,
# and an instance without a __dict__ is about 120 bytes smaller.
@dataclass(frozen=True, slots=True)
class Author:
    """An author reduced to what survives every export format."""

    surname: str
    initials: str
    # With "Sylvia Omulo" vs "Omulo Sylvia" and no comma we cannot tell which word
    # is the surname, so both stay candidates.
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NormRecord:
    """A record with every field in canonical form, ready to compare."""

    id: int | str
    title: str  # lower-case words separated by single spaces
    title_key: str  # title without spaces: equal keys mean equal titles
    title_latin: str  # the title transliterated to Latin letters ("" when already Latin)
    title_words: int
    informative_title: bool  # False for "Book review", "Editorial", placeholders...
    numbers_in_title: tuple[str, ...]
    part: str  # "2" for "Part II"; "" when the title names no part
    notice: str  # "erratum", "retraction", "comment", "reply", "" for an ordinary report
    authors: tuple[Author, ...]
    year: int | None
    journal: tuple[str, ...]  # full normalised name first, then its alternatives
    volume: str
    issue: str
    page_start: str
    page_end: str
    raw_pages: str  # as exported, for the reasons shown to a person
    doi: str
    doi_base: str  # DOI without a trailing version (".pub3", "v2")
    pmid: str
    is_conference: bool
    is_preprint: bool
    isbn: str
    issues: frozenset[str] = frozenset()  # every issue number named ("3/4" -> {"3", "4"})
    in_supplement: bool = False  # issue or volume names a supplement (meeting abstracts)
    # The same informative title at three or more places (volume, issue, first page,
    # year) in the set: a recurring item of a serial; set by the matcher.
    recurring: bool = False
    # The review gives this DOI to records with unrelated titles (an abstract book's
    # DOI shared by every abstract of a supplement): it identifies no one record, so a
    # shared DOI is no evidence; set by the matcher.
    collection_doi: bool = False


def fold(text: str) -> str:
    """Lower-case `text`, strip accents and HTML tags; keep punctuation."""
    # "K<inf>Ca</inf>3.1" is "KCa3.1": tags go without leaving a space.
    text = text or ""
    if "<" in text:
        text = _HTML_TAG.sub("", text)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = text.replace("ß", "ss")
    return text.lower().replace("&", " and ")


def is_placeholder(text: str) -> bool:
    return (text or "").strip().lower().strip(".[]") in _PLACEHOLDERS


def normalise_title(title: str) -> str:
    """Words of the title, lower case, no accents or punctuation.

    "[Translated title]." and "Translated title (author's transl)" both become
    "translated title".
    """
    if is_placeholder(title):
        return ""
    # Each pattern below needs a "[", ":", "(" or "," / "." to match; most titles
    # lack some of them, and skipping a pattern that cannot match saves its scan.
    text = title
    if "[" in text:
        text = _ANNOTATION.sub(" ", text)
    # "Erratum: <the article's title>": the notice kind is read from the raw title
    # (notice_kind); the title itself is the article's, so that two notices about
    # one article compare alike. A bare "Erratum" stays a (generic) title.
    if ":" in text:
        text = _NOTICE_PREFIX.sub("", text)
    if "(" in text:
        text = _TRANSLATION_NOTE.sub(" ", text)
    if "[" in text:
        text = _TRAILING_TAG.sub(" ", text)
    if "(" in text:
        text = _ERRATUM_CITATION.sub(" ", text)
    if "," in text or "." in text:
        text = _THOUSANDS.sub("", text)  # "10,000" is one number
    return _squeeze(fold(text), " ").strip()


_THOUSANDS = re.compile(r"(?<=\d)[,.](?=\d{3}\b)")


_NOTICE_PREFIX = re.compile(
    r"^\s*(?:erratum|errata|corrigendum|correction)(?:\s+to)?\s*:\s*(?=\S+(?:\s+\S+){2})", re.I
)

# Erratum notices that cite the corrected article after its title: Web of Science
# "Title (vol 360, pg 542, 2009)" and Embase "Title (N Engl J Med (2009) 360 (542-544))".
_ERRATUM_CITATION = re.compile(
    r"\(\s*vol\.?\s*\d+[^()]*\bpg?\.?\s*\w+[^()]*\)\s*\.?\s*$"
    r"|\([^()]*\(\d{4}\)\s*\d+[^()]*\([^()]*\d+[^()]*\)\s*\)\s*\.?\s*$",
    re.I,
)


_NOTICE_PATTERNS = (
    (
        "retraction",
        re.compile(r"^(notice of )?(retraction|retracted|withdrawn)\b|\bretraction note\b"),
    ),
    ("retraction", re.compile(r"^expression of concern\b|\bexpression of concern\b")),
    ("erratum", re.compile(r"\b(erratum|errata|corrigendum|corrigenda)\b")),
    ("erratum", re.compile(r"^(correction|corrections)\s*(to|of article|notice|\:|\[|$)")),
    ("erratum", re.compile(r"^(publisher|author)'?s? correction\b")),
    ("reply", re.compile(r"^(in )?(reply|response)( to|\b)|^authors?'? (reply|response)\b")),
    ("comment", re.compile(r"^(comment|commentary|comments) (on|to|regarding)\b|^re\s*:")),
)
# Cheap first test: every notice pattern contains one of these words.
_NOTICE_WORDS = re.compile(
    r"retract|withdrawn|concern|errat|corrigend|correction|reply|response|comment|re\s*:|\(\s*vol"
    r"|\(\d{4}\)",
    re.I,
)
_NOTICE_PLAIN_WORDS = (
    "retract", "withdrawn", "concern", "errat", "corrigend", "correction", "reply",
    "response", "comment",
)  # fmt: skip


def _may_be_notice(title: str) -> bool:
    """`_NOTICE_WORDS.search(title)`, answered without the regex for the common case:
    an ASCII title with no ":" or "(" can only match one of the plain words."""
    if ":" in title or "(" in title or not title.isascii():
        return bool(_NOTICE_WORDS.search(title))
    lower = title.lower()
    return any(word in lower for word in _NOTICE_PLAIN_WORDS)


_NOTICE_TYPES = (
    ("retraction", re.compile(r"retraction|retracted")),
    ("erratum", re.compile(r"erratum|correction|corrigendum")),
    ("comment", re.compile(r"\bcomment")),
)


def notice_kind(title: str, publication_type: str = "") -> str:
    """Which kind of notice about another article this record is, or "".

    Erratum, retraction, comment and reply notices often repeat the title of the
    article they are about, so they must never be merged with it.
    """
    if not publication_type and not _may_be_notice(title or ""):
        return ""
    if _ERRATUM_CITATION.search(title or ""):
        return "erratum"
    folded = fold(_ANNOTATION.sub(" ", title or "")).strip(" [")
    for kind, pattern in _NOTICE_PATTERNS:
        if pattern.search(folded):
            return kind
    ptype = fold(publication_type)
    for kind, pattern in _NOTICE_TYPES:
        if pattern.search(ptype):
            return kind
    return ""


_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7"}
_ROMAN.update({"viii": "8", "ix": "9", "x": "10", "one": "1", "two": "2", "three": "3"})
_PART = re.compile(r"\b(?:part|pt|teil|partie)\s+([ivx]+|\d+|one|two|three|[a-h])\b")


def title_part(norm_title: str) -> str:
    """The part number of a multi-part paper ("Part II" -> "2"), or ""."""
    if "part" not in norm_title and "pt" not in norm_title and "teil" not in norm_title:
        return ""  # "partie" contains "part": the pattern cannot match
    match = _PART.search(norm_title)
    if not match:
        return ""
    return _ROMAN.get(match.group(1), match.group(1))


_GENERIC_TITLES = {
    "book review", "book reviews", "editorial", "editorials", "introduction", "letter",
    "letters", "letter to the editor", "abstracts", "reply", "response", "commentary",
    "comment", "preface", "foreword", "news", "correspondence", "in brief", "erratum",
    "corrigendum", "correction", "index", "contents", "announcements", "obituary",
}  # fmt: skip


# Headings of recurring items of a serial: the same title comes back in every issue
# ("Editor's comments", "In this issue", "Reviewer acknowledgement 2019"), so the title
# is no evidence that two records are one item. Matched on the start of the title.
_RECURRING = re.compile(
    r"^(?:the )?(?:editorial(?: introduction| comments?| notes?| board| statement| preface| overview)?|editors? (?:comments?|notes?|introduction|letter|choice|note|corner|"
    r"remarks?|message|page|column|preface)|editor s (?:comments?|notes?|introduction|letter|note|"
    r"corner|remarks?|message|page|column|choice|preface)|letter from the (?:editors?|president|chair)|"
    r"remarks from the editors?|from the editors?|message from the (?:editors?|president|chair)|"
    r"in this issue|this issue|inside this issue|book reviews?|books? received|"
    r"reviewer acknowledge?ments?|acknowledge?ments? (?:of|to) reviewers|thanks? to (?:our )?reviewers|"
    r"list of reviewers|reviewers?(?: list)?|errat(?:um|a)|corrigend(?:um|a)|"
    r"(?:author |subject |annual |cumulative )?index(?:es)?|table of contents|contents|"
    r"masthead|issue information|front matter|back matter|cover|news|announcements?|"
    r"calendar|events|abstracts?|letters?(?: to the editor)?|correspondence|"
    r"president s (?:message|column|letter|page)|guest editorial|introduction to the special issue|"
    r"obituar(?:y|ies)|in memoriam|preface|foreword|highlights?|"
    r"(?:notes|information) for (?:authors|contributors)|instructions? (?:to|for) authors|"
    # The same headings in other languages (accents are folded away before matching).
    r"vorwort|einleitung|einfuhrung|editorial|rezensionen|buchbesprechungen|besprechungen|"
    r"comptes rendus|avant propos|presentation|introduction|editoriale|recensioni|premessa|"
    r"introduccion|presentacion|prefacio|resenas|nota (?:del|de la) (?:editor|editora|redaccion)|"
    r"apresentacao|introducao|editorial|voorwoord|inleiding|boekbesprekingen|"
    r"предисловие|введение|от редакции|рецензии|вступительное слово|"
    r"编者按|卷首语|前言|序言|editoryal|wstep|od redakcji|recenzje)"
    r"(?:\s+(?:\d+|[ivxlc]+|vol(?:ume)?\s*\d+|no\s*\d+|issue\s*\d+))*$"
)


def title_length(text: str) -> int:
    """Length of a normalised title; one CJK character says as much as a short word."""
    if text.isascii():
        return len(text)
    return sum(3 if ord(ch) >= 0x2E80 else 1 for ch in text)


def informative(norm_title: str, norm_journal: str) -> bool:
    """Whether a title says enough about a paper to identify it.

    Generic headings, recurring items of a serial ("Editor's comments", "Book
    reviews", "Index") and titles that merely repeat the journal's name do not.
    """
    if not norm_title or norm_title in _GENERIC_TITLES or _RECURRING.match(norm_title):
        return False
    if norm_journal and norm_title.startswith(norm_journal) and len(norm_journal) > 15:
        return False
    return title_length(norm_title) >= 12


_ISSUE_NUMBER = re.compile(r"\d+")


@lru_cache(maxsize=20_000)  # a review has few distinct values
def issue_numbers(issue: str) -> frozenset[str]:
    """The issue numbers an issue field names: "3" -> {3}, "3-4" / "3/4" -> {3, 4}.

    Supplement markers and months are not issue numbers ("Suppl 2" keeps 2; "Jan"
    gives nothing, i.e. unknown).
    """
    if is_placeholder(issue):
        return frozenset()
    numbers = [n.lstrip("0") or "0" for n in _ISSUE_NUMBER.findall(issue)]
    if len(numbers) == 2 and re.search(r"\d\s*[-–]\s*\d", issue):
        low, high = int(numbers[0]), int(numbers[1])
        if 0 < high - low <= 12:
            return frozenset(str(n) for n in range(low, high + 1))
    return frozenset(numbers)


# Diabetes-style exports glue authors together: "Adeli K.Lewis G. F.".
_GLUED_AUTHORS = re.compile(
    r"(?<=[A-Z]\.)(?=[A-Z][a-z'’]|(?:de|van|von|da|di|le|la|du|del|der|dos|ten|ter)\s)"
)


def split_authors(raw: str) -> tuple[str, ...]:
    """Split one author field as exported ("A and B", "A; B", "Adeli K.Lewis G. F.")."""
    raw = (raw or "").replace("\n", ";").replace("\r", ";")
    if is_placeholder(raw):
        return ()
    parts = re.split(r"\s+and\s+|;|\|", raw)
    if len(parts) == 1 and raw.count(",") >= 2 and " and " not in raw:
        # "Smith J, Jones K, Brown A" (Vancouver style): commas separate authors.
        comma_parts = [p.strip() for p in raw.split(",")]
        if all(len(p.split()) >= 2 for p in comma_parts if p):
            parts = comma_parts
    out: list[str] = []
    for part in parts:
        out.extend(p.strip() for p in _GLUED_AUTHORS.split(part) if p.strip())
    return tuple(out)


_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "2nd", "3rd"}


def _is_initials(token: str) -> bool:
    """ "J", "JA", "J.A.", "J.-P." are initials; "Jo" is not (Chinese surnames are short)."""
    letters = token.replace(".", "").replace("-", "")
    if not letters.isalpha():
        return False
    if "." in token:
        return len(letters) <= 3
    return len(letters) <= 3 and letters.isupper()


@lru_cache(maxsize=100_000)
def normalise_author(raw: str) -> Author | None:
    """Reduce "Smith, John A.", "Smith JA", "J. A. Smith" and "John Smith" to one form.

    Names in other scripts are transliterated ("Иванов, И. И." is "Ivanov, I. I."),
    so everything below works on ASCII text (`_fold_ascii`, `_key_ascii`).
    """
    raw = raw.strip()
    if not raw.isascii():
        raw = anyascii(raw)
    if not raw or raw.strip().lower().strip(".[]") in _PLACEHOLDERS:
        return None
    comma = "," in raw
    if comma:
        surname, _, given = raw.partition(",")
        surname_tokens = _fold_ascii(surname).split()
        given_tokens = given.replace(".", ". ").split()
        alternatives: tuple[str, ...] = ()
    else:
        tokens = raw.replace(".", ". ").split()
        initial_flags = [_is_initials(t) for t in tokens]
        if len(tokens) > 1 and initial_flags[-1] and not initial_flags[0]:
            # "Smith JA" / "Van Dyke J. A."
            cut = len(tokens)
            while cut > 1 and initial_flags[cut - 1]:
                cut -= 1
            surname_tokens = _fold_ascii(" ".join(tokens[:cut])).split()
            given_tokens = tokens[cut:]
            alternatives = ()
        elif len(tokens) > 1:
            # "J. A. Smith" or "John Smith"; "Omulo Sylvia" is ambiguous.
            surname_tokens, given_tokens = _fold_ascii(tokens[-1]).split(), tokens[:-1]
            alternatives = () if initial_flags[0] else (_key_ascii(_fold_ascii(tokens[0])),)
        else:
            surname_tokens, given_tokens, alternatives = _fold_ascii(raw).split(), [], ()
    if len(surname_tokens) > 1:  # a lone token stays, suffix or not
        surname_tokens = [
            t for t in surname_tokens if t.strip(".") not in _SUFFIXES
        ] or surname_tokens
    surname = _key_ascii(" ".join(surname_tokens))
    if not surname:
        return None
    if len(surname_tokens) > 1:
        # "van der Graaf" is filed as "Graaf" or "Van Graaf" by other exports.
        alternatives += (_key_ascii(surname_tokens[-1]),)
    given_keys = [_key_ascii(_fold_ascii(t)) for t in given_tokens]
    if comma and given_tokens and not _is_initials(given_tokens[0]):
        # "Le, Quintrec M." is "Le Quintrec, M." split at the wrong space.
        alternatives += (surname + given_keys[0],)
    given_keys = [k for k in given_keys if k and k not in _SUFFIXES]
    initials = "".join(k[0] for k in given_keys)
    if len(given_tokens) == 1 and len(given_keys) == 1 and _is_initials(given_tokens[0]):
        initials = given_keys[0]  # "JA" is two initials
    # Interned: surnames and initials repeat across a review's records, and each record's
    # own copies were a fifth of what a normalised record holds.
    return Author(
        surname=sys.intern(surname), initials=sys.intern(initials), alternatives=alternatives
    )


def _fold_ascii(text: str) -> str:
    """`fold` of an ASCII text (the same result, without the Unicode steps)."""
    if "<" in text:
        text = _HTML_TAG.sub("", text)
    return text.lower().replace("&", " and ")


def _key_ascii(text: str) -> str:
    """`_key` of a folded ASCII text."""
    return _ASCII_NON_ALNUM.sub("", text)


def _key(text: str) -> str:
    return _squeeze(text, "")


_JOURNAL_STOP = {"the", "of", "and", "in", "for", "on", "de", "la", "le", "der", "und", "a"}


@lru_cache(maxsize=20_000)
def normalise_journal(journal: str) -> tuple[str, ...]:
    """Journal name(s) as words without stop words.

    Embase glues the meeting onto the journal ("J Thromb Haemost.Conference: ...");
    the meeting's name comes last, as an alternative (other exports name only it);
    some exports give alternatives ("CMAJ : Canadian Medical Association journal =
    Journal de l'Association medicale canadienne"). Every alternative is returned,
    the full name first.
    """
    if is_placeholder(journal):
        return ()
    text = fold(journal if journal.isascii() else anyascii(journal))
    text, *meeting = re.split(r"\.\s*conference\s*:", text, maxsplit=1)
    text = re.sub(r"\((?:online|print|electronic)\)|\[electronic resource\]", " ", text)
    names: list[str] = []
    # The meeting's own name last: another export may give only that as the venue.
    for part in [text, *re.split(r"=|:|\s-\s|\(|/", text), *meeting]:
        words = [w for w in _squeeze(part, " ").split() if w not in _JOURNAL_STOP]
        name = " ".join(words)
        if name and name not in names:
            names.append(name)
    return tuple(names)


_CONFERENCE_TYPE = re.compile(r"conference|congress|meeting|proceeding|abstract|symposium|poster")
_CONFERENCE_VENUE = re.compile(
    r"conference|congress|meeting|symposium|workshop|colloquium|abstracts|annual|proceedings"
)


@lru_cache(maxsize=20_000)
def is_conference(publication_type: str, raw_journal: str) -> bool:
    """Whether the record is a conference abstract or paper rather than a journal article.

    "Proceedings of the National Academy of Sciences" is a journal, so "proceedings"
    alone only counts when it is not followed by "of the national".
    """
    if _CONFERENCE_TYPE.search(fold(publication_type)):
        return True
    venue = fold(raw_journal)
    venue = re.sub(r"proceedings of the (national|royal)", " ", venue)
    return bool(_CONFERENCE_VENUE.search(venue))


_PREPRINT_VENUES = re.compile(
    r"\b(medrxiv|biorxiv|arxiv|ssrn|research square|preprints?|chemrxiv|psyarxiv|osf)\b"
)
_PREPRINT_DOI = (
    "10.1101/",
    "10.48550/",
    "10.21203/",
    "10.2139/",
    "10.20944/",
    "10.31234/",
    "10.26434/",
)


def is_preprint(publication_type: str, raw_journal: str, doi: str) -> bool:
    return _preprint_venue(publication_type, raw_journal) or doi.startswith(_PREPRINT_DOI)


@lru_cache(maxsize=20_000)
def _preprint_venue(publication_type: str, raw_journal: str) -> bool:
    return "preprint" in fold(publication_type) or bool(_PREPRINT_VENUES.search(fold(raw_journal)))


def normalise_pmid(pmid: str) -> str:
    digits = re.sub(r"\D", "", pmid or "")
    return digits.lstrip("0")


@lru_cache(maxsize=20_000)  # a review has few distinct values
def normalise_volume(volume: str) -> str:
    """The volume number alone: "44 (2 Supplement 1)" -> "44"; "" when none or garbled."""
    if is_placeholder(volume):
        return ""
    volume = volume.strip()
    # "1)" is the tail of "(Suppl 1)" split off a mangled field, not a volume.
    if volume.count(")") > volume.count("("):
        return ""
    # The number must lead ("44", "Vol. 44", "44 (2)"); "Korsakova. Part 2. 117" is a
    # garbled field whose first number is not the volume.
    match = _LEADING_VOLUME.match(volume)
    if not match or _YEAR_LIKE.fullmatch(match.group(1)):
        # Some databases put the year where a journal has no volume ("2019").
        return ""
    return match.group(1).lstrip("0")


_YEAR_LIKE = re.compile(r"1[89]\d\d|20\d\d")


_LEADING_VOLUME = re.compile(r"(?:v(?:ol(?:ume)?)?\.?\s*)?(\d+)", re.I)
# Embase writes the issue into the volume field: "31 (2) (no pagination)".
_ISSUE_IN_VOLUME = re.compile(r"^\s*\d+\s*\(\s*(\d+)\s*\)")


# Weekly journals number issues in thousands (Lancet 9355), exports put record
# numbers in the "number" column: numbers this large are not compared.
MAX_ISSUE = 200


def _plain_issues(numbers: frozenset[str], page_start: str) -> frozenset[str]:
    """Issue numbers worth comparing: not the article number that Embase copies into
    the issue field ("93" for article 93, "168396" for e0168396), not above MAX_ISSUE."""
    article = page_start.lstrip(_LETTERS_AND_ZERO)
    return _shared(frozenset(n for n in numbers if n != article and int(n) <= MAX_ISSUE))


@lru_cache(maxsize=4096)
def _shared(issues: frozenset[str]) -> frozenset[str]:
    """One object for equal issue sets: a review has a few hundred ({"1"} … {"12"}, {"3",
    "4"}), and a frozenset per record was about 200 bytes of every record held."""
    return issues


_LETTERS_AND_ZERO = "abcdefghijklmnopqrstuvwxyz0"


@lru_cache(maxsize=20_000)  # a review has few distinct values
def _issue_in_volume(volume: str) -> frozenset[str]:
    match = _ISSUE_IN_VOLUME.match(volume or "")
    return frozenset({match.group(1).lstrip("0") or "0"}) if match else frozenset()


def normalise_record(record: DedupeRecord) -> NormRecord:
    """Canonical form of every field of `record`, computed once per record."""
    title = normalise_title(record.title)
    journal = normalise_journal(record.journal)
    # Twelve names identify a paper; consortium lists run to hundreds.
    authors = tuple(a for a in map(normalise_author, record.authors[:12]) if a is not None)
    doi = normalise_doi(record.doi)
    doi = doi if identifies_an_article(doi) else ""
    page_start, page_end = normalise_pages(record.pages)
    if page_end.isdigit() and page_start.isdigit() and int(page_end) < int(page_start):
        # "2297-2108": a range that ends before it starts has a mistyped page in it,
        # and nothing tells which one; neither is evidence either way.
        page_start = page_end = ""
    numbers = tuple(sorted(w for w in title.split() if w.isdigit() or w in _ROMAN_NUMERALS))
    return NormRecord(
        id=record.id,
        title=title,
        title_key=title.replace(" ", ""),
        title_latin="" if title.isascii() else _NON_ALNUM.sub(" ", anyascii(title).lower()).strip(),
        title_words=len(title.split()),
        informative_title=informative(title, journal[0] if journal else ""),
        numbers_in_title=numbers,
        part=title_part(title),
        notice=notice_kind(record.title, record.publication_type),
        authors=authors,
        year=record.year,
        journal=journal,
        volume=normalise_volume(record.volume),
        issue=normalise_volume(record.issue),
        issues=_plain_issues(
            issue_numbers(record.issue) | _issue_in_volume(record.volume), page_start
        ),
        page_start=sys.intern(page_start),  # page numbers repeat: one object each
        page_end=sys.intern(page_end),
        raw_pages=record.pages.strip(),
        doi=doi,
        doi_base=doi_base(doi),
        pmid=normalise_pmid(record.pmid),
        is_conference=is_conference(record.publication_type, record.journal),
        is_preprint=is_preprint(record.publication_type, record.journal, doi),
        isbn=record.isbn,
        in_supplement=bool(_SUPPLEMENT.search(record.issue) or _SUPPLEMENT.search(record.volume)),
    )


# "Suppl 2", "SUPPL. 3", "Supplement 1", "s2": an issue of meeting abstracts.
_SUPPLEMENT = re.compile(r"suppl|^\s*s\s*\d+\s*$", re.I)


# Roman numerals that matter in titles ("Part II", "type 2"); "i" and "v" are too
# often words or initials to count.
_ROMAN_NUMERALS = {"ii", "iii", "iv", "vi", "vii", "viii", "ix"}
