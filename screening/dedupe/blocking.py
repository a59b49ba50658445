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
    return keys


def candidate_pairs(
    records: Sequence[NormRecord],
    *,
    is_new: Sequence[bool] | None = None,
    keys: Callable[[NormRecord], list[tuple[str, str]]] = block_keys,
) -> Iterator[tuple[int, int]]:
    """Index pairs (i < j) of records that share a blocking key, each pair once.

    With `is_new`, pairs where neither record is new are left out. `keys` may be a
    caller's cache of `block_keys`.
    """
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

    seen: set[int] = set()
    size = len(records)
    for members in blocks.values():
        if members.__class__ is int:
            continue
        if is_new is not None and not any(is_new[i] for i in members):
            continue
        for i, j in _pairs_in_block(members, records):
            if i > j:
                i, j = j, i
            if is_new is not None and not (is_new[i] or is_new[j]):
                continue
            code = i * size + j
            if code not in seen:
                seen.add(code)
                yield i, j


def _pairs_in_block(members: list[int], records: Sequence[NormRecord]) -> Iterator[tuple[int, int]]:
    if len(members) <= MAX_BLOCK:
        for position, i in enumerate(members):
            for j in members[position + 1 :]:
                yield i, j
        return
    # Sorted neighbourhood: near-identical titles end up next to each other.
    ordered = sorted(members, key=lambda i: records[i].title_key)
    for position, i in enumerate(ordered):
        for j in ordered[position + 1 : position + 1 + WINDOW]:
            yield i, j
