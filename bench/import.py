"""End-to-end import + deduplication through the real path: PostgreSQL, Redis, a Celery worker.

    .venv/bin/python bench/import.py                 # 10k, 30k and 100k records
    .venv/bin/python bench/import.py --sizes 10000
    .venv/bin/python bench/import.py --update 100000 20000 15000   # an update round

For each size it writes one RIS file of synthetic records made from the real labelled
sets in ../shared/data (titles, authors and journals from the dedupe sets, abstracts from
the screening sets), with ~15% perturbed copies as known duplicates, uploads it through
the import service, and waits for the worker to import and deduplicate it. It prints the
seconds for each phase, the worker's peak memory, and precision/recall on the inserted
duplicates. Targets (issue 3): 100k in ≤ 60 s end to end, worker peak ≤ 1 GB, dedupe time
growing about linearly.

`--update BASE UPDATE AGAIN` (issue 17): a BASE-record review (round 1) receives an update
round of UPDATE records, AGAIN of them copies of round-1 records; it prints the seconds to
import and deduplicate the round against every earlier record (target for 100k + 20k
with 15k found again: ≤ 30 s) and how many copies were linked to their earlier record.

Uses its own database (reviewapp_bench_import, recreated) and Redis db 11.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Its own database (dropped and recreated) and Redis db; override both to run beside
# another bench on the same machine.
DB_NAME = os.environ.get("BENCH_DB_NAME", "reviewapp_bench_import")

from _db import recreate_database  # noqa: E402  (bench/ is on sys.path)

os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB_NAME}")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/11")
# Production settings: with DEBUG on, Django would keep every SQL statement in memory.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-" + "x1y2z3" * 10)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from _data import SHARED_DATA as SHARED  # noqa: E402
from dedupe import pairs_of, synthetic  # noqa: E402


def abstracts(limit: int = 20000) -> list[str]:
    found = []
    for path in sorted((SHARED / "screening").rglob("*.csv")):
        with open(path, encoding="utf-8", errors="replace", newline="") as handle:
            for row in csv.DictReader(handle):
                text = (row.get("abstract") or row.get("Abstract") or "").strip()
                if len(text) > 200:
                    found.append(text)
    return found[:limit]


def write_ris(path: Path, size: int) -> list[frozenset]:
    records, clusters = synthetic(size)
    write_records(path, records)
    return [frozenset(f"syn{i}" for i in cluster) for cluster in clusters]


def write_records(path: Path, records) -> None:
    rng = random.Random(11)
    texts = abstracts()
    with open(path, "w", encoding="utf-8") as out:
        for record in records:
            out.write(f"TY  - JOUR\nID  - syn{record.id}\nTI  - {record.title}\n")
            for author in record.authors:
                out.write(f"AU  - {author}\n")
            out.write(f"PY  - {record.year}\nJO  - {record.journal}\nVL  - {record.volume}\n")
            if record.issue:
                out.write(f"IS  - {record.issue}\n")
            start, _, end = record.pages.partition("-")
            out.write(f"SP  - {start}\nEP  - {end}\n")
            if record.doi:
                out.write(f"DO  - {record.doi}\n")
            out.write(f"AB  - {rng.choice(texts)}\nER  - \n\n")


def start_worker(log: Path) -> subprocess.Popen:
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "reviewapp",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        stdout=open(log, "wb"),  # noqa: SIM115 - the worker owns it until it exits
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while b"ready." not in log.read_bytes():
        if worker.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"worker did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.2)
    return worker


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_one(size: int, workdir: Path) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reviewapp.services import create_review
    from screening.models import ImportBatch, Record, RecordState
    from screening.services.imports import create_import

    path = workdir / f"synthetic-{size}.ris"
    truth = write_ris(path, size)
    user, _ = get_user_model().objects.get_or_create(username="bench")
    review = create_review(owner=user, title=f"bench {size}")
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    started = time.perf_counter()
    batch = create_import(review=review, upload=upload, source_name="Synthetic", uploaded_by=user)
    while True:
        batch.refresh_from_db()
        if batch.status in ("done", "failed"):
            break
        time.sleep(0.1)
    imported_at = time.perf_counter()
    if batch.status == "failed":
        raise SystemExit(f"import failed: {batch.error}")
    records = Record.objects.filter(review=review)
    while records.filter(dedupe_checked=False).exists():
        time.sleep(0.1)
    done_at = time.perf_counter()
    groups: dict[int, set[str]] = {}
    for key, group in records.filter(duplicate_group__isnull=False).values_list(
        "record_key", "duplicate_group"
    ):
        groups.setdefault(group, set()).add(key)
    found, expected = pairs_of(groups.values()), pairs_of(truth)
    hits = len(found & expected)
    return {
        "size": size,
        "file_mb": path.stat().st_size / 1e6,
        "imported": batch.records_imported,
        "import_s": imported_at - started,
        "dedupe_s": done_at - imported_at,
        "total_s": done_at - started,
        "removed": records.filter(state=RecordState.DUPLICATE).count(),
        "precision": hits / len(found) if found else 1.0,
        "recall": hits / len(expected) if expected else 1.0,
        "batch": ImportBatch.objects.get(pk=batch.pk).pk,
    }


def _wait_for(batch, records) -> None:
    while True:
        batch.refresh_from_db()
        if batch.status in ("done", "failed"):
            break
        time.sleep(0.1)
    if batch.status == "failed":
        raise SystemExit(f"import failed: {batch.error}")
    while records.filter(dedupe_checked=False).exists():
        time.sleep(0.1)


def run_update(base: int, update: int, again: int, workdir: Path) -> dict:
    """Round 1 of `base` records, then an update round of `update` records of which
    `again` are copies of round-1 records."""
    import dataclasses

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reviewapp.services import create_review
    from screening.models import Record
    from screening.selectors.search_log import round_counts
    from screening.services.imports import create_import
    from screening.services.search_log import add_round

    base_records, _ = synthetic(base)
    fresh, _ = synthetic(update - again, seed=99)
    fresh = [dataclasses.replace(r, id=10_000_000 + r.id) for r in fresh]
    copies = random.Random(17).sample(base_records, again)
    first, second = workdir / "round-1.ris", workdir / "round-2.ris"
    write_records(first, base_records)
    write_records(second, [*copies, *fresh])
    user, _ = get_user_model().objects.get_or_create(username="bench")
    review = create_review(owner=user, title=f"bench update {base}+{update}")
    records = Record.objects.filter(review=review)
    started = time.perf_counter()
    batch = create_import(
        review=review,
        upload=SimpleUploadedFile(first.name, first.read_bytes()),
        source_name="Synthetic",
        uploaded_by=user,
    )
    _wait_for(batch, records)
    base_s = time.perf_counter() - started
    round_2 = add_round(review=review)
    started = time.perf_counter()
    batch = create_import(
        review=review,
        upload=SimpleUploadedFile(second.name, second.read_bytes()),
        source_name="Synthetic",
        uploaded_by=user,
        search_round=round_2,
    )
    _wait_for(batch, records)
    update_s = time.perf_counter() - started
    counts = round_counts(review=review)[2]
    copy_keys = {f"syn{r.id}" for r in copies}
    linked = (
        records.filter(batch=batch, record_key__in=copy_keys, state="duplicate")
        .filter(duplicate_group__primary__batch__search_round__number=1)
        .count()
    )
    return {"base_s": base_s, "update_s": update_s, "linked": linked, **counts}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 30_000, 100_000])
    parser.add_argument("--update", nargs=3, type=int, metavar=("BASE", "UPDATE", "AGAIN"))
    args = parser.parse_args()
    recreate_database(DB_NAME)
    if args.update:
        base, update, again = args.update
        with tempfile.TemporaryDirectory() as tmp:
            worker = start_worker(Path(tmp) / "worker-update.log")
            try:
                r = run_update(base, update, again, Path(tmp))
                peak = peak_rss_mb(worker.pid)
            finally:
                worker.terminate()
                worker.wait(30)
        print(
            f"round 1: {base} records in {r['base_s']:.2f} s; update round: {update} records "
            f"({again} copies of round-1 records) imported and deduplicated against every "
            f"earlier record in {r['update_s']:.2f} s (target ≤ 30 s for 100k + 20k); "
            f"worker peak {peak:.0f} MB"
        )
        print(
            f"update round: found again {r['found_again']} (copies linked to their round-1 "
            f"record: {r['linked']}/{again}), duplicates within the round "
            f"{r['duplicates_within']}, new records {r['new']}"
        )
        return
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        print(
            f"{'records':>8} {'file MB':>8} {'import s':>9} {'dedupe s':>9} {'total s':>8} "
            f"{'worker MB':>9} {'removed':>8} {'prec':>7} {'recall':>7} {'dedupe s/10k':>12}"
        )
        for size in args.sizes:
            # A fresh worker per size, so its peak memory is this size's own.
            worker = start_worker(workdir / f"worker-{size}.log")
            try:
                r = run_one(size, workdir)
                peak = peak_rss_mb(worker.pid)
            finally:
                worker.terminate()
                worker.wait(30)
            print(
                f"{r['size']:8} {r['file_mb']:8.1f} {r['import_s']:9.2f} {r['dedupe_s']:9.2f} {r['total_s']:8.2f} "
                f"{peak:9.0f} {r['removed']:8} {r['precision']:7.4f} {r['recall']:7.4f} "
                f"{r['dedupe_s'] / r['size'] * 10_000:12.2f}",
                flush=True,
            )
    print(
        "import s: upload stored -> worker committed all records; dedupe s: -> every record compared;"
    )
    print(
        "worker MB: peak resident memory of the Celery worker (VmHWM); prec/recall: on the inserted duplicates."
    )


if __name__ == "__main__":
    main()
