"""Simulation metrics for a screening order: recall curve, WSS, recall@x% and ATD.

Every function takes the labels of the records in the order they were screened
(1 = relevant, 0 = irrelevant) with the prior-knowledge records already removed,
which is how asreview-insights reports its figures. The formulas follow
asreview-insights (``asreviewcontrib/insights/algorithms.py`` and ``metrics.py``)
so our numbers can be set next to ASReview LAB's published ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RecallCurve:
    """Relevant records found after each screened record.

    ``screened[i]`` records screened so far, ``found[i]`` relevant among them.
    Both start at 0 so the curve starts at the origin.
    """

    screened: tuple[int, ...]
    found: tuple[int, ...]
    n_records: int
    n_relevant: int

    def recall(self) -> tuple[float, ...]:
        """Recall (fraction of relevant found) at each point of the curve."""
        if self.n_relevant == 0:
            return tuple(0.0 for _ in self.found)
        return tuple(f / self.n_relevant for f in self.found)


@dataclass(frozen=True)
class ScreeningMetrics:
    """The headline figures of one screening order."""

    n_records: int
    n_relevant: int
    wss95: float
    wss100: float
    recall_at_10: float
    atd: float  # average time to discovery, as a fraction of n_records


def _as_labels(labels_in_order: Sequence[int]) -> np.ndarray:
    array = np.asarray(labels_in_order, dtype=np.int64)
    if array.ndim != 1 or not np.isin(array, (0, 1)).all():
        raise ValueError("labels must be a flat sequence of 0/1")
    return array


def recall_curve(labels_in_order: Sequence[int]) -> RecallCurve:
    """Return the recall curve (records screened vs relevant found) of an order."""
    labels = _as_labels(labels_in_order)
    found = np.concatenate(([0], np.cumsum(labels)))
    return RecallCurve(
        screened=tuple(range(len(labels) + 1)),
        found=tuple(int(v) for v in found),
        n_records=len(labels),
        n_relevant=int(labels.sum()),
    )


def wss(labels_in_order: Sequence[int], recall: float = 0.95) -> float:
    """Work saved over sampling at ``recall``, exactly as asreview-insights computes it.

    Let N records hold R relevant ones and j be the largest count of relevant
    records with j / R <= recall (the last point where recall <= 95%). If the
    j-th relevant record is found after screening s records and random screening
    would reach j relevant records after r records, WSS = (r - s) / N.

    ``r`` is taken, as insights does, from ``round(linspace(0, R, N))`` (the
    expected random curve, 0-based), so WSS is close to (N - s) / N - (1 - recall):
    the share of records left unread minus what random reading would have left.
    """
    labels = _as_labels(labels_in_order)
    n_records = len(labels)
    n_relevant = int(labels.sum())
    if n_relevant == 0:
        raise ValueError("WSS is undefined without relevant records")
    targets = np.arange(1, n_relevant + 1)
    when_found = np.searchsorted(np.cumsum(labels), targets)  # 0-based position
    random_curve = np.round(np.linspace(0, n_relevant, n_records))
    when_found_random = np.searchsorted(random_curve, targets)
    saved = (when_found_random - when_found) / n_records
    # searchsorted(side="right") - 1: the last j with j / R <= recall.
    j = np.searchsorted(targets / n_relevant, recall, side="right")
    if j == 0:
        return 0.0
    return float(saved[j - 1])


def recall_at(labels_in_order: Sequence[int], fraction: float = 0.10) -> float:
    """Recall after screening ``fraction`` of the records (floor of fraction * N records)."""
    labels = _as_labels(labels_in_order)
    n_records = len(labels)
    n_relevant = int(labels.sum())
    if n_relevant == 0:
        raise ValueError("recall is undefined without relevant records")
    x = np.arange(1, n_records + 1) / n_records
    if fraction < x[0]:
        return 0.0
    k = int(np.searchsorted(x, fraction, side="right"))
    return float(labels[:k].sum() / n_relevant)


def time_to_discovery(labels_in_order: Sequence[int]) -> tuple[int, ...]:
    """1-based position in the order at which each relevant record was screened."""
    labels = _as_labels(labels_in_order)
    return tuple(int(i) + 1 for i in np.flatnonzero(labels))


def average_time_to_discovery(labels_in_order: Sequence[int]) -> float:
    """ATD as a fraction of the records: mean time to discovery / N.

    insights reports the mean in records; the ASReview figures we compare with
    divide it by the number of records (priors excluded) to get a percentage.
    """
    discovery = time_to_discovery(labels_in_order)
    if not discovery:
        raise ValueError("ATD is undefined without relevant records")
    return float(np.mean(discovery)) / len(labels_in_order)


def screening_metrics(labels_in_order: Sequence[int]) -> ScreeningMetrics:
    """All headline metrics of a screening order (priors already removed)."""
    labels = _as_labels(labels_in_order)
    return ScreeningMetrics(
        n_records=len(labels),
        n_relevant=int(labels.sum()),
        wss95=wss(labels, 0.95),
        wss100=wss(labels, 1.0),
        recall_at_10=recall_at(labels, 0.10),
        atd=average_time_to_discovery(labels),
    )
