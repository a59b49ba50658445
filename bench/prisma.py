"""PRISMA counts for a 100,000-record review: time and number of queries.

    .venv/bin/python bench/prisma.py            # 1k, 10k and 100k records
    .venv/bin/python bench/prisma.py --sizes 100000

Builds reviews on PostgreSQL (database reviewapp_bench_prisma, recreated) with records
spread over three databases and one citation-searching import, in every state of the
flow with realistic proportions (20% duplicates, most excluded at title/abstract, full
texts excluded for one of five reasons, a few included), then times
`review_flow` (counts + invariants) over 20 runs. Target (issue 5): ≤ 100 ms at 100k
records and the same number of queries at every size.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "reviewapp_bench_prisma"

from _db import recreate_database, source_batches  # noqa: E402  (bench/ is on sys.path)

os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB_NAME}")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-" + "p1q2r3" * 10)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")
sys.path.insert(0, str(ROOT))

STATES = [  # (state, share of records)
    ("duplicate", 0.20),
    ("ta", 0.05),
    ("ta_excluded", 0.68),
    ("ft_retrieval", 0.01),
    ("ft_not_retrieved", 0.005),
    ("ft", 0.01),
    ("ft_excluded", 0.035),
    ("included", 0.01),
]
REASONS = [
    "Animal model",
    "In vitro",
    "Acute pain only",
    "Outcome not assessed",
    "Wrong study design",
]


def build_review(size: int):
    from django.contrib.auth import get_user_model

    from reviewapp.services import create_review
    from screening.models import ExclusionReason, Record, StageOutcome
    from screening.services.bulk import insert_records

    rng = random.Random(size)
    user, _ = get_user_model().objects.get_or_create(username="bench")
    review = create_review(owner=user, title=f"prisma bench {size}")
    batches = source_batches(review, str(size), content=b"x")
    reasons = [
        ExclusionReason.objects.get_or_create(
            review=review, stage="ft", label=label, defaults={"order": i}
        )[0]
        for i, label in enumerate(REASONS)
    ]
    states = [s for s, share in STATES for _ in range(round(share * size))][:size]
    rng.shuffle(states)
    records = [
        Record(
            review=review,
            batch=batches[3]
            if i % 50 == 0 and state not in ("duplicate", "ta", "ta_excluded")
            else batches[i % 3],
            position=i,
            title=f"Record {i}",
            state=state,
            shuffle_key=rng.getrandbits(31),
        )
        for i, state in enumerate(states)
    ]
    insert_records(records)
    excluded = Record.objects.filter(review=review, state="ft_excluded").values_list(
        "pk", flat=True
    )
    StageOutcome.objects.bulk_create(
        [
            StageOutcome(
                review=review,
                record_id=pk,
                stage="ft",
                votes=2,
                status="settled",
                decision="exclude",
                reason=rng.choice(reasons),
            )
            for pk in excluded
        ],
        batch_size=5000,
    )
    return review


def measure(review, runs: int = 20) -> tuple[float, float, int, list[str]]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from screening.selectors.prisma import review_flow

    review_flow(review=review)  # warm the connection and the caches of PostgreSQL
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        flow, violations = review_flow(review=review)
        timings.append((time.perf_counter() - started) * 1000)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        review_flow(review=review)
    return statistics.median(timings), max(timings), len(queries), violations


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", nargs="+", type=int, default=[1_000, 10_000, 100_000])
    args = parser.parse_args()
    recreate_database(DB_NAME)
    import django

    django.setup()
    print(f"{'records':>8} {'median ms':>10} {'max ms':>8} {'queries':>8}  invariants")
    for size in args.sizes:
        review = build_review(size)
        median, worst, queries, violations = measure(review)
        print(f"{size:8} {median:10.1f} {worst:8.1f} {queries:8}  {violations or 'ok'}", flush=True)
    print(
        "median/max over 20 runs of review_flow (all counts + invariant checks); target ≤ 100 ms at 100k."
    )


if __name__ == "__main__":
    main()
