"""The rules that decide whether two normalised records report the same thing.

`compare` looks at one pair and returns a `Comparison`: "duplicate" only when the
evidence leaves no reasonable doubt, "maybe" when a person should look, "distinct"
otherwise, always with the reasons a person would want to see.

The policy, in terms of evidence (issue 12):

* An automatic merge needs strong positive evidence — the same DOI (or PMID), or a
  near-identical informative title with the same year (±1 for online-first) and
  compatible journal, volume, issue, pages and authors — AND no conflicting
  identifying field. Conflicts (`_Facts.conflicts`): two different base DOIs or
  PMIDs, disjoint issue numbers, different first pages, different volumes, years
  more than one apart, and a different last page beside any of those. A pair with a
  conflict is at most "maybe", whatever else agrees — a shared DOI included.
* Data-entry slips that cannot describe two different articles are not conflicts
  (tests/dedupe/cases/7_data_entry_typos.json): a page range that runs backwards
  ("2297-2108": its pages are unknown), two multi-page ranges of one volume ending
  on the same page ("2141-2147" / "2142-2147"), and an issue that alone differs
  between records with the same long, non-recurring title, authors, journal,
  volume, year and numeric first page (or DOI). A year one apart is online-first
  when journal and volume agree, or when one record has an online-first record's
  shape (no volume or issue, paged 1-N or the same DOI, a year before the other).
* A DOI that the review also gives to an unrelated title on another first page (a
  supplement's or abstract book's DOI that each of its abstracts carries;
  `matcher.mark_collection_dois`) is no evidence: the pair is judged on its other
  fields, as if it had no DOI. Two different DOIs still conflict.
* Never evidence: a generic or recurring heading ("Editorial", "Editor's comments",
  "In this issue", "Book reviews", "Index", in several languages) — such a pair with
  a conflict is "distinct", without one it is "maybe"; two titles that normalise to
  nothing.
* Vetoes before anything else: erratum/retraction/comment/reply notices vs their
  article, Part I vs Part II. An erratum notice under the article's title in its
  journal and volume is offered to a person ("maybe"), never merged: the labelled
  sets disagree on whether an erratum is its article.
* For a person, not merged: one conflict with near-identical titles, and the same
  title by the same authors at another issue and first page of one volume (a
  correction or second printing more often than another paper).

The order of the rules mirrors how a careful reviewer reads a pair: first the vetoes
(notices, parts, different versions), then shared identifiers, then the
bibliographic fields one by one. Every reason is a literal statement about the two
records, a's value first (tests/dedupe/reason_truth.py checks each one). How rules
are kept general rather than fitted to the shared sets: bench/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz.distance import JaroWinkler
from rapidfuzz.fuzz import ratio, token_set_ratio

from screening.dedupe.journals import journal_agreement
from screening.dedupe.normalise import Author, NormRecord
from screening.dedupe.records import DISTINCT, DUPLICATE, MAYBE
from screening.dedupe.slips import (
    ISSUE_TYPO,
    last_pages_conflict,
    mistyped_issue,
    online_first,
    same_range_end,
)

# Below this title likeness (0..100) a pair without a shared identifier is not worth
# scoring at all; it keeps large imports fast.
TITLE_FLOOR = 75.0


@dataclass(frozen=True)
class Comparison:
    score: float
    decision: str
    reasons: tuple[str, ...]


@dataclass
class _Evidence:
    """What one comparison has found so far; turned into a `Comparison` at the end."""

    support: list[str] = field(default_factory=list)
    against: list[str] = field(default_factory=list)
    # Set by a rule that forbids auto-merging whatever else agrees.
    cap_maybe: list[str] = field(default_factory=list)


def _title_likeness(a: NormRecord, b: NormRecord) -> tuple[float, str]:
    """Likeness of the titles (0..1) and how they relate: "same", "alike", "prefix", ""."""
    if not a.title or not b.title:
        return 0.0, ""
    if a.title_key == b.title_key:
        return 1.0, "same"
    if a.title_latin or b.title_latin:
        # Another script on one side at least: compare the transliterations too
        # ("Issledovanie vliyaniya..." is "Исследование влияния...").
        latin_a, latin_b = a.title_latin or a.title, b.title_latin or b.title
        latin = ratio(latin_a, latin_b) / 100
        if latin >= 0.85 and latin > ratio(a.title, b.title) / 100:
            return latin, "transliterated"
    full = ratio(a.title, b.title) / 100
    short, long_ = sorted((a.title, b.title), key=len)
    # One export truncated the title, or dropped the subtitle.
    if len(short) >= 30 and len(long_) > len(short) + 5:
        head = ratio(short, long_[: len(short)]) / 100
        if head >= 0.97 and head > full:
            return head, "prefix"
    # Word order or a moved subtitle; token_set also forgives one dropped word.
    if full < 0.9:
        tokens = token_set_ratio(a.title, b.title) / 100
        if tokens >= 0.97 and a.title_words >= 6 and abs(a.title_words - b.title_words) <= 1:
            return tokens - 0.03, "alike"
    return full, "alike"


def _same_person(x: Author, y: Author) -> bool:
    if x.surname == y.surname:
        return _initials_agree(x, y)
    if {x.surname, *x.alternatives} & {y.surname, *y.alternatives}:
        # Matched through a reading of an ambiguous name: the initials are unreliable.
        return True
    # Typos and transliterations: "Schiffman" / "Schiffmann".
    if len(x.surname) >= 5 and JaroWinkler.similarity(x.surname, y.surname) >= 0.93:
        return _initials_agree(x, y)
    return False


def _initials_agree(x: Author, y: Author) -> bool:
    if not x.initials or not y.initials:
        return True
    return x.initials[0] == y.initials[0]


def _author_agreement(a: NormRecord, b: NormRecord) -> tuple[bool | None, float]:
    """(first authors agree, share of the shorter list found in the other), None if unknown."""
    if not a.authors or not b.authors:
        return None, 0.0
    first = _same_person(a.authors[0], b.authors[0])
    shorter, longer = sorted((a.authors[:12], b.authors[:12]), key=len)
    found = sum(1 for x in shorter if any(_same_person(x, y) for y in longer))
    return first, found / len(shorter)


def _pages_agreement(a: NormRecord, b: NormRecord) -> bool | None:
    """Whether the first pages agree; None when either is unknown or uninformative.

    Last pages are ignored: exports disagree on them too often ("1-150" / "1-iv").
    A first page of 1 is often PDF or online-first pagination, so it proves nothing.
    """
    if not a.page_start or not b.page_start:
        return None
    if a.page_start == b.page_start:
        return True
    if _within(a, b) or _within(b, a):
        return True  # "488" is the last page of "487-488"
    if same_range_end(a, b):
        return True
    letters_a, letters_b = a.page_start[0].isalpha(), b.page_start[0].isalpha()
    if letters_a != letters_b:
        digits_a, digits_b = a.page_start.lstrip(_LETTERS), b.page_start.lstrip(_LETTERS)
        if digits_a == digits_b:
            return True  # "c37" (Nephron's section prefix) vs "37"
        return None  # an article number ("e12724", "c1804") vs print pages
    if "1" in (a.page_start, b.page_start):
        return None
    return False


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _within(single: NormRecord, ranged: NormRecord) -> bool:
    """`single` gives one page that lies inside the page range of `ranged`."""
    if single.page_end or not ranged.page_end:
        return False
    if not (
        single.page_start.isdigit() and ranged.page_start.isdigit() and ranged.page_end.isdigit()
    ):
        return False
    return int(ranged.page_start) <= int(single.page_start) <= int(ranged.page_end)


def _numbers_conflict(a: NormRecord, b: NormRecord) -> bool:
    """Each title has a number the other lacks ("type 1" vs "type 2", "2019" vs "2020").

    A number missing on one side only is usually a dropped tag or a cut title.
    """
    set_a, set_b = set(a.numbers_in_title), set(b.numbers_in_title)
    return bool(set_a - set_b) and bool(set_b - set_a)


def _is_article(record: NormRecord) -> bool:
    """A journal record with a page range: a full paper rather than an abstract.

    A supplement's range is the abstract book's ("v9 s2 p499-711"), not a paper's.
    """
    return bool(record.page_end) and not record.is_conference and not record.in_supplement


_ERRATUM_OF = "one is an erratum notice under the other's title: never merged automatically"


def _erratum_of(a: NormRecord, b: NormRecord) -> bool:
    """An erratum notice under the article's (informative) title, in the same journal
    and volume, by the same first author where both name one, or sharing half the names
    (errata often name only the corresponding author)."""
    first, share = _author_agreement(a, b)
    return bool(
        a.informative_title
        and b.informative_title
        and _title_likeness(a, b)[0] >= 0.95
        and journal_agreement(a.journal, b.journal)
        and a.volume
        and a.volume == b.volume
        and (first is not False or share >= 0.5)
    )


def _issue_text(numbers: frozenset[str]) -> str:
    return "/".join(sorted(numbers, key=lambda n: (len(n), n)))


def _pages_text(a: NormRecord, b: NormRecord) -> str:
    if a.raw_pages == b.raw_pages:
        return f"same pages {a.raw_pages}"
    if a.page_start != b.page_start and same_range_end(a, b):
        return f"page ranges end alike ({a.raw_pages} vs {b.raw_pages})"
    return f"pages {a.raw_pages} = {b.raw_pages}"


def compare(a: NormRecord, b: NormRecord, *, title_floor: float = TITLE_FLOOR) -> Comparison | None:
    """Decide whether `a` and `b` are the same report; None when clearly unrelated.

    `title_floor` (0..100) lets the caller skip pairs whose titles are too different
    when they share no identifier or volume and first page; 0 scores every pair.
    """
    # A DOI the review gives to unrelated titles (a supplement's) proves nothing.
    collection_doi = bool(a.doi) and a.doi == b.doi and a.collection_doi
    same_doi = bool(a.doi) and a.doi == b.doi and not collection_doi
    same_pmid = bool(a.pmid) and a.pmid == b.pmid
    same_place = bool(a.volume) and a.volume == b.volume and a.page_start == b.page_start != ""
    shortcut = title_floor and a.title and b.title and not (same_doi or same_pmid or same_place)
    if (
        shortcut
        and ratio(a.title, b.title, score_cutoff=title_floor) == 0
        and token_set_ratio(a.title, b.title, score_cutoff=90) == 0
    ):
        return None

    # Vetoes: these pairs are different reports however alike they look.
    if a.notice != b.notice:
        if a.notice and b.notice:
            reason = f"{a.notice} vs {b.notice} notice: never merged"
        else:
            kind = a.notice or b.notice
            reason = f"one is {'an' if kind[0] in 'aeiou' else 'a'} {kind} notice: never merged"
            if kind == "erratum" and _erratum_of(a, b):
                # The erratum of this very article: a person may link the two (some
                # labelled sets count them as one), the matcher never merges them.
                return Comparison(round(_title_likeness(a, b)[0], 3), MAYBE, (_ERRATUM_OF,))
        return Comparison(0.0, DISTINCT, (reason,))
    if a.part and b.part and a.part != b.part:
        return Comparison(0.0, DISTINCT, (f"part {a.part} vs part {b.part}: different papers",))

    ev = _Evidence()
    title_sim, title_kind = _title_likeness(a, b)
    first_author, author_share = _author_agreement(a, b)
    journal = journal_agreement(a.journal, b.journal)
    pages = _pages_agreement(a, b)
    volume = None if not a.volume or not b.volume else a.volume == b.volume
    issue = None if not a.issues or not b.issues else bool(a.issues & b.issues)
    end_conflict = last_pages_conflict(a, b)
    year_gap = None if a.year is None or b.year is None else abs(a.year - b.year)

    # An abstract and the full paper (a page range) are different reports; an Embase
    # "Journal.Conference:" record and the same journal's supplement entry are one
    # abstract.
    if (
        a.is_conference != b.is_conference
        and not pages
        and (_is_article(a) or _is_article(b) or journal is False or year_gap)
    ):
        ev.cap_maybe.append("conference abstract vs journal article: different reports")
    if a.is_preprint != b.is_preprint:
        ev.cap_maybe.append("preprint vs published version")
    if _numbers_conflict(a, b):
        shown = lambda r: " ".join(r.numbers_in_title) or "none"  # noqa: E731
        ev.cap_maybe.append(f"numbers in titles differ ({shown(a)} vs {shown(b)})")

    # Identifiers.
    if same_doi:
        ev.support.append(f"same DOI {a.doi}")
    elif collection_doi:
        ev.support.append(f"same DOI {a.doi}, {_COLLECTION}")
    elif a.doi and b.doi:
        if a.doi_base == b.doi_base:
            ev.cap_maybe.append(f"DOIs differ only by version ({a.doi} vs {b.doi})")
        else:
            ev.against.append(f"different DOIs ({a.doi} vs {b.doi})")
    if same_pmid:
        ev.support.append(f"same PMID {a.pmid}")
    elif a.pmid and b.pmid:
        ev.against.append(f"different PMIDs ({a.pmid} vs {b.pmid})")

    # Title.
    if title_kind == "same":
        ev.support.append("titles identical" if a.informative_title else "same generic title")
    elif title_kind == "prefix":
        ev.support.append(f"one title is the other cut short ({title_sim:.2f})")
    elif title_kind == "transliterated":
        (ev.support if title_sim >= 0.9 else ev.against).append(
            f"titles {title_sim:.2f} alike once transliterated"
        )
    elif title_kind:
        (ev.support if title_sim >= 0.9 else ev.against).append(f"titles {title_sim:.2f} alike")
    else:
        ev.against.append("a title is missing")
    if title_kind and not (a.informative_title and b.informative_title) and not same_doi:
        # The title is no evidence; a shared DOI still is.
        ev.cap_maybe.append(_GENERIC)

    # Authors.
    if first_author is None:
        pass
    elif _authors_agree(a, b, first_author, author_share):
        ev.support.append(f"authors agree ({author_share:.0%} of names)")
    elif first_author or author_share >= 0.5:
        ev.against.append(f"authors partly differ ({author_share:.0%} of names)")
    else:
        ev.against.append(f"authors differ ({author_share:.0%} of names)")

    # Year, volume, issue, pages, journal.
    if year_gap == 0:
        ev.support.append(f"same year {a.year}")
    elif year_gap == 1:
        ev.support.append(f"years differ by 1 ({a.year} vs {b.year})")
    elif year_gap is not None:
        ev.against.append(f"years differ by {year_gap} ({a.year} vs {b.year})")
    if volume:
        ev.support.append(f"same volume {a.volume}")
    elif volume is False:
        ev.against.append(f"volumes differ ({a.volume} vs {b.volume})")
    if issue:
        ev.support.append(f"same issue {_issue_text(a.issues & b.issues)}")
    elif issue is False:
        ev.against.append(f"issues differ ({_issue_text(a.issues)} vs {_issue_text(b.issues)})")
    authors_agree = _authors_agree(a, b, first_author, author_share)
    issue_typo = (
        issue is False
        and year_gap == 0
        and authors_agree
        and mistyped_issue(a, b, same_doi, journal)
    )
    if issue_typo:
        ev.support.append(ISSUE_TYPO)
    if pages:
        ev.support.append(_pages_text(a, b))
    elif pages is False:
        ev.against.append(f"pages differ ({a.raw_pages} vs {b.raw_pages})")
    elif end_conflict:
        ev.against.append(f"last pages differ ({a.raw_pages} vs {b.raw_pages})")
    if journal:
        ev.support.append("same journal" if a.journal[0] == b.journal[0] else "journal names agree")
    elif journal is False:
        ev.against.append("journals differ")

    score = _score(title_sim, first_author, author_share, year_gap, volume, pages, journal)
    if same_doi or same_pmid:
        score = max(score, 0.9)
    facts = _Facts(
        same_id=same_doi or same_pmid, title_sim=title_sim, title_kind=title_kind,
        first_author=first_author, authors_agree=authors_agree,
        author_share=author_share, year_gap=year_gap, volume=volume, pages=pages,
        journal=journal, multi_page=bool(a.page_end or b.page_end),
        different_ids=bool(a.doi and b.doi and a.doi_base != b.doi_base)
        or bool(a.pmid and b.pmid and a.pmid != b.pmid),
        issue=issue, end_conflict=end_conflict, issue_typo=issue_typo,
        informative=a.informative_title and b.informative_title,
        preprint_pair=a.is_preprint != b.is_preprint,
        online_first=online_first(a, b) or online_first(b, a),
    )  # fmt: skip
    generic_only = ev.cap_maybe == [_GENERIC]
    decision = _decide(facts, capped=bool(ev.cap_maybe), generic_only=generic_only)
    if decision == DISTINCT and not ev.against:
        return None
    return Comparison(round(score, 3), decision, tuple(ev.support + ev.cap_maybe + ev.against))


_GENERIC = "title too generic to identify a paper"
_COLLECTION = "which other titles in this review carry too: no evidence"


def _authors_agree(a: NormRecord, b: NormRecord, first: bool | None, share: float) -> bool:
    """Same first author and half the names, or most names of a longer list.

    The second form forgives a mangled first name ("Brismar, Wendel S").
    """
    if first is None:
        return False
    if first and share >= 0.5:
        return True
    return share >= 0.75 and min(len(a.authors), len(b.authors)) >= 3


def _score(
    title_sim: float,
    first_author: bool | None,
    author_share: float,
    year_gap: int | None,
    volume: bool | None,
    pages: bool | None,
    journal: bool | None,
) -> float:
    """A 0..1 summary of the evidence for a person to sort by; decisions use the rules."""
    parts = [(0.45, title_sim)]
    if first_author is not None:
        parts.append((0.2, (0.5 if first_author else 0.0) + author_share / 2))
    if year_gap is not None:
        parts.append((0.1, {0: 1.0, 1: 0.6}.get(year_gap, 0.0)))
    for weight, agree in ((0.1, volume), (0.1, pages), (0.05, journal)):
        if agree is not None:
            parts.append((weight, 1.0 if agree else 0.0))
    return sum(w * v for w, v in parts) / sum(w for w, _ in parts)


@dataclass(frozen=True)
class _Facts:
    same_id: bool
    title_sim: float
    title_kind: str
    first_author: bool | None
    authors_agree: bool
    author_share: float
    year_gap: int | None
    volume: bool | None
    pages: bool | None
    journal: bool | None
    multi_page: bool
    different_ids: bool
    informative: bool
    preprint_pair: bool  # one is a preprint, the other not: its own DOI and venue
    issue: bool | None = None  # issue numbers overlap / are disjoint / unknown
    end_conflict: bool = False  # same first page, different last page
    issue_typo: bool = False  # the issues differ, everything identifying agrees
    online_first: bool = False  # one is the other's online-first record (a year earlier)

    def conflicts(self) -> list[str]:
        """Identifying fields on which the two records disagree: each one vetoes an
        automatic merge, whatever else agrees (see the module docstring)."""
        found = []
        if self.different_ids:
            found.append("identifier")
        if self.year_gap is not None and self.year_gap > 1:
            found.append("year")
        if self.volume is False:
            found.append("volume")
        if self.issue is False and not self.issue_typo:
            found.append("issue")
        if self.pages is False:
            found.append("first page")
        if self.end_conflict and found:
            # Exports disagree on last pages ("943-945" vs "943-944") more often than
            # on anything else: alone it is no veto, beside another conflict it is.
            found.append("last page")
        return found


def _same_issue_place(f: _Facts) -> bool:
    """Same journal, volume, issue (known on both sides) and first page, in the same
    year, by agreeing authors (or none given on either side)."""
    authors = f.authors_agree or f.first_author is None
    return bool(f.journal and f.volume and f.issue and f.pages and f.year_gap == 0 and authors)


def _decide(f: _Facts, *, capped: bool, generic_only: bool = False) -> str:
    """Apply the merge rules to the facts of one pair; `capped` forbids auto-merging.

    An automatic merge needs strong positive evidence and no conflicting identifying
    field (`_Facts.conflicts`): a pair with a conflict is at most "maybe".
    rejects.py skips pairs these rules can only call "distinct": a rule that keeps
    more pairs must keep them there too (tests/dedupe/test_rejects.py).
    """
    conflicts = f.conflicts()
    if f.preprint_pair and conflicts == ["identifier"]:
        conflicts = []  # a preprint has its own DOI; "preprint vs published" caps it
    certain = DUPLICATE if not (capped or conflicts) else MAYBE
    authors_ok = f.first_author is not False or f.author_share >= 0.5
    same_year = f.year_gap in (0, None)
    # Same volume and first page: the same place in the same journal.
    same_place = bool(f.volume and f.pages)

    if f.same_id:
        # A shared DOI or PMID settles it unless the records plainly describe
        # different papers (a DOI pasted onto the wrong record) or an identifying
        # field disagrees (then a person decides).
        if f.title_kind and f.title_sim < 0.6 and not f.authors_agree:
            return DISTINCT
        if not f.title_kind or f.title_sim >= 0.9 or (f.title_sim >= 0.8 and authors_ok):
            return certain
        return MAYBE

    if conflicts and not f.informative:
        # A recurring heading ("Editor's comments") in another issue or on other pages:
        # the title is no evidence, the conflict is.
        return DISTINCT
    if not f.title_kind or f.title_sim < 0.85:
        # Titles unknown or different (a translation?): only the same place in the
        # same journal by the same authors is worth anything.
        if same_place and same_year and f.authors_agree and not conflicts:
            if f.title_kind and f.title_sim >= 0.5 and f.multi_page and f.journal:
                return certain
            return MAYBE
        return DISTINCT
    if not authors_ok and f.title_sim < 0.95 and not same_place:
        return DISTINCT

    # Journal names vary too much to overrule the same volume and page.
    journal_differs = f.journal is False and not same_place and not f.preprint_pair
    if conflicts or journal_differs:
        # One disagreement is worth a look (a typo, online-first pages); two or
        # more mean another report of the work, not another record of this one.
        near = f.title_sim >= 0.9 and (f.authors_agree or same_place)
        if near and len(conflicts) + journal_differs == 1:
            return MAYBE
        # The same title by the same authors elsewhere in one volume: a correction
        # or a second printing more often than another paper; a person decides.
        same_volume = f.volume and f.journal and f.year_gap == 0 and f.authors_agree
        elsewhere = set(conflicts) == {"issue", "first page"} and not journal_differs
        return MAYBE if same_volume and elsewhere and f.title_kind == "same" else DISTINCT
    if capped:
        if generic_only and f.title_kind == "same" and _same_issue_place(f):
            # A generic title is no evidence, but the place is: the same journal,
            # volume, issue and first page, same year and authors, nothing conflicting.
            return DUPLICATE
        return MAYBE

    strong_title = f.title_kind == "same" or f.title_sim >= 0.95
    if (
        f.informative
        and strong_title
        and same_year
        and same_place
        and (authors_ok or f.title_kind == "same")
    ):
        # Identical title at the same volume, page and year: author lists that fail
        # to match are mangled, not different.
        return DUPLICATE
    if not f.authors_agree and f.first_author is not None:
        return MAYBE
    if strong_title:
        pinned = (f.volume or f.online_first) and f.journal
        if f.year_gap == 1 and not same_place and not pinned:
            # Online first vs print, or one abstract at two yearly meetings: the same
            # volume of the same journal, or an online-first record's shape, tells.
            return MAYBE
        if f.authors_agree and (f.volume or f.pages or f.journal):
            return DUPLICATE
        if f.authors_agree and f.title_kind == "same" and f.year_gap == 0 and f.informative:
            # Nothing but title, authors and year to go on; one record simply lacks
            # the venue (abbreviated exports).
            return DUPLICATE
        if f.first_author is None and same_place and same_year:
            return DUPLICATE
        return MAYBE
    if f.title_kind == "prefix":
        return DUPLICATE if f.authors_agree and same_place else MAYBE
    # Titles 0.85-0.95 alike: a typo or a translation; merge only on full agreement.
    if f.authors_agree and same_place and same_year and f.title_sim >= 0.9:
        return DUPLICATE
    return MAYBE
