"""Many reviewers asking for work and voting at the same moment, on PostgreSQL."""

import random
import threading

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count

from reviewapp.models import Membership, Role
from screening.models import Record, Vote, VoteEvent
from screening.services.queue import next_record
from screening.services.votes import cast_vote
from tests.conftest import make_user
from tests.screening.factories import make_records

pytestmark = pytest.mark.services


@pytest.fixture
def postgres_only():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL (row locks with SKIP LOCKED)")


def test_it_never_over_allocates_or_loses_votes(postgres_only, transactional_db, world):
    records = make_records(world.review, 40)
    reviewers = [make_user(f"screener{i}") for i in range(10)]
    for user in reviewers:
        Membership.objects.create(review=world.review, user=user, role=Role.REVIEWER)
    cast: dict[int, list[int]] = {u.pk: [] for u in reviewers}
    errors: list[BaseException] = []
    start = threading.Barrier(len(reviewers))

    def screen(user):
        try:
            start.wait()
            rng = random.Random(user.pk)
            while True:
                record = next_record(review=world.review, stage="ta", reviewer=user)
                if record is None:
                    return
                verdict = rng.choice(["include", "exclude", "maybe"])
                cast_vote(record=record, stage="ta", reviewer=user, verdict=verdict)
                # A retry of the same request must not count twice.
                cast_vote(record=record, stage="ta", reviewer=user, verdict=verdict)
                cast[user.pk].append(record.pk)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=screen, args=(u,)) for u in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    per_record = dict(Vote.objects.values_list("record").annotate(n=Count("pk")))
    assert max(per_record.values()) == 2
    assert set(per_record) == {r.pk for r in records}
    assert all(n == 2 for n in per_record.values())
    expected = sorted((r, u) for u, ids in cast.items() for r in ids)
    stored = sorted(Vote.objects.values_list("record_id", "reviewer_id"))
    assert stored == expected  # none lost, none duplicated
    assert VoteEvent.objects.filter(action="vote").count() == len(expected)


def test_a_retrain_committing_never_empties_the_queue_or_blocks_a_vote(
    postgres_only, transactional_db, world
):
    """Issue 14: at COMMIT, foreign-key checks of rows referencing the records (the old
    per-record score rows, bulk inserts of votes or tags) hold KEY SHARE locks on them;
    the queue's SKIP LOCKED skipped every candidate and answered "nothing waiting"."""
    from screening.services.ranking import retrain_review
    from tests.ranking_app.builders import make_corpus, settle_as

    relevant, irrelevant = make_corpus(world.review)
    settle_as(relevant[0], "include")
    settle_as(irrelevant[0], "exclude")
    locked, done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def retrain_holding_its_commit():
        try:
            with transaction.atomic():
                retrain_review(review=world.review)
                with connection.cursor() as cursor:
                    # What a deferred foreign-key check takes on every referenced record.
                    cursor.execute(
                        "SELECT id FROM screening_record WHERE review_id = %s FOR KEY SHARE",
                        [world.review.pk],
                    )
                locked.set()
                done.wait(30)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            locked.set()
            connection.close()

    thread = threading.Thread(target=retrain_holding_its_commit)
    thread.start()
    try:
        assert locked.wait(30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")  # a regression fails, never hangs
        # The condition is real: a plain FOR UPDATE SKIP LOCKED sees no record at all.
        with transaction.atomic():
            assert not list(
                Record.objects.select_for_update(skip_locked=True).filter(review=world.review)
            )
        record = next_record(review=world.review, stage="ta", reviewer=world.reviewer)
        assert record is not None
        result = cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="include")
        assert result.vote.record_id == record.pk
        assert next_record(review=world.review, stage="ta", reviewer=world.reviewer2) is not None
    finally:
        done.set()
        thread.join(60)
    assert not errors, errors


def test_a_lease_alone_commits_without_waiting_for_the_disk_a_vote_never(
    postgres_only, transactional_db, world
):
    """`next_record` on its own writes only leases, and commits them asynchronously; a
    vote's transaction (even one that asks for the next record inside it) never does."""
    from django.test.utils import CaptureQueriesContext

    records = make_records(world.review, 3)
    asynchronous = "SET LOCAL synchronous_commit = off"
    with CaptureQueriesContext(connection) as queries:
        record = next_record(review=world.review, stage="ta", reviewer=world.reviewer)
    assert record is not None
    assert [q["sql"] for q in queries].count(asynchronous) == 1
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="include")
        following = next_record(review=world.review, stage="ta", reviewer=world.reviewer)
    assert following in records and following != record
    assert asynchronous not in [q["sql"] for q in queries]
    assert Vote.objects.filter(record=record, reviewer=world.reviewer).exists()
