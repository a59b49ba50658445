"""Metrics on orders small enough to work out by hand."""

import pytest

from screening.ranking.metrics import (
    average_time_to_discovery,
    recall_at,
    recall_curve,
    screening_metrics,
    time_to_discovery,
    wss,
)

# 100 records, 20 relevant: the first 19 read are relevant, the last relevant is read last.
NINETEEN_THEN_LAST = [1] * 19 + [0] * 80 + [1]


def test_it_builds_the_recall_curve_from_the_origin():
    curve = recall_curve([1, 0, 1, 0])
    assert curve.screened == (0, 1, 2, 3, 4)
    assert curve.found == (0, 1, 1, 2, 2)
    assert curve.recall() == (0.0, 0.5, 0.5, 1.0, 1.0)


def test_it_computes_wss95_like_asreview_insights():
    # j = 19 (19/20 <= 0.95) is found at 0-based position 18; the expected random
    # curve round(20 i / 99) first reaches 19 at i = 92 (20*92/99 = 18.59).
    assert wss(NINETEEN_THEN_LAST, 0.95) == pytest.approx((92 - 18) / 100)
    # Close to the textbook (N - screened) / N - 0.05 = 81/100 - 0.05.
    assert wss(NINETEEN_THEN_LAST, 0.95) == pytest.approx(0.81 - 0.05, abs=0.03)


def test_it_computes_wss100_as_negative_when_the_last_record_is_relevant():
    # j = 20 found at position 99; random reaches 20 at i = 97 (20*97/99 = 19.6).
    assert wss(NINETEEN_THEN_LAST, 1.0) == pytest.approx((97 - 99) / 100)


def test_it_uses_the_last_point_at_or_below_the_recall_target():
    # R = 2: recall 0.5 after the first relevant is the last point <= 95%.
    labels = [1, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    # round(linspace(0, 2, 10)) = 0 0 0 1 1 1 1 2 2 2 -> random finds #1 at 3, #2 at 7.
    assert wss(labels, 0.95) == pytest.approx((3 - 0) / 10)
    assert wss(labels, 1.0) == pytest.approx((7 - 2) / 10)


def test_it_computes_recall_after_ten_percent():
    assert recall_at(NINETEEN_THEN_LAST, 0.10) == pytest.approx(10 / 20)
    assert recall_at([0, 1, 0, 0, 0, 0, 0, 0, 0, 1], 0.10) == 0.0
    assert recall_at([0, 1, 0, 0, 0, 0, 0, 0, 0, 1], 0.05) == 0.0


def test_it_computes_time_to_discovery_and_atd():
    assert time_to_discovery([0, 1, 0, 1]) == (2, 4)
    # mean(1..19, 100) = 290 / 20 = 14.5 records = 14.5 % of 100.
    assert average_time_to_discovery(NINETEEN_THEN_LAST) == pytest.approx(0.145)


def test_it_bundles_the_headline_metrics():
    metrics = screening_metrics(NINETEEN_THEN_LAST)
    assert (metrics.n_records, metrics.n_relevant) == (100, 20)
    assert metrics.recall_at_10 == pytest.approx(0.5)


def test_it_refuses_orders_without_relevant_records_or_with_bad_labels():
    with pytest.raises(ValueError):
        wss([0, 0, 0])
    with pytest.raises(ValueError):
        recall_curve([0, 2])
