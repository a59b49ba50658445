"""Relevance-ranking benchmark: our model vs random order vs ASReview LAB's published figures.

Run from the repository root:

    .venv/bin/python bench/ranking.py [--seeds 1 2 3] [--sets ADHD nudging ...] [--model default]

Finds the labelled sets in ../shared/data (or $REVIEWAPP_SHARED_DATA), simulates
every set with each seed (one random relevant and one random irrelevant record as
prior knowledge, as ASReview's figures do), prints WSS@95, recall after 10 % and
ATD (means over the seeds) beside ASReview LAB 3.0.8's, then times a retrain on
synthetic 10k and 100k-record corpora built by resampling real abstracts.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from statistics import mean

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screening.ranking.dataset import load_labelled_csv  # noqa: E402
from screening.ranking.model import RankingModel, build_features  # noqa: E402
from screening.ranking.simulate import MODELS, random_order, simulate  # noqa: E402

SETS = {
    "ACEInhibitors": "screening/cohen2006/ACEInhibitors.csv",
    "ADHD": "screening/cohen2006/ADHD.csv",
    "Antihistamines": "screening/cohen2006/Antihistamines.csv",
    "BetaBlockers": "screening/cohen2006/BetaBlockers.csv",
    "Estrogens": "screening/cohen2006/Estrogens.csv",
    "NSAIDS": "screening/cohen2006/NSAIDS.csv",
    "Triptans": "screening/cohen2006/Triptans.csv",
    "nudging": "screening/ferdinands/nudging.csv",
    "Kitchenham": "screening/kitchenham/Kitchenham.csv",
}


def shared_data() -> Path:
    """Where ../shared/data is (overridable with $REVIEWAPP_SHARED_DATA)."""
    return Path(os.environ.get("REVIEWAPP_SHARED_DATA", ROOT.parent / "shared" / "data"))


def asreview_figures(readme: Path) -> dict[str, tuple[float, float, float]]:
    """ASReview LAB's published (WSS@95, recall@10%, ATD%) per set, read from the README table."""
    figures = {}
    row = re.compile(
        r"^\|\s*[\w]+/(\w+)\s*\|\s*\d+\s*\|\s*\d+\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|"
    )
    for line in readme.read_text(encoding="utf-8").splitlines():
        match = row.match(line)
        if match:
            figures[match.group(1)] = tuple(float(match.group(i)) for i in (2, 3, 4))
    return figures


def run_set(name: str, path: Path, seeds: list[int], model: str, use_keywords: bool) -> dict:
    """Simulate one set with every seed; return mean metrics for the model and random order."""
    data = load_labelled_csv(path, use_keywords=use_keywords)
    started = time.perf_counter()
    features = build_features(data.texts, n_jobs=1)
    ours = [
        simulate(data.texts, data.labels, seed=seed, model=model, features=features)
        for seed in seeds
    ]
    randoms = [random_order(data.labels, seed=seed) for seed in seeds]

    def means(results):
        return (
            mean(r.wss95 for r in results),
            mean(r.recall_at_10 for r in results),
            100 * mean(r.atd for r in results),
        )

    return {
        "name": name,
        "records": len(data.labels),
        "relevant": data.n_relevant,
        "ours": means(ours),
        "per_seed_wss95": [r.wss95 for r in ours],
        "random": means(randoms),
        "seconds": time.perf_counter() - started,
    }


