"""Keywords (MeSH headings, author keywords) as a feature block beside the words.

``with_keyword_block`` adds one column per distinct keyword of the review (the whole
keyword is one token, lower-cased, so "Anti-Inflammatory Agents, Non-Steroidal" is
one feature), TF-IDF-weighted as the words are (sublinear tf, smoothed IDF, keywords
on more than 95 % of records dropped), scaled by ``weight`` and stacked beside the
title/abstract matrix; every row is then scaled to unit length again. The keyword
columns are keyed by the hash of ``"kw:" + keyword`` and merged into the sorted term
hashes, so the result is an ordinary ``Features`` that every model, the cold start and
``top_terms`` use unchanged (a keyword's column never meets a word's: the prefix
cannot come out of the word tokeniser).

Off by default (``ModelSettings.keyword_weight``): see its docstring for the figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize

from screening.ranking.model import (
    HASH_SPACE,
    MAX_DF,
    Features,
    RecordId,
    _number_columns,
    _tfidf,
)

PREFIX = "kw:"


def keyword_tokens(keywords: Iterable[str]) -> list[str]:
    """One token per distinct keyword: prefixed, lower-cased, spaces squeezed."""
    tokens = {PREFIX + " ".join(str(k).lower().split()) for k in keywords if str(k).strip()}
    return sorted(tokens)


def _keyword_tfidf(
    record_ids: Iterable[RecordId], keywords: Mapping[RecordId, Iterable[str]]
) -> tuple[sp.csr_matrix, np.ndarray]:
    """(TF-IDF of the keywords, one unit row per record; hash of each column's keyword)."""
    documents = [keyword_tokens(keywords.get(r, ())) for r in record_ids]
    hasher = HashingVectorizer(
        analyzer=lambda tokens: tokens,
        n_features=HASH_SPACE,
        alternate_sign=False,
        norm=None,
        dtype=np.float32,
    )
    counts = hasher.transform(documents)
    kw_terms, columns = _number_columns(counts.indices)
    counts = sp.csr_matrix(
        (counts.data, columns, counts.indptr), shape=(counts.shape[0], len(kw_terms))
    )
    return _tfidf(counts, len(kw_terms), MAX_DF)[:, : len(kw_terms)], kw_terms


def keyword_matrix(
    record_ids: Iterable[RecordId], keywords: Mapping[RecordId, Iterable[str]]
) -> sp.csr_matrix:
    """TF-IDF of the keywords alone, one unit row per record (empty rows for none)."""
    return _keyword_tfidf(record_ids, keywords)[0]


def with_keyword_block(
    features: Features, keywords: Mapping[RecordId, Iterable[str]], weight: float
) -> Features:
    """``features`` with a keyword block of weight ``weight`` (unchanged when 0 or none)."""
    if weight <= 0 or not any(keywords.get(r) for r in features.record_ids):
        return features
    block, kw_terms = _keyword_tfidf(features.record_ids, keywords)
    block = block * weight
    words = features.matrix[:, : len(features.terms)]
    stacked = sp.hstack([words, block], format="csr")
    terms = np.concatenate([features.terms, kw_terms])
    order = np.argsort(terms, kind="stable")
    matrix = normalize(stacked[:, order].tocsr().astype(np.float32), copy=False)
    matrix.sort_indices()
    return Features(
        record_ids=features.record_ids,
        matrix=matrix,
        texts=features.texts,
        terms=terms[order],
        dense=features.dense,
    )
