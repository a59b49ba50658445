"""The ranking model on a corpus small enough to reason about."""

import pickle

import numpy as np
import pytest
from sklearn.feature_extraction.text import HashingVectorizer, TfidfVectorizer

from screening.ranking.model import (
    HASH_SPACE,
    NeedBothClasses,
    RankingModel,
    _analyze,
    _term_hash,
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


def test_it_hashes_terms_as_the_vectorizer_does():
    vectorizer = HashingVectorizer(
        n_features=HASH_SPACE, alternate_sign=False, norm=None, analyzer=lambda s: [s]
    )
    for term in ("zebrafish", "heart regeneration", "ß-blocker"):
        assert vectorizer.transform([term]).indices[0] == _term_hash(term)


def test_it_tokenises_like_scikit_learn():
    analyzer = TfidfVectorizer(ngram_range=(1, 2)).build_analyzer()
    for text in (*TEXTS.values(), "Beta-blockers (β) in CIBIS-II: a 12-week trial.", "", "x"):
        assert _analyze(text) == analyzer(text)


def test_its_features_are_asreview_elas_u4s_tfidf():
    # One column per distinct 1-2-gram (no hash collisions), as TfidfVectorizer with
    # ELAS u4's parameters; "heart" is in every record, so max_df=0.95 drops it.
    texts = {key: f"{text} heart" for key, text in TEXTS.items()}
    features = build_features(texts)
    expected = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, max_df=0.95)
    matrix = expected.fit_transform(texts.values())
    assert "heart" not in expected.vocabulary_
    heart = list(features.terms).index(_term_hash("heart"))
    assert features.matrix[:, heart].nnz == 0
    assert features.matrix.shape == (matrix.shape[0], matrix.shape[1] + 1)
    gram = (features.matrix @ features.matrix.T).toarray()
    assert np.allclose(gram, (matrix @ matrix.T).toarray(), atol=1e-6)


def test_it_scores_features_built_from_other_records(features):
    model = RankingModel.fit(features, {"a": 1, "c": 0})
    others = build_features({"x": "zebrafish regeneration", "y": "unseen words only"})
    scores = model.score(others)
    assert scores["x"] > scores["y"] == pytest.approx(model.intercept)


def test_it_fits_when_every_term_is_in_every_record():
    features = build_features({"a": "same words", "b": "same words", "c": "same words"})
    model = RankingModel.fit(features, {"a": 1, "b": 0})
    assert model.rank_unlabelled(features) == ["c"]


def test_it_ranks_on_title_and_abstract_only():
    assert record_text("Title", " Abstract ", "") == "Title Abstract"
    assert record_text("Title", "", "Humans; Heart Failure") == "Title"


def test_numbers_are_never_shown_as_top_terms():
    # "2019" and "10 mg" separate the labels perfectly, yet a year or a dose explains nothing.
    texts = {
        "a": "naltrexone 2019 10 fibromyalgia pain",
        "b": "naltrexone 2019 10 chronic pain",
        "c": "opioid 2008 50 surgery recovery",
        "d": "opioid 2008 50 dental surgery",
    }
    features = build_features(texts)
    model = RankingModel.fit(features, {"a": 1, "b": 1, "c": 0, "d": 0})
    terms = model.top_terms(features, n=20)
    shown = [term for term, _ in (*terms.include, *terms.exclude)]
    assert "naltrexone" in shown and "opioid" in shown
    assert not [t for t in shown if any(w.isdigit() for w in t.split())], shown


def test_a_term_with_a_bare_number_is_a_number_term():
    from screening.ranking.model import has_number_token

    assert has_number_token("2019") and has_number_token("10 mg") and has_number_token("1.5")
    assert has_number_token("phase 3")
    assert not has_number_token("naltrexone") and not has_number_token("covid19")
    assert not has_number_token("low dose")
