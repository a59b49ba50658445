"""Relevance ranking model: TF-IDF features plus a linear classifier.

The design follows ASReview's active-learning cycle (ELAS u4: TF-IDF on 1-2-grams
with sublinear term frequency, a linear SVM with C=0.11 and include-weighted
samples, unread records ranked by score), split in two so a web app can keep the
expensive half:

* ``build_features(texts)`` turns every record of a review into a row of a sparse
  TF-IDF matrix once. Words are hashed (no vocabulary to fit), so the step is a
  pure function of the texts, can run on several cores, and the result can be
  cached per review (pickle/joblib).
* ``RankingModel.fit(features, labels)`` refits only the classifier on the rows
  that carry a label; scoring every unread record is then one sparse
  matrix-vector product. The fitted model is a weight vector, cheap to persist.
"""

from __future__ import annotations

import math
import os
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC
from sklearn.utils import murmurhash3_32

RecordId = Hashable

# 2**20 buckets keep hash collisions rare for the ~10^5-10^6 distinct 1-2-grams
# of a large review while the weight vector stays at 8 MB.
N_HASH_FEATURES = 2**20
# Below this many texts a second process costs more than it saves.
_PARALLEL_MIN_TEXTS = 20_000


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

    Tried on bench/ranking.py (9 sets, seeds 1-5) and not made the default:
    C=0.05 (or include_ratio=20, which acts alike) lifts recall@10% and ATD on
    the large sets but costs the small ones WSS@95 (Antihistamines -0.05);
    C=0.3, English stop words (Kitchenham and nudging lose 0.08-0.12 WSS@95), a
    dynamic include ratio, refitting after every label on large sets (no change),
    and SVM ensembles with logistic regression or complement naive Bayes
    (no better, 10-50x slower to fit on 2**20 columns).
    """

    classifier: str = "svm"
    svm_c: float = 0.11
    nb_alpha: float = 3.822
    include_ratio: float = 9.8


ELAS_U4 = ModelSettings(classifier="svm")
DEFAULT_SETTINGS = ELAS_U4


def record_text(title: str = "", abstract: str = "", keywords: str = "") -> str:
    """The text a record is ranked on: title, abstract and keywords joined."""
    return " ".join(part.strip() for part in (title, abstract, keywords) if part and part.strip())


def _vectorizer() -> HashingVectorizer:
    return HashingVectorizer(
        ngram_range=(1, 2),
        n_features=N_HASH_FEATURES,
        alternate_sign=False,  # raw counts, so TF-IDF sees true term frequencies
        norm=None,
        dtype=np.float32,
    )


def _hash_counts(texts: Sequence[str], n_jobs: int) -> sp.csr_matrix:
    vectorizer = _vectorizer()
    if n_jobs <= 1 or len(texts) < _PARALLEL_MIN_TEXTS:
        return vectorizer.transform(texts)
    # Hashing is stateless, so chunks can be tokenised in separate processes.
    from joblib import Parallel, delayed

    size = math.ceil(len(texts) / n_jobs)
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    parts = Parallel(n_jobs=n_jobs)(delayed(vectorizer.transform)(chunk) for chunk in chunks)
    return sp.vstack(parts, format="csr")


@dataclass
class Features:
    """A review's TF-IDF matrix: one L2-normalised row per record, in ``record_ids`` order.

    ``texts`` are kept only to put words back on hashed columns in ``top_terms``.
    """

    record_ids: tuple[RecordId, ...]
    matrix: sp.csr_matrix
    texts: tuple[str, ...]
    row_of: dict[RecordId, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.row_of = {record_id: row for row, record_id in enumerate(self.record_ids)}
        if len(self.row_of) != len(self.record_ids):
            raise ValueError("record ids must be unique")

    def rows(self, record_ids: Iterable[RecordId]) -> np.ndarray:
        """Row numbers of the given records (KeyError for an unknown id)."""
        return np.fromiter((self.row_of[r] for r in record_ids), dtype=np.int64)


def build_features(texts: Mapping[RecordId, str], *, n_jobs: int | None = None) -> Features:
    """Turn {record_id: text} into a cached-able TF-IDF ``Features`` matrix.

    TF-IDF as ASReview uses it: word 1-2-grams, sublinear term frequency
    (1 + log tf), smoothed IDF, rows scaled to unit length.
    """
    record_ids = tuple(texts)
    documents = tuple(texts[r] or "" for r in record_ids)
    if n_jobs is None:
        n_jobs = min(2, os.cpu_count() or 1)
    counts = _hash_counts(documents, n_jobs)
    matrix = TfidfTransformer(sublinear_tf=True).fit_transform(counts).astype(np.float32)
    return Features(record_ids=record_ids, matrix=sp.csr_matrix(matrix), texts=documents)


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


@dataclass(frozen=True)
class TopTerms:
    """The words that push a record up (include) or down (exclude) the ranking."""

    include: tuple[tuple[str, float], ...]
    exclude: tuple[tuple[str, float], ...]


@dataclass
class RankingModel:
    """A fitted relevance model: one linear weight per hashed 1-2-gram, plus a bias.

    Build it with ``RankingModel.fit``; it holds no reference to the feature
    matrix, so it pickles small (8 MB of weights) and can score any ``Features``
    built by ``build_features``.
    """

    coef: np.ndarray
    intercept: float
    settings: ModelSettings
    labelled: dict[RecordId, int]

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
        coef, intercept = _linear_scores_weights(features.matrix[rows], y, settings)
        return cls(coef=coef, intercept=intercept, settings=settings, labelled=labels)

    def score(
        self, features: Features, record_ids: Iterable[RecordId] | None = None
    ) -> dict[RecordId, float]:
        """Relevance score per record (higher = more likely relevant); all records by default."""
        ids = features.record_ids if record_ids is None else tuple(record_ids)
        rows = features.rows(ids)
        values = features.matrix[rows] @ self.coef + self.intercept
        return dict(zip(ids, (float(v) for v in values), strict=True))

    def rank_unlabelled(self, features: Features) -> list[RecordId]:
        """Unlabelled record ids, most likely relevant first (ties broken by record order)."""
        unlabelled = [r for r in features.record_ids if r not in self.labelled]
        if not unlabelled:
            return []
        values = features.matrix[features.rows(unlabelled)] @ self.coef
        order = np.argsort(-values, kind="stable")
        return [unlabelled[i] for i in order]

    def top_terms(self, features: Features, n: int = 10) -> TopTerms:
        """The ``n`` most include-indicative and most exclude-indicative words.

        Columns are hashed, so names are recovered by re-tokenising the labelled
        records (the only rows that gave the weights their values) and keeping,
        per column, the word seen most often.
        """
        analyzer = _vectorizer().build_analyzer()
        names: dict[int, dict[str, int]] = {}
        wanted = set(np.argsort(self.coef)[: n * 3]) | set(np.argsort(-self.coef)[: n * 3])
        for record_id in self.labelled:
            for term in analyzer(features.texts[features.row_of[record_id]]):
                column = _hash_column(term)
                if column in wanted:
                    seen = names.setdefault(column, {})
                    seen[term] = seen.get(term, 0) + 1

        def named(columns: Iterable[int]) -> tuple[tuple[str, float], ...]:
            out = []
            for column in columns:
                if column in names and self.coef[column] != 0:
                    term = max(names[column].items(), key=lambda kv: (kv[1], kv[0]))[0]
                    out.append((term, float(self.coef[column])))
                if len(out) == n:
                    break
            return tuple(out)

        return TopTerms(
            include=named(np.argsort(-self.coef)[: n * 3]),
            exclude=named(np.argsort(self.coef)[: n * 3]),
        )


def _hash_column(term: str) -> int:
    """The column ``HashingVectorizer`` puts an already-analysed term in.

    Same arithmetic as sklearn's FeatureHasher: signed 32-bit murmurhash3 with
    seed 0, absolute value, modulo the number of columns.
    """
    return abs(murmurhash3_32(term, seed=0, positive=False)) % N_HASH_FEATURES
