"""Cheap rejects: pairs that `compare` would judge "distinct" (or None), recognised
without building its evidence.

A large review shares blocking keys by chance (the same volume and first page in
another journal, a common surname in a busy year, a reused title beginning), and the
number of such pairs grows with the square of the review's size. `compare` turns
each into reasons and facts before `_decide` calls it "distinct", and the matcher
then drops it: about 35 us a pair, most of the matching time at 200,000 records.

`surely_distinct` answers from the title likeness, the year and the place alone, and
only where the rules of scoring.py leave no other outcome. It may answer False for a
pair that is distinct in the end (then `compare` decides, as before); it must never
answer True for a pair `compare` calls "duplicate" or "maybe". The derivation, rule
by rule (scoring.py's `compare` and `_decide`), for a pair without a shared DOI or
PMID (`same_id`; a shared collection DOI is no shared DOI):

* `compare`'s own shortcut: no shared identifier or place, titles less alike than
  the title floor by both measures: None. Reproduced as it is.
* Vetoes: notices of different kinds are "distinct" unless one is the erratum of
  the other, which needs titles at least 0.95 alike; different parts are "distinct".
  Every reject below has titles less than 0.9 alike.
* Titles less than 0.85 alike (or one missing): `_decide` keeps the pair only at the
  same place (same volume, first pages agreeing) in the same year (`same_year`: a gap
  of 0 or unknown; one year apart is not enough) by agreeing authors (which needs
  authors on both sides). So "distinct" when not at the same place, when the years
  differ, or when either record names no author.
* Titles less than 0.9 alike and years more than one apart: the year is a conflict.
  Titles under 0.85 are covered above; from 0.85 the pair reaches the conflicts
  branch, where only a `near` pair (titles at least 0.9 alike) or the same title
  (`title_kind == "same"`, alike 1.0) elsewhere in one volume with conflicts exactly
  {issue, first page} is kept: "distinct".
* Years more than one apart in journals that differ (neither record a preprint, not
  at the same place), whatever the titles: two conflicts, where a `near` pair keeps
  only one; an erratum notice needs its article's journal. "distinct".

tests/dedupe/test_rejects.py checks the promise on every candidate pair of the
labelled sets, the pair cases and a synthetic set, and on adversarial blocks.
"""

from __future__ import annotations

from rapidfuzz.fuzz import ratio, token_set_ratio

from screening.dedupe.journals import journal_agreement
from screening.dedupe.normalise import NormRecord
from screening.dedupe.scoring import TITLE_FLOOR, _pages_agreement, _title_likeness

# `_decide` keeps a pair whose titles are less alike than this only at the same place
# in the same year.
_UNRELATED = 0.85
# A year conflict keeps a pair only when its titles are at least this alike (`near`).
_NEAR = 0.9
# The same thresholds as rapidfuzz scores (0..100), a little under each: a score under
# one of these is surely under its threshold once divided by 100, rounding included.
_NEAR_SCORE = 89.9
_UNRELATED_SCORE = 84.9
# `_title_likeness` takes a "prefix" or an "alike" reading from 0.97 up.
_ALMOST_SCORE = 96.9


def surely_distinct(a: NormRecord, b: NormRecord) -> bool:
    """True only when `compare(a, b)` (default title floor) is None or "distinct".

    Called with `a` and `b` in the order `compare` gets them: the title likeness
    forgives a dropped word by `a`'s word count.
    """
    if a.doi and a.doi == b.doi and not a.collection_doi:
        return False  # a shared DOI settles many pairs: `compare` decides
    if a.pmid and a.pmid == b.pmid:
        return False
    gap = None if a.year is None or b.year is None else abs(a.year - b.year)
    # The common rejects first, by the cheapest reading of the titles that settles them
    # (a year conflict with titles less than `near`; another year or no authors with
    # unrelated titles); what they leave is judged below in full, as before.
    if gap is not None and gap > 1:
        if _surely_less_alike(a, b, _NEAR_SCORE):
            return True
    elif (gap == 1 or not a.authors or not b.authors) and _surely_less_alike(
        a, b, _UNRELATED_SCORE
    ):
        return True
    # `compare`'s own test of place: the same volume and first page.
    same_start = bool(a.volume) and a.volume == b.volume and a.page_start == b.page_start != ""
    if (
        a.title
        and b.title
        and not same_start
        and ratio(a.title, b.title, score_cutoff=TITLE_FLOOR) == 0
        and token_set_ratio(a.title, b.title, score_cutoff=90) == 0
    ):
        return True  # `compare`'s shortcut
    likeness = _title_likeness(a, b)[0]
    if gap is not None and gap > 1:
        # The year conflicts: titles less than `near`, or a second conflict (the
        # journal), leave nothing but "distinct". The journal is looked at last: two
        # random journals are a cache miss of `journal_agreement`, and dear.
        return likeness < _NEAR or (
            a.is_preprint == b.is_preprint
            and journal_agreement(a.journal, b.journal) is False
            and not _same_place(a, b)
        )
    if likeness >= _UNRELATED:
        return False
    if gap == 1 or not a.authors or not b.authors:
        return True  # not the same year, or authors that cannot agree
    return not _same_place(a, b)


def _surely_less_alike(a: NormRecord, b: NormRecord, score: float) -> bool:
    """True only when `_title_likeness(a, b)` is below `score` / 100.

    The same steps as `_title_likeness`, each stopped as soon as the answer is sure,
    with a margin under every threshold: one `ratio` with a cut-off settles most pairs,
    and `token_set_ratio` (the dearest measure) is run only where its "alike" rule
    could apply. False means "not sure": the caller judges the pair in full.
    """
    if not a.title or not b.title:
        return True  # no likeness at all
    if a.title_key == b.title_key or a.title_latin or b.title_latin:
        return False  # the same title, or a transliteration to weigh
    if ratio(a.title, b.title, score_cutoff=score):
        return False  # not below `score`: 0 means below the cut-off
    short, long_ = sorted((a.title, b.title), key=len)
    if (
        len(short) >= 30
        and len(long_) > len(short) + 5
        and ratio(short, long_[: len(short)], score_cutoff=_ALMOST_SCORE)
    ):
        return False  # may be a truncated title ("prefix")
    return not (
        a.title_words >= 6
        and abs(a.title_words - b.title_words) <= 1
        and token_set_ratio(a.title, b.title, score_cutoff=_ALMOST_SCORE)
    )  # or words reordered ("alike")


def _same_place(a: NormRecord, b: NormRecord) -> bool:
    """`_decide`'s same place: the same volume, and first pages that agree."""
    return bool(a.volume) and a.volume == b.volume and bool(_pages_agreement(a, b))
