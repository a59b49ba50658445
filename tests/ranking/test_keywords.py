"""Keywords as a feature block beside title and abstract (off by default)."""

import numpy as np

from screening.ranking.keywords import keyword_tokens, with_keyword_block
from screening.ranking.model import RankingModel, build_features

# The same words in every text: only the keywords tell the two topics apart.
TEXTS = {r: "a randomised trial in adults with outcomes at one year" for r in "abcdefgh"}
KEYWORDS = {
    "a": ["Migraine Disorders", "Tryptamines"],
    "b": ["Migraine Disorders"],
    "c": ["Hypertension"],
    "d": ["Hypertension", "Adult"],
    "e": ["migraine  disorders"],
    "f": ["Hypertension"],
    "g": [],
    "h": ["Tryptamines"],
}


def test_each_keyword_is_one_lower_cased_token():
    assert keyword_tokens(["Migraine  Disorders", "migraine disorders", " ", "Adult"]) == [
        "kw:adult",
        "kw:migraine disorders",
    ]


def test_the_block_lets_a_model_tell_records_apart_by_keywords():
    words = build_features(TEXTS)
    features = with_keyword_block(words, KEYWORDS, 0.5)

    model = RankingModel.fit(features, {"a": 1, "c": 0})
    order = model.rank_unlabelled(features)

    assert set(order[:3]) == {"b", "e", "h"}  # share a keyword with the include
    assert set(order[-2:]) == {"d", "f"}  # share one with the exclude
    assert np.all(np.diff(features.terms) > 0)  # columns stay sorted by term hash
    row_lengths = np.sqrt(np.asarray(features.matrix.multiply(features.matrix).sum(axis=1)))
    # Unit rows again; "g" has neither a keyword nor a word found in <= 95 % of records.
    assert np.allclose(np.delete(row_lengths, 6), 1.0, atol=1e-5) and row_lengths[6] == 0


def test_weight_zero_or_no_keywords_leaves_the_words_alone():
    words = build_features(TEXTS)

    assert with_keyword_block(words, KEYWORDS, 0.0) is words
    assert with_keyword_block(words, {}, 0.3) is words
    assert RankingModel.fit(words, {"a": 1, "c": 0}).rank_unlabelled(words) == [
        "b",
        "d",
        "e",
        "f",
        "g",
        "h",
    ]  # identical texts: record order
