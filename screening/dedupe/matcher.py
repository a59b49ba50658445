"""Entry points: find duplicate pairs in a set of records and group them."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace

import numpy as np
from rapidfuzz.fuzz import ratio

from screening.dedupe.blocking import block_keys, candidate_codes
from screening.dedupe.normalise import NormRecord, normalise_record
from screening.dedupe.records import DISTINCT, DUPLICATE, DedupeRecord, PairVerdict
from screening.dedupe.rejects import surely_distinct
from screening.dedupe.scoring import compare


def _ordered(x: int | str, y: int | str) -> tuple[int | str, int | str]:
    """The pair in a stable order: by value when both ids are ints, else by str."""
    if isinstance(x, int) and isinstance(y, int):
        return (x, y) if x <= y else (y, x)
    return (x, y) if str(x) <= str(y) else (y, x)


# An "issue" column whose values hardly ever repeat holds record numbers (EndNote
# exports), not issues: real issue numbers repeat (1-12 in every volume).
COUNTER_MIN_RECORDS = 30
COUNTER_DISTINCT_SHARE = 0.9


def drop_counter_issues(records: list[NormRecord]) -> list[NormRecord]:
    """`records`, with issues forgotten when the set's issue values are a record counter."""
    values = Counter(r.issues for r in records if r.issues)
    total = sum(values.values())
    if total < COUNTER_MIN_RECORDS or len(values) < COUNTER_DISTINCT_SHARE * total:
        return records
    return [replace(r, issues=frozenset()) if r.issues else r for r in records]


# An informative title found at this many different places (volume, issues, first
# page, year) is a recurring item of a serial ("Clinical quiz", "Images in
# haematology"): the rules that forgive a mistyped issue or page do not apply to it.
RECURRING_PLACES = 3


def mark_recurring_titles(records: list[NormRecord]) -> list[NormRecord]:
    """`records`, with `recurring` set on informative titles found at several places."""
    places: dict[str, set] = {}
    for r in records:
        if r.informative_title:
            places.setdefault(r.title_key, set()).add((r.volume, r.issues, r.page_start, r.year))
    recurring = {key for key, seen in places.items() if len(seen) >= RECURRING_PLACES}
    if not recurring:
        return records
    return [replace(r, recurring=True) if r.title_key in recurring else r for r in records]


# Two titles less alike than this (rapidfuzz ratio, 0..100) name different works.
UNRELATED_TITLES = 60.0
# Distinct items of one DOI looked at; a supplement's DOI shows itself in the first few.
_COLLECTION_SAMPLE = 20


def mark_collection_dois(records: list[NormRecord]) -> list[NormRecord]:
    """`records`, with `collection_doi` set where the review gives one DOI to two items
    at different places: unrelated titles (less than UNRELATED_TITLES alike) on different
    first pages, both known. That is a supplement's (or abstract book's) DOI that every
    abstract in it carries, and it is no evidence that two of its records are one report
    (tests/dedupe/cases/3_different_dois.json). A title and its translation under one
    DOI share the first page (or lack one), so they keep their DOI as evidence.
    """
    items: dict[str, list[tuple[str, str]]] = {}
    collection: set[str] = set()
    for r in records:
        if not r.doi or not r.title or not r.page_start or r.doi in collection:
            continue
        page = r.page_start.lstrip(_PAGE_PREFIX) or r.page_start  # "S69" is page 69
        seen = items.setdefault(r.doi, [])
        if (r.title, page) in seen:
            continue
        if any(
            page != other_page and ratio(title, r.title, score_cutoff=UNRELATED_TITLES) == 0
            for title, other_page in seen
        ):
            collection.add(r.doi)
        elif len(seen) < _COLLECTION_SAMPLE:
            seen.append((r.title, page))
    if not collection:
        return records
    return [replace(r, collection_doi=True) if r.doi in collection else r for r in records]


_PAGE_PREFIX = "abcdefghijklmnopqrstuvwxyz"


