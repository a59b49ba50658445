"""The queue: who is offered which record."""

from screening.models import Lease
from screening.services.queue import next_record
from screening.services.settings import update_settings
from screening.services.votes import cast_vote
from tests.screening.factories import make_records


def test_it_gives_the_same_record_again_until_voted(world):
    make_records(world.review, 3)
    first = next_record(review=world.review, stage="ta", reviewer=world.reviewer)
    assert next_record(review=world.review, stage="ta", reviewer=world.reviewer) == first
    assert Lease.objects.filter(reviewer=world.reviewer).count() == 1


def test_it_offers_records_with_a_vote_first(world):
    records = sorted(make_records(world.review, 5), key=lambda r: (r.shuffle_key, r.pk))
    last = records[-1]
    cast_vote(record=last, stage="ta", reviewer=world.lead, verdict="include")
    assert next_record(review=world.review, stage="ta", reviewer=world.reviewer) == last


def test_it_follows_the_stable_random_order(world):
    records = sorted(make_records(world.review, 5), key=lambda r: (r.shuffle_key, r.pk))
    assert next_record(review=world.review, stage="ta", reviewer=world.reviewer) == records[0]


def test_it_never_offers_a_record_to_more_reviewers_than_votes_needed(world):
    (record,) = make_records(world.review, 1)
    takers = [
        next_record(review=world.review, stage="ta", reviewer=u)
        for u in (world.reviewer, world.reviewer2, world.lead)
    ]
    assert takers == [record, record, None]


def test_it_hands_out_different_records_when_one_vote_is_needed(world):
    update_settings(review=world.review, by=world.lead, votes_needed_ta=1)
    make_records(world.review, 3)
    got = {
        next_record(review=world.review, stage="ta", reviewer=u).pk
        for u in (world.reviewer, world.reviewer2, world.lead)
    }
    assert len(got) == 3


def test_it_skips_records_the_reviewer_voted_on_and_conflicts(world):
    a, b = make_records(world.review, 2)
    cast_vote(record=a, stage="ta", reviewer=world.reviewer, verdict="include")
    cast_vote(record=a, stage="ta", reviewer=world.reviewer2, verdict="exclude")  # conflict
    cast_vote(record=b, stage="ta", reviewer=world.reviewer, verdict="include")
    assert next_record(review=world.review, stage="ta", reviewer=world.reviewer) is None
    assert next_record(review=world.review, stage="ta", reviewer=world.lead) == b


def test_it_offers_full_text_only_records_awaiting_assessment(world):
    make_records(world.review, 2, state="ft_retrieval")
    (ready,) = make_records(world.review, 1, state="ft")
    assert next_record(review=world.review, stage="ft", reviewer=world.reviewer) == ready


def test_asking_again_renews_the_lease_only_once_half_of_it_is_left(world):
    from datetime import timedelta

    from django.utils import timezone

    from screening.services.queue import LEASE_MINUTES

    make_records(world.review, 3)
    first = next_record(review=world.review, stage="ta", reviewer=world.reviewer)
    lease = Lease.objects.get(reviewer=world.reviewer)
    later = timezone.now() + timedelta(minutes=LEASE_MINUTES * 0.8)
    Lease.objects.filter(pk=lease.pk).update(expires_at=later)
    assert next_record(review=world.review, stage="ta", reviewer=world.reviewer) == first
    assert Lease.objects.get(pk=lease.pk).expires_at == later  # a reload writes nothing
    soon = timezone.now() + timedelta(minutes=LEASE_MINUTES * 0.3)
    Lease.objects.filter(pk=lease.pk).update(expires_at=soon)
    assert next_record(review=world.review, stage="ta", reviewer=world.reviewer) == first
    renewed = Lease.objects.get(pk=lease.pk).expires_at
    assert renewed - timezone.now() > timedelta(minutes=LEASE_MINUTES * 0.9)
