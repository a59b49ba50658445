"""Run ASReview LAB's own simulation on a labelled set, with the priors our simulation uses.

``run_asreview(csv_path, prior_ids, seed, executable)`` runs ``asreview simulate``
(ASReview LAB installed in a venv of its own, e.g. ``/tmp/asr-venv``; nothing of
it is imported here) and returns the order in which ASReview's default model
read the records, so ``bench/ranking.py`` can score it with our
``screening.ranking.metrics`` exactly as it scores our model.

How the records are matched:

* The set is read with our loader (``load_labelled_csv``, keywords off) and
  written to a temporary CSV with the columns ASReview reads: ``title`` (our
  title + abstract text), ``abstract`` (empty) and ``included`` (0/1). ASReview's
  TF-IDF joins title and abstract with a space, so it tokenises exactly the text
  our loader sees, and it never uses keywords. Columns ASReview would not find
  itself (Kitchenham's "Document Title") and encodings (cp1252) are thus handled
  the same way for both models.
* Row *i* of that CSV is the *i*-th record of our loader, and ASReview numbers its
  records by row (``record_id`` = ``dataset_row`` = *i*, 0-based). Our prior record
  ids (``choose_priors(labels, seed=seed)``) are turned into row numbers that way
  and given with ``--prior-idx``; ``--seed`` seeds ASReview's model, ``--n-stop -1``
  lets it read every record.
* The reading order comes from the ``results`` table of the project file's
  ``results.db`` (rows in labelling order; priors first, without a training set).
  Every row's label and every record's ``included`` is checked against ours.

Results are cached as JSON in ``var/asreview-cache/`` keyed by set, seed and
ASReview version (and checked against a hash of the CSV and the prior rows), so
a rerun only costs reading the files.

Run one set by hand::

    .venv/bin/python bench/asreview_sim.py ../shared/data/screening/cohen2006/Antihistamines.csv --seed 1
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from screening.ranking.dataset import load_labelled_csv  # noqa: E402
from screening.ranking.model import RecordId  # noqa: E402

CACHE_DIR = ROOT / "var" / "asreview-cache"
DEFAULT_VENV_EXECUTABLE = Path("/tmp/asr-venv/bin/asreview")
# ASReview LAB's default model; named explicitly so a changed default shows up.
AI = "elas_u4"
# Bumped when the way a run is set up changes, to invalidate old cache files.
CACHE_FORMAT = 1


def default_executable() -> str | None:
    """``$ASREVIEW``, else ``/tmp/asr-venv/bin/asreview`` if it exists, else None."""
    if os.environ.get("ASREVIEW"):
        return os.environ["ASREVIEW"]
    return str(DEFAULT_VENV_EXECUTABLE) if DEFAULT_VENV_EXECUTABLE.exists() else None


@cache
def asreview_version(executable: str) -> str:
    """The version ``asreview --version`` reports (e.g. "3.0.8")."""
    done = subprocess.run(
        [executable, "--version"], capture_output=True, text=True, check=True, timeout=300
    )
    return done.stdout.strip().split()[-1]


@dataclass(frozen=True)
class AsreviewRun:
    """One ``asreview simulate`` run: the reading order, priors excluded."""

    name: str
    seed: int
    version: str
    prior_ids: tuple[RecordId, ...]
    order: tuple[RecordId, ...]
    labels_in_order: tuple[int, ...]
    seconds: float  # of the asreview run itself (the original run when cached)
    cached: bool


def asreview_input(csv_path: str | Path) -> tuple[list[RecordId], list[int], bytes]:
    """Our loader's record ids and labels, and the CSV ASReview reads (row i = record i)."""
    data = load_labelled_csv(csv_path, use_keywords=False)
    ids = list(data.labels)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["title", "abstract", "included"])
    for record_id in ids:
        writer.writerow([data.texts[record_id], "", data.labels[record_id]])
    return ids, [data.labels[r] for r in ids], buffer.getvalue().encode("utf-8")


