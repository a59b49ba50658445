"""Candidate ranking models against ELAS u4, per set and chosen leave-one-set-out (issue 19).

Run from the repository root:

    nice -n 15 .venv/bin/python bench/ranking_variants.py [--variants u4 neg100 lr ...]
                                                         [--seeds 1 2 3] [--sets ADHD ...]
                                                         [--report-only]

Every variant is simulated on every labelled set of bench/ranking.py with the same
priors (one relevant, one irrelevant record per seed) and the same refit schedule as
``screening.ranking.simulate`` (the variant only replaces the model's fit, through
``simulate(..., scorer=...)``), in one process, one simulation at a time. Results are
cached per variant in var/ranking-variants/ (one JSON, "set:seed" -> WSS@95,
recall@10%, ATD, seconds), so a rerun only simulates what is missing.

The report shows each variant beside ELAS u4 (ours, which reads the records in
ASReview LAB's exact order on the sets under 1,000 records and is at least as good as
ASReview on the larger ones; see README "Benchmarks"), then the leave-one-set-out
choice the issue asks for: for each held-out set, among the variants that are at least
as good as u4 on WSS@95 and recall@10% on every *other* set (u4 always qualifies), the
one with the best mean WSS@95 over the other sets, and what it does to the held-out set.

Variants (``VARIANTS``; every one is ELAS u4's TF-IDF and linear SVM, C = 0.11, with
ASReview's include weighting, plus):

* ``negN`` — Cormack & Grossman's CAL/BMI trick: N records drawn at random from the
  unlabelled ones join the training set as "presumed irrelevant", drawn afresh at each
  refit (seeded by the number of labels, so the same labels give the same model);
  ``cap10``: at most 10 % of the unlabelled records; ``w05``: each weighs half a
  labelled exclude; ``late``: only once 10 % of the records are labelled (so the
  early ranking, hence recall@10%, is ELAS u4's).
* ``lr`` / ``nb_rank`` — the SVM fused with a logistic regression (standardised scores,
  0.5 / 0.5) or with ASReview's naive Bayes (rank fusion, 0.5 / 0.5; ``nb_rank03``:
  0.7 / 0.3) on the same rows; ``nb_rank_neg100latew05``: both ideas at once.
* a spec may also set ``C`` and ``ratio`` (the include weight); ModelSettings records
  what other values did.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from statistics import mean

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ranking import SETS, shared_data  # noqa: E402
from scipy.stats import rankdata  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.naive_bayes import MultinomialNB  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from screening.ranking.dataset import load_labelled_csv  # noqa: E402
from screening.ranking.model import Features, _sample_weights, build_features  # noqa: E402
from screening.ranking.simulate import simulate  # noqa: E402

CACHE = ROOT / "var" / "ranking-variants"

VARIANTS: dict[str, dict] = {
    "u4": {},
    "neg20": {"neg": 20},
    "neg100": {"neg": 100},
    "neg100cap10": {"neg": 100, "neg_cap": 0.1},
    "neg100cap10w05": {"neg": 100, "neg_cap": 0.1, "neg_w": 0.5},
    "neg100late": {"neg": 100, "neg_cap": 0.1, "neg_after": 0.1},
    "neg100latew05": {"neg": 100, "neg_cap": 0.1, "neg_after": 0.1, "neg_w": 0.5},
    # Not in the README tables: one seed of ACEInhibitors did not finish in 8 minutes.
    "lr": {"fuse": "lr"},
    "nb_rank": {"fuse": "nb", "fuse_mode": "rank"},
    "nb_rank03": {"fuse": "nb", "fuse_mode": "rank", "fuse_w": 0.3},
    "nb_rank_neg100latew05": {
        "fuse": "nb",
        "fuse_mode": "rank",
        "neg": 100,
        "neg_cap": 0.1,
        "neg_after": 0.1,
        "neg_w": 0.5,
    },
}


def scorer_for(spec: dict):
    """A ``simulate`` scorer: ELAS u4 changed as ``spec`` says (see the module docstring)."""
    c, ratio = spec.get("C", 0.11), spec.get("ratio", 9.8)

    def scorer(features: Features, rows: np.ndarray, y: np.ndarray) -> np.ndarray:
        matrix = features.matrix
        presumed = np.zeros(len(rows), dtype=bool)
        late = len(rows) >= spec.get("neg_after", 0) * matrix.shape[0]
        if spec.get("neg") and late:
            unlabelled = np.setdiff1d(np.arange(matrix.shape[0]), rows)
            k = int(spec["neg"])
            if spec.get("neg_cap"):
                k = min(k, int(spec["neg_cap"] * len(unlabelled)))
            k = min(k, len(unlabelled))
            if k > 0:
                extra = np.random.default_rng(len(rows)).choice(unlabelled, k, replace=False)
                rows = np.concatenate([rows, extra])
                y = np.concatenate([y, np.zeros(k, dtype=y.dtype)])
                presumed = np.concatenate([presumed, np.ones(k, dtype=bool)])
        weights = _sample_weights(y, ratio)
        if spec.get("neg_w") is not None:
            weights = np.where(presumed, weights * spec["neg_w"], weights)
        x = matrix[rows]
        svm = LinearSVC(C=c, loss="squared_hinge", dual=True, max_iter=5000, random_state=0)
        svm.fit(x, y, sample_weight=weights)
        scores = matrix @ svm.coef_.ravel()
        if not spec.get("fuse"):
            return scores
        if spec["fuse"] == "lr":
            other_model = LogisticRegression(C=1.0, solver="liblinear", max_iter=1000)
            other_model.fit(x, y, sample_weight=weights)
            other = matrix @ other_model.coef_.ravel()
        else:  # ASReview's ELAS u3 naive Bayes
            bayes = MultinomialNB(alpha=3.822)
            bayes.fit(x, y, sample_weight=_sample_weights(y, 1.2))
            other = matrix @ (bayes.feature_log_prob_[1] - bayes.feature_log_prob_[0])
        weight = spec.get("fuse_w", 0.5)
        if spec.get("fuse_mode") == "rank":
            return (1 - weight) * rankdata(scores) + weight * rankdata(other)
        return (1 - weight) * scores / (np.std(scores) or 1) + weight * other / (np.std(other) or 1)

    return scorer


def variant_arguments(description: str, variants) -> argparse.ArgumentParser:
    """The command line every variants script shares: which variants (default: all of
    `variants`), seeds and sets, and whether to print the cached figures or the docs'
    tables instead of running."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--variants", nargs="+", default=list(variants), choices=list(variants))
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    parser.add_argument("--report-only", action="store_true", help="print the cached figures")
    parser.add_argument("--markdown", action="store_true", help="print the docs tables")
    return parser


