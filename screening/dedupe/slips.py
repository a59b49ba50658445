"""Data-entry slips: disagreements between two records that cannot describe two
different articles, so they are not conflicts (scoring.py's module docstring has the
policy; tests/dedupe/cases/7_data_entry_typos.json the cases, both ways)."""

from __future__ import annotations

from screening.dedupe.normalise import NormRecord


def same_range_end(a: NormRecord, b: NormRecord) -> bool:
    """Two ranges of several pages in the same volume ending on the same page ("2141-2147"
    and "2142-2147"): two articles cannot overlap like that, so one first page is a typo.
    """
    return bool(
        a.volume
        and a.volume == b.volume
        and a.page_end
        and a.page_end == b.page_end
        and a.page_start.isdigit()
        and b.page_start.isdigit()
        and a.page_end.isdigit()
        and not (a.issues and b.issues and not a.issues & b.issues)
    )


def last_pages_conflict(a: NormRecord, b: NormRecord) -> bool:
    """Same first page but different last pages ("101-110" vs "101-111")."""
    return bool(
        a.page_start
        and a.page_start == b.page_start
        and a.page_end.isdigit()
        and b.page_end.isdigit()
        and a.page_end != b.page_end
    )


def mistyped_issue(a: NormRecord, b: NormRecord, same_doi: bool, journal: bool | None) -> bool:
    """Only the issue differs between two records of one article: the same long,
    non-recurring title at the same journal, volume and first page (or DOI).

    Two articles do not start on the same page of one volume under one title; a
    column that recurs in every issue is excluded by its generic title or by
    `recurring` (its title seen at three places). Authors and year are checked by
    the caller.
    """
    return bool(
        a.title_key == b.title_key
        and a.informative_title
        and b.informative_title
        and a.title_words >= 6
        and not (a.recurring or b.recurring)
        and journal
        and a.volume
        and a.volume == b.volume
        # Roman front matter and page 1 restart in every issue: no shared place.
        and (
            same_doi
            or (a.page_start.isdigit() and a.page_start != "1" and a.page_start == b.page_start)
        )
        and not last_pages_conflict(a, b)
    )


def online_first(early: NormRecord, late: NormRecord) -> bool:
    """`early` has the shape of `late`'s online-first record: a year earlier, no volume
    or issue yet, and either the online PDF's own pages ("1-17") or `late`'s DOI, while
    `late` has its volume. A bare record (no pages, no DOI) may be a meeting abstract
    of the year before: not this shape."""
    own_pages = early.page_start == "1" and bool(early.page_end)
    return bool(
        early.year is not None
        and late.year == early.year + 1
        and not early.volume
        and not early.issues
        and (own_pages or (early.doi and early.doi == late.doi))
        and late.volume
        and not early.is_conference
        and not late.is_conference
    )


ISSUE_TYPO = "issue taken for a typo: same title, volume and first page"
