"""Cheap rejects (screening/dedupe/rejects.py) change no verdict.

The class of input they are for: many records sharing a blocking key (one title at
several years, by other authors, under other DOIs, as errata, replies, parts,
preprints, conference abstracts, and exact copies). Each fixture is judged by the
matcher and by a plain reference that compares every pair with `compare` alone; the
two must agree verdict for verdict (decision, score and reasons).
"""

import random

import pytest

from screening.dedupe import DedupeRecord, find_duplicates
from screening.dedupe.blocking import MAX_BLOCK, candidate_pairs
from screening.dedupe.matcher import (
    _ordered,
    drop_counter_issues,
    mark_collection_dois,
    mark_recurring_titles,
)
from screening.dedupe.normalise import normalise_record
from screening.dedupe.records import DISTINCT, PairVerdict
from screening.dedupe.rejects import (
    _NEAR,
    _NEAR_SCORE,
    _UNRELATED,
    _UNRELATED_SCORE,
    _surely_less_alike,
    surely_distinct,
)
from screening.dedupe.scoring import _title_likeness, compare
from tests.dedupe.test_realdata import _load
from tests.shared_data import requires_shared_data

TITLES = (
    # An ordinary informative title, its erratum, its parts, cut short, misspelt...
    "Outcomes of early surgery in adults with chronic rhinosinusitis: a cohort study",
    # A letter and its replies: one title for several items.
    "Reply to the letter on outcomes of early surgery in chronic rhinosinusitis",
    # A serial's recurring item.
    "Images in clinical medicine: a rash on the palms and soles of the feet",
)
AUTHORS = (
    ("Smith, John A", "Lee, Wei", "Garcia, Maria"),
    ("Smith JA", "Lee W", "Garcia M"),
    ("Smith, J.",),
    ("Brown, Anna", "Okafor, Chidi"),
    ("Garcia, Maria", "Smith, John A", "Lee, Wei", "Tanaka, Kenji"),
    (),
)
JOURNALS = (
    "Journal of Clinical Surgery",
    "J Clin Surg",
    "Annals of Internal Medicine",
    "medRxiv",
    "",
)
# Other endings after the shared beginning: other works that share the title's block.
ENDINGS = (
    "in a national registry of 4,000 patients",
    "versus watchful waiting: a randomised trial",
    "the role of eosinophils",
    "lessons from twenty years of practice",
)
PAGES = ("101-110", "101-111", "102-110", "205-210", "101", "e12345", "1-12", "")
DOIS = ("10.1000/jcs.2019.101", "10.1000/jcs.2019.101.v2", "10.1000/jcs.2020.55", "")


def _title(base: str, rng: random.Random) -> str:
    kind = rng.randrange(13)
    if kind >= 10:
        return f"{base[:40]} {rng.choice(ENDINGS)}"  # another work, the same beginning
    if kind == 0:
        return f"Erratum: {base}"
    if kind == 1:
        return f"{base}. Part {rng.choice(('I', 'II'))}"
    if kind == 2:
        return base.upper()
    if kind == 3:
        return base[: len(base) - rng.randint(3, 25)]  # cut short
    if kind == 4:
        i = rng.randrange(40, len(base) - 2)
        return base[:i] + base[i + 1] + base[i] + base[i + 2 :]  # two letters swapped
    if kind == 5:
        return f"[{base}]."
    if kind == 6:
        words = base.split()
        words[-2] = "novel"  # about 0.9 alike: near, not the same
        return " ".join(words)
    return base


def sharing_a_key(seed: int, size: int = 48, title: str | None = None) -> list[DedupeRecord]:
    """`size` records under one title (so one block): variants and exact copies."""
    rng = random.Random(seed)
    base = title or rng.choice(TITLES)
    records: list[DedupeRecord] = []
    while len(records) < size:
        if records and rng.random() < 0.2:
            # An exact copy of a record already in (another database's export of it).
            original = rng.choice(records)
            records.append(DedupeRecord(**{**original.__dict__, "id": len(records)}))
            continue
        records.append(
            DedupeRecord(
                id=len(records),
                title=_title(base, rng),
                authors=rng.choice(AUTHORS),
                year=rng.choice((2018, 2019, 2019, 2020, 2023, None)),
                journal=rng.choice(JOURNALS),
                volume=rng.choice(("12", "12", "13", "")),
                issue=rng.choice(("3", "4", "")),
                pages=rng.choice(PAGES),
                doi=rng.choice(DOIS),
                pmid=rng.choice(("", "", "31234567", "31234568")),
                publication_type=rng.choice(("", "", "Conference Abstract", "preprint")),
            )
        )
    return records


def _prepared(records):
    return mark_collection_dois(
        mark_recurring_titles(drop_counter_issues([normalise_record(r) for r in records]))
    )


def _verdicts(normalised, pairs) -> list[PairVerdict]:
    """`compare` on each pair, in the matcher's order, without any shortcut of its own."""
    out = []
    for i, j in pairs:
        a, b = _ordered(normalised[i].id, normalised[j].id)
        if a != normalised[i].id:
            i, j = j, i
        result = compare(normalised[i], normalised[j])
        if result is not None and result.decision != DISTINCT:
            out.append(PairVerdict(a, b, result.score, result.decision, result.reasons))
    return sorted(out, key=lambda v: (str(v.a), str(v.b)))


def all_pairs_reference(records) -> list[PairVerdict]:
    normalised = _prepared(records)
    size = len(normalised)
    return _verdicts(normalised, ((i, j) for i in range(size) for j in range(i + 1, size)))


