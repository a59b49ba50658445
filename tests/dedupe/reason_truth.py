"""Check that a reason shown for a pair is literally true of the two records.

Every reason text the matcher can give has a checker here that reads the two raw
records (as a person sees them on the Possible duplicates page) and tells whether
the sentence holds. A reason with no checker is an error, so a new kind of reason
cannot appear on the page unchecked. Values quoted in a reason ("issues differ
(3 vs 4)") must be record a's, then record b's.
"""

from __future__ import annotations

import itertools
import re

from anyascii import anyascii
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.fuzz import ratio, token_set_ratio

from screening.dedupe import DedupeRecord
from screening.dedupe.normalise import (
    fold,
    informative,
    is_conference,
    is_preprint,
    issue_numbers,
    normalise_journal,
    normalise_pmid,
    normalise_title,
    normalise_volume,
    notice_kind,
)
from screening.identifiers import doi_base, normalise_doi, normalise_pages


def _numbers(text: str) -> set[str]:
    return {n.lstrip("0") or "0" for n in re.findall(r"\d+", text or "")}


def _surname_words(record: DedupeRecord) -> set[str]:
    return {
        w for author in record.authors for w in re.split(r"[\W_]+", fold(anyascii(author))) if w
    }


def _title_sim_ok(a: DedupeRecord, b: DedupeRecord, shown: float) -> bool:
    ta, tb = normalise_title(a.title), normalise_title(b.title)
    if not ta or not tb or ta.replace(" ", "") == tb.replace(" ", ""):
        return False
    candidates = [ratio(ta, tb) / 100, token_set_ratio(ta, tb) / 100 - 0.03]
    short, long_ = sorted((ta, tb), key=len)
    candidates.append(ratio(short, long_[: len(short)]) / 100)
    return any(abs(shown - c) <= 0.006 for c in candidates)


