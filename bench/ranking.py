"""Relevance-ranking benchmark: our model vs random order vs ASReview LAB (measured or published).

Run from the repository root:

    .venv/bin/python bench/ranking.py [--seeds 1 2 3] [--sets ADHD nudging ...] [--model default]
                                      [--asreview /tmp/asr-venv/bin/asreview | none]

Finds the labelled sets in ../shared/data (or $REVIEWAPP_SHARED_DATA), simulates
every set with each seed (one random relevant and one random irrelevant record as
prior knowledge, as ASReview's figures do), prints WSS@95, recall after 10 % and
ATD (means over the seeds) beside ASReview LAB's, then times a retrain on
synthetic 10k and 100k-record corpora built by resampling real abstracts.

``--model semantic`` (ELAS u4 fused with an SVM on all-MiniLM-L6-v2 sentence
embeddings; needs the ``semantic`` extra) embeds each set once and caches the
vectors in var/embeddings-cache/ (keyed by a hash of the texts); the table then
also shows our ELAS u4 on the same priors ("u4" column), and the per-seed table
compares against it when ASReview itself is not installed.

ASReview's figures are measured when an ``asreview`` executable is at hand
(``--asreview``, else $ASREVIEW, else /tmp/asr-venv/bin/asreview): ``asreview
simulate`` with its default model runs on the same records with the same seeds
and the same prior records as our simulation (see bench/asreview_sim.py; runs
are cached in var/asreview-cache/), and its reading order is scored with our
metrics. Without one, the table shows the figures published in
../shared/data/README.md (ASReview LAB 3.0.8, seeds 1-3, its own priors).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from statistics import mean

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from asreview_sim import asreview_version, default_executable, run_asreview  # noqa: E402

from screening.ranking.dataset import load_labelled_csv  # noqa: E402
from screening.ranking.metrics import average_time_to_discovery, recall_at, wss  # noqa: E402
from screening.ranking.model import RankingModel, build_features  # noqa: E402
from screening.ranking.semantic import EMBEDDING_MODEL, embed_texts  # noqa: E402
from screening.ranking.simulate import MODELS, choose_priors, random_order, simulate  # noqa: E402

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


def scores(labels_in_order) -> tuple[float, float, float]:
    """(WSS@95, recall@10%, ATD as a fraction) of a reading order, priors excluded."""
    return (
        wss(labels_in_order, 0.95),
        recall_at(labels_in_order, 0.10),
        average_time_to_discovery(labels_in_order),
    )


def means(results: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Mean (WSS@95, recall@10%, ATD %) over the seeds."""
    return (
        mean(r[0] for r in results),
        mean(r[1] for r in results),
        100 * mean(r[2] for r in results),
    )


def run_asreview_seeds(
    name: str, path: Path, labels: dict, seeds: list[int], executable: str, ours: list
) -> dict:
    """Run ASReview on every seed with our priors; its metrics, per-seed WSS@95 and timing."""
    measured, seconds, cached = [], 0.0, 0
    for seed, our_run in zip(seeds, ours, strict=True):
        priors = choose_priors(labels, seed=seed)
        if tuple(priors) != our_run.prior_ids:
            raise RuntimeError(f"{name} seed {seed}: priors differ from our simulation's")
        run = run_asreview(path, priors, seed, executable, name=name)
        measured.append(scores(run.labels_in_order))
        seconds += run.seconds
        cached += run.cached
    return {
        "asr": means(measured),
        "asr_per_seed_wss95": [m[0] for m in measured],
        "asr_seconds": seconds,
        "asr_cached": cached,
    }


EMBEDDINGS_CACHE = ROOT / "var" / "embeddings-cache"


def set_embeddings(name: str, texts: dict) -> tuple[np.ndarray, float]:
    """The set's sentence embeddings in record order, computed once and cached; (array, s)."""
    import hashlib

    digest = hashlib.sha256("\x1e".join(texts.values()).encode()).hexdigest()[:16]
    path = EMBEDDINGS_CACHE / f"{name}-{EMBEDDING_MODEL}-{digest}.npy"
    if path.exists():
        return np.load(path), 0.0
    started = time.perf_counter()
    vectors = embed_texts(list(texts.values()))
    seconds = time.perf_counter() - started
    EMBEDDINGS_CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors, seconds


