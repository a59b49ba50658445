"""Issue 12 through the service: conflicting identifying fields are never merged, and
the reasons stored on a pending pair are true of its two records (a then b)."""

from screening.dedupe import DedupeRecord
from screening.models import CandidatePair, DuplicateGroup, PairStatus, RecordState
from screening.services import dedupe as services
from tests.dedupe.reason_truth import false_reasons
from tests.factories import make_batch, make_record

COMMON = {
    "title": "Trust and distrust in online marketplaces: a field experiment",
    "authors": ["Gefen, David", "Pavlou, Paul"],
    "year": 2012,
    "journal": "Information Systems Research",
    "volume": "23",
    "dedupe_checked": False,
}


def _as_dedupe(record) -> DedupeRecord:
    return DedupeRecord(
        id=record.pk, title=record.title, authors=tuple(record.authors), year=record.year,
        journal=record.journal, volume=record.volume, issue=record.issue, pages=record.pages,
        doi=record.doi, pmid=record.pmid, publication_type=record.publication_type,
    )  # fmt: skip


def test_issue_and_last_page_conflict_is_not_merged(world):
    batch = make_batch(world.review)
    make_record(batch, issue="3", pages="101-110", **COMMON)
    make_record(batch, issue="4", pages="101-111", **COMMON)
    summary = services.dedupe_review(review_id=world.review.pk)
    assert summary.removed == 0
    assert not DuplicateGroup.objects.exists()
    assert not world.review.records.filter(state=RecordState.DUPLICATE).exists()


def test_different_dois_wait_for_a_person_with_a_true_reason(world):
    batch = make_batch(world.review)
    a = make_record(batch, issue="3", pages="101-110", doi="10.1287/isre.1110.0361", **COMMON)
    b = make_record(
        batch, issue="3", pages="101-110", doi="https://doi.org/10.1287/ISRE.1110.0999", **COMMON
    )
    summary = services.dedupe_review(review_id=world.review.pk)
    assert (summary.removed, summary.pending) == (0, 1)
    pair = CandidatePair.objects.get()
    assert pair.status == PairStatus.PENDING and not pair.automatic
    assert "different DOIs (10.1287/isre.1110.0361 vs 10.1287/isre.1110.0999)" in pair.reasons
    record_a, record_b = pair.record_a, pair.record_b
    assert {record_a.pk, record_b.pk} == {a.pk, b.pk}
    assert false_reasons(pair.reasons, _as_dedupe(record_a), _as_dedupe(record_b)) == []


def test_sici_dois_of_one_issue_are_not_one_doi(world):
    batch = make_batch(world.review)
    fields = {**COMMON, "title": "Editorial", "authors": ["Smith, J."], "issue": "1"}
    make_record(batch, doi="10.1002/(SICI)1097-4679(199901)55:1<83::AID-JCLP8>3.0.CO;2-N", **fields)
    make_record(batch, doi="10.1002/(SICI)1097-4679(199901)55:1<57::AID-JCLP6>3.0.CO;2-N", **fields)
    summary = services.dedupe_review(review_id=world.review.pk)
    assert summary.removed == 0
    assert not CandidatePair.objects.filter(reasons__icontains="same DOI").exists()