def missing_runs(path: Path, sets: list[str], seeds: list[int]):
    """For each set with a seed not in the cache file `path`: (the cache's figures so far,
    the set's name, its data, its features, the seeds missing)."""
    done = json.loads(path.read_text()) if path.exists() else {}
    for name in sets:
        todo = [s for s in seeds if f"{name}:{s}" not in done]
        if not todo:
            continue
        data = load_labelled_csv(shared_data() / SETS[name])
        yield done, name, data, build_features(data.texts, n_jobs=1), todo


def run(variant: str, sets: list[str], seeds: list[int], scorer=None) -> None:
    """Simulate what is missing from the variant's cache, one set and seed at a time.

    ``scorer`` replaces ``scorer_for(VARIANTS[variant])`` (bench/ranking_variants_lexical.py)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{variant}.json"
    scorer = scorer or scorer_for(VARIANTS[variant])
    for done, name, data, features, todo in missing_runs(path, sets, seeds):
        for seed in todo:
            started = time.perf_counter()
            result = simulate(data.texts, data.labels, seed=seed, features=features, scorer=scorer)
            seconds = time.perf_counter() - started
            done[f"{name}:{seed}"] = [result.wss95, result.recall_at_10, result.atd, seconds]
            path.write_text(json.dumps(done, indent=0))
            print(f"{variant} {name} seed {seed}: WSS@95 {result.wss95:.3f}", flush=True)


def figures(variant: str, seeds: list[int]) -> dict[str, tuple[float, float, float]]:
    """{set: mean (WSS@95, recall@10%, ATD %)} over the seeds, sets with every seed cached."""
    path = CACHE / f"{variant}.json"
    done = json.loads(path.read_text()) if path.exists() else {}
    out = {}
    for name in SETS:
        rows = [done.get(f"{name}:{s}") for s in seeds]
        if all(rows):
            out[name] = (
                mean(r[0] for r in rows),
                mean(r[1] for r in rows),
                100 * mean(r[2] for r in rows),
            )
    return out


def at_least(a: tuple, b: tuple) -> bool:
    """Whether ``a`` is at least as good as ``b`` on WSS@95 and recall@10% (3 decimals)."""
    return round(a[0] - b[0], 3) >= 0 and round(a[1] - b[1], 3) >= 0


def against_u4(rows: dict, base: dict) -> list[tuple[str, tuple, tuple, bool]]:
    """Per set with a u4 figure: (set, the variant's figures, u4's, at least as good)."""
    return [
        (name, row, base[name], at_least(row, base[name]))
        for name, row in rows.items()
        if name in base
    ]


def u4_summary(rows: dict, base: dict) -> tuple[list, list[float], int]:
    """`against_u4`'s rows, the Δ WSS@95 of each, and how many sets are at least as good."""
    compared = against_u4(rows, base)
    deltas = [row[0] - u4[0] for _, row, u4, _ in compared]
    return compared, deltas, sum(ok for *_, ok in compared)