def print_table(rows: list[dict], published: dict, seeds: list[int]) -> None:
    """The side-by-side table; ✓ when ours is at least as good as ASReview's (per metric)."""
    print(f"\nSimulation, mean over seeds {seeds} (priors 1+1 excluded from the metrics)")
    header = (
        f"{'set':15} {'N':>5} {'rel':>4} | {'WSS@95':^20} | {'recall@10%':^20} | "
        f"{'ATD %':^20} | {'vs ASReview':^11} | {'s':>4}"
    )
    print(header)
    print(f"{'':26}| {'ours  rand  ASR':^20} | {'ours  rand  ASR':^20} | {'ours  rand  ASR':^20} |")
    print("-" * len(header))
    wins = 0
    for row in rows:
        asr = published.get(row["name"])
        ours, rnd = row["ours"], row["random"]
        if asr:
            # Compare at the precision ASReview's figures are published with.
            marks = [
                round(ours[0], 3) >= asr[0],
                round(ours[1], 3) >= asr[1],
                round(ours[2], 1) <= asr[2],
            ]
            mark = " ".join("✓" if ok else "✗" for ok in marks)
            wins += all(marks)
            asr_text = [f"{asr[0]:.3f}", f"{asr[1]:.3f}", f"{asr[2]:4.1f}"]
        else:
            mark, asr_text = "  n/a", ["  -  "] * 3
        print(
            f"{row['name']:15} {row['records']:5} {row['relevant']:4} | "
            f"{ours[0]:.3f} {rnd[0]:6.3f} {asr_text[0]:>6} | "
            f"{ours[1]:.3f} {rnd[1]:6.3f} {asr_text[1]:>6} | "
            f"{ours[2]:5.1f} {rnd[2]:5.1f} {asr_text[2]:>6}  | {mark:^11} | {row['seconds']:4.0f}"
        )
    if rows:
        print("-" * len(header))
        print(
            f"{'mean':26}| {mean(r['ours'][0] for r in rows):.3f}{'':14}| "
            f"{mean(r['ours'][1] for r in rows):.3f}{'':14}| {mean(r['ours'][2] for r in rows):5.1f}"
        )
        print(f"sets at least as good as ASReview on all three metrics: {wins}/{len(rows)}")


def time_retrain(texts: list[str], n_records: int, repeats: int = 1) -> tuple[float, float, float]:
    """Seconds to (build features, fit + score all unlabelled, both) on a resampled corpus."""
    rng = random.Random(n_records)
    corpus = {i: texts[rng.randrange(len(texts))] for i in range(n_records)}
    # A realistic mid-review state: 10 % screened, 5 % of those relevant.
    labels = {i: int(rng.random() < 0.05) for i in range(n_records // 10)}
    labels[0], labels[1] = 1, 0
    started = time.perf_counter()
    features = build_features(corpus)
    built = time.perf_counter() - started
    fits = []
    for _ in range(repeats):
        started = time.perf_counter()
        model = RankingModel.fit(features, labels)
        model.rank_unlabelled(features)
        fits.append(time.perf_counter() - started)
    return built, min(fits), built + min(fits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    parser.add_argument("--model", default="default", choices=list(MODELS))
    parser.add_argument("--no-keywords", action="store_true", help="rank on title + abstract only")
    parser.add_argument("--skip-timing", action="store_true")
    parser.add_argument("--jobs", type=int, default=2, help="sets simulated in parallel")
    args = parser.parse_args()

    data_dir = shared_data()
    if not data_dir.is_dir():
        sys.exit(f"shared data not found at {data_dir} (set REVIEWAPP_SHARED_DATA)")
    published = asreview_figures(data_dir / "README.md")
    print(f"model={args.model} keywords={'no' if args.no_keywords else 'yes'} data={data_dir}")

    started = time.perf_counter()
    # Largest sets first so the two workers finish together.
    order = sorted(args.sets, key=lambda n: -(data_dir / SETS[n]).stat().st_size)
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = {
            name: pool.submit(
                run_set, name, data_dir / SETS[name], args.seeds, args.model, not args.no_keywords
            )
            for name in order
        }
        rows = [futures[name].result() for name in args.sets]
    print_table(rows, published, args.seeds)
    print(f"simulation wall time: {time.perf_counter() - started:.0f} s")

    if args.skip_timing:
        return
    texts = []
    for name in SETS:
        texts.extend(load_labelled_csv(data_dir / SETS[name]).texts.values())
    print(
        f"\nRetrain timing ({os.cpu_count()} cores; corpora resampled from {len(texts)} real records)"
    )
    print(f"{'records':>8} | {'features':>9} | {'fit+score':>9} | {'total':>6} | target")
    for n_records, target in ((10_000, 2.0), (100_000, 15.0)):
        built, fitted, total = time_retrain(texts, n_records)
        verdict = "✓" if total <= target else "✗"
        print(
            f"{n_records:8} | {built:8.2f}s | {fitted:8.2f}s | {total:5.2f}s | ≤ {target:.0f} s {verdict}"
        )


if __name__ == "__main__":
    main()
