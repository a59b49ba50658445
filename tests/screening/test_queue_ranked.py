"""The ranked queue read from the stored order keeps the queue's order rules;
and the screening API's hot requests keep a fixed number of queries."""

import json
import random
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from screening.models import (
    Lease,
    ModelStatus,
    OutcomeStatus,
    RankedOrder,
    RankingModelState,
    StageOutcome,
)
from screening.ranking import order
from screening.services import queue
from screening.services.queue import next_record
from screening.services.votes import cast_vote
from tests.screening.factories import make_records


def _trained(world, reviewer, scores: dict, version: int = 1) -> None:
    """As a retrain leaves it: a ready model state and the reviewer's stored order."""
    state, _ = RankingModelState.objects.update_or_create(
        review=world.review,
        reviewer=reviewer,
        defaults={
            "status": ModelStatus.READY,
            "trained_at": timezone.now(),
            "version": version,
            "n_scored": len(scores),
        },
    )
    encoded = order.encode(
        {r.pk: score for r, score in scores.items()}, {r.pk: r.shuffle_key for r in scores}
    )
    RankedOrder.objects.update_or_create(
        state=state, defaults={"version": version, "ids": encoded.ids, "scores": encoded.scores}
    )


def test_the_ranked_queue_keeps_the_order_rules(world):
    records = make_records(world.review, 40)
    rng = random.Random(7)
    scored = records[:30]
    scores = {r: rng.choice([0.1, 0.5, 0.9, rng.random()]) for r in scored}  # ties too
    _trained(world, world.reviewer, scores)
    # One record already has a vote (it comes first), the best-scored one is leased to
    # two others (no room with N = 2), and the rest follow score, shuffle key, id; the
    # unscored ones come last in the stable random order.
    partly = scored[5]
    cast_vote(record=partly, stage="ta", reviewer=world.lead, verdict="include")
    best = max(scored, key=lambda r: (scores[r], -r.shuffle_key, -r.pk))
    until = timezone.now() + timedelta(minutes=5)
    for other in (world.reviewer2, world.lead):
        Lease.objects.create(record=best, stage="ta", reviewer=other, expires_at=until)
    rest = [r for r in scored if r not in (partly, best)]
    expected = (
        [partly]
        + sorted(rest, key=lambda r: (-scores[r], r.shuffle_key, r.pk))
        + sorted(records[30:], key=lambda r: (r.shuffle_key, r.pk))
    )
    queue._RANKED.clear()
    offered = []
    while (
        record := next_record(review=world.review, stage="ta", reviewer=world.reviewer)
    ) is not None:
        offered.append(record)
        cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="exclude")
    assert offered == expected
    assert (world.review.pk, world.reviewer.pk) in queue._RANKED


def test_a_new_model_version_reorders_the_queue(world):
    a, b, c = make_records(world.review, 3)
    _trained(world, world.reviewer, {a: 0.9, b: 0.5, c: 0.1})
    assert next_record(review=world.review, stage="ta", reviewer=world.reviewer) == a
    Lease.objects.all().delete()
    _trained(world, world.reviewer, {a: 0.1, b: 0.5, c: 0.9}, version=2)
    assert next_record(review=world.review, stage="ta", reviewer=world.reviewer) == c


def _windows(queries) -> int:
    """How many of `queries` checked ranked records against the database."""
    return sum("SELECT o.record_id, NULL" in q["sql"] for q in queries)


def test_a_record_leased_full_near_the_top_does_not_make_every_request_rescan(world, settings):
    settings.DATABASE_PREPARED = False  # the statements' text, not EXECUTE q_...
    # Many reviewers on one order: the best record is leased to two others (no room with
    # N = 2) and the next 200 are settled. A request reads past them once; the next one
    # starts where it stopped, not again at the top.
    records = make_records(world.review, 300)
    _trained(world, world.reviewer, {r: 1 - i / 1000 for i, r in enumerate(records)})
    until = timezone.now() + timedelta(minutes=5)
    for other in (world.reviewer2, world.lead):
        Lease.objects.create(record=records[0], stage="ta", reviewer=other, expires_at=until)
    StageOutcome.objects.bulk_create(
        StageOutcome(
            review=world.review,
            record=r,
            stage="ta",
            votes=2,
            status=OutcomeStatus.SETTLED,
            decision="exclude",
        )
        for r in records[1:201]
    )
    queue._RANKED.clear()
    with CaptureQueriesContext(connection) as first:
        taken = next_record(review=world.review, stage="ta", reviewer=world.reviewer)
    assert taken == records[201]
    assert _windows(first) >= 5  # the 200 settled records, once
    cast_vote(record=taken, stage="ta", reviewer=world.reviewer, verdict="exclude")
    with CaptureQueriesContext(connection) as second:
        taken = next_record(review=world.review, stage="ta", reviewer=world.reviewer)
    assert taken == records[202]
    assert _windows(second) <= 2, [q["sql"] for q in second]
    # Once the leases end, the record passed over comes first again: its rank holds.
    cast_vote(record=taken, stage="ta", reviewer=world.reviewer, verdict="exclude")
    Lease.objects.filter(record=records[0]).delete()
    assert next_record(review=world.review, stage="ta", reviewer=world.reviewer) == records[0]


def test_next_and_vote_keep_their_query_counts(world, client_for, settings):
    # As in production (Redis): the session read from the cache, not the database.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    make_records(world.review, 30)
    client = client_for(world.reviewer)
    url = f"/api/reviews/{world.review.pk}/"
    client.get(url + "queue/next/?stage=ta")  # warm: the settings row exists from here
    for _ in range(2):
        with CaptureQueriesContext(connection) as next_queries:
            record = client.get(url + "queue/next/?stage=ta").json()["record"]
        body = json.dumps({"record": record["id"], "stage": "ta", "verdict": "exclude"})
        with CaptureQueriesContext(connection) as vote_queries:
            response = client.post(url + "votes/", body, content_type="application/json")
        assert response.status_code == 201
        # the membership with the user and the review's settings (one statement; the
        # session from the cache) + the queue's reads, one lock, one lease statement
        assert len(next_queries) <= 11, [q["sql"] for q in next_queries]
        # the membership with the user and settings, the record's lock (within the
        # review), votes, outcome, leases, the vote, its history, the outcome, the
        # lease, the retrain request
        assert len(vote_queries) <= 12, [q["sql"] for q in vote_queries]
        two_calls = len(next_queries) + len(vote_queries)
    # One request per screening act: the vote answers with the next record, for the
    # queue's statements alone (no second membership-and-user read).
    record = client.get(url + "queue/next/?stage=ta").json()["record"]
    for _ in range(2):
        body = json.dumps(
            {"record": record["id"], "stage": "ta", "verdict": "exclude", "next": True}
        )
        with CaptureQueriesContext(connection) as both:
            response = client.post(url + "votes/", body, content_type="application/json")
        assert response.status_code == 201
        record = response.json()["next"]["record"]
        assert len(both) <= 22, [q["sql"] for q in both]
        assert len(both) <= two_calls - 1  # the second request's membership (with the user)