def _cache_file(cache_dir: Path, name: str, seed: int, version: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
    return cache_dir / f"{safe}-seed{seed}-asreview{version}.json"


def _read_order(project: Path, workdir: Path, labels: list[int], prior_rows: list[int]):
    """Rows in the order ASReview read them (priors excluded), checked against our labels."""
    database = workdir / "results.db"
    with zipfile.ZipFile(project) as archive:
        database.write_bytes(archive.read("results.db"))
    connection = sqlite3.connect(database)
    try:
        records = connection.execute(
            "SELECT record_id, dataset_row, included FROM record ORDER BY record_id"
        ).fetchall()
        results = connection.execute(
            "SELECT record_id, label, training_set FROM results ORDER BY rowid"
        ).fetchall()
    finally:
        connection.close()
    n_records = len(labels)
    if [(r, d) for r, d, _ in records] != [(i, i) for i in range(n_records)]:
        raise RuntimeError("ASReview's record ids are not the CSV's row numbers")
    if [included for _, _, included in records] != labels:
        raise RuntimeError("ASReview read labels that differ from ours")
    rows = [row for row, _, _ in results]
    if sorted(rows) != list(range(n_records)):
        raise RuntimeError(f"ASReview labelled {len(rows)} of {n_records} records")
    if any(label != labels[row] for row, label, _ in results):
        raise RuntimeError("ASReview's results table disagrees with our labels")
    n_prior = len(prior_rows)
    if sorted(rows[:n_prior]) != sorted(prior_rows) or any(
        training_set is not None for _, _, training_set in results[:n_prior]
    ):
        raise RuntimeError("ASReview's first labels are not the priors we gave")
    # training_set = records labelled before this one: the reading order, one per query.
    if [t for _, _, t in results[n_prior:]] != list(range(n_prior, n_records)):
        raise RuntimeError("ASReview's results are not in reading order")
    return rows[n_prior:]


def run_asreview(
    csv_path: str | Path,
    prior_ids: Sequence[RecordId],
    seed: int,
    executable: str,
    *,
    name: str | None = None,
    cache_dir: Path | None = CACHE_DIR,
) -> AsreviewRun:
    """Simulate ``csv_path`` with ASReview LAB's default model and the given priors.

    ``prior_ids`` are record ids of our loader (as ``choose_priors`` returns them)
    and ``seed`` seeds ASReview's model. Returns the records in the order ASReview
    read them and their labels, priors excluded. ``cache_dir=None`` disables the cache.
    """
    name = name or Path(csv_path).stem
    ids, labels, payload = asreview_input(csv_path)
    row_of = {record_id: row for row, record_id in enumerate(ids)}
    missing = [r for r in prior_ids if r not in row_of]
    if missing:
        raise KeyError(f"{name}: prior record ids not in the set: {missing}")
    prior_rows = [row_of[r] for r in prior_ids]
    version = asreview_version(executable)
    key = {
        "format": CACHE_FORMAT,
        "set": name,
        "seed": seed,
        "asreview_version": version,
        "ai": AI,
        "data_sha256": hashlib.sha256(payload).hexdigest(),
        "prior_rows": prior_rows,
    }

    def result(rows: list[int], seconds: float, cached: bool) -> AsreviewRun:
        return AsreviewRun(
            name=name,
            seed=seed,
            version=version,
            prior_ids=tuple(prior_ids),
            order=tuple(ids[row] for row in rows),
            labels_in_order=tuple(labels[row] for row in rows),
            seconds=seconds,
            cached=cached,
        )

    cache_file = _cache_file(cache_dir, name, seed, version) if cache_dir else None
    if cache_file and cache_file.exists():
        stored = json.loads(cache_file.read_text(encoding="utf-8"))
        if stored.get("key") == key:
            return result(stored["order_rows"], stored["seconds"], cached=True)

    with tempfile.TemporaryDirectory(prefix="asreview-sim-") as tmp:
        workdir = Path(tmp)
        data_file = workdir / f"{name}.csv"
        data_file.write_bytes(payload)
        project = workdir / "simulation.asreview"
        command = [
            executable,
            "simulate",
            str(data_file),
            "--ai",
            AI,
            "--prior-idx",
            *map(str, prior_rows),
            "--seed",
            str(seed),
            "--n-stop",
            "-1",
            "--output",
            str(project),
        ]
        # One thread: the benchmark decides the parallelism (--jobs). ASReview's
        # state (and the synergy dataset cache it opens) stays in the temp dir.
        env = os.environ | {
            "ASREVIEW_PATH": str(workdir / "asreview-home"),
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        }
        started = time.perf_counter()
        done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if done.returncode != 0 or not project.exists():
            tail = "\n".join((done.stderr or done.stdout).splitlines()[-15:])
            raise RuntimeError(f"asreview simulate failed on {name} (seed {seed}):\n{tail}")
        rows = _read_order(project, workdir, labels, prior_rows)

    if cache_file:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        stored = {
            "key": key,
            "command": " ".join(
                ["asreview", "simulate", data_file.name, *command[3:-1], project.name]
            ),
            "seconds": round(seconds, 2),
            "order_rows": rows,
            "labels_in_order": [labels[row] for row in rows],
        }
        cache_file.write_text(json.dumps(stored) + "\n", encoding="utf-8")
    return result(rows, seconds, cached=False)


def main() -> None:
    from screening.ranking.metrics import average_time_to_discovery, recall_at, wss
    from screening.ranking.simulate import choose_priors

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--asreview", default=default_executable())
    parser.add_argument("--no-cache", action="store_true")
    args = parser.parse_args()
    if not args.asreview:
        sys.exit("no asreview executable (pass --asreview or set $ASREVIEW)")
    data = load_labelled_csv(args.csv)
    priors = choose_priors(data.labels, seed=args.seed)
    ids, labels, _ = asreview_input(args.csv)
    for record_id in priors:
        row = ids.index(record_id)
        print(
            f"prior {record_id!r}: ASReview row {row}, label ours {data.labels[record_id]}, "
            f"in ASReview's CSV {labels[row]}"
        )
    run = run_asreview(
        args.csv, priors, args.seed, args.asreview, cache_dir=None if args.no_cache else CACHE_DIR
    )
    order = run.labels_in_order
    print(
        f"asreview {run.version} seed {run.seed}: {len(order)} records read "
        f"({'cached' if run.cached else f'{run.seconds:.0f} s'}); WSS@95 {wss(order, 0.95):.3f}, "
        f"recall@10% {recall_at(order, 0.10):.3f}, ATD {100 * average_time_to_discovery(order):.1f} %"
    )


if __name__ == "__main__":
    main()
