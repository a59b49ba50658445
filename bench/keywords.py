"""Keywords/MeSH as a separate feature block, chosen leave-one-set-out.

Run from the repository root:

    .venv/bin/python bench/keywords.py [--weights 0.1 0.3] [--seeds 1 2 3] [--jobs 2]

For every labelled set in ../shared/data/screening that has a keyword column, each
seed is simulated (one relevant and one irrelevant prior, as bench/ranking.py) with
ELAS u4 on title + abstract (weight 0) and with a keyword block of each weight beside
the words (``screening/ranking/keywords.py``). Sets without keywords (nudging,
Kitchenham, ACEInhibitors' file) get identical features at every weight, so their
figures do not move. Then, leave one set out: for each set the weight is the one with
the best mean WSS@95 over the *other* sets, and the set's change at that weight is
what enabling the block by rule would have done to a review we had not looked at.
Results are cached in var/keywords-cache/ (one JSON per set, weight and seed).

``--fused`` tries the other way of adding keywords: a second linear SVM on the
keyword TF-IDF alone, its scores fused with ELAS u4's by standardised score with
weight w (the semantic block's fusion, ``ModelSettings.semantic_weight``, with the
keyword matrix standing in for the embeddings).
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from statistics import mean

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ranking import SETS, shared_data  # noqa: E402

from screening.ranking.dataset import load_labelled_csv  # noqa: E402
from screening.ranking.keywords import keyword_matrix, with_keyword_block  # noqa: E402
from screening.ranking.model import ELAS_U4, ModelSettings, build_features  # noqa: E402
from screening.ranking.simulate import simulate  # noqa: E402

CACHE = ROOT / "var" / "keywords-cache"


def run(
    name: str, weights: list[float], seeds: list[int], fused: bool = False
) -> dict[float, list[tuple]]:
    """{weight: [(wss95, recall@10%) per seed]} for one set (cached)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    data = load_labelled_csv(shared_data() / SETS[name])
    words = None
    out: dict[float, list[tuple]] = {}
    for weight in weights:
        out[weight] = []
        for seed in seeds:
            kind = "fused-" if fused and weight else ""
            path = CACHE / f"{kind}{name}-w{weight}-s{seed}.json"
            if path.exists():
                out[weight].append(tuple(json.loads(path.read_text())))
                continue
            if words is None:
                words = build_features(data.texts, n_jobs=1)
            settings = ELAS_U4
            if fused and weight:
                block = keyword_matrix(words.record_ids, data.keywords).toarray()
                features = words.with_dense(block)
                settings = ModelSettings(classifier="svm", semantic_weight=weight)
            else:
                features = with_keyword_block(words, data.keywords, weight)
            result = simulate(data.texts, data.labels, seed=seed, model=settings, features=features)
            row = (result.wss95, result.recall_at_10)
            path.write_text(json.dumps(row))
            out[weight].append(row)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=float, nargs="+", default=[0.1, 0.3])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--fused", action="store_true", help="a second SVM, fused by score")
    args = parser.parse_args()
    weights = [0.0, *args.weights]
    with_keywords = [
        name
        for name in SETS
        if any(load_labelled_csv(shared_data() / SETS[name]).keywords.values())
    ]
    others = [name for name in SETS if name not in with_keywords]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = {
            name: pool.submit(run, name, weights, args.seeds, args.fused) for name in with_keywords
        }
        results = {name: futures[name].result() for name in with_keywords}
    wss = {n: {w: mean(r[0] for r in results[n][w]) for w in weights} for n in with_keywords}
    rec = {n: {w: mean(r[1] for r in results[n][w]) for w in weights} for n in with_keywords}
    how = "fused by score (second SVM)" if args.fused else "stacked beside the words"
    print(f"keyword block {how}, ELAS u4 on the same priors; mean of seeds {args.seeds}")
    print("WSS@95 / recall@10% per keyword weight (0 = ELAS u4, title + abstract only)")
    print(f"{'set':15} " + " ".join(f"{'w=' + str(w):>15}" for w in weights))
    for name in with_keywords:
        cells = " ".join(f"{wss[name][w]:.3f} / {rec[name][w]:.3f}" for w in weights)
        print(f"{name:15} {cells}")
    for name in others:
        print(f"{name:15} no keywords: the same features at every weight (change 0)")
    print("\nleave one set out: weight chosen on the other sets' mean WSS@95 (sets without")
    print("keywords count with change 0), change on the held-out set")
    deltas = []
    for name in with_keywords:
        rest = [n for n in with_keywords if n != name]
        chosen = max(weights, key=lambda w: (mean(wss[n][w] - wss[n][0.0] for n in rest), -w))
        dw = wss[name][chosen] - wss[name][0.0]
        dr = rec[name][chosen] - rec[name][0.0]
        deltas.append(dw)
        print(f"{name:15} w={chosen:<4} WSS@95 {dw:+.3f}  recall@10% {dr:+.3f}")
    total = sum(deltas) / len(SETS)
    print(f"mean change in WSS@95 over all {len(SETS)} sets: {total:+.4f}")


if __name__ == "__main__":
    main()
