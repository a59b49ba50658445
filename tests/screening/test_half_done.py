"""The queue's records waiting for another vote come from the partial index
`outcome_half_done` (open outcomes with votes, in the record's shuffle key order, which
the outcome carries). Over random sequences of votes, changed votes, resolutions,
overrules, merges, undone merges and changes of the votes needed, what it reads equals
a recount from the votes and records themselves, and so does "left for you"."""

import contextlib
import itertools
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from reviewapp.services import create_review
from screening.models import (
    OutcomeStatus,
    Record,
    RecordState,
    ScreeningSettings,
    Stage,
    StageOutcome,
    Vote,
)
from screening.selectors.screening import progress
from screening.services import queue
from screening.services.settings import update_settings
from screening.services.votes import cast_vote
from tests.factories import make_batch, make_record
from tests.prisma_app.operations import apply_screening_op

OPS = st.lists(
    st.tuples(
        st.sampled_from(
            ["vote"] * 6 + ["merge", "unmerge", "resolve", "overrule", "pdf", "needed"]
        ),
        st.integers(0, 40),
        st.integers(0, 40),
        st.sampled_from(["include", "exclude", "maybe"]),
    ),
    min_size=1,
    max_size=30,
)

_names = itertools.count()


def plain_half_done(review, stage: Stage, reviewer, needed: int) -> list[int]:
    """Records waiting at `stage` with 1..needed-1 votes, open, none of them the
    reviewer's, in the stable random order: from the rows, one record at a time."""
    found = []
    for record in Record.objects.filter(review=review, state=stage.awaiting_state):
        votes = list(Vote.objects.filter(record=record, stage=stage))
        outcome = StageOutcome.objects.filter(record=record, stage=stage).first()
        if (
            outcome is not None
            and outcome.status == OutcomeStatus.OPEN
            and 1 <= len(votes) < needed
            and all(v.reviewer_id != reviewer.pk for v in votes)
        ):
            found.append(record)
    return [r.pk for r in sorted(found, key=lambda r: (r.shuffle_key, r.pk))]


def check(review, users) -> None:
    for outcome in StageOutcome.objects.filter(review=review).select_related("record"):
        # The outcome carries its record's key and counts its votes.
        assert outcome.shuffle_key == outcome.record.shuffle_key, outcome
        assert (
            outcome.votes
            == Vote.objects.filter(record_id=outcome.record_id, stage=outcome.stage).count()
        ), outcome
    screening_settings = ScreeningSettings.objects.get(review=review)
    for stage in Stage:
        needed = screening_settings.votes_needed(stage)
        for reviewer in users:
            ask = queue._Ask(
                review=review,
                stage=stage,
                reviewer=reviewer,
                needed=needed,
                now=timezone.now(),
                leased=Counter(),
            )
            expected = plain_half_done(review, stage, reviewer, needed)
            assert queue._partly_voted(ask) == expected[: queue.CANDIDATES], (stage, reviewer)
    ta = Stage.TITLE_ABSTRACT
    needed = screening_settings.votes_needed(ta)
    for reviewer in users:
        waiting = Record.objects.filter(review=review, state=ta.awaiting_state)
        takes_votes = [
            r
            for r in waiting
            if not (o := StageOutcome.objects.filter(record=r, stage=ta).first())
            or (o.status == OutcomeStatus.OPEN and o.votes < needed)
        ]
        mine = set(
            Vote.objects.filter(review=review, stage=ta, reviewer=reviewer).values_list(
                "record_id", flat=True
            )
        )
        figures = progress(
            review=review, stage=ta, reviewer=reviewer, needed=needed, see_outcomes=True
        )
        assert figures.my_remaining == sum(1 for r in takes_votes if r.pk not in mine)


