"""Agreement statistics against hand-computed and published 2×2 examples."""

import math

import pytest

from screening.agreement import (
    Table2x2,
    agreement_from_table,
    pair_agreement,
    stage_agreement,
    verdict_class,
    votes_by_rater_from_rows,
)


def table(a: int, b: int, c: int, d: int) -> Table2x2:
    return Table2x2(both_include=a, a_include_b_exclude=b, a_exclude_b_include=c, both_exclude=d)


def test_it_matches_the_textbook_kappa_example():
    # Wikipedia "Cohen's kappa", worked example: 20/5/10/15 → po 0.7, pe 0.5, κ 0.4.
    result = agreement_from_table(table(20, 5, 10, 15))
    assert result.n == 50
    assert result.observed_agreement == pytest.approx(0.7)
    assert result.cohen_kappa == pytest.approx(0.4)
    assert result.pabak == pytest.approx(0.4)
    # AC1 by hand: π = (0.5 + 0.6) / 2 = 0.55, pe = 2·0.55·0.45 = 0.495.
    assert result.gwet_ac1 == pytest.approx((0.7 - 0.495) / (1 - 0.495))
    assert result.notes == ()


@pytest.mark.parametrize(
    ("cells", "kappa"),
    [
        # Feinstein & Cicchetti (1990): same 85 % agreement, κ 0.70 vs 0.32.
        ((40, 9, 6, 45), 0.70),
        ((80, 10, 5, 5), 0.32),
        # Wikipedia "Cohen's kappa", kappa paradox tables.
        ((45, 15, 25, 15), 0.1304),
        ((25, 35, 5, 35), 0.2593),
    ],
)
def test_it_reproduces_published_kappa_paradox_tables(cells, kappa):
    assert agreement_from_table(table(*cells)).cohen_kappa == pytest.approx(kappa, abs=5e-3)


def test_high_agreement_with_low_kappa_is_explained_by_ac1_and_pabak():
    # Hand-computed: 118/5/2/0 of 125. po = 0.944; pe(κ) = 0.984·0.96 + 0.016·0.04
    # = 0.94528 → κ = −0.0234; π = 0.972, pe(AC1) = 0.054432 → AC1 = 0.9408.
    result = agreement_from_table(table(118, 5, 2, 0))
    assert result.observed_agreement == pytest.approx(0.944)
    assert result.cohen_kappa == pytest.approx(-0.0234, abs=1e-4)
    assert result.gwet_ac1 == pytest.approx(0.9408, abs=1e-4)
    assert result.pabak == pytest.approx(0.888)
    assert result.prevalence_index == pytest.approx(118 / 125)
    assert result.bias_index == pytest.approx(3 / 125)


def test_all_items_in_one_class_gives_no_kappa_and_says_why():
    result = agreement_from_table(table(0, 0, 0, 40))
    assert result.cohen_kappa is None
    assert "undefined" in result.notes[0] and "exclude" in result.notes[0]
    assert result.observed_agreement == 1.0
    assert result.gwet_ac1 == 1.0
    assert result.pabak == 1.0


def test_zero_items_gives_none_everywhere():
    result = agreement_from_table(Table2x2())
    assert result.n == 0
    assert (result.observed_agreement, result.cohen_kappa, result.gwet_ac1, result.pabak) == (
        None,
        None,
        None,
        None,
    )
    assert result.notes


def test_maybe_counts_with_include_and_only_common_items_count():
    a = {1: "include", 2: "maybe", 3: "exclude", 4: "exclude", 5: "include"}
    b = {1: "Maybe", 2: "include", 3: "include", 4: "exclude", 6: "exclude", 5: None}
    result = pair_agreement(a, b)
    assert result.table == table(2, 0, 1, 1)
    assert result.n == 4


def test_an_unknown_verdict_is_an_error():
    with pytest.raises(ValueError, match="unknown verdict"):
        verdict_class("yes")


def test_stage_agreement_with_two_raters_equals_the_pair():
    rows = [(i, "ann", "include" if i < 3 else "exclude") for i in range(10)]
    rows += [(i, "bob", "include" if i < 4 else "exclude") for i in range(10)]
    stage = stage_agreement(votes_by_rater_from_rows(rows))
    (pair,) = stage.pairs
    assert pair.agreement.table == table(3, 0, 1, 6)
    assert stage.n_items == 10
    assert stage.observed_agreement == pytest.approx(0.9)
    # Two raters: Fleiss' κ is Scott's π; by hand π = 0.35, pe = 0.545,
    # π = (0.9 − 0.545) / 0.455.
    assert stage.fleiss_kappa == pytest.approx((0.9 - 0.545) / 0.455)
    assert stage.mean_pair_kappa == pytest.approx(pair.agreement.cohen_kappa)


def test_stage_agreement_over_three_raters_with_varying_overlap():
    votes = {
        "ann": {1: "include", 2: "exclude", 3: "exclude", 4: "exclude"},
        "bob": {1: "include", 2: "exclude", 3: "include"},
        "cy": {3: "include", 4: "exclude", 5: "include"},
    }
    stage = stage_agreement(votes)
    assert [(p.rater_a, p.rater_b, p.agreement.n) for p in stage.pairs] == [
        ("ann", "bob", 3),
        ("ann", "cy", 2),
        ("bob", "cy", 1),
    ]
    # Items 1, 2, 4: full agreement; item 3: 1 of 3 rater pairs agree. Item 5 has
    # one rater and is left out. po = (1 + 1 + 1/3 + 1) / 4.
    assert stage.n_items == 4
    assert stage.observed_agreement == pytest.approx((3 + 1 / 3) / 4)
    assert stage.pooled.n == 6
    assert stage.gwet_ac1 is not None and not math.isnan(stage.gwet_ac1)


def test_stage_agreement_without_overlap_returns_none_with_reason():
    stage = stage_agreement({"ann": {1: "include"}, "bob": {2: "exclude"}})
    assert stage.pairs == ()
    assert stage.fleiss_kappa is None and stage.gwet_ac1 is None
    assert any("two or more" in note for note in stage.notes)
