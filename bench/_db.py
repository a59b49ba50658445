"""A fresh, migrated PostgreSQL database for a benchmark (the benches that need one share it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def recreate_database(name: str) -> None:
    """Drop `name` (closing its connections), create it empty and migrate it; the bench's
    DATABASE_URL must point at it."""
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        cur.execute(f"CREATE DATABASE {name}")
    conn.close()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)


# The four sources of the benches' synthetic reviews: three databases and citation searching.
SOURCES = (
    ("PubMed", "database"),
    ("Embase", "database"),
    ("Web of Science", "database"),
    ("Citation searching", "citation"),
)


def source_batches(review, tag: str, content: bytes = b"TY  - JOUR\nER  - \n") -> list:
    """One finished, deduplicated import per source in `SOURCES` (a bench writes its
    records straight into them); `tag` makes each file's checksum unique in the review."""
    from django.core.files.base import ContentFile

    from screening.models import ImportBatch

    batches = []
    for name, kind in SOURCES:
        batch = ImportBatch(
            review=review,
            source_name=name,
            source_kind=kind,
            filename=f"{name}.ris",
            sha256=f"{name}{tag}".ljust(64, "0")[:64],
            status="done",
            deduplicated=True,
        )
        batch.file.save(batch.filename, ContentFile(content), save=False)
        batch.save()
        batches.append(batch)
    return batches


def start_gunicorn(port: int, workers: int, env: dict, extra: list[str] | tuple = ()):
    """gunicorn serving the app on 127.0.0.1:`port` (as in production, preloaded), once
    it answers; raises if it exits or never answers. `extra`: more gunicorn options
    (e.g. ``["--worker-class", "gthread", "--threads", "4"]``)."""
    import http.client
    import shutil
    import time

    venv = ROOT / ".venv" / "bin"
    gunicorn = shutil.which("gunicorn", path=str(venv)) or "gunicorn"
    server = subprocess.Popen(
        [gunicorn, "reviewapp.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers)]
        + ["--log-level", "warning", "--preload", *extra],
        cwd=ROOT,
        env={**env, "ALLOWED_HOSTS": "127.0.0.1"},
    )
    for _ in range(600):  # a loaded machine may take a while to load the app
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/api/")
            conn.getresponse().read()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("gunicorn did not answer")


def celery_worker(queues: str, name: str, *, loglevel: str = "INFO", **popen) -> subprocess.Popen:
    """A solo Celery worker serving `queues` ("celery", "ranking" or both, comma
    separated) under the node name `name`, started from the repository; `popen`: more
    `subprocess.Popen` arguments (env, stdout…)."""
    command = [sys.executable, "-m", "celery", "-A", "reviewapp", "worker", "--pool=solo"]
    command += ["-Q", queues, "-n", name, f"--loglevel={loglevel}"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    return subprocess.Popen(command, cwd=ROOT, **popen)
