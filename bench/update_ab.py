"""A/B of the update round's matching, alternated in one process (read-only).

    .venv/bin/python bench/import.py --update 100000 20000 15000   # leaves its database
    .venv/bin/python bench/update_ab.py

On the database `bench/import.py --update` left (BENCH_DB_NAME, default
reviewapp_bench_import), it matches round 2's records against every record of the
review twice each way, alternating: "cold" normalises every record (as each run did
before normalised records were kept), "warm" starts from the round-1 records already
normalised with their block keys in the review's file (screening/services/dedupe_cache.py),
as every run after round 1's finds them. It prints the seconds of each run and whether the
verdicts are identical. Matching only: no writes, no import.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = os.environ.get("BENCH_DB_NAME", "reviewapp_bench_import")
os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB_NAME}")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-" + "x1y2z3" * 10)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")
sys.path[:0] = [str(ROOT)]


def main() -> None:
    import django

    django.setup()
    from reviewapp.models import Review
    from screening.dedupe import find_duplicates
    from screening.models import CITATION_FIELDS, Record
    from screening.services.dedupe import _as_dedupe_record
    from screening.services.dedupe_cache import Normaliser, forget

    review = Review.objects.order_by("-pk").first()
    records = Record.objects.filter(review=review)
    new_ids = set(records.filter(batch__search_round__number=2).values_list("pk", flat=True))
    every = [
        _as_dedupe_record(*row)
        for row in records.values_list("pk", *CITATION_FIELDS, "publication_type")
    ]
    first = set(records.exclude(batch__search_round__number__gt=1).values_list("pk", flat=True))
    round_1 = [r for r in every if r.id in first]
    verdicts = {}
    for _ in range(2):
        for label in ("cold", "warm"):
            forget()
            if label == "warm":
                kept = Normaliser(review.pk)
                for record in round_1:
                    kept.keys(kept(record))
                kept.keep()
            normaliser = Normaliser(review.pk)
            started = time.perf_counter()
            found = find_duplicates(
                every, new_ids=new_ids, normalise=normaliser, keys=normaliser.keys
            )
            print(
                f"{label}: {time.perf_counter() - started:.2f} s ({len(every)} records, "
                f"{len(new_ids)} new, {normaliser.reused} normalised forms reused, "
                f"{len(found)} verdicts)",
                flush=True,
            )
            verdicts[label] = found
    print("same verdicts:", verdicts["cold"] == verdicts["warm"])


if __name__ == "__main__":
    main()
