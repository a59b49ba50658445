"""PRISMA flow counts: the seed review, live reviews, and random (in)consistent inputs."""

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from screening.prisma.counts import (
    NamedCount,
    OtherMethodsInput,
    PreviousVersionInput,
    PrismaInput,
    build_flow,
    check_invariants,
)
from tests.prisma.seed import SEED_INPUT, SEED_NUMBERS


def test_it_builds_the_seed_review_flow_without_violations():
    flow = build_flow(SEED_INPUT)
    assert check_invariants(flow) == []
    for name, n in SEED_NUMBERS.items():
        assert getattr(flow, name) == n, name
    assert flow.database_specific_results[2] == NamedCount("Web of Science", 152)
    assert flow.total_studies == 29 and not flow.in_progress


def test_the_papers_own_numbers_are_reported_as_violations():
    # "232 abstracts reviewed": 232 excluded-or-sought cannot come from 268 screened.
    flow = build_flow(replace(SEED_INPUT, records_excluded=181))
    problems = check_invariants(flow)
    assert len(problems) == 1
    assert "Records screened (268)" in problems[0] and "= 232" in problems[0]


def test_a_review_in_progress_adds_up_with_awaiting_boxes():
    live = PrismaInput(
        databases={"PubMed": 89, "Embase": 95, "Web of Science": 152},
        duplicates_removed=68,
        records_excluded=150,
        records_awaiting_screening=80,  # includes records in conflict
        reports_sought=38,
        reports_awaiting_retrieval=5,
        reports_excluded={"Animal model": 9},
        reports_awaiting_assessment=14,
        studies_included=9,
        reports_included=10,
    )
    flow = build_flow(live)
    assert check_invariants(flow) == []
    assert flow.dbr_assessed == 33
    assert flow.awaiting == 80 + 5 + 14 and flow.in_progress


def test_the_other_methods_and_previous_version_arms_add_into_the_totals():
    data = replace(
        SEED_INPUT,
        studies_included=33,
        other_methods=OtherMethodsInput(
            sources={"Websites": 3, "Citation searching": 9},
            reports_sought=8,
            reports_not_retrieved=1,
            reports_excluded={"Wrong population": 2},
            reports_included=5,
        ),
        previous_version=PreviousVersionInput(studies_included=10, reports_included=12),
    )
    flow = build_flow(data)
    assert check_invariants(flow) == []
    assert (flow.other_results, flow.other_assessed) == (12, 7)
    assert (flow.new_reports, flow.total_studies, flow.total_reports) == (34, 43, 46)


def test_a_hand_edited_flow_is_checked_too():
    flow = replace(build_flow(SEED_INPUT), dbr_assessed=49)
    problems = check_invariants(flow)
    assert any(p.startswith("Reports assessed for eligibility") for p in problems)
    assert any("Σ reasons = 22" in p for p in problems)


def test_the_duplicates_box_of_an_update_round_is_within_plus_found_again():
    from screening.prisma.counts import RoundDuplicatesInput

    data = replace(
        SEED_INPUT, round_duplicates=RoundDuplicatesInput(within_round=60, found_again=8)
    )
    flow = build_flow(data)
    assert flow.has_round_duplicates and check_invariants(flow) == []
    assert (flow.duplicates_within_round, flow.duplicates_found_again) == (60, 8)
    off = build_flow(
        replace(SEED_INPUT, round_duplicates=RoundDuplicatesInput(within_round=60, found_again=9))
    )
    assert any(p.startswith("Duplicate records removed (68) should equal") for p in
               check_invariants(off))  # fmt: skip
    # A flow without rounds carries no split.
    stray = replace(build_flow(SEED_INPUT), duplicates_found_again=3)
    assert any("no search rounds" in p for p in check_invariants(stray))


def test_negative_counts_and_studies_without_reports_are_violations():
    flow = build_flow(replace(SEED_INPUT, reports_not_retrieved=-1, studies_included=30))
    problems = check_invariants(flow)
    assert any("negative (-1)" in p for p in problems)
    assert any("Studies included (30) exceed" in p for p in problems)


def _split(draw, total: int, names: list[str]) -> dict[str, int]:
    """Split ``total`` into len(names) non-negative parts."""
    cuts = sorted(
        draw(st.lists(st.integers(0, total), min_size=len(names) - 1, max_size=len(names) - 1))
    )
    bounds = [0, *cuts, total]
    return {name: bounds[i + 1] - bounds[i] for i, name in enumerate(names)}


small = st.integers(0, 40)


@st.composite
def consistent_inputs(draw) -> PrismaInput:
    # Built from the bottom of the diagram up, so every box adds up by construction.
    reports_included = draw(small)
    studies_included = draw(st.integers(min(1, reports_included), reports_included))
    reasons = draw(st.dictionaries(st.text(min_size=1, max_size=12), small, max_size=4))
    awaiting_assessment = draw(small)
    assessed = reports_included + sum(reasons.values()) + awaiting_assessment
    not_retrieved, awaiting_retrieval = draw(small), draw(small)
    sought = assessed + not_retrieved + awaiting_retrieval
    excluded, awaiting_screening = draw(st.integers(0, 500)), draw(small)
    screened = sought + excluded + awaiting_screening
    duplicates, automation, other = draw(st.integers(0, 300)), draw(small), draw(small)
    identified = screened + duplicates + automation + other
    sources = draw(
        st.lists(
            st.sampled_from(["PubMed", "Embase", "WoS", "CT.gov"]),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    split = _split(draw, identified, sources)
    return PrismaInput(
        databases={k: v for k, v in split.items() if k != "CT.gov"},
        registers={k: v for k, v in split.items() if k == "CT.gov"},
        duplicates_removed=duplicates,
        removed_by_automation=automation,
        removed_other_reasons=other,
        records_excluded=excluded,
        records_awaiting_screening=awaiting_screening,
        reports_sought=sought,
        reports_not_retrieved=not_retrieved,
        reports_awaiting_retrieval=awaiting_retrieval,
        reports_excluded=reasons,
        reports_awaiting_assessment=awaiting_assessment,
        studies_included=studies_included,
        reports_included=reports_included,
    )


@settings(max_examples=150, deadline=None)
@given(consistent_inputs())
def test_random_consistent_inputs_have_no_violations(data):
    assert check_invariants(build_flow(data)) == []


# Every input that closes one of the box equations; bumping any of them must show.
BUMPABLE = (
    "databases",
    "registers",
    "duplicates_removed",
    "removed_by_automation",
    "removed_other_reasons",
    "records_excluded",
    "records_awaiting_screening",
    "reports_sought",
    "reports_not_retrieved",
    "reports_awaiting_retrieval",
    "reports_excluded",
    "reports_awaiting_assessment",
    "reports_included",
)


@settings(max_examples=200, deadline=None)
@given(consistent_inputs(), st.sampled_from(BUMPABLE), st.integers(1, 20), st.booleans())
def test_random_inconsistent_inputs_are_caught(data, field, delta, down):
    value = getattr(data, field)
    if isinstance(value, dict):
        key = next(iter(value), "Added source")
        bumped = dict(value)
        bumped[key] = bumped.get(key, 0) + delta
        data = replace(data, **{field: bumped})
    else:
        data = replace(data, **{field: value - delta if down else value + delta})
    assert check_invariants(build_flow(data)) != []