def run_set(
    name: str,
    path: Path,
    seeds: list[int],
    model: str,
    asreview: str | None = None,
) -> dict:
    """Simulate one set with every seed; mean metrics for the model, random order and ASReview.

    With ``asreview`` (an executable) ASReview LAB simulates the set too, with the
    same seeds and prior records; if that fails the row falls back to the
    published figures and keeps the error message.
    """
    data = load_labelled_csv(path)  # title + abstract, as ELAS u4 reads them
    started = time.perf_counter()
    features = build_features(data.texts, n_jobs=1)
    embed_seconds = 0.0
    if MODELS[model].uses_semantic:
        vectors, embed_seconds = set_embeddings(name, data.texts)
        features = features.with_dense(vectors)
    ours = [
        simulate(data.texts, data.labels, seed=seed, model=model, features=features)
        for seed in seeds
    ]
    randoms = [random_order(data.labels, seed=seed) for seed in seeds]
    row = {
        "name": name,
        "records": len(data.labels),
        "relevant": data.n_relevant,
        "ours": means([(r.wss95, r.recall_at_10, r.atd) for r in ours]),
        "per_seed_wss95": [r.wss95 for r in ours],
        "per_seed_recall10": [r.recall_at_10 for r in ours],
        "random": means([(r.wss95, r.recall_at_10, r.atd) for r in randoms]),
        "seconds": time.perf_counter() - started,
        "embed_seconds": embed_seconds,
    }
    if model not in ("default", "elas_u4"):
        # Our ELAS u4 on the same priors: what ASReview's default gives on every seed of
        # the sets under 1,000 records, and at most as good on the larger ones.
        u4 = [
            simulate(data.texts, data.labels, seed=seed, model="elas_u4", features=features)
            for seed in seeds
        ]
        row["u4"] = means([(r.wss95, r.recall_at_10, r.atd) for r in u4])
        row["u4_per_seed"] = [(r.wss95, r.recall_at_10) for r in u4]
    if asreview:
        try:
            row |= run_asreview_seeds(name, path, data.labels, seeds, asreview, ours)
        except (OSError, RuntimeError, ValueError, KeyError) as error:
            row["asr_error"] = f"{type(error).__name__}: {error}"
    return row


def print_table(
    rows: list[dict], published: dict, seeds: list[int], asreview: str | None = None
) -> None:
    """The side-by-side table; ✓ when ours is at least as good as ASReview's (per metric).

    The ASR columns hold ASReview's measured figures where a row has them
    (source "meas"), else its published ones ("publ").
    """
    print(f"\nSimulation, mean over seeds {seeds} (priors 1+1 excluded from the metrics)")
    if asreview:
        print(
            f"ASR = ASReview LAB {asreview} (elas_u4) measured here: same seeds, same prior "
            "records, scored with our metrics (src 'meas')"
        )
    else:
        print("ASR = no asreview executable (--asreview / $ASREVIEW): showing published figures")
    print(
        "      published = ../shared/data/README.md, ASReview LAB 3.0.8, seeds 1-3 with its own "
        "priors (src 'publ')"
    )
    header = (
        f"{'set':15} {'N':>5} {'rel':>4} | {'WSS@95':^20} | {'recall@10%':^20} | "
        f"{'ATD %':^20} | {'src':4} | {'vs ASReview':^11} | {'s':>4} | {'ASR s':>5}"
    )
    print(header)
    print(f"{'':26}| {'ours  rand  ASR':^20} | {'ours  rand  ASR':^20} | {'ours  rand  ASR':^20} |")
    print("-" * len(header))
    wins = 0
    errors = []
    for row in rows:
        ours, rnd = row["ours"], row["random"]
        if "asr" in row:
            asr, source = row["asr"], "meas"
            # Both measured: compare at the precision the table shows.
            asr = (round(asr[0], 3), round(asr[1], 3), round(asr[2], 1))
            asr_seconds = f"{row['asr_seconds']:5.0f}"
            if row["asr_cached"]:
                asr_seconds += f" ({row['asr_cached']}/{len(seeds)} cached)"
        else:
            asr, source, asr_seconds = published.get(row["name"]), "publ", "    -"
            if "asr_error" in row:
                errors.append(f"{row['name']}: {row['asr_error']}")
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
            mark, asr_text, source = "  n/a", ["  -  "] * 3, " -  "
        print(
            f"{row['name']:15} {row['records']:5} {row['relevant']:4} | "
            f"{ours[0]:.3f} {rnd[0]:6.3f} {asr_text[0]:>6} | "
            f"{ours[1]:.3f} {rnd[1]:6.3f} {asr_text[1]:>6} | "
            f"{ours[2]:5.1f} {rnd[2]:5.1f} {asr_text[2]:>6}  | {source:4} | {mark:^11} | "
            f"{row['seconds']:4.0f} | {asr_seconds}"
        )
    if rows:
        print("-" * len(header))
        measured = [r for r in rows if "asr" in r]
        asr_means = ["", "", ""]
        if len(measured) == len(rows):
            asr_means = [
                f"{mean(r['asr'][0] for r in rows):.3f}",
                f"{mean(r['asr'][1] for r in rows):.3f}",
                f"{mean(r['asr'][2] for r in rows):4.1f}",
            ]
        print(
            f"{'mean':26}| {mean(r['ours'][0] for r in rows):.3f} "
            f"{mean(r['random'][0] for r in rows):6.3f} {asr_means[0]:>6} | "
            f"{mean(r['ours'][1] for r in rows):.3f} "
            f"{mean(r['random'][1] for r in rows):6.3f} {asr_means[1]:>6} | "
            f"{mean(r['ours'][2] for r in rows):5.1f} "
            f"{mean(r['random'][2] for r in rows):5.1f} {asr_means[2]:>6}  |"
        )
        kind = (
            "measured"
            if len(measured) == len(rows)
            else "published"
            if not measured
            else f"measured on {len(measured)}, published on {len(rows) - len(measured)}"
        )
        print(
            f"sets at least as good as ASReview ({kind}) on all three metrics: {wins}/{len(rows)}"
        )
    for error in errors:
        print(f"ASReview run failed, published figures shown: {error}")
    if any("asr" in r for r in rows):
        print_per_seed(rows, seeds)


