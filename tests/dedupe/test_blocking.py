"""Candidate pairs (screening/dedupe/blocking.py): the pairs of a plain reading of the
blocking rule, each once, whatever the mix of block sizes."""

import random

import pytest

from screening.dedupe import DedupeRecord
from screening.dedupe.blocking import (
    MAX_BLOCK,
    WINDOW,
    block_keys,
    candidate_codes,
    candidate_pairs,
)
from screening.dedupe.normalise import normalise_record


def _reference(records, keys, is_new=None) -> list[tuple[int, int]]:
    """Every pair of a block up to MAX_BLOCK members; in a larger block each record and
    its WINDOW next neighbours in title order; pairs without a new record left out."""
    blocks: dict = {}
    for index, record in enumerate(records):
        for key in keys[record.id]:
            blocks.setdefault(key, []).append(index)
    pairs = set()
    for members in blocks.values():
        if len(members) > MAX_BLOCK:
            members = sorted(members, key=lambda i: records[i].title_key)
            found = [
                (members[p], members[q])
                for p in range(len(members))
                for q in range(p + 1, min(p + 1 + WINDOW, len(members)))
            ]
        else:
            found = [(i, j) for p, i in enumerate(members) for j in members[p + 1 :]]
        pairs |= {(min(i, j), max(i, j)) for i, j in found}
    if is_new is not None:
        pairs = {(i, j) for i, j in pairs if is_new[i] or is_new[j]}
    return sorted(pairs)


def _review(seed: int, size: int = 400):
    """Records filed under keys of every block size, from one record to three full blocks;
    titles repeat, so the title order of a large block has ties."""
    rng = random.Random(seed)
    records = [
        normalise_record(DedupeRecord(id=i, title=f"study {rng.randrange(60)} of outcomes"))
        for i in range(size)
    ]
    # Ten kinds of key, each given to about 160 records and spread over this many values.
    pools = [1, 2, 3, 5, 20, 60, 150, 400, rng.randint(1, 50), rng.randint(50, 400)]
    keys = {
        r.id: [(f"{n}", f"{rng.randrange(pools[n])}") for n in rng.sample(range(10), 4)]
        for r in records
    }
    return records, keys


@pytest.mark.parametrize("seed", range(4))
def test_candidate_pairs_are_the_blocking_rule_s_pairs_each_once(seed):
    records, keys = _review(seed)
    codes = candidate_codes(records, keys=lambda r: keys[r.id])
    expected = _reference(records, keys)
    sizes = {len(members) for members in _blocks(records, keys)}
    assert min(sizes) == 1 and 2 in sizes and max(sizes) > 2 * MAX_BLOCK  # every kind of block
    assert list(candidate_pairs(records, keys=lambda r: keys[r.id])) == expected
    assert [divmod(int(code), len(records)) for code in codes] == expected


@pytest.mark.parametrize("seed", range(3))
def test_candidate_pairs_of_new_records_leave_out_pairs_of_old_ones(seed):
    records, keys = _review(10 + seed)
    rng = random.Random(seed)
    is_new = [rng.random() < 0.2 for _ in records]
    found = list(candidate_pairs(records, is_new=is_new, keys=lambda r: keys[r.id]))
    assert found == _reference(records, keys, is_new)
    assert found and all(is_new[i] or is_new[j] for i, j in found)


def test_no_pairs_when_no_key_is_shared():
    records = [normalise_record(DedupeRecord(id=i, title=f"title {i}")) for i in range(3)]
    assert len(candidate_codes(records, keys=lambda r: [("k", str(r.id))])) == 0


def _blocks(records, keys):
    blocks: dict = {}
    for record in records:
        for key in keys[record.id]:
            blocks.setdefault(key, []).append(record.id)
    return blocks.values()


def test_a_record_is_never_its_own_candidate():
    # A title that starts with 32 Latin characters and goes on in another script: its
    # transliterated head is its own head, and once it was filed twice under that key.
    from screening.dedupe import find_duplicates

    title = "Effects of metformin on glucose control in adults Исследование"
    record = normalise_record(DedupeRecord(id=1, title=title, year=2020))
    assert len(block_keys(record)) == len(set(block_keys(record)))
    assert candidate_codes([record]).size == 0
    twin = normalise_record(DedupeRecord(id=2, title=title, year=2020))
    assert list(candidate_pairs([record, twin])) == [(0, 1)]
    assert find_duplicates([DedupeRecord(id=1, title=title, year=2020)]) == []
    # A caller's cache of keys that files a record twice is read the same way.
    twice = {1: [("head", "x"), ("head", "x")]}
    assert candidate_codes([record], keys=lambda r: twice[r.id]).size == 0
