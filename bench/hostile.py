"""Hostile uploads and terms: time and peak memory of each, through the real import path.

    .venv/bin/python bench/hostile.py            # the issue's sizes (needs ~1 GB of /tmp)
    .venv/bin/python bench/hostile.py --scale 0.1  # every file a tenth of the size

Each case writes its file to a temporary directory, then runs in a fresh process (so
its peak RSS is its own) what a worker runs: `create_import` then `execute_import`,
against an SQLite database migrated once for the run (embedded mode; the parsers and
the budget are the same with PostgreSQL). It prints, per case, the seconds from the
start of the import to its end (wall clock, the budget) and the CPU seconds the import
itself used (on a loaded machine the difference is time spent waiting for a core), the
process's peak RSS, and the outcome (imported / rejected / the error). Budget (issue 13): every file up to UPLOAD_MAX_BYTES answered
within 30 s with at most 512 MB RSS; a refusal must say why.

The highlight case renders one 20,000-character abstract with the term `a*a*…*b` (49
wildcards), which took 29 s per record before the linear matcher.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # before bench/ itself, which has a screening.py
MB = 1_000_000
MIB = 1024 * 1024


def bibtex_field(path: Path, size: int) -> None:
    body = ("a\\'e tr{\\`e}s " * (size // 14 + 1))[:size]
    path.write_text(
        "@article{ok1, title={A fine record}, year={2020}}\n"
        f"@article{{big, title={{Big}}, abstract={{{body}}}}}\n"
        "@article{ok2, title={Another fine record}, year={2021}}\n"
    )


def wide_csv(path: Path, columns: int) -> None:
    header = ",".join(["title", "abstract", *(f"column{i}" for i in range(columns))])
    with path.open("w") as out:
        out.write(header + "\n")
        for row in range(85):  # ~17 MB at 100k columns, the file
            out.write(",".join([f"Trial {row}", "text", *(str(i % 10) for i in range(columns))]))
            out.write("\n")


def plain_text(path: Path, size: int) -> None:
    line = "Meeting notes: we discussed the search strategy and the protocol again.\n"
    with path.open("w") as out:
        for _ in range(size // len(line)):
            out.write(line)


def random_bytes(path: Path, size: int) -> None:
    rng = random.Random(13)
    with path.open("wb") as out:
        for _ in range(size // MIB):
            out.write(rng.randbytes(MIB))


def tiny_ris(path: Path, size: int) -> None:
    record = "TY  - JOUR\nTI  - x\nER  - \n"
    with path.open("w") as out:
        chunk = record * 10_000
        for _ in range(size // len(chunk)):
            out.write(chunk)


_ABSTRACT = "We screened the trials and pooled the outcomes with a random-effects model. " * 26


def endnote_xml(path: Path, size: int) -> None:
    """Records of ~2.2 KB (under the record cap in number: the whole file is parsed)."""
    with path.open("w") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<xml><records>')
        written, n = 0, 0
        while written < size:
            n += 1
            record = (
                f"<record><rec-number>{n}</rec-number><contributors><authors><author>"
                f"Smith, J.</author></authors></contributors><titles><title>Trial {n} of "
                f"streaming</title><secondary-title>J Streams</secondary-title></titles>"
                f"<dates><year>2020</year></dates><abstract>{_ABSTRACT}</abstract></record>"
            )  # one line, as EndNote writes it
            out.write(record)
            written += len(record)
        out.write("</records></xml>\n")


def bibtex_file(path: Path, size: int) -> None:
    with path.open("w") as out:
        written, n = 0, 0
        while written < size:
            n += 1
            entry = (
                f"@article{{trial{n},\n  author = {{Smith, J. and Doe, A.}},\n"
                f"  title = {{Trial {n} of streaming}},\n  journal = {{J Streams}},\n"
                f"  year = {{2020}},\n  abstract = {{{_ABSTRACT}}}\n}}\n\n"
            )
            out.write(entry)
            written += len(entry)


CASES = (
    ("BibTeX, one 1 MB field", "field1.bib", lambda p, s: bibtex_field(p, int(1 * MB * s))),
    ("BibTeX, one 2 MB field", "field2.bib", lambda p, s: bibtex_field(p, int(2 * MB * s))),
    ("CSV, 100k columns", "wide.csv", lambda p, s: wide_csv(p, int(100_000 * s))),
    ("plain text, 186 MB", "notes.txt", lambda p, s: plain_text(p, int(186 * MB * s))),
    ("random bytes, 199 MiB", "random.bin", lambda p, s: random_bytes(p, int(199 * MIB * s))),
    ("RIS of tiny records, 209 MB", "tiny.ris", lambda p, s: tiny_ris(p, int(209 * MB * s))),
    ("EndNote XML, 200 MB", "big.xml", lambda p, s: endnote_xml(p, int(200 * MB * s))),
    ("BibTeX, 200 MB", "big.bib", lambda p, s: bibtex_file(p, int(200 * MB * s))),
)


def run_case(database: Path, file: Path) -> dict:
    """In this (fresh) process: import `file` as a worker would; report time and RSS."""
    import resource

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files import File

    from reviewapp.models import Review
    from screening.services.imports import create_import, execute_import

    user = get_user_model().objects.get(username="bench")
    review = Review.objects.get(title="hostile bench")
    with file.open("rb") as handle:
        upload = File(handle, name=file.name)
        upload.size = file.stat().st_size
        batch = create_import(review=review, upload=upload, source_name="Bench", uploaded_by=user)
    started, cpu = time.perf_counter(), time.process_time()
    batch = execute_import(batch_id=batch.pk)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 1),
        "cpu": round(time.process_time() - cpu, 1),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "status": batch.status,
        "imported": batch.records_imported,
        "rejected": batch.rejected_count,
        "why": (batch.error or "; ".join(r["reason"] for r in batch.rejected[:1]))[:110],
    }


def highlight_case() -> dict:
    import resource

    from screening.highlight import Highlighter

    term = "a*" * 49 + "b"
    text = ("a" * 2000 + " ") * 10 + "a" * 60 + "b"
    started, cpu = time.perf_counter(), time.process_time()
    html = Highlighter([term])(text)
    return {
        "seconds": round(time.perf_counter() - started, 3),
        "cpu": round(time.process_time() - cpu, 3),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "status": "done",
        "imported": 0,
        "rejected": 0,
        "why": f"{str(html).count('<mark')} marks",
    }


def prepare(database: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    script = (
        "import django; django.setup();"
        "from django.contrib.auth import get_user_model;"
        "from reviewapp.services import create_review;"
        "u = get_user_model().objects.create_user('bench', password='x');"
        "create_review(owner=u, title='hostile bench')"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="file sizes times this")
    parser.add_argument("--case", help="run only cases whose name contains this")
    args = parser.parse_args()
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-" + "h0st1le" * 8)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")
    workdir = Path(tempfile.mkdtemp(prefix="hostile-"))
    try:
        template = workdir / "template.sqlite3"
        prepare(template)
        print(f"{'case':32} {'size':>9} {'seconds':>8} {'CPU s':>6} {'peak RSS':>9}  outcome")
        for name, filename, write in CASES:
            if args.case and args.case.lower() not in name.lower():
                continue
            path = workdir / filename
            write(path, args.scale)
            database = workdir / "case.sqlite3"
            shutil.copy(template, database)
            env = {
                **os.environ,
                "DATABASE_URL": f"sqlite:///{database}",
                "MEDIA_ROOT": str(workdir / "media"),
                # A broker nobody listens to: the import runs below, as a worker would.
                "CELERY_BROKER_URL": "memory://localhost/",
            }
            out = subprocess.run(
                [sys.executable, __file__, "--run-case", str(database), str(path)],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
            if out.returncode:
                print(f"{name:32} failed:\n{out.stderr[-2000:]}")
                continue
            result = json.loads(out.stdout.strip().splitlines()[-1])
            _print(name, path.stat().st_size, result)
            path.unlink()
            shutil.rmtree(workdir / "media", ignore_errors=True)
        if not args.case or "highlight" in args.case:
            _print("highlight a*a*…*b, 20k chars", 20_000, highlight_case())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _print(name: str, size: int, r: dict) -> None:
    within = r["seconds"] <= 30 and r["rss_mb"] <= 512
    outcome = f"{r['status']}: {r['imported']} imported, {r['rejected']} rejected. {r['why']}"
    print(
        f"{name:32} {size / MB:8.1f}M {r['seconds']:8.1f} {r['cpu']:6.1f} {r['rss_mb']:7d}MB  "
        f"{'ok ' if within else 'OVER'} {outcome}"
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--run-case":
        sys.path.insert(0, str(ROOT))
        print(json.dumps(run_case(Path(sys.argv[2]), Path(sys.argv[3]))))
    else:
        main()