def print_per_seed(rows: list[dict], seeds: list[int]) -> None:
    """WSS@95 of every seed, ours beside ASReview's measured one, so the noise is visible."""
    print("\nWSS@95 per seed: ours / ASReview measured (same priors); Δ = mean difference")
    header = f"{'set':15} | " + " | ".join(f"{'seed ' + str(s):^13}" for s in seeds)
    header += f" | {'Δ':>6} | {'ours ≥ ASR':>10}"
    print(header)
    print("-" * len(header))
    for row in rows:
        if "asr" not in row:
            continue
        pairs = list(zip(row["per_seed_wss95"], row["asr_per_seed_wss95"], strict=True))
        cells = " | ".join(f"{o:.3f} / {a:.3f}" for o, a in pairs)
        delta = mean(o - a for o, a in pairs)
        better = sum(round(o, 3) >= round(a, 3) for o, a in pairs)
        print(f"{row['name']:15} | {cells} | {delta:+6.3f} | {better:>4}/{len(pairs)}")


def print_vs_u4(rows: list[dict], seeds: list[int], model: str) -> None:
    """The model beside our ELAS u4 (ASReview's default) on the same priors, per set and seed."""
    rows = [r for r in rows if "u4" in r]
    if not rows:
        return
    print(f"\n{model} vs ELAS u4 (ours, same priors): WSS@95 and recall@10% per seed, ours / u4")
    header = f"{'set':15} | " + " | ".join(f"{'seed ' + str(s):^27}" for s in seeds)
    header += f" | {'Δ WSS@95':>8} | {'Δ rec@10':>8} | {'≥ u4':>4}"
    print(header)
    print("-" * len(header))
    wins = 0
    for row in rows:
        cells = []
        for wss95, recall10, (u4_wss, u4_recall) in zip(
            row["per_seed_wss95"], row["per_seed_recall10"], row["u4_per_seed"], strict=True
        ):
            cells.append(f"{wss95:.3f}/{u4_wss:.3f} {recall10:.2f}/{u4_recall:.2f}")
        d_wss = row["ours"][0] - row["u4"][0]
        d_recall = row["ours"][1] - row["u4"][1]
        ok = round(d_wss, 3) >= 0 and round(d_recall, 3) >= 0
        wins += ok
        print(
            f"{row['name']:15} | " + " | ".join(cells) + f" | {d_wss:+8.3f} | {d_recall:+8.3f} | "
            f"{'✓' if ok else '✗':>4}"
        )
    print("-" * len(header))
    d_mean = mean(r["ours"][0] for r in rows) - mean(r["u4"][0] for r in rows)
    print(
        f"mean WSS@95 {mean(r['ours'][0] for r in rows):.3f} vs u4 "
        f"{mean(r['u4'][0] for r in rows):.3f} (Δ {d_mean:+.3f}); mean recall@10% "
        f"{mean(r['ours'][1] for r in rows):.3f} vs {mean(r['u4'][1] for r in rows):.3f}; "
        f"sets at least as good on both: {wins}/{len(rows)}"
    )
    embedded = [r for r in rows if r.get("embed_seconds")]
    if embedded:
        n = sum(r["records"] for r in embedded)
        seconds = sum(r["embed_seconds"] for r in embedded)
        print(f"embedding: {n} records in {seconds:.0f} s ({1000 * seconds / n:.0f} s per 1,000)")


