"""A useful order before the first inclusion: rank by similarity to what the team knows.

Every learned model needs an include and an exclude before it can rank. A team starts
with a research question, eligibility criteria, highlight terms and often a few known
relevant papers. ``query_scores`` scores every record by its TF-IDF similarity to that
text (and to the known relevant records' rows): the query is tokenised as the records
are (word 1-2-grams), so a record's score is the summed TF-IDF weight of the query's
terms it contains. ``cold_start_scores`` blends it with a fitted model while labels are
few: the query's weight falls as relevant labels arrive (``1 / (1 + relevant labels)``
of the standardised scores), so the learned model takes over.

``simulate_cold_start`` replays a labelled set with no priors in that order and
reports the records screened until the first relevant one and recall after 10 %.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from screening.ranking.metrics import recall_at
from screening.ranking.model import (
    DEFAULT_SETTINGS,
    Features,
    ModelSettings,
    RecordId,
    _analyze,
    _term_hash,
    fitted_scores,
)
from screening.ranking.simulate import _refit_step


def query_scores(
    features: Features, query: str = "", known_relevant: Iterable[RecordId] = ()
) -> np.ndarray:
    """Every record's similarity to the query text and the known relevant records.

    Terms of the query that no record uses are ignored; an empty query and no known
    records give zeros (the caller keeps its random order).
    """
    scores = np.zeros(features.matrix.shape[0])
    hashes = np.unique(np.array([_term_hash(t) for t in _analyze(query or "")], dtype=np.int64))
    if len(hashes) and len(features.terms):
        at = np.minimum(np.searchsorted(features.terms, hashes), len(features.terms) - 1)
        columns = at[features.terms[at] == hashes]
        if len(columns):
            weights = np.zeros(features.matrix.shape[1])
            weights[columns] = 1.0
            scores += features.matrix @ weights
    known = [r for r in known_relevant if r in features.row_of]
    if known:
        centroid = np.asarray(features.matrix[features.rows(known)].mean(axis=0)).ravel()
        similarity = features.matrix @ centroid
        scale = float(similarity.max()) or 1.0
        top = float(scores.max()) or 1.0
        scores += top * similarity / scale  # as strong as the query's best match
    return scores


def _standard(values: np.ndarray) -> np.ndarray:
    spread = float(np.std(values)) or 1.0
    return (values - float(np.mean(values))) / spread


def cold_start_scores(
    query: np.ndarray, model: np.ndarray | None, n_relevant_labels: int
) -> np.ndarray:
    """The query's order until a model exists, then a blend fading to the model's.

    With ``n`` relevant labels the query weighs ``1 / (1 + n)`` of the standardised
    scores: half at the first include, a tenth at the ninth.
    """
    if model is None:
        return query
    weight = 1.0 / (1 + n_relevant_labels)
    return weight * _standard(query) + (1 - weight) * _standard(model)


@dataclass(frozen=True)
class ColdStartResult:
    """One cold-start replay: screened until the first relevant, recall after 10 %."""

    method: str
    to_first_relevant: int  # records screened up to and including the first relevant
    recall_at_10: float
    labels_in_order: tuple[int, ...]


def simulate_cold_start(
    labels: Mapping[RecordId, int],
    features: Features,
    *,
    query: str,
    known_relevant: Iterable[RecordId] = (),
    settings: ModelSettings = DEFAULT_SETTINGS,
    fraction: float = 0.10,
) -> ColdStartResult:
    """Screen with no priors: the query's order, then the blend, then the model.

    Stops after ``fraction`` of the records (what recall@10 % needs); the order
    beyond is not scored. Deterministic: ties fall back to record order.
    """
    ids = features.record_ids
    y = np.array([int(labels[r]) for r in ids], dtype=np.int64)
    n_records = len(ids)
    known = [r for r in known_relevant if r in features.row_of]
    # As ``metrics.recall_at``: the first floor(fraction * N) records of those to screen.
    stop = max(1, int(np.floor(fraction * (n_records - len(known)) + 1e-9)))
    base = query_scores(features, query, known_relevant)
    read = np.zeros(n_records, dtype=bool)
    read[features.rows(known)] = True  # known papers need no screening
    order: list[int] = []
    while len(order) < stop and not read.all():
        rows = np.flatnonzero(read)
        labelled = y[rows]
        model = None
        if labelled.min(initial=1) == 0 and labelled.max(initial=0) == 1:
            model = fitted_scores(features, rows, labelled, settings)
        scores = cold_start_scores(base, model, int(labelled.sum()))
        step = _refit_step(len(rows), n_records, None)
        chosen = np.argsort(-np.where(read, -np.inf, scores), kind="stable")[:step]
        for row in chosen[: stop - len(order)]:
            order.append(int(row))
            read[row] = True
    in_order = tuple(int(y[row]) for row in order)
    first = next((i + 1 for i, v in enumerate(in_order) if v), n_records + 1)
    relevant_left = int(y.sum()) - int(y[features.rows(known)].sum()) if known else int(y.sum())
    found = sum(in_order)
    return ColdStartResult(
        method="cold-start",
        to_first_relevant=first,
        recall_at_10=found / relevant_left if relevant_left else 0.0,
        labels_in_order=in_order,
    )


def random_cold_start(labels: Mapping[RecordId, int], *, seed: int) -> ColdStartResult:
    """The baseline: random order from the start (what a team without a model reads)."""
    values = np.array(list(labels.values()), dtype=np.int64)
    order = values[np.random.default_rng(seed).permutation(len(values))]
    first = int(np.argmax(order)) + 1 if order.any() else len(order) + 1
    return ColdStartResult(
        method="random",
        to_first_relevant=first,
        recall_at_10=recall_at(tuple(int(v) for v in order), 0.10),
        labels_in_order=tuple(int(v) for v in order),
    )