def check(reason: str, a: DedupeRecord, b: DedupeRecord) -> bool:  # noqa: C901, PLR0911, PLR0912
    """Whether `reason` is literally true of records `a` and `b` (in that order)."""
    doi_a, doi_b = normalise_doi(a.doi), normalise_doi(b.doi)
    pages_a, pages_b = normalise_pages(a.pages), normalise_pages(b.pages)
    if m := re.fullmatch(r"same DOI (\S+)", reason):
        return doi_a == doi_b == m.group(1) != ""
    if m := re.fullmatch(r"same DOI (\S+), which other titles in this review carry too: no evidence", reason):  # fmt: skip
        # The pair's half of the sentence; that other titles carry the DOI is a fact
        # about the review (test_matcher.py checks it on whole sets).
        return doi_a == doi_b == m.group(1) != ""
    if m := re.fullmatch(r"different DOIs \((\S+) vs (\S+)\)", reason):
        return (doi_a, doi_b) == m.groups() and doi_base(doi_a) != doi_base(doi_b)
    if m := re.fullmatch(r"DOIs differ only by version \((\S+) vs (\S+)\)", reason):
        return (
            (doi_a, doi_b) == m.groups() and doi_a != doi_b and doi_base(doi_a) == doi_base(doi_b)
        )
    if m := re.fullmatch(r"same PMID (\d+)", reason):
        return normalise_pmid(a.pmid) == normalise_pmid(b.pmid) == m.group(1)
    if m := re.fullmatch(r"different PMIDs \((\d+) vs (\d+)\)", reason):
        return (normalise_pmid(a.pmid), normalise_pmid(b.pmid)) == m.groups() != ("", "")
    if reason in ("titles identical", "same generic title"):
        ta, tb = normalise_title(a.title), normalise_title(b.title)
        return bool(ta) and ta.replace(" ", "") == tb.replace(" ", "")
    if m := re.fullmatch(r"one title is the other cut short \((\d\.\d\d)\)", reason):
        ta, tb = normalise_title(a.title), normalise_title(b.title)
        short, long_ = sorted((ta, tb), key=len)
        return len(short) >= 30 and ratio(short, long_[: len(short)]) / 100 >= 0.97
    if m := re.fullmatch(r"titles (\d\.\d\d) alike", reason):
        return _title_sim_ok(a, b, float(m.group(1)))
    if m := re.fullmatch(r"titles (\d\.\d\d) alike once transliterated", reason):
        la, lb = (
            re.sub(r"[\W_]+", " ", anyascii(normalise_title(r.title)).lower()).strip()
            for r in (a, b)
        )
        return (
            not (a.title.isascii() and b.title.isascii())
            and abs(ratio(la, lb) / 100 - float(m.group(1))) <= 0.006
        )
    if reason == "a title is missing":
        return not normalise_title(a.title) or not normalise_title(b.title)
    if reason == "title too generic to identify a paper":
        return not all(
            informative(normalise_title(r.title), (normalise_journal(r.journal) or ("",))[0])
            for r in (a, b)
        )
    if m := re.fullmatch(r"authors (agree|partly differ|differ) \((\d+)% of names\)", reason):
        if not a.authors or not b.authors:
            return False
        if m.group(1) != "agree":
            return int(m.group(2)) < 100
        # Some name of one list is spelt alike in the other ("Mulic" / "Muli" when an
        # export lost the "ć").
        words_b = _surname_words(b)
        return any(
            w in words_b or any(JaroWinkler.similarity(w, x) >= 0.9 for x in words_b)
            for w in _surname_words(a)
            if len(w) > 1
        )
    if m := re.fullmatch(r"same year (\d{4})", reason):
        return a.year == b.year == int(m.group(1))
    if m := re.fullmatch(r"years differ by (\d+) \((\d{4}) vs (\d{4})\)", reason):
        gap, ya, yb = map(int, m.groups())
        return (a.year, b.year) == (ya, yb) and abs(ya - yb) == gap > 0
    if m := re.fullmatch(r"same volume (\d+)", reason):
        return normalise_volume(a.volume) == normalise_volume(b.volume) == m.group(1)
    if m := re.fullmatch(r"volumes differ \((\d+) vs (\d+)\)", reason):
        return (normalise_volume(a.volume), normalise_volume(b.volume)) == m.groups() and len(
            set(m.groups())
        ) == 2
    if m := re.fullmatch(r"same issue ([\d/]+)", reason):
        shown = set(m.group(1).split("/"))
        return all(shown <= issue_numbers(r.issue) | _numbers(r.volume) for r in (a, b))
    if m := re.fullmatch(r"issues differ \(([\d/]+) vs ([\d/]+)\)", reason):
        ia, ib = set(m.group(1).split("/")), set(m.group(2).split("/"))
        return (
            ia <= issue_numbers(a.issue) | _numbers(a.volume)
            and ib <= issue_numbers(b.issue) | _numbers(b.volume)
            and not ia & ib
        )
    if m := re.fullmatch(r"same pages (.+)", reason):
        return a.pages.strip() == b.pages.strip() == m.group(1)
    if m := re.fullmatch(r"pages (.+) = (.+)", reason):
        return (a.pages.strip(), b.pages.strip()) == m.groups() and _pages_compatible(
            pages_a, pages_b
        )
    if reason == "one is an erratum notice under the other's title: never merged automatically":
        kinds = {notice_kind(a.title, a.publication_type), notice_kind(b.title, b.publication_type)}
        ta, tb = normalise_title(a.title), normalise_title(b.title)
        if kinds != {"erratum", ""} or not (ta and tb):
            return False
        short, long_ = sorted((ta, tb), key=len)  # a title cut short counts as the same
        return max(ratio(ta, tb), ratio(short, long_[: len(short)])) >= 95
    if m := re.fullmatch(r"page ranges end alike \((.*) vs (.*)\)", reason):
        return (
            (a.pages.strip(), b.pages.strip()) == m.groups()
            and pages_a[1] == pages_b[1] != ""
            and pages_a[0] != pages_b[0]
            and normalise_volume(a.volume) == normalise_volume(b.volume) != ""
        )
    if reason == "issue taken for a typo: same title, volume and first page":
        same_start = pages_a[0] == pages_b[0] != "" or doi_a == doi_b != ""
        return (
            normalise_title(a.title) == normalise_title(b.title) != ""
            and normalise_volume(a.volume) == normalise_volume(b.volume) != ""
            and same_start
            and not issue_numbers(a.issue) & issue_numbers(b.issue)
        )
    if m := re.fullmatch(r"pages differ \((.*) vs (.*)\)", reason):
        return (a.pages.strip(), b.pages.strip()) == m.groups() and pages_a[0] != pages_b[0]
    if m := re.fullmatch(r"last pages differ \((.*) vs (.*)\)", reason):
        return (
            (a.pages.strip(), b.pages.strip()) == m.groups()
            and pages_a[0] == pages_b[0]
            and pages_a[1] != pages_b[1]
        )
    if reason == "same journal":
        ja, jb = normalise_journal(a.journal), normalise_journal(b.journal)
        return bool(ja) and ja[0] == jb[0]
    if reason == "journal names agree":
        return bool(a.journal.strip() and b.journal.strip())
    if reason == "journals differ":
        ja, jb = normalise_journal(a.journal), normalise_journal(b.journal)
        return bool(ja and jb) and ja[0] != jb[0]
    if reason == "conference abstract vs journal article: different reports":
        return is_conference(a.publication_type, a.journal) != is_conference(
            b.publication_type, b.journal
        )
    if reason == "preprint vs published version":
        return is_preprint(a.publication_type, a.journal, doi_a) != is_preprint(
            b.publication_type, b.journal, doi_b
        )
    if m := re.fullmatch(r"numbers in titles differ \((.+) vs (.+)\)", reason):
        words_a, words_b = (
            set(normalise_title(a.title).split()),
            set(normalise_title(b.title).split()),
        )
        na, nb = set(m.group(1).split()) - {"none"}, set(m.group(2).split()) - {"none"}
        return na <= words_a and nb <= words_b and na != nb
    raise AssertionError(
        f"no checker for reason {reason!r}: add one to tests/dedupe/reason_truth.py"
    )


