"""Cold start: the query's order before any label, fading into the learned model."""

import numpy as np

from screening.ranking.cold_start import (
    cold_start_scores,
    query_scores,
    random_cold_start,
    simulate_cold_start,
)
from screening.ranking.model import build_features

TEXTS = {
    "a": "tax policy and household savings in rural economies",
    "b": "monetary policy shocks and household consumption",
    "c": "zebrafish heart regeneration after cardiac injury",
    "d": "household savings under inflation targeting policy",
    "e": "zebrafish cardiac development and heart regeneration",
    "f": "bank lending and interest rates",
    "g": "heart regeneration in adult zebrafish hearts",
    "h": "labour markets and minimum wages",
    "i": "trade tariffs and exports",
    "j": "public debt and fiscal rules",
}
LABELS = {r: int(r in "ceg") for r in TEXTS}


def test_the_query_puts_matching_records_first():
    features = build_features(TEXTS)
    scores = query_scores(features, "heart regeneration in zebrafish")
    top = {features.record_ids[i] for i in np.argsort(-scores)[:3]}
    assert top == {"c", "e", "g"}
    # Words no record uses, and an empty query, give no order at all.
    assert not query_scores(features, "").any()
    assert not query_scores(features, "quasar spectroscopy").any()


def test_known_relevant_records_pull_their_neighbours_up():
    features = build_features(TEXTS)
    scores = query_scores(features, "", known_relevant=["c", "not-a-record"])
    order = [features.record_ids[i] for i in np.argsort(-scores, kind="stable")]
    assert order[0] == "c" and set(order[1:3]) == {"e", "g"}


def test_the_blend_hands_over_to_the_model_as_includes_arrive():
    query = np.array([3.0, 2.0, 1.0, 0.0])
    model = np.array([0.0, 1.0, 2.0, 3.0])
    assert list(cold_start_scores(query, None, 0)) == list(query)
    early = cold_start_scores(query, model, 1)  # half and half: a tie
    assert np.allclose(early, early[0])
    late = cold_start_scores(query, model, 9)
    assert list(np.argsort(-late)) == [3, 2, 1, 0]


def test_a_cold_start_finds_the_first_relevant_record_at_once():
    features = build_features(TEXTS)
    result = simulate_cold_start(LABELS, features, query="zebrafish heart", fraction=0.3)
    assert result.to_first_relevant == 1
    assert result.labels_in_order == (1, 1, 1) and result.recall_at_10 == 1.0
    # Known relevant papers are not screened again and do not count for recall.
    known = simulate_cold_start(
        LABELS, features, query="zebrafish", known_relevant=["c"], fraction=0.3
    )
    assert len(known.labels_in_order) == 2 and known.recall_at_10 == 1.0
    baseline = random_cold_start(LABELS, seed=1)
    assert sorted(baseline.labels_in_order) == sorted(LABELS.values())
    assert baseline.labels_in_order[baseline.to_first_relevant - 1] == 1