def time_retrain(
    texts: list[str], n_records: int, repeats: int = 1, model: str = "default"
) -> tuple[float, float, float]:
    """Seconds to (build features, fit + score all unlabelled, both) on a resampled corpus.

    For a semantic model the stored vectors are stood in for by random unit vectors
    (embedding is a one-off cost per record, paid in a worker after import; the
    simulation reports its rate), so this times what every retrain pays: loading
    nothing new, fitting both SVMs and scoring both blocks.
    """
    rng = random.Random(n_records)
    corpus = {i: texts[rng.randrange(len(texts))] for i in range(n_records)}
    # A realistic mid-review state: 10 % screened, 5 % of those relevant.
    labels = {i: int(rng.random() < 0.05) for i in range(n_records // 10)}
    labels[0], labels[1] = 1, 0
    started = time.perf_counter()
    features = build_features(corpus)
    built = time.perf_counter() - started
    settings = MODELS[model]
    if settings.uses_semantic:
        vectors = np.random.default_rng(n_records).standard_normal((n_records, 384))
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        features = features.with_dense(vectors.astype(np.float32))
    fits = []
    for _ in range(repeats):
        started = time.perf_counter()
        fitted = RankingModel.fit(features, labels, settings)
        fitted.rank_unlabelled(features)
        fits.append(time.perf_counter() - started)
    return built, min(fits), built + min(fits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    parser.add_argument("--model", default="default", choices=list(MODELS))
    parser.add_argument("--skip-timing", action="store_true")
    parser.add_argument("--jobs", type=int, default=2, help="sets simulated in parallel")
    parser.add_argument(
        "--asreview",
        default=default_executable(),
        metavar="PATH",
        help="asreview executable to measure ASReview LAB with (default: $ASREVIEW or "
        "/tmp/asr-venv/bin/asreview if it exists); 'none' shows the published figures",
    )
    args = parser.parse_args()

    data_dir = shared_data()
    if not data_dir.is_dir():
        sys.exit(f"shared data not found at {data_dir} (set REVIEWAPP_SHARED_DATA)")
    published = asreview_figures(data_dir / "README.md")
    asreview = None if (args.asreview or "none").lower() == "none" else args.asreview
    version = None
    if asreview:
        try:
            version = asreview_version(asreview)
        except (OSError, subprocess.SubprocessError) as error:
            print(f"cannot run {asreview} ({error}); showing ASReview's published figures")
            asreview = None
    print(f"model={args.model} (title + abstract) data={data_dir}")
    if asreview:
        print(f"asreview={asreview} ({version}; title + abstract, no keywords, as it reads them)")

    started = time.perf_counter()
    # Largest sets first so the two workers finish together.
    order = sorted(args.sets, key=lambda n: -(data_dir / SETS[n]).stat().st_size)
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = {
            name: pool.submit(
                run_set,
                name,
                data_dir / SETS[name],
                args.seeds,
                args.model,
                asreview,
            )
            for name in order
        }
        rows = [futures[name].result() for name in args.sets]
    print_table(rows, published, args.seeds, version)
    print_vs_u4(rows, args.seeds, args.model)
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
        built, fitted, total = time_retrain(texts, n_records, model=args.model)
        verdict = "✓" if total <= target else "✗"
        print(
            f"{n_records:8} | {built:8.2f}s | {fitted:8.2f}s | {total:5.2f}s | ≤ {target:.0f} s {verdict}"
        )


if __name__ == "__main__":
    main()
