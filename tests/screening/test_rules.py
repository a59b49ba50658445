"""The decision rules, without a database."""

import pytest

from screening.rules import Ballot, Outcome, RuleError, decide

INC, EXC, MAY = "include", "exclude", "maybe"


def ta(n, *ballots):
    return decide(votes_needed=n, ballots=list(ballots), stage="ta")


def ft(n, *ballots):
    return decide(votes_needed=n, ballots=list(ballots), stage="ft")


def test_it_waits_for_enough_votes():
    assert ta(2).outcome == Outcome.PENDING
    assert ta(2, Ballot(INC)).outcome == Outcome.PENDING
    assert ta(3, Ballot(EXC), Ballot(EXC)).outcome == Outcome.PENDING


@pytest.mark.parametrize(("a", "b"), [(INC, INC), (INC, MAY), (MAY, MAY), (MAY, INC)])
def test_it_passes_two_include_or_maybe(a, b):
    decision = ta(2, Ballot(a), Ballot(b))
    assert decision.outcome == Outcome.INCLUDE
    assert decision.settled and decision.reason is None


def test_it_excludes_two_excludes_and_keeps_the_reason():
    decision = ta(2, Ballot(EXC, 1), Ballot(EXC, 1))
    assert (decision.outcome, decision.reason) == (Outcome.EXCLUDE, 1)


def test_it_excludes_at_title_abstract_even_with_different_or_missing_reasons():
    assert ta(2, Ballot(EXC, 1), Ballot(EXC, 2)).outcome == Outcome.EXCLUDE
    assert ta(2, Ballot(EXC), Ballot(EXC)).reason is None
    assert ta(2, Ballot(EXC), Ballot(EXC, 4)).reason == 4


@pytest.mark.parametrize("other", [INC, MAY])
def test_it_flags_include_or_maybe_against_exclude_as_conflict(other):
    assert ta(2, Ballot(other), Ballot(EXC)).outcome == Outcome.CONFLICT
    assert ft(2, Ballot(EXC, 3), Ballot(other)).outcome == Outcome.CONFLICT


def test_it_flags_full_text_excludes_with_different_reasons_as_conflict():
    assert ft(2, Ballot(EXC, 1), Ballot(EXC, 2)).outcome == Outcome.CONFLICT
    same = ft(2, Ballot(EXC, 2), Ballot(EXC, 2))
    assert (same.outcome, same.reason) == (Outcome.EXCLUDE, 2)


def test_it_requires_a_reason_to_exclude_at_full_text():
    with pytest.raises(RuleError):
        ft(2, Ballot(EXC))


def test_it_refuses_a_reason_on_include_and_unknown_verdicts():
    with pytest.raises(RuleError):
        ta(2, Ballot(INC, 1))
    with pytest.raises(RuleError):
        ta(2, Ballot("perhaps"))
    with pytest.raises(RuleError):
        ta(4, Ballot(INC))


@pytest.mark.parametrize(
    ("ballot", "outcome"),
    [
        (Ballot(INC), Outcome.INCLUDE),
        (Ballot(MAY), Outcome.INCLUDE),
        (Ballot(EXC), Outcome.EXCLUDE),
    ],
)
def test_it_lets_one_vote_decide_when_one_is_needed(ballot, outcome):
    assert ta(1, ballot).outcome == outcome


def test_it_lets_one_full_text_exclusion_decide_with_its_reason():
    decision = ft(1, Ballot(EXC, 7))
    assert (decision.outcome, decision.reason) == (Outcome.EXCLUDE, 7)


def test_it_needs_three_unanimous_votes_when_three_are_needed():
    assert ta(3, Ballot(INC), Ballot(MAY), Ballot(INC)).outcome == Outcome.INCLUDE
    assert ta(3, Ballot(EXC, 1), Ballot(EXC, 2), Ballot(EXC, 2)).reason == 2
    assert ta(3, Ballot(INC), Ballot(INC), Ballot(EXC)).outcome == Outcome.CONFLICT
    # No early conflict: the third reviewer still votes, independently.
    assert ta(3, Ballot(INC), Ballot(EXC)).outcome == Outcome.PENDING
    assert ft(3, Ballot(EXC, 1), Ballot(EXC, 1), Ballot(EXC, 2)).outcome == Outcome.CONFLICT
    assert ft(3, Ballot(EXC, 1), Ballot(EXC, 1), Ballot(EXC, 1)).outcome == Outcome.EXCLUDE


def test_the_lease_rule_counts_votes_and_others_live_leases():
    from screening.rules import has_room

    assert has_room(votes=0, leases_of_others=1, needed=2)
    assert not has_room(votes=1, leases_of_others=1, needed=2)
    assert not has_room(votes=2, leases_of_others=0, needed=2)
    assert has_room(votes=1, leases_of_others=1, needed=3)
    assert not has_room(votes=0, leases_of_others=1, needed=1)