def _pages_compatible(pa: tuple[str, str], pb: tuple[str, str]) -> bool:
    if not pa[0] or not pb[0]:
        return False
    if pa[0] == pb[0]:
        return True
    strip = "abcdefghijklmnopqrstuvwxyz"
    if pa[0].lstrip(strip) == pb[0].lstrip(strip):
        return True
    for single, ranged in ((pa, pb), (pb, pa)):
        digits = single[0].isdigit() and ranged[0].isdigit() and ranged[1].isdigit()
        if not single[1] and digits and int(ranged[0]) <= int(single[0]) <= int(ranged[1]):
            return True
    return False


def false_reasons(reasons, a: DedupeRecord, b: DedupeRecord) -> list[str]:
    """The reasons among `reasons` that are not true of `a` and `b`."""
    return [r for r in reasons if not check(r, a, b)]


_COLLECTION_REASON = re.compile(
    r"same DOI (\S+), which other titles in this review carry too: no evidence"
)


def false_review_facts(reasons, records) -> list[str]:
    """The reasons whose claim about the whole review is false: "which other titles in
    this review carry too" must name a DOI that the review gives to two unrelated
    titles (under 60 % alike) on different first pages."""
    wrong = []
    for reason in reasons:
        m = _COLLECTION_REASON.fullmatch(reason)
        if not m:
            continue
        items = [
            (
                normalise_title(r.title),
                normalise_pages(r.pages)[0].lstrip("abcdefghijklmnopqrstuvwxyz"),
            )
            for r in records
            if normalise_doi(r.doi) == m.group(1)
        ]
        items = [(title, page) for title, page in items if title and page]
        if not any(
            p1 != p2 and ratio(t1, t2) < 60
            for (t1, p1), (t2, p2) in itertools.combinations(items, 2)
        ):
            wrong.append(reason)
    return wrong
