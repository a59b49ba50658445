"""Retraining through the Django path: a review of 10,000 and of 100,000 records.

    .venv/bin/python bench/ranking_app.py                       # SQLite file under /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reviewapp_bench_ranking \\
        .venv/bin/python bench/ranking_app.py --sizes 10000 100000

Records are the shared labelled sets' titles and abstracts, repeated to the size. Two
reviewers and a lead screen; 200 records are settled and each reviewer has 20 own
votes. It times `services.ranking.retrain_review` (every screener's model: labels from
the database, fit, top terms, scores rewritten) cold (features built) and warm (after
one more vote: the features come from the cache, one model refits) and with every
model refitted on cached features, and prints the per-model time.
Targets (issue 7): 10,000 records <= 2 s, 100,000 <= 15 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "screening"
os.environ.setdefault(
    "DATABASE_URL", f"sqlite:///{Path(tempfile.gettempdir()) / 'reviewapp_bench_ranking.sqlite3'}"
)
# As in production: DEBUG off (with it on, Django keeps the text of every query, which
# for 100,000 score rows costs seconds).
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-ranking-app-" + "k3y" * 20)
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")
os.environ.pop("CELERY_BROKER_URL", None)
sys.path[:0] = [str(ROOT)]


def texts_from_shared_sets() -> list[tuple[str, str]]:
    from screening.ranking.dataset import load_labelled_csv

    rows = []
    for path in sorted(DATA.glob("*/*.csv")):
        data = load_labelled_csv(path)
        rows += [(text[:200], text) for text in data.texts.values()]
    return rows


def build_review(n_records: int, corpus):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from reviewapp import services as review_services
    from reviewapp.models import Membership, Role
    from screening.models import (
        ImportBatch,
        ImportStatus,
        OutcomeStatus,
        Record,
        RecordState,
        SettledBy,
        Stage,
        StageOutcome,
        Vote,
    )

    users = get_user_model().objects
    stamp = time.time_ns()
    owner = users.create_user(username=f"lead-{stamp}")
    reviewers = [users.create_user(username=f"rev{i}-{stamp}") for i in range(2)]
    review = review_services.create_review(owner=owner, title=f"bench {n_records}")
    for user in reviewers:
        Membership.objects.create(review=review, user=user, role=Role.REVIEWER, added_by=owner)
    batch = ImportBatch.objects.create(
        review=review,
        source_name="bench",
        filename="bench.ris",
        sha256=str(stamp),
        status=ImportStatus.DONE,
        file="bench.ris",
    )
    Record.objects.bulk_create(
        (
            Record(
                review=review,
                batch=batch,
                position=i,
                title=corpus[i % len(corpus)][0],
                abstract=corpus[i % len(corpus)][1],
                shuffle_key=(i * 2654435761) % 2**31,
            )
            for i in range(n_records)
        ),
        batch_size=5000,
    )
    ids = list(Record.objects.filter(review=review).order_by("pk").values_list("pk", flat=True))
    settled = ids[:200]
    includes = set(settled[::10])
    now = timezone.now()
    StageOutcome.objects.bulk_create(
        StageOutcome(
            review=review,
            record_id=pk,
            stage=Stage.TITLE_ABSTRACT,
            votes=2,
            status=OutcomeStatus.SETTLED,
            decision="include" if pk in includes else "exclude",
            settled_by=SettledBy.VOTES,
            settled_at=now,
        )
        for pk in settled
    )
    Record.objects.filter(pk__in=includes).update(state=RecordState.FT_RETRIEVAL)
    Record.objects.filter(pk__in=set(settled) - includes).update(state=RecordState.TA_EXCLUDED)
    for offset, user in enumerate(reviewers):
        Vote.objects.bulk_create(
            Vote(
                record_id=pk,
                review=review,
                stage=Stage.TITLE_ABSTRACT,
                reviewer=user,
                verdict="include" if (pk + offset) % 5 == 0 else "exclude",
            )
            for pk in ids[200 + 20 * offset : 220 + 20 * offset]
        )
    return review, reviewers, ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        Path(db["NAME"]).unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    from screening.models import RankingModelState, Stage, Vote
    from screening.services.ranking import retrain_review

    corpus = texts_from_shared_sets()
    print(f"database: {db['ENGINE'].rsplit('.', 1)[-1]}; texts from {DATA} ({len(corpus)})")
    print(
        f"{'records':>8} {'models':>6} {'cold s':>8} {'1 vote s':>9} {'all refit s':>12}"
        f" {'per model s':>12}  target (features cached)"
    )
    for n in args.sizes:
        review, reviewers, ids = build_review(n, corpus)
        started = time.perf_counter()
        states = retrain_review(review=review)
        cold = time.perf_counter() - started
        Vote.objects.create(
            record_id=ids[-1],
            review=review,
            stage=Stage.TITLE_ABSTRACT,
            reviewer=reviewers[0],
            verdict="include",
        )
        started = time.perf_counter()
        retrain_review(review=review)  # only reviewer 0's labels changed: one refit
        warm = time.perf_counter() - started
        RankingModelState.objects.filter(review=review).update(fingerprint="")
        started = time.perf_counter()
        retrain_review(review=review)  # every model refitted, features cached
        refit_all = time.perf_counter() - started
        per_model = max(s.seconds for s in states)
        target = 2 if n <= 10_000 else 15
        verdict = "ok" if refit_all <= target else "OVER"
        print(
            f"{n:>8} {len(states):>6} {cold:>8.2f} {warm:>9.2f} {refit_all:>12.2f}"
            f" {per_model:>12.2f}  <= {target} s {verdict}"
        )


if __name__ == "__main__":
    main()
