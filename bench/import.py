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

`--update BASE UPDATE AGAIN` (issue 17): a BASE-record review (round 1) receives update
rounds of UPDATE records, AGAIN of them copies of round-1 records; it prints the seconds to
import and deduplicate each round against every earlier record (target for 100k + 20k
with 15k found again: ≤ 30 s), on a restarted worker (which reuses the normalised records
round 1's run kept in the review's file; with `--forget` the file is gone too: cold) and
then on the same worker (warm), how many copies were linked to their earlier record, and
what became of any copy that was not.

Uses its own database (reviewapp_bench_import, recreated) and Redis db 11.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Its own database (dropped and recreated) and Redis db; override both to run beside
# another bench on the same machine.
DB_NAME = os.environ.get("BENCH_DB_NAME", "reviewapp_bench_import")

from _db import celery_worker, recreate_database  # noqa: E402  (bench/ is on sys.path)

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


def start_worker(log: Path, queue: str = "celery") -> subprocess.Popen:
    """A solo worker serving `queue`: `celery` for imports and deduplication, `ranking`
    (the low-priority queue) for the search documents."""
    worker = celery_worker(
        queue,
        f"{queue}@%h",
        stdout=open(log, "wb"),  # noqa: SIM115 - the worker owns it until it exits
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while b"ready." not in log.read_bytes():
        if worker.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"worker did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.2)
    return worker


_workers: list[subprocess.Popen] = []
# A worker told to stop first finishes its task, which goes on after the records are
# marked compared (the kept normalised records written, the GIN pending lists merged):
# on a loaded machine that took longer than 30 s at 200k, and the figures were lost.
WORKER_STOP_S = 600


def restart_worker(log: Path) -> subprocess.Popen:
    """A fresh worker process (nothing kept from earlier runs), replacing the last one."""
    old = _workers.pop()
    old.terminate()
    old.wait(WORKER_STOP_S)
    log.write_bytes(b"")
    _workers.append(start_worker(log))
    return _workers[-1]


_INDEX_DONE = re.compile(r"index_search\[[^\]]+\] succeeded in ([0-9.]+)s")


def index_job_seconds(log: Path) -> list[float]:
    """The run time of each search-index job the low-priority worker finished, from its log."""
    return [float(s) for s in _INDEX_DONE.findall(log.read_text(errors="replace"))]


def wait_for_index(batch, since: float) -> float:
    """Wait until the import's search documents are written; seconds from `since`."""
    while True:
        batch.refresh_from_db(fields=["search_indexed_at"])
        if batch.search_indexed_at is not None:
            return time.perf_counter() - since
        time.sleep(0.1)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used: on a machine shared with other
    jobs, a steadier measure of the work than the wall clock."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
    indexed_at = None
    while records.awaiting_dedupe().exists():
        if indexed_at is None and _indexed(batch):
            indexed_at = time.perf_counter()
        time.sleep(0.1)
    done_at = time.perf_counter()
    index_after_import = (
        indexed_at - imported_at if indexed_at else wait_for_index(batch, imported_at)
    )
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
        "index_after_import_s": index_after_import,
    }


def _indexed(batch) -> bool:
    batch.refresh_from_db(fields=["search_indexed_at"])
    return batch.search_indexed_at is not None


def _wait_for(batch, records) -> tuple[float, float, float]:
    """Wait for the import and its deduplication, then for its search documents: the
    seconds the import took (from now), then the deduplication, and when the documents
    were written (seconds after the import)."""
    started = time.perf_counter()
    while True:
        batch.refresh_from_db()
        if batch.status in ("done", "failed"):
            break
        time.sleep(0.1)
    imported_at = time.perf_counter()
    if batch.status == "failed":
        raise SystemExit(f"import failed: {batch.error}")
    indexed_at = None
    while records.awaiting_dedupe().exists():
        if indexed_at is None and _indexed(batch):
            indexed_at = time.perf_counter()
        time.sleep(0.1)
    deduplicated_at = time.perf_counter()
    index_after_import = (
        indexed_at - imported_at if indexed_at else wait_for_index(batch, imported_at)
    )
    return imported_at - started, deduplicated_at - imported_at, index_after_import


def index_wait(index_after_import_s: float, dedupe_s: float) -> float:
    """How long `_wait_for` waited for the search documents after the deduplication."""
    return max(0.0, index_after_import_s - dedupe_s)


