"""The semantic block: a dense embedding block fused with the TF-IDF model.

The fusion is tested on hand-made vectors, so these tests need neither PyTorch nor
the bundled model; `test_embed_texts_*` runs the real model when the `semantic`
extra is installed and is skipped otherwise.
"""

import pickle

import numpy as np
import pytest

from screening.ranking import semantic
from screening.ranking.model import (
    DEFAULT_SETTINGS,
    SEMANTIC_SETTINGS,
    ModelSettings,
    RankingModel,
    build_features,
    fitted_scores,
    settings_for,
)
from screening.ranking.simulate import simulate

# Words that say nothing about relevance (every record shares them), so only the
# dense block can tell the two topics apart.
TEXTS = {f"r{i}": "study report and its results" for i in range(12)}
TOPIC = {f"r{i}": i % 2 for i in range(12)}  # even ids: topic 0, odd ids: topic 1


def _vectors():
    rng = np.random.default_rng(0)
    centres = np.eye(8, dtype=np.float32)[:2]
    out = {}
    for record_id, topic in TOPIC.items():
        vector = centres[topic] + 0.05 * rng.standard_normal(8).astype(np.float32)
        out[record_id] = vector / np.linalg.norm(vector)
    return out


@pytest.fixture(scope="module")
def features():
    return build_features(TEXTS).with_dense(_vectors())


def test_the_dense_block_ranks_what_words_cannot(features):
    labels = {"r1": 1, "r0": 0}
    fused = RankingModel.fit(features, labels, SEMANTIC_SETTINGS)
    assert fused.uses_semantic
    order = fused.rank_unlabelled(features)
    assert {TOPIC[r] for r in order[:5]} == {1}
    words_only = RankingModel.fit(features, labels, DEFAULT_SETTINGS)
    assert not words_only.uses_semantic


def test_weight_zero_or_no_dense_block_is_exactly_elas_u4(features):
    labels = {"r1": 1, "r0": 0, "r3": 1, "r2": 0}
    plain = build_features(TEXTS)
    u4 = RankingModel.fit(plain, labels, DEFAULT_SETTINGS)
    # The semantic settings on features without vectors fall back to words alone.
    no_vectors = RankingModel.fit(plain, labels, SEMANTIC_SETTINGS)
    assert no_vectors.dense_coef is None
    assert no_vectors.score(plain) == u4.score(plain)
    zero = RankingModel.fit(features, labels, ModelSettings(semantic_weight=0.0))
    assert zero.score(features) == u4.score(plain)


def test_the_fitted_model_scores_as_the_simulation_does(features):
    labels = {"r1": 1, "r0": 0, "r5": 1}
    model = RankingModel.fit(features, labels, SEMANTIC_SETTINGS)
    rows = features.rows(labels)
    y = np.array(list(labels.values()))
    raw = fitted_scores(features, rows, y, SEMANTIC_SETTINGS)
    scores = model.score(features)
    for record_id, row in features.row_of.items():
        assert scores[record_id] == pytest.approx(raw[row] + model.intercept, abs=1e-9)
    # Small enough to store: weights only, no matrix.
    assert len(pickle.dumps(model)) < 20_000


def test_settings_follow_the_features():
    plain = build_features(TEXTS)
    assert settings_for(plain) == DEFAULT_SETTINGS
    assert settings_for(plain.with_dense(_vectors())) == SEMANTIC_SETTINGS


def test_missing_vectors_are_zero_rows_and_bad_shapes_are_refused():
    plain = build_features(TEXTS)
    partial = plain.with_dense({"r0": np.ones(8, dtype=np.float32), "unknown": np.ones(8)})
    assert partial.dense.shape == (12, 8)
    assert partial.dense[plain.row_of["r0"]].sum() == 8
    assert not partial.dense[plain.row_of["r1"]].any()
    with pytest.raises(ValueError, match="one row per record"):
        plain.with_dense(np.zeros((3, 8), dtype=np.float32))


def test_a_simulation_runs_on_the_fused_model(features):
    labels = {r: TOPIC[r] for r in TEXTS}
    result = simulate(TEXTS, labels, seed=1, model=SEMANTIC_SETTINGS, features=features)
    # The five other topic-1 records come straight after the priors.
    assert sum(result.labels_in_order[:5]) == 5


def test_embed_texts_gives_unit_vectors_that_group_by_meaning():
    pytest.importorskip("sentence_transformers")
    if not semantic.available():
        pytest.skip("the semantic extra is not installed")
    vectors = semantic.embed_texts(
        [
            "Beta blockers reduce mortality after myocardial infarction.",
            "Propranolol lowers the risk of death following a heart attack.",
            "Tax incentives and household savings in rural economies.",
            "",
        ]
    )
    assert vectors.shape == (4, semantic.DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[:3], axis=1), 1, atol=1e-5)
    assert not vectors[3].any()  # an empty text is a zero row
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
