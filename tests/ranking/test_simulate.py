"""Simulation on a synthetic corpus, the CSV loader, and the recall plot."""

import random

import numpy as np
import pytest

from screening.ranking.dataset import load_labelled_csv
from screening.ranking.model import DEFAULT_SETTINGS, build_features, fitted_scores
from screening.ranking.simulate import plot_recall_curve, random_order, simulate

FILLER = [
    "study",
    "data",
    "analysis",
    "results",
    "method",
    "sample",
    "effect",
    "group",
    "outcome",
    "review",
]
TOPICS = [
    "soil erosion rainfall",
    "bank credit lending",
    "school reading pupils",
    "bird migration flight",
    "traffic congestion roads",
]


def _corpus(seed: int = 0):
    """10 relevant records about one topic among 190 about five others."""
    rng = random.Random(seed)
    texts, labels = {}, {}
    for i in range(200):
        relevant = i % 20 == 0
        topic = "statin therapy cholesterol trial" if relevant else TOPICS[i % 5]
        words = topic.split() * 2 + rng.sample(FILLER, 5)
        rng.shuffle(words)
        texts[f"r{i}"] = " ".join(words)
        labels[f"r{i}"] = int(relevant)
    return texts, labels


def test_it_finds_the_relevant_records_first():
    texts, labels = _corpus()
    result = simulate(texts, labels, seed=1)
    assert len(result.order) == 198  # priors are not part of the order
    assert len(result.prior_ids) == 2
    assert sum(result.labels_in_order[:9]) == 9  # the 9 unread relevant come first
    # A perfect order: WSS@95 uses relevant record j = 8 (8/9 <= 0.95), read 8th
    # (index 7); random reading reaches 8 at index 165 (round(9 i / 197) >= 8).
    assert result.wss95 == pytest.approx((165 - 7) / 198)
    assert result.recall_at_10 == 1.0
    assert result.curve.found[-1] == 9


def test_it_is_deterministic_for_a_seed():
    texts, labels = _corpus()
    first = simulate(texts, labels, seed=7)
    again = simulate(texts, labels, seed=7)
    other = simulate(texts, labels, seed=8)
    assert first.order == again.order
    assert first.prior_ids != other.prior_ids


def test_a_scorer_replaces_the_model_fit_and_nothing_else():
    texts, labels = _corpus()
    features = build_features(texts)
    seen = []

    def same_as_the_model(features, rows, y):
        seen.append(len(rows))
        return fitted_scores(features, rows, y, DEFAULT_SETTINGS)

    hooked = simulate(texts, labels, seed=3, features=features, scorer=same_as_the_model)
    plain = simulate(texts, labels, seed=3, features=features)
    assert hooked.order == plain.order and hooked.prior_ids == plain.prior_ids
    assert seen[0] == 2  # first fitted on the two priors, then after every label
    assert seen[:4] == [2, 3, 4, 5]

    # A scorer that ranks backwards reads every relevant record last.
    def worst(features, rows, y):
        return -fitted_scores(features, rows, y, DEFAULT_SETTINGS)

    backwards = simulate(texts, labels, seed=3, features=features, scorer=worst)
    assert backwards.wss95 < 0 < plain.wss95
    assert np.sum(backwards.labels_in_order[:100]) < np.sum(plain.labels_in_order[:100])


def test_it_batches_refits_without_losing_the_relevant_records():
    texts, labels = _corpus()
    result = simulate(texts, labels, seed=1, refit_every=5)
    assert sum(result.labels_in_order[:15]) == 9


def test_random_order_is_a_weak_baseline():
    texts, labels = _corpus()
    baseline = random_order(labels, seed=1)
    assert sorted(baseline.order) == sorted(set(labels) - set(baseline.prior_ids))
    assert baseline.wss95 < simulate(texts, labels, seed=1).wss95


def test_it_plots_png_and_svg(tmp_path):
    texts, labels = _corpus()
    results = [simulate(texts, labels, seed=1), random_order(labels, seed=1)]
    png, svg = plot_recall_curve(results, tmp_path / "curve", title="synthetic")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in svg.read_bytes()[:500]


def test_it_loads_a_cp1252_csv_with_a_yes_no_label(tmp_path):
    path = tmp_path / "set.csv"
    path.write_bytes(
        "Document Title,Abstract,abs,label\r\n"
        "Caf\xe9 study,It\x92s about coffee,yes,yes\r\n"
        "Other,Nothing,yes,no\r\n"
        "Blank,No label,yes,\r\n".encode("latin-1")
    )
    data = load_labelled_csv(path)
    assert data.label_column == "label"  # "abs" is a screening label, not the abstract
    assert list(data.labels.values()) == [1, 0]
    assert data.n_skipped == 1
    assert data.texts["row-1"] == "Café study It’s about coffee"


def test_it_keeps_keywords_apart_from_the_ranked_text(tmp_path):
    path = tmp_path / "set.csv"
    path.write_text(
        "title,abstract,keywords,label_included\n"
        'Beta-blockers,In heart failure.,"Aged, 80 and over; Heart Failure",1\n'
        "Other,Nothing,,0\n",
        encoding="utf-8",
    )
    data = load_labelled_csv(path)
    assert data.texts["row-1"] == "Beta-blockers In heart failure."
    assert data.keywords == {"row-1": ("Aged, 80 and over", "Heart Failure"), "row-2": ()}
    assert load_labelled_csv(path, use_keywords=False).keywords == {}


def test_it_refuses_a_csv_without_labels(tmp_path):
    path = tmp_path / "set.csv"
    path.write_text("title,abstract\nA,B\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no label column"):
        load_labelled_csv(path)
