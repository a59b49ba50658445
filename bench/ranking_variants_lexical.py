"""Lexical / classifier variants of ELAS u4 (issue 19), on bench/ranking_variants.py's harness.

Run from the repository root:

    nice -n 15 .venv/bin/python bench/ranking_variants_lexical.py --variants bin bm25 ...
                                       [--seeds 1 2 3] [--sets ADHD ...] [--report-only]

Same priors, refit schedule, cache (var/ranking-variants/) and report as
bench/ranking_variants.py; only the scorer differs. A spec (``LEXICAL``) may set:

* features: ``tf`` ("log" = u4's 1 + a ln tf, ``a`` = 1; "raw", "bin", "bm25"), ``k1`` / ``b``
  (BM25 saturation and length normalisation), ``idf`` ("smooth" = u4's, "prob" =
  BM25's ln((N - df + 0.5) / (df + 0.5)) floored at 0, "none"), ``min_df``,
  ``ngram`` (1 or 2 word n-grams), ``char`` (weight of a char_wb 3-5 TF-IDF block
  beside the words: rows are [sqrt(1-w) words | sqrt(w) chars], so still unit length);
* the classifier: ``clf`` ("svm" = u4's LinearSVC, "lr", "sgd" with ``loss``, "nb"),
  ``C``, ``ratio`` (include weight);
* ``knn``: weight of a nearest-relevant term fused by standardised score: each record's
  highest cosine similarity to a labelled relevant record;
* ``switch``: a sub-spec the model switches to once ``after`` irrelevant records have
  been read in a row (Teijema et al.'s model switching), for good (``revert`` False)
  or until the next relevant record; ``committee``: a list of sub-specs whose rank-
  fused scores (``fusion`` "rank", or "score": standardised) replace the model after
  the stall (same ``after``; 0 fuses from the first fit);
* ``select``: a list of specs; ELAS u4 until 5 relevant labels, then the spec whose
  models, fitted on 2/3 of the relevant labels, rank the other third highest among
  the unlabelled records (3 folds), re-chosen whenever a relevant label arrives.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import ranking_variants as harness  # noqa: E402
from ranking import SETS  # noqa: E402
from scipy.stats import rankdata  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression, SGDClassifier  # noqa: E402
from sklearn.naive_bayes import MultinomialNB  # noqa: E402
from sklearn.preprocessing import normalize  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from screening.ranking.model import MAX_DF, Features, _count_terms, _sample_weights  # noqa: E402

LEXICAL: dict[str, dict] = {
    # (a) term weighting, from the first fit
    "bin": {"tf": "bin"},
    "rawtf": {"tf": "raw"},
    "tfhalf": {"tf": "log", "a": 0.5},
    "bm25": {"tf": "bm25", "k1": 1.2, "b": 0.75},
    "bm25b0": {"tf": "bm25", "k1": 1.2, "b": 0.0},
    "bm25k05": {"tf": "bm25", "k1": 0.5, "b": 0.75},
    "idfprob": {"idf": "prob"},
    "mindf2": {"min_df": 2},
    "binmindf2": {"tf": "bin", "min_df": 2},
    "uni": {"ngram": 1},
    "unibin": {"ngram": 1, "tf": "bin"},
    # (b) char n-grams
    "char05": {"char": 0.5},
    # (e) other classifiers, losses, regularisation on u4's features
    "sgdmh": {"clf": "sgd", "loss": "modified_huber"},
    "C02": {"C": 0.2},
    # (f) nearest relevant neighbour fused with the SVM
    "knn02": {"knn": 0.2},
    "knn04": {"knn": 0.4},
    # feature committees from the first fit
    "fuse_bin": {"committee": [{}, {"tf": "bin"}], "after": 0, "fusion": "score"},
    "fuse_bin_rank": {"committee": [{}, {"tf": "bin"}], "after": 0},
    "fuse_uni": {"committee": [{}, {"ngram": 1}], "after": 0, "fusion": "score"},
    # (c) switching when stalled (k irrelevant in a row)
    "sw50nb": {"switch": {"clf": "nb", "ratio": 1.2}, "after": 50},
    "sw50c005": {"switch": {"C": 0.05}, "after": 50},
    "sw20bin": {"switch": {"tf": "bin"}, "after": 20},
    "sw50bin": {"switch": {"tf": "bin"}, "after": 50},
    "sw100bin": {"switch": {"tf": "bin"}, "after": 100},
    "sw50uni": {"switch": {"ngram": 1}, "after": 50},
    "sw50char": {"switch": {"char": 0.5}, "after": 50},
    "sw50knn": {"switch": {"knn": 0.4}, "after": 50},
    "cm50": {"committee": [{}, {"C": 0.05}, {"clf": "nb", "ratio": 1.2}], "after": 50},
    "cm50div": {
        "committee": [{}, {"tf": "bin"}, {"ngram": 1}, {"clf": "nb", "ratio": 1.2}],
        "after": 50,
    },
    # (f) online choice of the term weighting by held-out rank of the relevant labels
    "sel_bin": {"select": [{}, {"tf": "bin"}]},
    "sel_bin_uni": {"select": [{}, {"tf": "bin"}, {"ngram": 1}]},
}
FEATURE_KEYS = ("tf", "a", "k1", "b", "idf", "min_df", "ngram", "char")

# The screening sets: every variant ran on these first (all five are Cohen drug reviews).
SMALL = ("Antihistamines", "Estrogens", "NSAIDS", "Triptans", "ADHD")

_counts: dict[tuple, tuple] = {}
_matrices: dict[tuple, sp.csr_matrix] = {}


def _unigrams(text: str) -> list[str]:
    from screening.ranking.model import _TOKEN

    return _TOKEN.findall(text.lower())


def _word_counts(features: Features, ngram: int) -> sp.csr_matrix:
    key = (id(features), ngram)
    if key not in _counts:
        if ngram == 2:
            counts, _ = _count_terms(features.texts, 1)
        else:
            from sklearn.feature_extraction.text import CountVectorizer

            counts = CountVectorizer(analyzer=_unigrams, dtype=np.float32).fit_transform(
                features.texts
            )
        _counts[key] = (features, counts.tocsr())  # keep features alive so id() stays unique
    return _counts[key][1]


def _weighted(counts: sp.csr_matrix, spec: dict) -> sp.csr_matrix:
    """TF-IDF of ``counts`` as the spec says (u4's recipe when it says nothing)."""
    counts = counts.copy()
    n_rows = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf_kind = spec.get("idf", "smooth")
    if idf_kind == "smooth":
        idf = np.log((1 + n_rows) / (1 + df)) + 1
    elif idf_kind == "prob":
        idf = np.maximum(np.log((n_rows - df + 0.5) / (df + 0.5)), 0)
    else:
        idf = np.ones(len(df))
    idf[df > MAX_DF * n_rows] = 0
    idf[df < spec.get("min_df", 1)] = 0
    tf_kind = spec.get("tf", "log")
    values = counts.data.astype(np.float64)
    if tf_kind == "log":
        values = 1 + spec.get("a", 1.0) * np.log(values)
    elif tf_kind == "bin":
        values = np.ones_like(values)
    elif tf_kind == "bm25":
        k1, b = spec.get("k1", 1.2), spec.get("b", 0.75)
        length = np.asarray(counts.sum(axis=1)).ravel()
        rel = length / (length.mean() or 1)
        row_rel = np.repeat(rel, np.diff(counts.indptr))
        values = values * (k1 + 1) / (values + k1 * (1 - b + b * row_rel))
    values *= idf[counts.indices]
    matrix = sp.csr_matrix((values.astype(np.float32), counts.indices, counts.indptr), counts.shape)
    matrix.eliminate_zeros()
    return normalize(matrix)


def matrix_for(features: Features, spec: dict) -> sp.csr_matrix:
    """The feature matrix a spec ranks on (u4's own for a spec without feature keys)."""
    fkey = tuple((k, spec[k]) for k in FEATURE_KEYS if k in spec)
    if not fkey:
        return features.matrix
    key = (id(features), fkey)
    if key not in _matrices:
        words = _weighted(_word_counts(features, spec.get("ngram", 2)), spec)
        w = spec.get("char", 0)
        if w:
            chars = TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=(3, 5),
                sublinear_tf=True,
                max_df=MAX_DF,
                dtype=np.float32,
            ).fit_transform(features.texts)
            words = sp.hstack([np.sqrt(1 - w) * words, np.sqrt(w) * chars], format="csr")
        _matrices[key] = words
        _counts.setdefault(("keep", id(features)), (features, None))
    return _matrices[key]