def leave_one_set_out(
    complete: dict, base: dict
) -> list[tuple[str, list[tuple[str, float, float]]]]:
    """For each held-out set, the two rules' picks among `complete` (variant -> figures on
    every set, u4 included) and what each does to that set: [(held, [(pick, Δ WSS@95,
    Δ recall@10%) for the strict rule, then the plain one])]. Strict: the best mean WSS@95
    over the other sets among variants at least as good as u4 on every one of them (u4
    always is); plain: the best mean over the other sets, losses allowed."""
    chosen = []
    for held in SETS:
        others = [s for s in SETS if s != held]

        def gain(v, others=others):
            return mean(complete[v][s][0] - base[s][0] for s in others)

        clean = [v for v in complete if all(at_least(complete[v][s], base[s]) for s in others)]
        picks = [
            (pick, complete[pick][held][0] - base[held][0], complete[pick][held][1] - base[held][1])
            for pick in (max(clean, key=gain), max(complete, key=gain))
        ]
        chosen.append((held, picks))
    return chosen


def markdown_table(variant: str, spec: object, rows: dict, base: dict) -> None:
    """One variant's figures per set beside u4's, as a markdown table (the docs' tables)."""
    print(f"\n#### `{variant}`: `{spec}`\n")
    print("| set | WSS@95 | u4 | Δ WSS@95 | recall@10% | u4 | Δ recall@10% | ≥ u4 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | :---: |")
    compared, deltas, wins = u4_summary(rows, base)
    for name, row, u4, ok in compared:
        print(
            f"| {name} | {row[0]:.3f} | {u4[0]:.3f} | {row[0] - u4[0]:+.3f} | {row[1]:.3f} | "
            f"{u4[1]:.3f} | {row[1] - u4[1]:+.3f} | {'✓' if ok else '✗'} |"
        )
    print(
        f"| **mean** ({len(deltas)} sets) | | | **{mean(deltas):+.3f}** | | | | {wins}/{len(deltas)} |"
    )


def markdown_delta_table(table: dict[str, dict], base: dict) -> None:
    """Δ WSS@95 / Δ recall@10% against u4 per set (rows) and variant (columns), with each
    variant's mean Δ WSS@95 and sets at least as good as u4 (the docs' compact tables)."""
    print("| set | u4 WSS@95 | " + " | ".join(f"`{v}`" for v in table) + " |")
    print("| --- | ---: |" + " ---: |" * len(table))
    for name in SETS:
        if name not in base:
            continue
        cells = []
        for rows in table.values():
            if name not in rows:
                cells.append("")
                continue
            row, u4 = rows[name], base[name]
            mark = "" if at_least(row, u4) else " ✗"
            cells.append(f"{row[0] - u4[0]:+.3f} / {row[1] - u4[1]:+.3f}{mark}")
        print(f"| {name} | {base[name][0]:.3f} | " + " | ".join(cells) + " |")
    means = []
    for rows in table.values():
        _, deltas, wins = u4_summary(rows, base)
        means.append(f"**{mean(deltas):+.3f}** ({wins}/{len(deltas)} ≥ u4)" if deltas else "")
    sizes = {len(rows) for rows in table.values()}
    n_sets = f"{sizes.pop()} sets" if len(sizes) == 1 else "sets run"
    print(f"| **mean Δ WSS@95** ({n_sets}) | | " + " | ".join(means) + " |")


