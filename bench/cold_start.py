"""Cold start: how useful is the queue before the first inclusion?

Run from the repository root:

    .venv/bin/python bench/cold_start.py [--sets ADHD NSAIDS ...] [--seeds 1 2 3]

For each labelled set, screening starts with no prior knowledge and the records are
read (1) in random order, (2) by similarity to a short query written from the set's
topic (below; for the Cohen sets the drug class and the outcome, as a team's research
question would name them), blended into the learned ELAS u4 model once an include and
an exclude exist (``screening/ranking/cold_start.py``), and (3) as ASReview starts:
one relevant and one irrelevant record given as priors, then ELAS u4 (our
reproduction, which reads in ASReview's exact order on the small sets). Printed:
records screened until the first relevant one and recall after 10 % of the records.
For (3) the first relevant is given, so its cost is the random order's wait for one.

``--known`` adds (4): the query plus one "known relevant" paper pasted by the lead
(the same relevant record ASReview's start is given with each seed, and no
irrelevant one): the app's known-relevant page. The known record is not screened
again, and recall counts the relevant records left, as for (3).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from statistics import mean

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ranking import SETS, shared_data  # noqa: E402

from screening.ranking.cold_start import random_cold_start, simulate_cold_start  # noqa: E402
from screening.ranking.dataset import load_labelled_csv  # noqa: E402
from screening.ranking.model import build_features  # noqa: E402
from screening.ranking.simulate import choose_priors, simulate  # noqa: E402

# One query per set, written from its topic only (not from its relevant records).
QUERIES = {
    "ACEInhibitors": "ACE inhibitors angiotensin converting enzyme inhibitor hypertension "
    "heart failure mortality",
    "ADHD": "attention deficit hyperactivity disorder stimulant treatment children efficacy",
    "Antihistamines": "antihistamines allergic rhinitis urticaria efficacy",
    "BetaBlockers": "beta blockers hypertension heart failure myocardial infarction mortality",
    "Estrogens": "estrogen hormone replacement therapy menopausal women",
    "NSAIDS": "nonsteroidal anti-inflammatory drugs osteoarthritis rheumatoid arthritis pain "
    "gastrointestinal",
    "Triptans": "triptans migraine acute treatment headache response",
    "nudging": "nudge nudging choice architecture healthy food choice behaviour",
    "Kitchenham": "systematic literature review software engineering",
}


def run(name: str, seeds: list[int], known: bool = False) -> dict:
    data = load_labelled_csv(shared_data() / SETS[name])
    features = build_features(data.texts, n_jobs=1)
    cold = simulate_cold_start(data.labels, features, query=QUERIES[name])
    randoms = [random_cold_start(data.labels, seed=seed) for seed in seeds]
    priors = [
        simulate(data.texts, data.labels, seed=seed, model="elas_u4", features=features)
        for seed in seeds
    ]
    with_known = [
        simulate_cold_start(
            data.labels,
            features,
            query=QUERIES[name],
            known_relevant=choose_priors(data.labels, seed=seed)[:1],
        )
        for seed in (seeds if known else [])
    ]
    return {
        "known": (
            (
                mean(r.to_first_relevant for r in with_known),
                mean(r.recall_at_10 for r in with_known),
            )
            if with_known
            else None
        ),
        "name": name,
        "records": len(data.labels),
        "relevant": data.n_relevant,
        "cold": (cold.to_first_relevant, cold.recall_at_10),
        "random": (
            mean(r.to_first_relevant for r in randoms),
            mean(r.recall_at_10 for r in randoms),
        ),
        "priors": mean(r.recall_at_10 for r in priors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument(
        "--known", action="store_true", help="also: the query plus one known relevant paper"
    )
    args = parser.parse_args()
    print(f"cold start, no priors; random and ASReview-style rows: mean of seeds {args.seeds}")
    print(f"{'set':15} {'N':>5} {'rel':>4} | {'to 1st relevant':^17} | {'recall@10%':^26}")
    print(f"{'':26}| {'query  random':^17} | {'query  random  1+1 priors':^26}")
    print("-" * 75)
    for name in args.sets:
        row = run(name, args.seeds, args.known)
        known = ""
        if row["known"]:
            known = f" | query + 1 known: {row['known'][0]:5.1f} to 1st, {row['known'][1]:.3f}"
        print(
            f"{name:15} {row['records']:5} {row['relevant']:4} | "
            f"{row['cold'][0]:5} {row['random'][0]:8.1f}    | "
            f"{row['cold'][1]:.3f}  {row['random'][1]:.3f}  {row['priors']:.3f}{known}",
            flush=True,
        )
    print("queries:")
    for name in args.sets:
        print(f"  {name}: {QUERIES[name]!r}")


if __name__ == "__main__":
    main()