def blocked_reference(records) -> list[PairVerdict]:
    """The matcher's candidate pairs, each judged by `compare` alone."""
    normalised = _prepared(records)
    return _verdicts(normalised, candidate_pairs(normalised))


@pytest.mark.parametrize("seed", range(12))
def test_many_records_sharing_a_title_get_the_verdicts_of_all_pairs(seed):
    records = sharing_a_key(seed, size=MAX_BLOCK - 2)
    size = len(records)
    # The fixture is one block: every pair is a candidate, so all pairs is the reference.
    assert len(list(candidate_pairs(_prepared(records)))) == size * (size - 1) // 2
    reference = all_pairs_reference(records)
    assert find_duplicates(records) == reference
    decisions = {v.decision for v in reference}
    assert decisions == {"duplicate", "maybe"}  # the fixture exercises both


@pytest.mark.parametrize("title", TITLES)
def test_exact_copies_sharing_a_key_get_the_verdicts_of_all_pairs(title):
    one = sharing_a_key(99, size=1, title=title)[0]
    other = DedupeRecord(**{**one.__dict__, "id": 1, "year": (one.year or 2019) + 3})
    records = [DedupeRecord(**{**one.__dict__, "id": n}) for n in range(30)]
    records += [DedupeRecord(**{**other.__dict__, "id": n}) for n in range(30, 45)]
    assert find_duplicates(records) == all_pairs_reference(records)


@pytest.mark.parametrize("seed", range(3))
def test_blocks_over_the_full_comparison_size_keep_their_verdicts(seed):
    records = sharing_a_key(100 + seed, size=3 * MAX_BLOCK)
    assert find_duplicates(records) == blocked_reference(records)
    new = {r.id for r in records[::3]}
    expected = [v for v in blocked_reference(records) if v.a in new or v.b in new]
    assert find_duplicates(records, new_ids=new) == expected


def _broken_promises(normalised) -> tuple[list, int]:
    """Pairs (either order) `surely_distinct` rejects but `compare` keeps; rejects made."""
    broken, rejected = [], 0
    size = len(normalised)
    for i in range(size):
        for j in range(i + 1, size):
            for a, b in ((normalised[i], normalised[j]), (normalised[j], normalised[i])):
                if surely_distinct(a, b):
                    rejected += 1
                    result = compare(a, b)
                    if result is not None and result.decision != DISTINCT:
                        broken.append((a.id, b.id, result.decision, result.reasons))
    return broken, rejected


@pytest.mark.parametrize("seed", range(12))
def test_a_reject_is_a_pair_compare_would_call_distinct(seed):
    broken, rejected = _broken_promises(_prepared(sharing_a_key(seed)))
    assert broken == []
    assert rejected > 100  # the rejects do fire on this class


@requires_shared_data
@pytest.mark.realdata
@pytest.mark.parametrize("name", ["cytology_screening", "haematology", "respiratory"])
def test_a_reject_is_a_pair_compare_would_call_distinct_on_a_labelled_set(name):
    """Every candidate pair of a labelled set, both ways round."""
    records, _ = _load(name)
    normalised = _prepared(records)
    broken = []
    for i, j in candidate_pairs(normalised):
        for a, b in ((normalised[i], normalised[j]), (normalised[j], normalised[i])):
            if surely_distinct(a, b):
                result = compare(a, b)
                if result is not None and result.decision != DISTINCT:
                    broken.append((a.id, b.id, result.decision))
    assert broken == []
    assert find_duplicates(records) == blocked_reference(records)


def _near_titles(base: str, rng: random.Random) -> str:
    """A title around one of `_title_likeness`'s thresholds from `base`."""
    words = base.split()
    kind = rng.randrange(7)
    if kind == 0:
        return base[: rng.randint(30, len(base))]  # cut short: the "prefix" reading
    if kind == 1:
        rng.shuffle(words)  # reordered: the "alike" (token set) reading
        return " ".join(words)
    if kind == 2:
        del words[rng.randrange(len(words))]  # one word dropped
        return " ".join(words)
    if kind == 3:
        words[rng.randrange(len(words))] = rng.choice(("novel", "early", "adult"))
        return " ".join(words)
    if kind == 4:
        return f"{base}: {rng.choice(ENDINGS)}"  # a subtitle added
    if kind == 5:
        return "Исследование " + base  # another script: the transliterated reading
    i = rng.randrange(len(base) - 2)
    return base[:i] + base[i + 1] + base[i] + base[i + 2 :]


@pytest.mark.parametrize("seed", range(4))
def test_titles_surely_less_alike_only_below_the_likeness_threshold(seed):
    """`_surely_less_alike` (the rejects' fast reading) says "below" only where
    `_title_likeness` is below, at both thresholds it is asked about, and it is
    not sure about a good share of the pairs near them."""
    rng = random.Random(seed)
    titles = [_near_titles(rng.choice(TITLES), rng) for _ in range(60)]
    titles += [_near_titles(title, rng) for title in titles]
    titles += [_near_titles(title, rng) for title in titles]
    records = [normalise_record(DedupeRecord(id=i, title=t)) for i, t in enumerate(titles)]
    below = unsure = 0
    for a in records:
        for b in records:
            for score, threshold in ((_NEAR_SCORE, _NEAR), (_UNRELATED_SCORE, _UNRELATED)):
                if _surely_less_alike(a, b, score):
                    below += 1
                    assert _title_likeness(a, b)[0] < threshold, (a.title, b.title, threshold)
                elif _title_likeness(a, b)[0] < threshold:
                    unsure += 1
    assert below > 1000 and unsure > 10  # both outcomes, and some left to the full reading
