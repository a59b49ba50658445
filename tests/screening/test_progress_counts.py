"""The screening page's progress figures, read from indexes (issue 14), against the same
figures counted the plain way from the votes, outcomes and records themselves."""

import pytest
from django.db.models import F

from screening.models import OutcomeStatus, Record, RecordState, StageOutcome, Vote
from screening.selectors.screening import progress
from screening.services.votes import cast_vote
from tests.screening.factories import make_records


def plain_figures(review, reviewer, needed: int) -> dict:
    """My votes, the team's votes and what is left for me, from the rows themselves."""
    waiting = Record.objects.filter(review=review, state=RecordState.TA)
    takes_votes = [
        r
        for r in waiting
        if not (o := StageOutcome.objects.filter(record=r, stage="ta").first())
        or (o.status == OutcomeStatus.OPEN and o.votes < needed)
    ]
    mine = set(
        Vote.objects.filter(record__review=review, stage="ta", reviewer=reviewer).values_list(
            "record_id", flat=True
        )
    )
    return {
        "my_votes": len(mine),
        "team_votes": Vote.objects.filter(record__review=review, stage="ta").count(),
        "my_remaining": sum(1 for r in takes_votes if r.pk not in mine),
    }


@pytest.mark.parametrize("cache_seconds", [0, 60])
def test_it_counts_what_the_rows_say_after_votes_of_every_kind(
    world, settings, django_capture_on_commit_callbacks, cache_seconds
):
    settings.SCREENING_PROGRESS_CACHE_SECONDS = cache_seconds
    records = make_records(world.review, 12)
    other = make_records(world.other_review, 3)
    me, others = world.reviewer, (world.reviewer2, world.lead)
    plan = [  # (record, [(voter, verdict)]): open, settled both ways, conflicts
        (0, [(me, "include")]),
        (1, [(world.reviewer2, "include")]),
        (2, [(me, "exclude"), (world.reviewer2, "exclude")]),
        (3, [(me, "include"), (world.lead, "exclude")]),
        (4, [(world.reviewer2, "include"), (world.lead, "maybe")]),
        (5, [(world.reviewer2, "include"), (world.lead, "exclude")]),
        (6, [(me, "maybe")]),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for index, votes in plan:
            for voter, verdict in votes:
                cast_vote(record=records[index], stage="ta", reviewer=voter, verdict=verdict)
        # Votes in another review never count here.
        cast_vote(record=other[0], stage="ta", reviewer=world.outsider, verdict="include")
    for reviewer in (me, *others):
        figures = progress(
            review=world.review, stage="ta", reviewer=reviewer, needed=2, see_outcomes=True
        )
        expected = plain_figures(world.review, reviewer, needed=2)
        assert (figures.my_votes, figures.team_votes, figures.my_remaining) == (
            expected["my_votes"],
            expected["team_votes"],
            expected["my_remaining"],
        ), reviewer
    # Vote.review is the record's review.
    assert Vote.objects.filter(review=world.review).count() == 11
    assert Vote.objects.filter(review=world.other_review).count() == 1
    assert not Vote.objects.exclude(review_id=F("record__review_id")).exists()


def test_no_move_puts_a_record_back_where_its_stage_was_settled():
    """The progress counts (selectors.screening.team_progress) take a settled outcome as
    never waiting: settling moves the record on, and no move of the flow leads from a
    state a settled stage leaves records in back to that stage's waiting state (an
    undone merge restores the state the record had when it was merged)."""
    from screening import flow

    settled_in = {
        RecordState.TA: {
            RecordState.TA_EXCLUDED,
            RecordState.FT_RETRIEVAL,
            RecordState.FT_NOT_RETRIEVED,
            RecordState.FT,
            RecordState.FT_EXCLUDED,
            RecordState.INCLUDED,
        },
        RecordState.FT: {RecordState.FT_EXCLUDED, RecordState.INCLUDED},
    }
    for (state, event), target in flow.TABLE.items():
        for waiting, settled in settled_in.items():
            if target == waiting:
                assert state not in settled, (state, event)
        if target == flow.RESTORE:
            assert state == RecordState.DUPLICATE and event == flow.Event.UNMERGE


def test_one_records_move_keeps_the_many_version_and_a_change_of_many_bumps_it(
    world, django_capture_on_commit_callbacks
):
    """The team's shared counts renew at once on changes of many records (imports,
    merges, stops…: `many_version`), and within their seconds as single records move."""
    from screening import flow
    from screening.services import journey

    records = make_records(world.review, 4)
    version = journey.flow_version(world.review.pk)
    many = journey.many_version(world.review.pk)
    with django_capture_on_commit_callbacks(execute=True):
        for voter in (world.reviewer, world.reviewer2):
            cast_vote(record=records[0], stage="ta", reviewer=voter, verdict="exclude")
    assert journey.flow_version(world.review.pk) != version
    assert journey.many_version(world.review.pk) == many
    with django_capture_on_commit_callbacks(execute=True):
        journey.move(records[1:3], flow.Event.MERGE, history=False)
    assert journey.many_version(world.review.pk) != many


def test_a_conflict_counts_at_once_though_no_record_moves(
    world, settings, django_capture_on_commit_callbacks
):
    """A conflict leaves its record waiting (no move, so the flow version stays) but it
    takes no more votes: "left for you" drops at once for everyone who had not voted on
    it, and stays for whoever had, even with the team's figures shared for a minute."""
    settings.SCREENING_PROGRESS_CACHE_SECONDS = 60
    records = make_records(world.review, 4)
    me = world.reviewer
    from screening import flow
    from screening.services import journey

    def left(reviewer) -> int:
        return progress(
            review=world.review, stage="ta", reviewer=reviewer, needed=2, see_outcomes=False
        ).my_remaining

    with django_capture_on_commit_callbacks(execute=True):
        cast_vote(record=records[0], stage="ta", reviewer=me, verdict="include")
    assert (left(me), left(world.lead)) == (3, 4)  # the shared figures are cached now
    with django_capture_on_commit_callbacks(execute=True):
        # One conflict on a record I voted on, one on a record I did not.
        cast_vote(record=records[0], stage="ta", reviewer=world.reviewer2, verdict="exclude")
        cast_vote(record=records[1], stage="ta", reviewer=world.reviewer2, verdict="include")
        cast_vote(record=records[1], stage="ta", reviewer=world.lead, verdict="exclude")
    assert StageOutcome.objects.filter(status=OutcomeStatus.CONFLICT).count() == 2
    assert Record.objects.filter(review=world.review, state=RecordState.TA).count() == 4
    for reviewer in (me, world.reviewer2, world.lead):
        assert left(reviewer) == plain_figures(world.review, reviewer, needed=2)["my_remaining"]
    assert (left(me), left(world.lead)) == (2, 2)
    # A record in conflict merged away keeps its conflict but waits no more; a conflict
    # arising after it (no move) still counts at once.
    with django_capture_on_commit_callbacks(execute=True):
        journey.move(records[1], flow.Event.MERGE, history=False)
    assert left(world.lead) == 2
    with django_capture_on_commit_callbacks(execute=True):
        cast_vote(record=records[2], stage="ta", reviewer=world.reviewer2, verdict="include")
        cast_vote(record=records[2], stage="ta", reviewer=me, verdict="exclude")
    assert StageOutcome.objects.filter(status=OutcomeStatus.CONFLICT).count() == 3
    for reviewer in (me, world.reviewer2, world.lead):
        assert left(reviewer) == plain_figures(world.review, reviewer, needed=2)["my_remaining"]
    assert (left(me), left(world.lead)) == (1, 1)


def test_a_reviewers_figures_take_one_statement_even_after_a_record_moved(
    world, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """A reviewer's figures are one statement: their votes, what they voted on that still
    waits, the records whose votes are all in and, once per change of the flow, the
    records waiting at the stage (the team's shown figures shared for seconds)."""
    settings.SCREENING_PROGRESS_CACHE_SECONDS = 60
    records = make_records(world.review, 3)

    def figures():
        return progress(
            review=world.review, stage="ta", reviewer=world.reviewer, needed=2, see_outcomes=True
        )

    figures()
    with django_assert_num_queries(1):
        assert figures().my_remaining == 3
    with django_capture_on_commit_callbacks(execute=True):
        for voter in (world.reviewer2, world.lead):  # settles: the record moves
            cast_vote(record=records[0], stage="ta", reviewer=voter, verdict="exclude")
    with django_assert_num_queries(1):  # the waiting records counted afresh in it
        assert figures().my_remaining == 2
