"""The ranking model on a corpus small enough to reason about."""

import pickle

import pytest
from sklearn.feature_extraction.text import HashingVectorizer

from screening.ranking.model import (
    N_HASH_FEATURES,
    NeedBothClasses,
    RankingModel,
    _hash_column,
    build_features,
    record_text,
)

TEXTS = {
    "a": "zebrafish heart regeneration after cardiac injury",
    "b": "zebrafish cardiac development and heart regeneration",
    "c": "tax policy and household savings in rural economies",
    "d": "monetary policy shocks and household consumption",
    "e": "heart regeneration in adult zebrafish hearts",
    "f": "household savings under inflation targeting policy",
}


@pytest.fixture(scope="module")
def features():
    return build_features(TEXTS)


def test_it_refuses_to_fit_with_one_class(features):
    with pytest.raises(NeedBothClasses):
        RankingModel.fit(features, {"a": 1, "b": 1})
    with pytest.raises(NeedBothClasses):
        RankingModel.fit(features, {})


def test_it_ranks_the_similar_record_first(features):
    model = RankingModel.fit(features, {"a": 1, "c": 0})
    assert model.rank_unlabelled(features)[:2] in (["b", "e"], ["e", "b"])
    scores = model.score(features)
    assert set(scores) == set(TEXTS)
    assert scores["e"] > scores["d"]


def test_it_names_the_terms_that_drive_the_ranking(features):
    model = RankingModel.fit(features, {"a": 1, "b": 1, "c": 0, "d": 0})
    terms = model.top_terms(features, n=5)
    include_words = {term for term, _ in terms.include}
    exclude_words = {term for term, _ in terms.exclude}
    assert {"zebrafish", "regeneration"} & include_words
    assert {"policy", "household"} & exclude_words
    assert all(weight > 0 for _, weight in terms.include)
    assert all(weight < 0 for _, weight in terms.exclude)


def test_it_pickles_small_and_scores_the_same(features):
    model = RankingModel.fit(features, {"a": 1, "c": 0})
    again = pickle.loads(pickle.dumps(model))  # noqa: S301 - our own bytes
    assert again.score(features) == model.score(features)


def test_it_hashes_terms_to_the_vectorizers_columns():
    vectorizer = HashingVectorizer(
        n_features=N_HASH_FEATURES, alternate_sign=False, norm=None, analyzer=lambda s: [s]
    )
    for term in ("zebrafish", "heart regeneration", "ß-blocker"):
        assert vectorizer.transform([term]).indices[0] == _hash_column(term)


def test_it_joins_title_abstract_and_keywords():
    assert record_text("Title", " Abstract ", "") == "Title Abstract"
