"""Casting votes and settling records, through the services and the database."""

import pytest
from django.core.exceptions import ValidationError

from screening.models import (
    Lease,
    OutcomeStatus,
    RecordState,
    StageOutcome,
    Vote,
    VoteAction,
    VoteEvent,
)
from screening.services.queue import next_record
from screening.services.settings import update_settings
from screening.services.votes import cast_vote
from tests.screening.factories import make_records, reason


def test_it_settles_two_includes_and_sends_the_record_to_retrieval(world):
    (record,) = make_records(world.review, 1)
    first = cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="include")
    record.refresh_from_db()
    assert first.created and record.state == RecordState.TA
    cast_vote(record=record, stage="ta", reviewer=world.reviewer2, verdict="maybe")
    record.refresh_from_db()
    outcome = StageOutcome.objects.get(record=record, stage="ta")
    assert record.state == RecordState.FT_RETRIEVAL
    assert (outcome.status, outcome.decision, outcome.votes) == (
        OutcomeStatus.SETTLED,
        "include",
        2,
    )


def test_it_excludes_two_excludes(world):
    (record,) = make_records(world.review, 1)
    why = reason(world.review)
    cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="exclude", reason=why)
    cast_vote(record=record, stage="ta", reviewer=world.reviewer2, verdict="exclude")
    record.refresh_from_db()
    assert record.state == RecordState.TA_EXCLUDED
    assert StageOutcome.objects.get(record=record).reason == why


def test_it_keeps_a_conflict_awaiting_with_the_flag(world):
    (record,) = make_records(world.review, 1)
    cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="include")
    cast_vote(record=record, stage="ta", reviewer=world.reviewer2, verdict="exclude")
    record.refresh_from_db()
    assert record.state == RecordState.TA
    assert StageOutcome.objects.get(record=record).status == OutcomeStatus.CONFLICT


def test_it_treats_a_repeated_vote_as_the_same_vote(world):
    (record,) = make_records(world.review, 1)
    cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="include", note="RCT")
    again = cast_vote(
        record=record, stage="ta", reviewer=world.reviewer, verdict="include", note="RCT"
    )
    assert not again.created and not again.changed
    assert Vote.objects.filter(record=record).count() == 1
    assert VoteEvent.objects.filter(record=record).count() == 1


def test_it_lets_a_vote_change_until_settled_and_keeps_the_history(world):
    (record,) = make_records(world.review, 1)
    cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="include")
    changed = cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="exclude")
    assert changed.changed
    cast_vote(record=record, stage="ta", reviewer=world.reviewer2, verdict="exclude")
    with pytest.raises(ValidationError, match="settled"):
        cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="include")
    events = VoteEvent.objects.filter(record=record)
    actions = list(events.exclude(action=VoteAction.MOVE).values_list("action", flat=True))
    assert actions == [VoteAction.VOTE, VoteAction.CHANGE, VoteAction.VOTE]
    move = events.get(action=VoteAction.MOVE)  # the journey keeps the move too
    assert (move.before, move.after["state"]) == ({"state": "ta"}, "ta_excluded")
    change = VoteEvent.objects.get(action=VoteAction.CHANGE)
    assert (change.before["verdict"], change.after["verdict"]) == ("include", "exclude")


def test_it_refuses_to_erase_a_conflict_by_changing_a_vote(world):
    # Issue 11: the second voter cannot quietly turn a conflict into agreement.
    (record,) = make_records(world.review, 1)
    cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="include")
    cast_vote(record=record, stage="ta", reviewer=world.reviewer2, verdict="exclude")
    with pytest.raises(ValidationError, match="ask the lead"):
        cast_vote(record=record, stage="ta", reviewer=world.reviewer2, verdict="include")
    record.refresh_from_db()
    assert record.state == RecordState.TA
    assert record.outcomes.get(stage="ta").status == "conflict"
    assert Vote.objects.get(record=record, reviewer=world.reviewer2).verdict == "exclude"


