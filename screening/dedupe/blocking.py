"""Blocking: which pairs of records are worth comparing at all.

Comparing every pair of a 100,000-record review is 5 billion comparisons; instead
each record gets a handful of keys (DOI, PMID, title beginning and end, rare title
words, first author and year, volume and first page) and only records sharing a key
are compared. A key shared by very many records (a placeholder title, a common
surname in a busy year) says little, so inside such a block only neighbours in
title order are compared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from screening.dedupe.normalise import NormRecord, title_length

# Blocks up to this size are compared in full (at most 1,225 pairs each).
MAX_BLOCK = 50
# Inside larger blocks each record is compared with this many neighbours in title order.
WINDOW = 8
_TITLE_EDGE = 32


def block_keys(record: NormRecord) -> list[tuple[str, str]]:
    """The keys under which `record` is filed; records sharing one get compared."""
    keys: list[tuple[str, str]] = []
    if record.doi:
        keys.append(("doi", record.doi_base))
    if record.pmid:
        keys.append(("pmid", record.pmid))
    title = record.title_key
    if title_length(title) >= 12:
        keys.append(("head", title[:_TITLE_EDGE]))
        keys.append(("tail", title[-_TITLE_EDGE:]))
        # The longest words survive reordering, subtitles and most typos elsewhere.
        words = sorted(set(record.title.split()))
        words.sort(key=len, reverse=True)  # stable: ties stay alphabetical
        words = words[:3]
        if len(words) == 3 and len(words[2]) >= 5:
            keys.append(("words", " ".join(sorted(words))))
    if record.title_latin and len(record.title_latin) >= 12:
        # Meets the same title transliterated by another database.
        keys.append(("head", record.title_latin.replace(" ", "")[:_TITLE_EDGE]))
    if record.authors and record.year is not None:
        keys.append(("author-year", f"{record.authors[0].surname}|{record.year}"))
    if record.volume and record.page_start:
        keys.append(("volume-page", f"{record.volume}|{record.page_start}"))
    # A key once: a Latin title's transliteration can be its own head (a title that
    # starts with 32 Latin characters and goes on in another script), and a record filed
    # twice under one key would be paired with itself.
    return list(dict.fromkeys(keys))


def candidate_pairs(
    records: Sequence[NormRecord],
    *,
    is_new: Sequence[bool] | None = None,
    keys: Callable[[NormRecord], list[tuple[str, str]]] = block_keys,
) -> Iterator[tuple[int, int]]:
    """Index pairs (i < j) of records that share a blocking key, each pair once, in
    ascending order (`candidate_codes`, one pair at a time)."""
    size = len(records)
    for code in candidate_codes(records, is_new=is_new, keys=keys).tolist():
        yield divmod(code, size)


def candidate_codes(
    records: Sequence[NormRecord],
    *,
    is_new: Sequence[bool] | None = None,
    keys: Callable[[NormRecord], list[tuple[str, str]]] = block_keys,
) -> np.ndarray:
    """The pairs of records that share a blocking key, each once, as ascending codes
    `i * len(records) + j` (i < j) in an int64 array.

    With `is_new`, pairs where neither record is new are left out. `keys` may be a
    caller's cache of `block_keys`.

    Why codes in an array: a review of 200k records gives about half a million pairs,
    most found under two or three keys (a reused title's beginning, end and rare
    words). Yielding every pair from Python and remembering the ones seen in a set of
    ints cost about a microsecond and 60 bytes per pair; here the pairs of all blocks of
    one size come out of one numpy operation, and the repeats go in one sort.
    """
    size = len(records)
    if size * size >= 2**63:
        raise ValueError("too many records for 64-bit pair codes")
    by_size = _blocks_by_size(records, keys)
    firsts: list[np.ndarray] = []
    seconds: list[np.ndarray] = []
    for members_count, blocks in by_size.items():
        members = np.array(blocks, dtype=np.int64)
        if members_count <= MAX_BLOCK:
            left, right = np.triu_indices(members_count, 1)
            firsts.append(members[:, left].ravel())
            seconds.append(members[:, right].ravel())
            continue
        for block in members:
            # Sorted neighbourhood: near-identical titles end up next to each other.
            # (A stable sort: ties stay in record order.)
            ordered = np.array(
                sorted(block.tolist(), key=lambda i: records[i].title_key), dtype=np.int64
            )
            for step in range(1, WINDOW + 1):
                firsts.append(ordered[:-step])
                seconds.append(ordered[step:])
    del by_size
    if not firsts:
        return np.empty(0, dtype=np.int64)
    first, second = np.concatenate(firsts), np.concatenate(seconds)
    del firsts, seconds
    low, high = np.minimum(first, second), np.maximum(first, second)
    del first, second
    distinct = low != high  # a caller's `keys` that files a record twice under one key
    low, high = low[distinct], high[distinct]
    if is_new is not None:
        new = np.fromiter(is_new, dtype=bool, count=size)
        wanted = new[low] | new[high]
        low, high = low[wanted], high[wanted]
    return np.unique(low * size + high)


def _blocks_by_size(
    records: Sequence[NormRecord], keys: Callable[[NormRecord], list[tuple[str, str]]]
) -> dict[int, list[list[int]]]:
    """The members (record indexes, in record order) of every key that two records or
    more share, grouped by how many members the key has."""
    # Most keys belong to one record only: such a block is that record's index (an int),
    # and becomes a list when a second record shares the key. A list per key was about a
    # fifth of the matcher's memory at 200k records.
    blocks: dict[tuple[str, str], int | list[int]] = {}
    for index, record in enumerate(records):
        for key in keys(record):
            members = blocks.get(key)
            if members is None:
                blocks[key] = index
            elif members.__class__ is int:
                blocks[key] = [members, index]
            else:
                members.append(index)
    by_size: dict[int, list[list[int]]] = {}
    for members in blocks.values():
        if members.__class__ is not int:
            by_size.setdefault(len(members), []).append(members)
    return by_size