def _std(values: np.ndarray) -> np.ndarray:
    spread = float(np.std(values)) or 1.0
    return (values - values.mean()) / spread


def fit_scores(features: Features, rows: np.ndarray, y: np.ndarray, spec: dict) -> np.ndarray:
    """Scores of every record from one model as ``spec`` says, fitted on ``rows``."""
    matrix = matrix_for(features, spec)
    x = matrix[rows]
    weights = _sample_weights(y, spec.get("ratio", 9.8))
    clf = spec.get("clf", "svm")
    if clf == "svm":
        model = LinearSVC(
            C=spec.get("C", 0.11), loss="squared_hinge", dual=True, max_iter=5000, random_state=0
        )
        model.fit(x, y, sample_weight=weights)
        scores = matrix @ model.coef_.ravel()
    elif clf == "lr":
        model = LogisticRegression(C=spec.get("C", 1.0), solver="liblinear", max_iter=1000)
        model.fit(x, y, sample_weight=weights)
        scores = matrix @ model.coef_.ravel()
    elif clf == "sgd":
        model = SGDClassifier(
            loss=spec.get("loss", "modified_huber"),
            alpha=spec.get("alpha", 1e-4),
            max_iter=1000,
            tol=1e-4,
            random_state=0,
        )
        model.fit(x, y, sample_weight=weights)
        scores = matrix @ model.coef_.ravel()
    elif clf == "nb":
        model = MultinomialNB(alpha=spec.get("alpha", 3.822))
        model.fit(x, y, sample_weight=weights)
        scores = matrix @ (model.feature_log_prob_[1] - model.feature_log_prob_[0])
    else:
        raise ValueError(clf)
    scores = np.asarray(scores, dtype=np.float64).ravel()
    if spec.get("knn"):
        similarity = matrix @ matrix[rows[y == 1]].T
        nearest = np.asarray(similarity.max(axis=1).todense()).ravel()
        w = spec["knn"]
        scores = (1 - w) * _std(scores) + w * _std(nearest)
    return scores