def test_a_screener_changes_their_vote_while_others_have_not_voted(world):
    (record,) = make_records(world.review, 1)
    first = cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="exclude")
    assert (first.votes_in, first.needed) == (1, 2)
    cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="include")
    second = cast_vote(record=record, stage="ta", reviewer=world.reviewer2, verdict="include")
    assert (second.votes_in, second.needed) == (2, 2)
    record.refresh_from_db()
    assert record.state == RecordState.FT_RETRIEVAL


def test_it_refuses_a_vote_beyond_the_votes_needed(world):
    (record,) = make_records(world.review, 1)
    cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="include")
    cast_vote(record=record, stage="ta", reviewer=world.reviewer2, verdict="exclude")
    with pytest.raises(ValidationError, match="already has the votes"):
        cast_vote(record=record, stage="ta", reviewer=world.lead, verdict="include")
    assert Vote.objects.filter(record=record).count() == 2


def test_it_refuses_a_vote_on_a_record_leased_to_enough_others(world):
    (record,) = make_records(world.review, 1)
    assert next_record(review=world.review, stage="ta", reviewer=world.reviewer) == record
    assert next_record(review=world.review, stage="ta", reviewer=world.reviewer2) == record
    assert next_record(review=world.review, stage="ta", reviewer=world.lead) is None
    with pytest.raises(ValidationError):
        cast_vote(record=record, stage="ta", reviewer=world.lead, verdict="include")


def test_it_requires_a_reason_from_this_stage_to_exclude_at_full_text(world):
    (record,) = make_records(world.review, 1, state=RecordState.FT)
    with pytest.raises(ValidationError, match="reason"):
        cast_vote(record=record, stage="ft", reviewer=world.reviewer, verdict="exclude")
    with pytest.raises(ValidationError, match="does not belong"):
        cast_vote(
            record=record,
            stage="ft",
            reviewer=world.reviewer,
            verdict="exclude",
            reason=reason(world.review, "ta"),
        )
    assert not Vote.objects.exists()


def test_it_settles_full_text_exclusion_with_one_reason(world):
    (record,) = make_records(world.review, 1, state=RecordState.FT)
    animal = reason(world.review, "ft", 0)
    cast_vote(record=record, stage="ft", reviewer=world.reviewer, verdict="exclude", reason=animal)
    cast_vote(record=record, stage="ft", reviewer=world.reviewer2, verdict="exclude", reason=animal)
    record.refresh_from_db()
    assert record.state == RecordState.FT_EXCLUDED
    assert StageOutcome.objects.get(record=record, stage="ft").reason == animal


def test_it_refuses_votes_on_records_not_at_that_stage(world):
    (duplicate,) = make_records(world.review, 1, state=RecordState.DUPLICATE)
    with pytest.raises(ValidationError, match="no longer"):
        cast_vote(record=duplicate, stage="ta", reviewer=world.reviewer, verdict="include")


def test_it_decides_with_one_vote_when_settings_need_one(world):
    update_settings(review=world.review, by=world.lead, votes_needed_ta=1)
    (record,) = make_records(world.review, 1)
    cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="exclude")
    record.refresh_from_db()
    assert record.state == RecordState.TA_EXCLUDED


def test_it_settles_waiting_records_when_the_votes_needed_go_down(world):
    (record,) = make_records(world.review, 1)
    cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="include")
    update_settings(review=world.review, by=world.lead, votes_needed_ta=1)
    record.refresh_from_db()
    assert record.state == RecordState.FT_RETRIEVAL


def test_it_drops_the_lease_once_voted(world):
    (record,) = make_records(world.review, 1)
    next_record(review=world.review, stage="ta", reviewer=world.reviewer)
    cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="include")
    assert not Lease.objects.filter(reviewer=world.reviewer).exists()


def test_it_keeps_the_history_when_the_import_is_deleted(world):
    (record,) = make_records(world.review, 1, title="Naltrexone in fibromyalgia")
    cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="include")
    record_id = record.pk
    assert Vote.objects.filter(record__batch=record.batch).exists()  # what the import delete asks
    record.batch.delete()
    event = VoteEvent.objects.get(record_pk=record_id)
    assert event.record is None and event.record_title == "Naltrexone in fibromyalgia"
