"""Merging, confirming, rejecting and undoing, with the history and states restored."""

import pytest

from screening.models import CandidatePair, DedupeEvent, DuplicateGroup, PairStatus, RecordState
from screening.services import dedupe as services
from tests.factories import make_batch, make_record


def _records(world, n=3):
    batch = make_batch(world.review)
    return [make_record(batch, title=f"Study {i}", abstract="x" * i) for i in range(n)]


def test_confirming_a_pair_merges_and_undo_restores(world):
    a, b, _ = _records(world)
    pair = CandidatePair.objects.create(
        review=world.review, record_a=a, record_b=b, score=0.7, automatic=False
    )
    group = services.confirm_pair(pair=pair, actor=world.lead)
    a.refresh_from_db()
    b.refresh_from_db()
    assert group.primary == b  # the richer record (longer abstract)
    assert (a.state, a.state_before_merge, a.duplicate_group) == (
        RecordState.DUPLICATE,
        RecordState.TA,
        group,
    )
    pair.refresh_from_db()
    assert pair.status == PairStatus.CONFIRMED and pair.decided_by == world.lead

    services.unmerge(
        review=world.review, record_ids=[a.pk], actor=world.lead, reason="different trials"
    )
    a.refresh_from_db()
    assert (a.state, a.duplicate_group) == (RecordState.TA, None)
    assert not DuplicateGroup.objects.exists()
    actions = list(DedupeEvent.objects.order_by("pk").values_list("action", "actor", "reason"))
    assert actions == [
        ("confirm", world.lead.pk, f"pair {pair.pk} confirmed"),
        ("unmerge", world.lead.pk, "different trials"),
    ]
    pair.refresh_from_db()
    assert pair.status == PairStatus.UNMERGED


def test_a_merged_record_keeps_its_screening_state(world):
    a, b, c = _records(world)
    a.state = RecordState.FT_RETRIEVAL
    a.save()
    pair = CandidatePair.objects.create(
        review=world.review, record_a=a, record_b=b, score=0.7, automatic=False
    )
    group = services.confirm_pair(pair=pair, actor=world.lead)
    assert group.primary == a  # already screened past title/abstract: it stays the one screened
    services.set_primary(group=group, record=b, actor=world.lead)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.state, a.state_before_merge) == (RecordState.DUPLICATE, RecordState.FT_RETRIEVAL)
    assert b.state == RecordState.TA
    services.unmerge_group(group=DuplicateGroup.objects.get(), actor=world.lead)
    a.refresh_from_db()
    assert a.state == RecordState.FT_RETRIEVAL


def test_merging_joins_existing_groups(world):
    a, b, c = _records(world)
    services.confirm_pair(
        pair=CandidatePair.objects.create(
            review=world.review, record_a=a, record_b=b, score=1, automatic=False
        ),
        actor=world.lead,
    )
    group = services.confirm_pair(
        pair=CandidatePair.objects.create(
            review=world.review, record_a=b, record_b=c, score=1, automatic=False
        ),
        actor=world.lead,
    )
    assert DuplicateGroup.objects.count() == 1
    assert set(group.records.values_list("pk", flat=True)) == {a.pk, b.pk, c.pk}
    assert group.records.filter(state=RecordState.DUPLICATE).count() == 2


def test_rejecting_a_pair_changes_no_record(world):
    a, b, _ = _records(world)
    pair = CandidatePair.objects.create(
        review=world.review, record_a=a, record_b=b, score=0.6, automatic=False
    )
    services.reject_pair(pair=pair, actor=world.lead)
    pair.refresh_from_db()
    assert pair.status == PairStatus.REJECTED
    assert set(world.review.records.values_list("state", flat=True)) == {RecordState.TA}
    assert DedupeEvent.objects.get().action == "reject"


def test_dedupe_review_only_compares_new_records_once(world):
    batch = make_batch(world.review)
    common = {
        "authors": ["Younger, J"],
        "year": 2009,
        "journal": "Pain Medicine",
        "volume": "10",
        "pages": "663-672",
    }
    a = make_record(
        batch,
        title="Low-dose naltrexone for fibromyalgia: a pilot trial",
        dedupe_checked=False,
        doi="10.1/x",
        **common,
    )
    b = make_record(
        batch,
        title="Low-dose naltrexone for fibromyalgia: a pilot trial.",
        dedupe_checked=False,
        doi="10.1/x",
        **common,
    )
    first = services.dedupe_review(review_id=world.review.pk)
    assert (first.compared, first.removed) == (2, 1)
    second = services.dedupe_review(review_id=world.review.pk)
    assert (second.compared, second.removed, second.pending) == (0, 0, 0)
    assert CandidatePair.objects.filter(status=PairStatus.MERGED).count() == 1
    assert {a.pk, b.pk} == set(DuplicateGroup.objects.get().records.values_list("pk", flat=True))


@pytest.fixture
def cache_dir(settings, tmp_path):
    from screening.services import dedupe_cache

    settings.DEDUPE_CACHE_DIR = str(tmp_path / "dedupe-cache")
    yield dedupe_cache
    dedupe_cache.forget()