@examples(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=OPS)
def test_the_half_done_index_equals_a_recount_after_every_kind_of_change(
    world, settings, django_capture_on_commit_callbacks, ops
):
    # Counted afresh each time (the team's figures are otherwise shared for seconds).
    settings.SCREENING_PROGRESS_CACHE_SECONDS = 0
    review = create_review(owner=world.lead, title=f"half done {next(_names)}")
    users = [world.lead, world.reviewer, world.reviewer2]
    for user in users[1:]:
        review.memberships.create(user=user, role="reviewer")
    update_settings(review=review, by=world.lead, votes_needed_ta=3)
    batch = make_batch(review, source_name="PubMed")
    for state in [RecordState.TA] * 8 + [RecordState.FT] * 2:
        make_record(batch, state=state)
    for op, a, b, verdict in ops:
        with django_capture_on_commit_callbacks(execute=True), contextlib.suppress(ValidationError):
            if op == "needed":
                update_settings(review=review, by=world.lead, votes_needed_ta=1 + a % 3)
            else:
                apply_screening_op(review, users, op, a, b, verdict)
        check(review, users)


def test_a_vote_copies_the_records_key_onto_the_outcome_it_creates(world):
    batch = make_batch(world.review)
    record = make_record(batch, shuffle_key=123_456_789)
    cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="include")
    outcome = StageOutcome.objects.get(record=record, stage="ta")
    assert (outcome.shuffle_key, outcome.votes, outcome.status) == (123_456_789, 1, "open")


def test_the_queue_reads_waiting_pairs_from_a_few_index_entries(world, settings):
    """The half-done records are read in the queue's order from their index, not all
    of them sorted: the statement asks for the first few only."""
    settings.DATABASE_PREPARED = False  # the statement's text with its values
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    batch = make_batch(world.review)
    records = [make_record(batch) for _ in range(30)]
    for record in records:
        cast_vote(record=record, stage="ta", reviewer=world.lead, verdict="include")
    with CaptureQueriesContext(connection) as queries:
        got = queue.next_record(review=world.review, stage="ta", reviewer=world.reviewer)
    assert got == min(records, key=lambda r: (r.shuffle_key, r.pk))
    statement = next(q["sql"] for q in queries if "o.votes >= 1" in q["sql"])
    assert "ORDER BY o.shuffle_key, o.record_id" in statement
    assert f"LIMIT {queue.CANDIDATES}" in statement


def test_postgresql_answers_both_reads_from_the_half_done_index(world, settings):
    """The partial index is usable for the queue's statement and for "left for you"
    (their conditions imply its own); planner costs and the other indexes set aside, as
    on a small table any index may win."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from screening.selectors.screening import progress

    if connection.vendor != "postgresql":
        pytest.skip("the partial index's plan is PostgreSQL's")
    settings.DATABASE_PREPARED = False  # the statements' text, to EXPLAIN them
    batch = make_batch(world.review)
    for record in [make_record(batch) for _ in range(20)]:
        cast_vote(record=record, stage="ta", reviewer=world.lead, verdict="include")
    with CaptureQueriesContext(connection) as queries:
        queue.next_record(review=world.review, stage="ta", reviewer=world.reviewer)
        progress(
            review=world.review, stage="ta", reviewer=world.reviewer, needed=2, see_outcomes=False
        )
    reads = [
        q["sql"]
        for q in queries
        if "o.votes >= 1" in q["sql"] or ('"votes" >= 1' in q["sql"] and "COUNT" in q["sql"])
    ]
    assert len(reads) == 2, [q["sql"] for q in queries]
    with connection.cursor() as cursor:
        # Only the partial index left to choose from (dropped inside the test's
        # transaction, so rolled back with it): on a table this small the planner may
        # take any index, depending on statistics earlier tests left; what matters is
        # that these statements' conditions let PostgreSQL use this one.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending
        cursor.execute(
            "ALTER TABLE screening_stageoutcome DROP CONSTRAINT one_outcome_per_record_stage"
        )
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'screening_stageoutcome' "
            "AND indexname NOT IN ('outcome_half_done', 'screening_stageoutcome_pkey')"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        for statement in reads:
            cursor.execute("EXPLAIN " + statement)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "outcome_half_done" in plan, plan