def cv_rank(features: Features, rows: np.ndarray, y: np.ndarray, spec: dict, folds: int) -> float:
    """How high a model fitted without them ranks the held-out relevant records: the mean
    fraction of unlabelled records scored above each (lower is better), over ``folds``
    folds of the relevant records (the irrelevant ones stay in every fit)."""
    relevant = np.flatnonzero(y == 1)
    unlabelled = np.setdiff1d(np.arange(features.matrix.shape[0]), rows)
    fractions = []
    for fold in range(folds):
        held = relevant[fold::folds]
        keep = np.setdiff1d(np.arange(len(rows)), held)
        scores = fit_scores(features, rows[keep], y[keep], spec)
        pool = np.sort(scores[unlabelled])
        above = len(pool) - np.searchsorted(pool, scores[rows[held]], side="right")
        fractions.extend(above / max(len(pool), 1))
    return float(np.mean(fractions))


def scorer_for(spec: dict):
    """A stateful ``simulate`` scorer: counts irrelevant records read in a row since the last
    relevant one (from the labels that appeared since its previous call) to switch models."""
    state = {"seen": np.empty(0, dtype=np.int64), "dry": 0, "switched": False}

    def scorer(features: Features, rows: np.ndarray, y: np.ndarray) -> np.ndarray:
        if len(rows) <= 2 or len(rows) < len(state["seen"]):  # a new simulation
            state.update(seen=np.empty(0, dtype=np.int64), dry=0, switched=False)
        new = ~np.isin(rows, state["seen"])
        if len(state["seen"]):
            if y[new].any():
                state["dry"] = 0
                if spec.get("revert", False):
                    state["switched"] = False
            else:
                state["dry"] += int(new.sum())
        state["seen"] = rows.copy()
        after = spec.get("after")
        if after is not None and state["dry"] >= after:
            state["switched"] = True
        if "select" in spec:
            return _selected(features, rows, y, spec, state)
        base = {
            k: v for k, v in spec.items() if k not in ("switch", "committee", "after", "revert")
        }
        if state["switched"] and "switch" in spec:
            return fit_scores(features, rows, y, base | spec["switch"])
        if state["switched"] and "committee" in spec:
            fuse = rankdata if spec.get("fusion", "rank") == "rank" else _std
            return sum(
                fuse(fit_scores(features, rows, y, base | member)) for member in spec["committee"]
            )
        return fit_scores(features, rows, y, base)

    return scorer


