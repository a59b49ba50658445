"""When to stop screening: a statistical test, a heuristic, and an estimate.

All functions take the labels of the records screened so far, in screening
order (1 relevant, 0 irrelevant), and the total number of records, so they can
be called on a live review as well as on a simulation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import hypergeom


@dataclass(frozen=True)
class StatisticalStop:
    """Outcome of the Callaghan & Müller-Hansen (2020) stopping test.

    ``p_value`` is the smallest p over all candidate samples; the evidence is
    that sample: the last ``sample_size`` records screened, of which
    ``relevant_in_sample`` were relevant, drawn from an urn of ``urn_size``
    records (the sample plus the ``n_unscreened`` still unread).
    """

    should_stop: bool
    p_value: float
    recall_target: float
    confidence: float
    sample_size: int
    relevant_in_sample: int
    relevant_before_sample: int
    urn_size: int
    n_unscreened: int
    relevant_seen: int
    estimated_remaining: float  # point estimate of relevant records still unread


def _relevant_needed_for_h0(relevant_before: np.ndarray, relevant_seen: int, recall_target: float):
    # K_tar = floor(r_seen / tau - r_AL + 1): the fewest relevant records the urn
    # must have held for recall to be below the target (buscar's ``k_h0``).
    return np.floor(relevant_seen / recall_target - relevant_before + 1).astype(np.int64)


def statistical_stop(
    screened_labels: Sequence[int],
    n_records: int,
    *,
    recall_target: float = 0.95,
    confidence: float = 0.95,
) -> StatisticalStop:
    """Test H0 "recall < recall_target" and say whether screening may stop.

    Callaghan, M. W. & Müller-Hansen, F. (2020). Statistical stopping criteria
    for automated screening in systematic reviews. Systematic Reviews 9, 273.
    https://doi.org/10.1186/s13643-020-01521-4

    Treat the last n screened records as a random sample, drawn without
    replacement, from the urn of records that were unread when the sample
    began (urn size N_urn = N - (screened - n)). If r_AL relevant records were
    found before the sample, k in it, and r_seen = r_AL + k, then H0 holds only
    if the urn contained at least K_tar = floor(r_seen / tau - r_AL + 1) relevant
    records. The p-value is the hypergeometric probability of drawing k or
    fewer relevant records in n draws from an urn of N_urn with K_tar relevant:

        p = P(X <= k),  X ~ Hypergeometric(N_urn, K_tar, n).

    As in the authors' implementation (R package buscar, ``calculate_h0``),
    every n from 1 to the number screened is tried and the smallest p is kept;
    stop when p < 1 - confidence.
    """
    labels = np.asarray(screened_labels, dtype=np.int64)
    n_screened = len(labels)
    if not 0 < recall_target < 1 or not 0 < confidence < 1:
        raise ValueError("recall_target and confidence must be between 0 and 1")
    if n_screened == 0:
        raise ValueError("nothing screened yet")
    if n_screened > n_records:
        raise ValueError("more records screened than exist")
    relevant_seen = int(labels.sum())
    sample_sizes = np.arange(1, n_screened + 1)
    relevant_in_sample = np.cumsum(labels[::-1])  # k for the last 1, 2, ... records
    relevant_before = relevant_seen - relevant_in_sample
    needed = _relevant_needed_for_h0(relevant_before, relevant_seen, recall_target)
    urn_sizes = n_records - (n_screened - sample_sizes)
    # An urn too small to hold K_tar relevant records makes H0 impossible: p = 0.
    feasible = needed <= urn_sizes
    p_values = np.zeros(n_screened)
    p_values[feasible] = hypergeom.cdf(
        relevant_in_sample[feasible],
        urn_sizes[feasible],
        needed[feasible],
        sample_sizes[feasible],
    )
    best = int(np.argmin(p_values))  # first (smallest) sample reaching the minimum
    n_unscreened = n_records - n_screened
    sample_size = int(sample_sizes[best])
    k = int(relevant_in_sample[best])
    return StatisticalStop(
        should_stop=bool(p_values[best] < 1 - confidence),
        p_value=float(p_values[best]),
        recall_target=recall_target,
        confidence=confidence,
        sample_size=sample_size,
        relevant_in_sample=k,
        relevant_before_sample=int(relevant_before[best]),
        urn_size=int(urn_sizes[best]),
        n_unscreened=n_unscreened,
        relevant_seen=relevant_seen,
        estimated_remaining=k / sample_size * n_unscreened,
    )


@dataclass(frozen=True)
class HeuristicStop:
    """The "N irrelevant in a row" rule: stop after ``threshold`` consecutive excludes."""

    should_stop: bool
    irrelevant_in_a_row: int
    threshold: int


def irrelevant_in_a_row(screened_labels: Sequence[int]) -> int:
    """How many records at the end of the screening order were all irrelevant."""
    run = 0
    for label in reversed(screened_labels):
        if label:
            break
        run += 1
    return run


def heuristic_stop(screened_labels: Sequence[int], *, threshold: int = 100) -> HeuristicStop:
    """Stop once the last ``threshold`` screened records were all irrelevant.

    A rule of thumb with no guarantee on recall (Callaghan & Müller-Hansen show
    it can stop far too early or far too late); offered because reviewers ask for it.
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    run = irrelevant_in_a_row(screened_labels)
    return HeuristicStop(should_stop=run >= threshold, irrelevant_in_a_row=run, threshold=threshold)


@dataclass(frozen=True)
class RemainingEstimate:
    """Relevant records probably still among the unscreened ones.

    ``estimate`` extrapolates the rate of relevant records in the last
    ``window`` screened to everything unread. Ranking puts relevant records
    first, so the unread rest is poorer than the window and this is an
    overestimate (a cautious one). ``upper_bound`` is the largest number of
    relevant records the unread records plus window could hold while still
    giving at most ``found_in_window`` in the window with probability >= 5 %
    (a one-sided 95 % hypergeometric bound, minus what the window found).
    """

    estimate: float
    upper_bound: int
    window: int
    found_in_window: int
    n_unscreened: int


def estimate_remaining(
    screened_labels: Sequence[int],
    n_records: int,
    *,
    window: int = 200,
    alpha: float = 0.05,
) -> RemainingEstimate:
    """Estimate how many relevant records remain unread (see ``RemainingEstimate``)."""
    labels = list(screened_labels)
    n_unscreened = n_records - len(labels)
    if n_unscreened < 0:
        raise ValueError("more records screened than exist")
    window = min(window, len(labels))
    if window == 0:
        raise ValueError("nothing screened yet")
    found = int(sum(labels[-window:]))
    urn = n_unscreened + window
    # Largest K in the urn with P(X <= found | K) >= alpha; cdf falls as K grows.
    candidates = np.arange(found, urn + 1)
    plausible = candidates[hypergeom.cdf(found, urn, candidates, window) >= alpha]
    upper = int(plausible.max()) - found if len(plausible) else 0
    return RemainingEstimate(
        estimate=found / window * n_unscreened,
        upper_bound=max(upper, 0),
        window=window,
        found_in_window=found,
        n_unscreened=n_unscreened,
    )