def markdown_leave_one_set_out(complete: dict, base: dict) -> None:
    """`leave_one_set_out` over `complete` (u4 included) as the docs' markdown table, with
    each rule's mean Δ WSS@95 and held-out sets lost."""
    if len(complete) < 2:
        return
    print(f"\n#### Leave one set out over {len(complete)} configurations complete on all 9 sets\n")
    print(
        "| held-out set | strict pick | Δ WSS@95 | Δ rec@10% | plain pick | Δ WSS@95 | Δ rec@10% |"
    )
    print("| --- | --- | ---: | ---: | --- | ---: | ---: |")
    strict, plain = [], []
    for held, picks in leave_one_set_out(complete, base):
        cells = [f"`{pick}` | {d_wss:+.3f} | {d_recall:+.3f}" for pick, d_wss, d_recall in picks]
        strict.append(picks[0][1:])
        plain.append(picks[1][1:])
        print(f"| {held} | {cells[0]} | {cells[1]} |")
    for label, picks in (("strict", strict), ("plain", plain)):
        lost = sum(1 for d_wss, d_recall in picks if round(d_wss, 3) < 0 or round(d_recall, 3) < 0)
        print(
            f"\n{label}: mean Δ WSS@95 {mean(d for d, _ in picks):+.3f}, "
            f"held-out sets worse than u4 on either metric: {lost}/{len(picks)}"
        )


def report(variants: list[str], seeds: list[int]) -> None:
    base = figures("u4", seeds)
    table = {v: figures(v, seeds) for v in variants if v != "u4"}
    for variant, rows in table.items():
        print(f"\n{variant} {VARIANTS[variant]} vs ELAS u4, mean of seeds {seeds}")
        print(f"{'set':15} | {'WSS@95':^13} | {'recall@10%':^13} | {'ATD %':^11} | Δ WSS  | ≥ u4")
        compared, deltas, wins = u4_summary(rows, base)
        for name, row, u4, ok in compared:
            print(
                f"{name:15} | {row[0]:.3f} {u4[0]:.3f} | {row[1]:.3f} {u4[1]:.3f} | "
                f"{row[2]:4.1f} {u4[2]:4.1f} | {row[0] - u4[0]:+.3f} | {'✓' if ok else '✗'}"
            )
        if deltas:
            print(
                f"mean Δ WSS@95 {mean(deltas):+.3f}; at least as good on both: {wins}/{len(deltas)}"
            )
    complete = {"u4": base} | {v: r for v, r in table.items() if len(r) == len(SETS)}
    if len(base) < len(SETS) or len(complete) < 2:
        return
    print(f"\nLeave one set out over {list(complete)}")
    print("strict: best mean WSS@95 among variants at least as good as u4 on every other set")
    print("loose: best mean WSS@95 over the other sets, losses allowed (for comparison)")
    strict, loose = [], []
    for held, picks in leave_one_set_out(complete, base):
        cells = [
            f"{pick:15} Δ WSS@95 {d_wss:+.3f} Δ rec@10% {d_recall:+.3f}"
            for pick, d_wss, d_recall in picks
        ]
        strict.append(picks[0][1])
        loose.append(picks[1][1])
        print(f"{held:15} strict {cells[0]} | loose {cells[1]}")
    print(
        f"mean Δ WSS@95 of the held-out choices: strict {mean(strict):+.3f}, "
        f"loose {mean(loose):+.3f} (target ≥ +0.03 with no set lost)"
    )


def main() -> None:
    parser = variant_arguments(__doc__.splitlines()[0], VARIANTS)
    parser.set_defaults(variants=[v for v in VARIANTS if v != "lr"])  # lr is slow
    args = parser.parse_args()
    if not args.report_only:
        for variant in dict.fromkeys(["u4", *args.variants]):
            run(variant, args.sets, args.seeds)
    report(args.variants, args.seeds)


if __name__ == "__main__":
    main()
