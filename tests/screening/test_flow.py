"""The record's journey as a pure table (screening/flow.py)."""

import pytest

from screening import flow
from screening.models import RecordState


def test_the_flow_knows_every_record_state():
    assert set(flow.State) == set(RecordState.values)


@pytest.mark.parametrize(
    ("state", "event", "target"),
    [
        ("ta", "ta_exclude", "ta_excluded"),
        ("ta", "ta_include", "ft_retrieval"),
        ("ta", "ta_include_retrieved", "ft"),
        ("ta", "ta_include_not_retrieved", "ft_not_retrieved"),
        ("ft_retrieval", "retrieved", "ft"),
        ("ft_retrieval", "not_retrieved", "ft_not_retrieved"),
        ("ft", "not_retrieved", "ft_not_retrieved"),  # the PDF was the wrong one
        ("ft", "ft_exclude", "ft_excluded"),
        ("ft", "ft_include", "included"),
        ("ta_excluded", "ta_include", "ft_retrieval"),  # the lead overrules
        ("included", "ft_exclude", "ft_excluded"),
        ("ta", "merge", "duplicate"),
        ("ta", "stop", "automation"),
        ("automation", "unstop", "ta"),
    ],
)
def test_it_moves_a_record_by_the_table(state, event, target):
    assert flow.next_state(state, event) == target


@pytest.mark.parametrize(
    ("state", "event"),
    [
        ("ta", "ft_include"),  # full text before title/abstract
        ("ft", "stop"),  # stopping only takes unscreened records
        ("included", "retrieved"),
        ("duplicate", "merge"),
        ("ta_excluded", "unstop"),
        ("ft_excluded", "ta_exclude"),  # title/abstract is closed once full text decided
        ("ta", "no such event"),
    ],
)
def test_it_refuses_a_move_the_flow_does_not_allow(state, event):
    with pytest.raises(flow.FlowError):
        flow.next_state(state, event)


def test_an_undone_merge_restores_the_state_before_it():
    assert flow.next_state("duplicate", "unmerge", restore_to="ft_excluded") == "ft_excluded"
    assert flow.next_state("duplicate", "unmerge") == "ta"
    with pytest.raises(flow.FlowError):
        flow.next_state("duplicate", "unmerge", restore_to="duplicate")