def overlap(dedupe_s: float, index_after_import_s: float, job_s: float) -> str:
    """Whether the search-index job ran while the deduplication did (both start when the
    import commits; the job's start is its end less its own run time)."""
    start = index_after_import_s - job_s
    if index_after_import_s <= dedupe_s:
        return "yes (within the dedupe)"
    if start < dedupe_s:
        return f"partly (ended {index_after_import_s - dedupe_s:.1f} s after the dedupe)"
    return f"no (started {start - dedupe_s:.1f} s after the dedupe)"


def run_update(
    base: int,
    update: int,
    again: int,
    workdir: Path,
    worker_log: Path,
    index_log: Path,
    *,
    forget: bool = False,
) -> dict:
    """Round 1 of `base` records, then two update rounds of `update` records of which
    `again` are copies of round-1 records: round 2 on a worker restarted after round 1
    ("restarted": nothing in its memory; it reuses the normalised records round 1's run
    kept in the review's file, dedupe_cache.py; with `forget`, "cold": the file is gone
    too, so it normalises every earlier record again), round 3 on the same worker right
    after ("warm": it reuses what round 2 kept, as when a round's exports are imported one
    after another). Round 3 is compared with 20k more records than round 2."""
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
    first = workdir / "round-1.ris"
    write_records(first, base_records)
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
    import_s, dedupe_s, _ = _wait_for(batch, records)
    result = {"base_s": import_s + dedupe_s, "rounds": []}
    worker = None
    first_label = "cold" if forget else "restarted"
    for number, seed, label in ((2, 17, first_label), (3, 18, "warm")):
        if number == 2:
            if forget:
                from screening.services.dedupe_cache import forget as forget_kept

                forget_kept()
            worker = restart_worker(worker_log)
        fresh, _ = synthetic(update - again, seed=seed * 100)
        fresh = [dataclasses.replace(r, id=number * 10_000_000 + r.id) for r in fresh]
        copies = random.Random(seed).sample(base_records, again)
        path = workdir / f"round-{number}.ris"
        write_records(path, [*copies, *fresh])
        search_round = add_round(review=review)
        started = time.perf_counter()
        batch = create_import(
            review=review,
            upload=SimpleUploadedFile(path.name, path.read_bytes()),
            source_name="Synthetic",
            uploaded_by=user,
            search_round=search_round,
        )
        import_s, dedupe_s, index_after_import_s = _wait_for(batch, records)
        # From the upload (as before the split), the time the import's wait began included.
        update_s = time.perf_counter() - started - index_wait(index_after_import_s, dedupe_s)
        job_s = index_job_seconds(index_log)[-1]
        counts = round_counts(review=review)[number]
        copy_keys = {f"syn{r.id}" for r in copies}
        linked = (
            records.filter(batch=batch, record_key__in=copy_keys, state="duplicate")
            .filter(duplicate_group__primary__batch__search_round__number=1)
            .count()
        )
        result["rounds"].append(
            {
                "number": number,
                "label": label,
                "update_s": update_s,
                "import_s": import_s,
                "index_after_import_s": index_after_import_s,
                "index_job_s": job_s,
                "overlap": overlap(dedupe_s, index_after_import_s, job_s),
                "linked": linked,
                "unlinked": _unlinked_copies(review, batch, copies),
                **counts,
            }
        )
    result["worker"] = worker
    return result