def find_duplicates(
    records: Sequence[DedupeRecord],
    *,
    new_ids: Collection | None = None,
    normalise: Callable[[DedupeRecord], NormRecord] = normalise_record,
    keys: Callable[[NormRecord], list[tuple[str, str]]] = block_keys,
) -> list[PairVerdict]:
    """Every pair of `records` judged "duplicate" (certain) or "maybe" (for a person).

    With `new_ids`, only pairs involving at least one of those records are returned,
    so a fresh import can be checked against everything already in the review.
    Results are sorted by pair for reproducibility. `normalise` and `keys` may be a
    caller's cache of `normalise_record` and `block_keys` (same results, less work for
    records unchanged since the caller's last run).
    """
    with cyclic_gc_paused():
        return _find_duplicates([normalise(r) for r in records], new_ids, keys)


def find_duplicates_normalised(
    normalised: list[NormRecord],
    *,
    new_ids: Collection | None = None,
    keys: Callable[[NormRecord], list[tuple[str, str]]] = block_keys,
) -> list[PairVerdict]:
    """`find_duplicates` of records the caller has normalised already, in the same order
    (`normalise_record`, or a cache of it): a caller that normalises records as it reads
    them need not hold the raw records and the normalised ones at once."""
    with cyclic_gc_paused():
        return _find_duplicates(normalised, new_ids, keys)


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Python's cycle collector paused while the matcher runs.

    The matcher makes hundreds of thousands of small objects (normalised records,
    keys, tuples) and no reference cycles; each full collection walks all of them, so
    collections made a 100k-record run about a third slower and its time grow faster
    than the number of records. Reference counting still frees everything at once.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# Candidate pairs judged per batch: the batch's index arrays and lists stay small
# however many pairs the review has.
PAIR_BATCH = 50_000


def _find_duplicates(
    records: list[NormRecord],
    new_ids: Collection | None,
    keys: Callable[[NormRecord], list[tuple[str, str]]],
) -> list[PairVerdict]:
    normalised = mark_collection_dois(mark_recurring_titles(drop_counter_issues(records)))
    is_new = None
    if new_ids is not None:
        wanted = set(new_ids)
        is_new = [r.id in wanted for r in records]
    verdicts: list[PairVerdict] = []
    codes = candidate_codes(normalised, is_new=is_new, keys=keys)
    size = len(normalised)
    for start in range(0, len(codes), PAIR_BATCH):
        first, second = np.divmod(codes[start : start + PAIR_BATCH], size)
        for i, j in zip(first.tolist(), second.tolist(), strict=True):
            a, b = _ordered(records[i].id, records[j].id)
            if a != records[i].id:
                i, j = j, i
            # Compared in the pair's order, so "issues differ (3 vs 4)" reads as a vs b.
            first_record, second_record = normalised[i], normalised[j]
            if surely_distinct(first_record, second_record):
                continue  # what `compare` would call "distinct", found for less (rejects.py)
            result = compare(first_record, second_record)
            if result is None or result.decision == DISTINCT:
                continue
            verdicts.append(PairVerdict(a, b, result.score, result.decision, result.reasons))
    verdicts.sort(key=lambda v: (str(v.a), str(v.b)))
    return verdicts


def group_duplicates(pairs: Iterable[PairVerdict]) -> list[frozenset]:
    """Clusters of records joined by "duplicate" pairs ("maybe" pairs are ignored).

    Joining is transitive: a=b and b=c put a, b and c in one group.
    """
    parent: dict = {}

    def root(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pair in pairs:
        if pair.decision == DUPLICATE:
            ra, rb = root(pair.a), root(pair.b)
            if ra != rb:
                parent[rb] = ra
    groups: dict = {}
    for x in parent:
        groups.setdefault(root(x), set()).add(x)
    return sorted((frozenset(g) for g in groups.values()), key=lambda g: sorted(map(str, g)))
