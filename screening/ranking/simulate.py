"""Replay a labelled review in ranked order, as ASReview's simulation mode does.

A simulation hides the labels, reveals a few as prior knowledge (chosen at random
from the seed), then repeats: fit the model on everything revealed, read the
highest-scoring unread record, reveal its label. The order in which relevant
records turn up gives the recall curve and the WSS/ATD figures of ``metrics``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from screening.ranking.metrics import (
    RecallCurve,
    average_time_to_discovery,
    recall_at,
    recall_curve,
    wss,
)
from screening.ranking.model import (
    DEFAULT_SETTINGS,
    ELAS_U4,
    SEMANTIC_SETTINGS,
    Features,
    ModelSettings,
    RecordId,
    build_features,
    fitted_scores,
)

MODELS: dict[str, ModelSettings] = {
    "default": DEFAULT_SETTINGS,
    "elas_u4": ELAS_U4,
    "nb": ModelSettings(classifier="nb", include_ratio=1.2),
    "ensemble": ModelSettings(classifier="ensemble"),
    # Stronger regularisation: better recall@10% on large sets, worse WSS@95 on small ones.
    "svm_c005": ModelSettings(classifier="svm", svm_c=0.05),
    # ELAS u4 fused with an SVM on all-MiniLM-L6-v2 embeddings (needs Features.dense).
    "semantic": SEMANTIC_SETTINGS,
    "semantic_w05": ModelSettings(classifier="svm", semantic_weight=0.5),
}
# Refitting after every label costs one fit per record; above this size the
# refits are batched (see ``_refit_step``) so a simulation stays interactive.
REFIT_EVERY_LABEL_UP_TO = 1000


@dataclass(frozen=True)
class SimulationResult:
    """One simulated screening: the reading order and its metrics (priors excluded)."""

    method: str
    seed: int
    prior_ids: tuple[RecordId, ...]
    order: tuple[RecordId, ...]
    labels_in_order: tuple[int, ...]
    curve: RecallCurve
    wss95: float
    wss100: float
    recall_at_10: float
    atd: float  # fraction of records


def _result(method: str, seed: int, priors, order, labels: Mapping[RecordId, int]):
    labels_in_order = tuple(int(labels[r]) for r in order)
    return SimulationResult(
        method=method,
        seed=seed,
        prior_ids=tuple(priors),
        order=tuple(order),
        labels_in_order=labels_in_order,
        curve=recall_curve(labels_in_order),
        wss95=wss(labels_in_order, 0.95),
        wss100=wss(labels_in_order, 1.0),
        recall_at_10=recall_at(labels_in_order, 0.10),
        atd=average_time_to_discovery(labels_in_order),
    )


def choose_priors(
    labels: Mapping[RecordId, int],
    *,
    seed: int,
    n_prior_included: int = 1,
    n_prior_excluded: int = 1,
) -> list[RecordId]:
    """Pick the prior-knowledge records at random (reproducible from ``seed``)."""
    rng = np.random.default_rng(seed)
    relevant = [r for r, v in labels.items() if v == 1]
    irrelevant = [r for r, v in labels.items() if v == 0]
    if len(relevant) <= n_prior_included or len(irrelevant) < n_prior_excluded:
        raise ValueError("not enough relevant/irrelevant records for the requested priors")
    picked = list(rng.choice(len(relevant), n_prior_included, replace=False))
    picked_out = list(rng.choice(len(irrelevant), n_prior_excluded, replace=False))
    return [relevant[i] for i in picked] + [irrelevant[i] for i in picked_out]


def _refit_step(n_labelled: int, n_records: int, refit_every: int | None) -> int:
    """How many top records to read before the next refit.

    Small sets refit after every label like ASReview. Larger ones refit after
    every label for the first 100 labels (when each label moves the model most),
    then after a number of labels growing with the labelled count (1% of it),
    which cuts the fits from N to a few hundred.
    """
    if refit_every is not None:
        return max(1, refit_every)
    if n_records <= REFIT_EVERY_LABEL_UP_TO or n_labelled < 100:
        return 1
    return max(1, n_labelled // 100)


def simulate(
    texts: Mapping[RecordId, str],
    labels: Mapping[RecordId, int],
    *,
    seed: int,
    model: str | ModelSettings = "default",
    n_prior_included: int = 1,
    n_prior_excluded: int = 1,
    refit_every: int | None = None,
    features: Features | None = None,
    scorer: Callable[[Features, np.ndarray, np.ndarray], np.ndarray] | None = None,
) -> SimulationResult:
    """Replay a fully labelled review in the order the model would have shown it.

    ``texts`` and ``labels`` are keyed by record id. Pass ``features`` (built
    once with ``build_features``) to simulate several seeds without re-hashing.
    ``refit_every=None`` picks the schedule of ``_refit_step``. ``scorer(features,
    rows, y)``, if given, replaces the model's fit: it returns a score per row of
    ``features`` from the labelled ``rows`` (bench/ranking_variants.py tries
    candidate models this way, with the same priors and refit schedule).

    Once every relevant record has been read the rest of the order no longer
    changes any metric, so the remaining records are appended in the last
    model's order without further refits.
    """
    settings = MODELS[model] if isinstance(model, str) else model
    method = model if isinstance(model, str) else settings.classifier
    if features is None:
        features = build_features(texts)
        if settings.uses_semantic:  # raises SemanticUnavailable without the extra
            from screening.ranking.semantic import embed_texts

            features = features.with_dense(embed_texts(features.texts))
    ids = features.record_ids
    y = np.array([int(labels[r]) for r in ids], dtype=np.int64)
    n_records = len(ids)
    priors = choose_priors(
        labels, seed=seed, n_prior_included=n_prior_included, n_prior_excluded=n_prior_excluded
    )
    labelled = np.zeros(n_records, dtype=bool)
    labelled[features.rows(priors)] = True
    remaining_relevant = int(y[~labelled].sum())
    order: list[int] = []
    scores = np.zeros(n_records)
    while len(order) < n_records - len(priors):
        if remaining_relevant > 0:
            rows = np.flatnonzero(labelled)
            if scorer is None:
                scores = fitted_scores(features, rows, y[rows], settings)
            else:
                scores = scorer(features, rows, y[rows])
        masked = np.where(labelled, -np.inf, scores)
        if remaining_relevant == 0:
            step = n_records  # all found: append the rest, no more refits
        else:
            step = _refit_step(int(labelled.sum()), n_records, refit_every)
        # Stable sort so equal scores fall back to record order (deterministic).
        chosen = np.argsort(-masked, kind="stable")[: min(step, int((~labelled).sum()))]
        for row in chosen:
            order.append(int(row))
            labelled[row] = True
            remaining_relevant -= int(y[row])
    return _result(method, seed, priors, [ids[i] for i in order], labels)


def random_order(
    labels: Mapping[RecordId, int],
    *,
    seed: int,
    n_prior_included: int = 1,
    n_prior_excluded: int = 1,
) -> SimulationResult:
    """The baseline: same priors as ``simulate`` with this seed, the rest read in random order."""
    priors = choose_priors(
        labels, seed=seed, n_prior_included=n_prior_included, n_prior_excluded=n_prior_excluded
    )
    prior_set = set(priors)
    rest = [r for r in labels if r not in prior_set]
    permutation = np.random.default_rng(seed + 1_000_003).permutation(len(rest))
    return _result("random", seed, priors, [rest[i] for i in permutation], labels)


def plot_recall_curve(
    results: SimulationResult | list[SimulationResult],
    path: str | Path,
    *,
    title: str = "",
) -> tuple[Path, Path]:
    """Draw recall curves (records screened vs relevant found) to ``path``.png and .svg.

    The diagonal is what reading in random order finds on average.
    """
    import matplotlib

    matplotlib.use("Agg")  # no display on a server or in CI
    import matplotlib.pyplot as plt

    results = [results] if isinstance(results, SimulationResult) else list(results)
    figure, axes = plt.subplots(figsize=(6, 4.5), dpi=120)
    for result in results:
        curve = result.curve
        label = f"{result.method} (seed {result.seed}, WSS@95 {result.wss95:.3f})"
        axes.step(curve.screened, curve.found, where="post", label=label)
    first = results[0].curve
    axes.plot([0, first.n_records], [0, first.n_relevant], "k--", lw=0.8, label="random (expected)")
    axes.set_xlabel("records screened")
    axes.set_ylabel("relevant records found")
    axes.set_xlim(0, first.n_records)
    axes.set_ylim(0, first.n_relevant * 1.02)
    if title:
        axes.set_title(title)
    axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    base = Path(path).with_suffix("")
    written = (base.with_suffix(".png"), base.with_suffix(".svg"))
    for target in written:
        figure.savefig(target)
    plt.close(figure)
    return written