def markdown(variants: list[str], seeds: list[int]) -> None:
    """One Markdown table per variant (the figures docs/ranking-lexical.md keeps)."""
    base = harness.figures("u4", seeds)
    print(
        "| variant | sets | mean Δ WSS@95 | on the 5 small | mean Δ recall@10% | ≥ u4 on both "
        "| worst Δ WSS@95 |"
    )
    print("|---|---|---|---|---|---|---|")
    for variant in variants:
        rows = harness.figures(variant, seeds)
        if not rows:
            continue
        d_wss = {name: row[0] - base[name][0] for name, row in rows.items()}
        d_rec = [row[1] - base[name][1] for name, row in rows.items()]
        wins = sum(harness.at_least(row, base[name]) for name, row in rows.items())
        worst = min(d_wss, key=d_wss.get)
        small = [d_wss[name] for name in SMALL if name in d_wss]
        small_mean = f"{sum(small) / len(small):+.3f}" if len(small) == len(SMALL) else "-"
        print(
            f"| `{variant}` | {len(rows)} | {sum(d_wss.values()) / len(rows):+.3f} | {small_mean} | "
            f"{sum(d_rec) / len(rows):+.3f} | {wins}/{len(rows)} | {worst} {d_wss[worst]:+.3f} |"
        )
    for variant in variants:
        rows = harness.figures(variant, seeds)
        if not rows:
            continue
        harness.markdown_table(variant, LEXICAL[variant], rows, base)


def _selected(features: Features, rows: np.ndarray, y: np.ndarray, spec: dict, state: dict):
    """``select``: ELAS u4 until ``min_relevant`` relevant labels, then whichever candidate
    ranks held-out relevant records highest (``cv_rank``), chosen again whenever the number
    of relevant labels changes; ties keep the first candidate (u4)."""
    n_relevant = int(y.sum())
    candidates = spec["select"]
    if n_relevant < spec.get("min_relevant", 5):
        choice = 0
    elif state.get("chosen_at") == n_relevant:
        choice = state["choice"]
    else:
        folds = min(spec.get("folds", 3), n_relevant)
        losses = [cv_rank(features, rows, y, c, folds) for c in candidates]
        choice = int(np.argmin(losses))
        state.update(chosen_at=n_relevant, choice=choice)
    if len(rows) <= 2:
        state.pop("chosen_at", None)
    return fit_scores(features, rows, y, candidates[choice])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", default=list(LEXICAL), choices=list(LEXICAL))
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--markdown", action="store_true", help="tables for the docs")
    parser.add_argument("--no-u4", action="store_true", help="u4 is being run elsewhere")
    args = parser.parse_args()
    harness.VARIANTS.update(LEXICAL)
    if not args.report_only:
        if not args.no_u4:
            harness.run("u4", args.sets, args.seeds)
        for variant in args.variants:
            harness.run(variant, args.sets, args.seeds, scorer=scorer_for(LEXICAL[variant]))
    if args.markdown:
        markdown(args.variants, args.seeds)
    else:
        harness.report(args.variants, args.seeds)


if __name__ == "__main__":
    main()