def _rewrite_kept(dedupe_cache, review_id, entries):
    """Write the review's file as a run would have, with these normalised records."""
    writer = dedupe_cache.Normaliser(review_id)
    writer.close()
    writer.live = {pk: (norm, []) for pk, (_, norm) in entries.items()}
    writer.digests = {pk: digest for pk, (digest, _) in entries.items()}
    writer.keep()


def test_a_later_run_reuses_unchanged_records_work_and_redoes_edited_ones(world, cache_dir):
    import dataclasses

    from screening.models import Record

    batch = make_batch(world.review)
    title = "Low-dose naltrexone for the treatment of fibromyalgia: a randomised trial"
    kept = make_record(batch, title=title, year=2013, dedupe_checked=False)
    same = {"year": 2013, "authors": ["Ng, Anna", "Lee, Bo"], "journal": "Pain", "pages": "11-19"}
    edited = make_record(
        batch, title="Opioid antagonists and sleep quality in chronic pain", dedupe_checked=False,
        **same,
    )  # fmt: skip
    services.dedupe_review(review_id=world.review.pk)
    first = cache_dir.kept(world.review.pk)
    assert set(first) == {kept.pk, edited.pk}
    # Mark the unchanged record's kept form: if the next run reuses it, the mark survives.
    digest, normalised = first[kept.pk]
    marked = dataclasses.replace(normalised, title=normalised.title + " reused")
    _rewrite_kept(cache_dir, world.review.pk, {**first, kept.pk: (digest, marked)})

    # A person corrects the second record's title; then an update brings a copy of it.
    corrected = "Naltrexone at low dose and sleep quality in chronic pain: a cohort"
    Record.objects.filter(pk=edited.pk).update(title=corrected)
    copy = make_record(make_batch(world.review), title=corrected, dedupe_checked=False, **same)
    services.dedupe_review(review_id=world.review.pk)

    second = cache_dir.kept(world.review.pk)
    assert set(second) == {kept.pk, edited.pk, copy.pk}
    assert second[kept.pk][1].title.endswith(" reused")  # unchanged: reused
    assert second[edited.pk][0] != first[edited.pk][0]  # edited: normalised again
    assert second[edited.pk][1].title == (
        "naltrexone at low dose and sleep quality in chronic pain a cohort"
    )
    # The verdict follows the corrected title, not the remembered one.
    copy.refresh_from_db()
    assert copy.state == RecordState.DUPLICATE
    assert copy.duplicate_group.primary_id == edited.pk


def test_kept_records_are_a_file_per_review_trusted_only_whole_and_of_this_code(
    world, cache_dir, settings
):
    from reviewapp.services import create_review

    batch = make_batch(world.review)
    ids = {
        make_record(batch, title=f"Naltrexone trial number {i}", dedupe_checked=False).pk
        for i in range(3)
    }
    services.dedupe_review(review_id=world.review.pk)
    kept = cache_dir.kept(world.review.pk)
    assert set(kept) == ids
    assert kept[min(ids)][1].title == "naltrexone trial number 0"
    # A new process (a restarted worker) finds them: nothing lives in the worker's memory.
    fresh = cache_dir.Normaliser(world.review.pk)
    record = services._as_dedupe_record(
        min(ids), "Naltrexone trial number 0", [], None, "", "", "", "", "", "", ""
    )
    assert fresh(record).title == "naltrexone trial number 0" and fresh.reused == 1
    fresh.close()

    other = create_review(owner=world.lead, title="Another review")
    copy = make_record(make_batch(other), title="Naltrexone trial number 0", dedupe_checked=False)
    services.dedupe_review(review_id=other.pk)
    assert set(cache_dir.kept(other.pk)) == {copy.pk}
    assert set(cache_dir.kept(world.review.pk)) == ids  # each review its own file

    # Written by another version of the normalising code: not used.
    original = cache_dir.code_version
    cache_dir.code_version = lambda: b"another version!"
    try:
        assert cache_dir.kept(other.pk) == {}
    finally:
        cache_dir.code_version = original
    # A file changed by anyone but a run (or cut short) is never unpickled.
    path = cache_dir.path_for(other.pk)
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    assert cache_dir.kept(other.pk) == {}
    path.write_bytes(bytes(data[:-1]))
    assert cache_dir.kept(other.pk) == {}
    # ... and the next run normalises everything again and writes a good file.
    make_record(make_batch(other), title="Another naltrexone study", dedupe_checked=False)
    services.dedupe_review(review_id=other.pk)
    assert len(cache_dir.kept(other.pk)) == 2

    # Over budget, other reviews' files go, oldest first; the one just written stays.
    settings.DEDUPE_CACHE_MAX_BYTES = 1
    make_record(make_batch(other), title="A third naltrexone study", dedupe_checked=False)
    services.dedupe_review(review_id=other.pk)
    assert cache_dir.kept(world.review.pk) == {}
    assert len(cache_dir.kept(other.pk)) == 3
