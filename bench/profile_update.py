"""Profile the deduplication of an update round in-process (issue 17).

    BENCH_DB_NAME=reviewapp_bench_x .venv/bin/python bench/profile_update.py setup 100000 20000 15000
    BENCH_DB_NAME=reviewapp_bench_x .venv/bin/python bench/profile_update.py run [--cold]

`setup` recreates the database with a BASE-record review (imported and deduplicated)
and an update round of UPDATE records (AGAIN copies of round-1 records) imported but not
yet deduplicated; `run` times `dedupe_review` on it under cProfile (reusing the normalised
records the last run kept, as any worker does; `--cold`: none kept), `phases` phase by
phase cold and then warm, each in a transaction that is rolled back, so they can be run
again and again on the same state.
"""

from __future__ import annotations

import cProfile
import dataclasses
import os
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = os.environ.get("BENCH_DB_NAME", "reviewapp_bench_import")
os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB_NAME}")
os.environ.pop("CELERY_BROKER_URL", None)  # tasks run in this process
os.environ["IMPORT_IN_THREAD"] = "0"
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-" + "x1y2z3" * 10)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]


def main() -> None:
    import django

    mode = sys.argv[1]
    if mode == "setup":
        from _db import recreate_database

        recreate_database(DB_NAME)
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from reviewapp.models import Review
    from screening.services import dedupe as dedupe_service
    from screening.services.dedupe_cache import forget

    if mode == "setup":
        import importlib.util

        spec = importlib.util.spec_from_file_location("import_bench", ROOT / "bench/import.py")
        bench = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(bench)
        from dedupe import synthetic

        from reviewapp.services import create_review
        from screening.services.imports import create_import
        from screening.services.search_log import add_round
        from screening.tasks import imports as tasks

        base, update, again = map(int, sys.argv[2:5])
        user, _ = get_user_model().objects.get_or_create(username="bench")
        review = create_review(owner=user, title=f"profile {base}+{update}")
        base_records, _ = synthetic(base)

        def imported(path: Path, records, label: str, **extra) -> None:
            bench.write_records(path, records)
            started = time.perf_counter()
            upload = SimpleUploadedFile(path.name, path.read_bytes())
            create_import(
                review=review, upload=upload, source_name="Synthetic", uploaded_by=user, **extra
            )
            print(f"{label}: {time.perf_counter() - started:.1f} s")

        with tempfile.TemporaryDirectory() as tmp:
            imported(Path(tmp) / "round-1.ris", base_records, "round 1")
            fresh, _ = synthetic(update - again, seed=1700)
            fresh = [dataclasses.replace(r, id=20_000_000 + r.id) for r in fresh]
            copies = random.Random(17).sample(base_records, again)
            tasks.run_dedupe.delay = lambda review_id: None  # round 2 is deduplicated by `run`
            imported(
                Path(tmp) / "round-2.ris",
                [*copies, *fresh],
                "round 2 import",
                search_round=add_round(review=review),
            )
        return

    review = Review.objects.order_by("-pk").first()
    if mode == "phases":
        # Wall-clock seconds of each phase, cold (nothing kept) and then warm.
        import functools

        from screening.services import dedupe_cache, journey

        spent: dict[str, float] = {}

        def timed(module, name):
            original = getattr(module, name)

            @functools.wraps(original)
            def wrapper(*args, **kwargs):
                started = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    spent[name] = spent.get(name, 0) + time.perf_counter() - started

            setattr(module, name, wrapper)

        for name in ("_match_review", "_apply_merges", "_save_rows", "insert_rows", "rows_moved"):
            timed(dedupe_service, name)
        timed(dedupe_cache.Normaliser, "keep")
        del journey
        forget()
        for label in ("cold", "warm"):
            spent.clear()
            started, cpu = time.perf_counter(), time.process_time()
            with transaction.atomic():
                summary = dedupe_service.dedupe_review(review_id=review.pk)
                total = time.perf_counter() - started
                cpu = time.process_time() - cpu
                # What runs once the dedupe has committed (here, before the rollback).
                from screening.models import Record
                from screening.services.bulk import merge_gin_pending

                merge_gin_pending(Record)
                after = time.perf_counter() - started - total
                transaction.set_rollback(True)
            print(
                f"{label}: {total:.2f} s ({cpu:.2f} s CPU in this process), then GIN pending "
                f"lists merged in {after:.2f} s; {summary}"
            )
            print("   " + ", ".join(f"{k} {v:.2f}" for k, v in spent.items()))
        return
    if "--cold" in sys.argv:
        forget()  # else the normalised records the last run kept are reused
    profiler = cProfile.Profile()
    started = time.perf_counter()
    with transaction.atomic():
        profiler.enable()
        summary = dedupe_service.dedupe_review(review_id=review.pk)
        profiler.disable()
        print(f"dedupe_review: {time.perf_counter() - started:.2f} s {summary}")
        transaction.set_rollback(True)
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