def _unlinked_copies(review, batch, copies) -> list[str]:
    """What became of each copy not linked to a round-1 record: its state, and the
    pairs it is in (status, score, reasons), to tell a bug from a genuinely uncertain pair."""
    from django.db.models import Q

    from screening.models import CandidatePair, Record

    keys = {f"syn{r.id}" for r in copies}
    lines = []
    for record in (
        Record.objects.filter(batch=batch, record_key__in=keys)
        .exclude(state="duplicate", duplicate_group__primary__batch__search_round__number=1)
        .select_related("duplicate_group__primary__batch__search_round")
    ):
        original = Record.objects.filter(
            review=review, record_key=record.record_key, batch__search_round__number=1
        ).first()
        pairs = CandidatePair.objects.filter(Q(record_a=record) | Q(record_b=record))
        lines.append(
            f"  {record.record_key} state={record.state} doi={bool(record.doi)} "
            f"original={original.state if original else None} "
            f"title={record.title[:60]!r}; pairs: "
            + "; ".join(f"{p.status} {p.score} {list(p.reasons)[:3]}" for p in pairs[:4])
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 30_000, 100_000])
    parser.add_argument("--update", nargs=3, type=int, metavar=("BASE", "UPDATE", "AGAIN"))
    parser.add_argument(
        "--forget",
        action="store_true",
        help="with --update: round 2's restarted worker finds no kept normalised records "
        "either (as after an upgrade that changed normalising): it normalises every record",
    )
    args = parser.parse_args()
    recreate_database(DB_NAME)
    if args.update:
        base, update, again = args.update
        with tempfile.TemporaryDirectory() as tmp:
            # Kept normalised records (dedupe_cache.py) of this run only, never an earlier
            # run's (the recreated database gives the same ids again).
            os.environ["DEDUPE_CACHE_DIR"] = str(Path(tmp) / "dedupe-cache")
            log = Path(tmp) / "worker-update.log"
            index_log = Path(tmp) / "worker-index.log"
            _workers.append(start_worker(log))
            index_worker = start_worker(index_log, queue="ranking")
            try:
                r = run_update(base, update, again, Path(tmp), log, index_log, forget=args.forget)
                peak = peak_rss_mb(_workers[-1].pid)
                cpu = cpu_seconds(_workers[-1].pid)
            finally:
                for worker in [*_workers, index_worker]:
                    worker.terminate()
                    worker.wait(WORKER_STOP_S)
        print(f"round 1: {base} records in {r['base_s']:.2f} s")
        for u in r["rounds"]:
            print(
                f"round {u['number']} ({u['label']} worker): {update} records ({again} copies of "
                f"round-1 records) imported and deduplicated against every earlier record in "
                f"{u['update_s']:.2f} s (import {u['import_s']:.2f} s, dedupe "
                f"{u['update_s'] - u['import_s']:.2f} s; target ≤ 30 s for 100k + 20k); "
                f"found again {u['found_again']} (linked to their round-1 record: "
                f"{u['linked']}/{again}), duplicates within the round {u['duplicates_within']}, "
                f"new records {u['new']}; search index job {u['index_job_s']:.2f} s, done "
                f"{u['index_after_import_s']:.2f} s after the import, overlapped the dedupe: "
                f"{u['overlap']}"
            )
            for line in u["unlinked"]:
                print(line)
        print(f"worker peak (rounds 2 and 3) {peak:.0f} MB, CPU time {cpu:.1f} s")
        return
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        os.environ["DEDUPE_CACHE_DIR"] = str(workdir / "dedupe-cache")
        print(
            f"{'records':>8} {'file MB':>8} {'import s':>9} {'dedupe s':>9} {'total s':>8} "
            f"{'worker MB':>9} {'worker cpu s':>12} {'removed':>8} {'prec':>7} {'recall':>7} {'dedupe s/10k':>12} "
            f"{'index job s':>11} {'index done s':>12}  overlapped the dedupe"
        )
        for size in args.sizes:
            # A fresh worker per size, so its peak memory is this size's own.
            worker = start_worker(workdir / f"worker-{size}.log")
            index_log = workdir / f"worker-index-{size}.log"
            index_worker = start_worker(index_log, queue="ranking")
            try:
                r = run_one(size, workdir)
                peak = peak_rss_mb(worker.pid)
                cpu = cpu_seconds(worker.pid)
                job_s = index_job_seconds(index_log)[-1]
            finally:
                for each in (worker, index_worker):
                    each.terminate()
                    each.wait(WORKER_STOP_S)
            print(
                f"{r['size']:8} {r['file_mb']:8.1f} {r['import_s']:9.2f} {r['dedupe_s']:9.2f} {r['total_s']:8.2f} "
                f"{peak:9.0f} {cpu:12.1f} {r['removed']:8} {r['precision']:7.4f} {r['recall']:7.4f} "
                f"{r['dedupe_s'] / r['size'] * 10_000:12.2f} {job_s:11.2f} "
                f"{r['index_after_import_s']:12.2f}  "
                f"{overlap(r['dedupe_s'], r['index_after_import_s'], job_s)}",
                flush=True,
            )
    print(
        "import s: upload stored -> worker committed all records; dedupe s: -> every record compared;"
    )
    print(
        "worker MB: peak resident memory of the Celery worker (VmHWM); worker cpu s: its CPU time "
        "(start-up included; PostgreSQL's is not); prec/recall: on the inserted duplicates;"
    )
    print(
        "index job s: the search-index job's own run time (low-priority worker's log); index done s: "
        "when the documents were written, after the import (not in total s: search works meanwhile)."
    )


if __name__ == "__main__":
    main()
