"""Stopping rules against worked examples computed by hand and with scipy."""

import math

import pytest
from scipy.stats import hypergeom

from screening.ranking.stopping import (
    estimate_remaining,
    heuristic_stop,
    irrelevant_in_a_row,
    statistical_stop,
)


def test_it_computes_the_p_value_of_a_worked_example():
    # 1000 records; the first 50 screened were relevant, then 450 irrelevant in a row.
    # The best sample is the 450-record tail (k = 0), r_AL = r_seen = 50, tau = 0.95:
    #   K_tar = floor(50 / 0.95 - 50 + 1) = floor(3.63) = 3
    #   urn = 1000 - 50 = 950
    #   p = P(X = 0) = C(947, 450) / C(950, 450) = (500 * 499 * 498) / (950 * 949 * 948)
    labels = [1] * 50 + [0] * 450
    result = statistical_stop(labels, 1000, recall_target=0.95, confidence=0.95)
    by_hand = (500 * 499 * 498) / (950 * 949 * 948)
    assert by_hand == pytest.approx(0.1454, abs=1e-4)
    assert result.p_value == pytest.approx(by_hand)
    assert (result.sample_size, result.relevant_in_sample, result.urn_size) == (450, 0, 950)
    assert result.relevant_before_sample == 50
    assert result.n_unscreened == 500
    assert result.should_stop is False


def test_it_stops_when_the_irrelevant_tail_makes_h0_unlikely():
    # Same start in 2000 records with 1450 irrelevant in a row: urn 1950, K_tar 3,
    # p = (500 * 499 * 498) / (1950 * 1949 * 1948) = 0.0168 < 0.05.
    labels = [1] * 50 + [0] * 1450
    result = statistical_stop(labels, 2000)
    assert result.p_value == pytest.approx((500 * 499 * 498) / (1950 * 1949 * 1948))
    assert result.should_stop is True
    assert result.estimated_remaining == 0.0


def test_it_keeps_the_smallest_p_over_all_samples_as_buscar_does():
    labels = [1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    n_records, tau = 60, 0.8
    r_seen = sum(labels)
    expected = []
    for n in range(1, len(labels) + 1):
        k = sum(labels[-n:])
        needed = math.floor(r_seen / tau - (r_seen - k) + 1)
        urn = n_records - (len(labels) - n)
        expected.append(hypergeom.cdf(k, urn, needed, n))
    result = statistical_stop(labels, n_records, recall_target=tau)
    assert result.p_value == pytest.approx(min(expected))
    assert result.sample_size == expected.index(min(expected)) + 1


def test_it_refuses_meaningless_inputs():
    with pytest.raises(ValueError):
        statistical_stop([], 10)
    with pytest.raises(ValueError):
        statistical_stop([0] * 11, 10)
    with pytest.raises(ValueError):
        statistical_stop([0, 1], 10, recall_target=1.0)


def test_it_counts_irrelevant_in_a_row():
    assert irrelevant_in_a_row([1, 0, 0, 1, 0, 0, 0]) == 3
    assert irrelevant_in_a_row([0, 1]) == 0
    assert heuristic_stop([1] + [0] * 50, threshold=50).should_stop is True
    assert heuristic_stop([1] + [0] * 49, threshold=50).should_stop is False


def test_it_estimates_relevant_records_remaining():
    # 2 relevant in the last 100 read, 900 unread: 2/100 * 900 = 18.
    labels = [1] * 30 + [0] * 70 + [1, 1] + [0] * 98
    estimate = estimate_remaining(labels, 1100, window=100)
    assert estimate.estimate == pytest.approx(18.0)
    assert estimate.found_in_window == 2
    # Upper bound: the largest K with P(X <= 2 | urn 1000, K, 100 draws) >= 5 %, minus 2.
    assert hypergeom.cdf(2, 1000, estimate.upper_bound + 2, 100) >= 0.05
    assert hypergeom.cdf(2, 1000, estimate.upper_bound + 3, 100) < 0.05
