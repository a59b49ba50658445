"""The one blinding policy (screening/visibility.py), without a database."""

import pytest

from screening.visibility import (
    NOTHING,
    Audience,
    Status,
    audience,
    shown_status,
    sight,
    vote_message,
    vote_visible,
)

VIEWER, REVIEWER, LEAD, OWNER = 0, 1, 2, 3


@pytest.mark.parametrize("rank", [REVIEWER, LEAD, OWNER])
@pytest.mark.parametrize("voted", [False, True])
def test_no_one_who_screens_sees_anything_of_a_waiting_record(rank, voted):
    who = audience(role_rank=rank, blind=True)
    seen = sight(audience=who, may_screen=not voted, voted=voted, status=Status.WAITING)
    assert seen == NOTHING
    assert not vote_visible(audience=who, status=Status.WAITING, mine=False)
    assert vote_visible(audience=who, status=Status.WAITING, mine=True)


@pytest.mark.parametrize("rank", [REVIEWER, LEAD, OWNER])
def test_settled_records_show_every_vote_to_screeners(rank):
    seen = sight(
        audience=audience(role_rank=rank, blind=True),
        may_screen=False,
        voted=True,
        status=Status.SETTLED,
    )
    assert seen.votes and seen.notes and seen.outcome


def test_conflicts_are_for_the_lead():
    lead = sight(
        audience=audience(role_rank=LEAD, blind=True),
        may_screen=False,
        voted=False,
        status=Status.CONFLICT,
    )
    assert lead.votes and lead.notes and lead.conflict
    reviewer = sight(
        audience=audience(role_rank=REVIEWER, blind=True),
        may_screen=False,
        voted=True,
        status=Status.CONFLICT,
    )
    assert reviewer == NOTHING
    assert shown_status(audience=Audience.SETTLED, status=Status.CONFLICT) == "unsettled"
    assert shown_status(audience=Audience.LEAD, status=Status.CONFLICT) == "conflict"
    assert "conflict" not in Audience.SETTLED.statuses


@pytest.mark.parametrize("blind", [True, False])
@pytest.mark.parametrize("status", list(Status))
def test_viewers_see_settled_decisions_only(blind, status):
    seen = sight(
        audience=audience(role_rank=VIEWER, blind=blind),
        may_screen=False,
        voted=False,
        status=status,
    )
    assert not (seen.votes or seen.notes or seen.conflict)
    assert seen.outcome == (status == Status.SETTLED)


def test_blinding_off_shows_screeners_everything():
    seen = sight(
        audience=audience(role_rank=REVIEWER, blind=False),
        may_screen=True,
        voted=False,
        status=Status.WAITING,
    )
    assert seen.votes and seen.notes and seen.conflict


def test_the_message_after_a_vote_counts_votes_only():
    assert vote_message(votes_in=1, needed=2).startswith("Saved; 1 of 2 votes in.")
    done = vote_message(votes_in=2, needed=2)
    assert done.startswith("Saved; 2 of 2 votes in.") and "ask the lead" in done
    assert "settled" not in done.lower() and "conflict" not in done.lower()
