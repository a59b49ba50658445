"""Screening on the production shape: gunicorn + PostgreSQL + Redis + a Celery worker
retraining as votes arrive, 20 / 50 / 100 / 200 reviewers on one review.

    .venv/bin/python bench/screening.py                       # 100k records, 20 50 100 200
    .venv/bin/python bench/screening.py --records 5000 --reviewers 5 10 --seconds 20
    .venv/bin/python bench/screening.py --read 5 20           # real reading time (slow)

Each simulated reviewer holds a logged-in session (created in the session store as a
login does; stdlib http.client, keep-alive) and loops: GET /api/reviews/{id}/queue/next/,
read the record for a time drawn uniformly from --read (default 0.5-2 s: people's
5-20 s compressed 10x, so the server sees ten times the vote rate of that many people),
then POST /api/reviews/{id}/votes/. Verdicts: 85 % exclude, 10 % include, 5 % maybe;
2 votes per record.

The worker (`celery worker`, solo pool, both queues) retrains as the votes arrive, with
the app's own schedule (RANKING_REFIT_VOTES, RANKING_REFIT_SECONDS: printed). Before the
first step every member's model is fitted once (a few settled decisions are seeded, so
the queue is the ranked one from the start).

For each number of reviewers (one step each, --seconds long, the same review going on)
it prints next and vote p50/p95, errors (non-2xx, and "nothing waiting" answers while
records wait), requests/s, and the CPU per screened record (per accepted vote) of each
process group, read from /proc/PID/stat: gunicorn (master + workers), celery, and the
PostgreSQL backends serving each (told apart by application_name), then the knee: the
most reviewers with next and vote p95 <= 100 ms and no error. At the end it checks in the
database that no record got more than 2 votes and every accepted vote is stored once, and
prints Redis's keys and bytes and how many refits the worker made.

Numbers depend on the machine: say whether other jobs shared it ("loaded machine").
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]
PASSWORD = "bench screening password"
TARGET_MS = 100


def configure(args) -> None:
    base = f"postgres://postgres@127.0.0.1:5432/{args.db}"
    os.environ["DATABASE_URL"] = base
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-screening-" + "k3y" * 20)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ["DJANGO_SETTINGS_MODULE"] = "reviewapp.settings"
    os.environ["CELERY_BROKER_URL"] = args.broker
    os.environ["CACHE_URL"] = args.broker


def seed(n_records: int, n_reviewers: int) -> tuple[int, dict[str, str]]:
    """The review, its reviewers (each with a session), `n_records` records, a few settled
    decisions of each kind, and every member's model fitted once."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.test import Client as DjangoClient

    from reviewapp.models import Membership, Role
    from reviewapp.services import create_review
    from screening.models import ImportBatch, ImportStatus, Record, RecordState
    from screening.services.bulk import analyze, insert_records

    users = get_user_model()
    owner = users.objects.create_user("bench-owner", password=PASSWORD)
    review = create_review(owner=owner, title="Bench: low-dose naltrexone for chronic pain")
    sessions = {}
    for i in range(n_reviewers):
        user = users.objects.create_user(f"bench-reviewer-{i}")  # no password to hash
        Membership.objects.create(review=review, user=user, role=Role.REVIEWER)
        django_client = DjangoClient()
        django_client.force_login(user)  # a real session in the store, as a login makes
        sessions[user.username] = django_client.cookies["sessionid"].value
    batch = ImportBatch(
        review=review,
        source_name="PubMed",
        filename="bench.nbib",
        sha256="0" * 64,
        status=ImportStatus.DONE,
        deduplicated=True,
    )
    batch.file.save("bench.nbib", ContentFile(b"PMID- 1\n"), save=False)
    batch.save()
    rng = random.Random(4)
    topic = ["naltrexone", "pain", "chronic", "fibromyalgia", "trial", "dose", "low", "placebo"]
    other = ["mice", "opioid", "receptor", "glia", "coral", "reef", "soil", "bleaching"]
    rows = []
    for position in range(1, n_records + 1):
        words = topic if position % 10 == 0 else other + topic[:2]
        rows.append(
            Record(
                review=review,
                batch=batch,
                position=position,
                title=" ".join(rng.choices(words, k=10)).capitalize(),
                abstract=" ".join(rng.choices(words, k=180)),
                authors=["Smith J", "Doe A"],
                year=2000 + position % 24,
                journal="Pain Medicine",
                shuffle_key=rng.randrange(2**31),
                # Settled before the run: 10 includes, 30 excludes (labels of both kinds).
                state=RecordState.FT_RETRIEVAL
                if position <= 100 and position % 10 == 0
                else RecordState.TA_EXCLUDED
                if position <= 30
                else RecordState.TA,
            )
        )
        if len(rows) == 5000:
            insert_records(rows)
            rows = []
    insert_records(rows)
    analyze(Record)
    return review.pk, sessions


def initial_fit(review_id: int) -> float:
    from reviewapp.models import Review
    from screening.services.ranking import retrain_review

    started = time.perf_counter()
    retrain_review(review=Review.objects.get(pk=review_id))
    return time.perf_counter() - started


class Client:
    """A logged-in browser-like session over one keep-alive connection."""

    def __init__(self, session_id: str, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies = {"sessionid": session_id, "csrftoken": "b" * 32}

    def request(self, method: str, path: str, body=None, headers=None) -> tuple[int, bytes]:
        headers = dict(headers or {})
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method != "GET":
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        headers["Host"] = "127.0.0.1"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data


def reviewer_loop(name, session_id, review_id, port, read, deadline, out, lock, gate):
    try:
        screen(name, session_id, review_id, port, read, deadline, out, lock, gate)
    except Exception as exc:  # noqa: BLE001 - counted as an error
        with lock:
            out["errors"].append(f"{name}: {exc!r}")


def screen(name, session_id, review_id, port, read, deadline, out, lock, gate):
    client = Client(session_id, port)
    rng = random.Random(name)
    timings = {"next": [], "vote": []}
    accepted, failures, empty = [], [], 0
    gate.wait()
    time.sleep(rng.uniform(0, read[1]))  # people do not all press a key at once
    while time.monotonic() < deadline:
        t0 = time.perf_counter()
        status, data = client.request("GET", f"/api/reviews/{review_id}/queue/next/?stage=ta")
        timings["next"].append(time.perf_counter() - t0)
        if status != 200:
            failures.append(f"next {status} {data[:120]!r}")
            continue
        record = json.loads(data)["record"]
        if record is None:  # "nothing waiting": an error while records still wait
            empty += 1
            time.sleep(1)
            continue
        time.sleep(rng.uniform(*read))
        verdict = rng.choices(["exclude", "include", "maybe"], weights=[85, 10, 5])[0]
        body = json.dumps({"record": record["id"], "stage": "ta", "verdict": verdict})
        t0 = time.perf_counter()
        status, data = client.request(
            "POST", f"/api/reviews/{review_id}/votes/", body, {"Content-Type": "application/json"}
        )
        timings["vote"].append(time.perf_counter() - t0)
        if status == 201:
            accepted.append((record["id"], name))
        else:
            failures.append(f"vote {status} {data[:120]!r}")
    with lock:
        for kind, values in timings.items():
            out["timings"][kind].extend(values)
        out["errors"].extend(failures)
        out["empty"] += empty
        out["accepted"].extend(accepted)


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of one process (Linux /proc), 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int) -> float:
    """CPU seconds of `pid` and its children (gunicorn's workers, celery's pool)."""
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return sum(cpu_seconds(p) for p in pids)


def backend_cpu(db: str) -> dict[int, tuple[str, float]]:
    """{pid: (application_name, CPU seconds)} of the PostgreSQL backends of `db`
    (application_name "web" or "worker"). Connections persist (CONN_MAX_AGE), so most
    backends live through a step; one that ends between two readings loses its last
    CPU seconds from the figures (they are a lower bound)."""
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT pid, application_name FROM pg_stat_activity WHERE datname = %s", [db]
            )
            rows = cur.fetchall()
    finally:
        conn.close()
    return {
        pid: (application if application in ("web", "worker") else "other", cpu_seconds(pid))
        for pid, application in rows
    }


def percentile(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def snapshot(server: subprocess.Popen, worker: subprocess.Popen, db: str) -> dict:
    return {
        "gunicorn": tree_cpu(server.pid),
        "celery": tree_cpu(worker.pid),
        "pg": backend_cpu(db),
    }


def used(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds per process group between two snapshots (a backend born in between
    counts whole)."""
    totals = {
        "gunicorn": after["gunicorn"] - before["gunicorn"],
        "celery": after["celery"] - before["celery"],
        "pg web": 0.0,
        "pg worker": 0.0,
    }
    for pid, (kind, seconds) in after["pg"].items():
        if kind in ("web", "worker"):
            totals[f"pg {kind}"] += seconds - before["pg"].get(pid, (kind, 0.0))[1]
    return totals


def run_step(args, review_id, sessions, n, server, worker) -> dict:
    names = list(sessions)[:n]
    out = {"timings": {"next": [], "vote": []}, "errors": [], "empty": 0, "accepted": []}
    lock = threading.Lock()
    gate = threading.Barrier(n + 1)
    deadline = time.monotonic() + args.seconds + args.read[1]
    threads = [
        threading.Thread(
            target=reviewer_loop,
            args=(name, sessions[name], review_id, args.port, args.read, deadline, out, lock, gate),
        )
        for name in names
    ]
    for thread in threads:
        thread.start()
    before = snapshot(server, worker, args.db)
    began = time.monotonic()
    gate.wait()
    for thread in threads:
        thread.join()
    out["elapsed"] = time.monotonic() - began
    after = snapshot(server, worker, args.db)
    out["cpu"] = used(before, after)
    out["load"] = os.getloadavg()[0]
    return out


def refits(review_id: int) -> tuple[int, float]:
    """Model versions so far (all members) and the oldest model's age in seconds."""
    from django.db.models import Min, Sum
    from django.utils import timezone

    from screening.models import RankingModelState

    agg = RankingModelState.objects.filter(review_id=review_id).aggregate(
        v=Sum("version"), oldest=Min("trained_at")
    )
    age = (timezone.now() - agg["oldest"]).total_seconds() if agg["oldest"] else float("nan")
    return agg["v"] or 0, age


def redis_usage(broker: str) -> tuple[int, int]:
    import redis

    client = redis.Redis.from_url(broker)
    keys = list(client.scan_iter(count=1000))
    return len(keys), sum(client.memory_usage(k) or 0 for k in keys)


def start_processes(args):
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1"}
    from bench._db import start_gunicorn

    web_url = os.environ["DATABASE_URL"] + "?application_name=web"
    server = start_gunicorn(args.port, args.workers, {**env, "DATABASE_URL": web_url})
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "reviewapp",
            "worker",
            "--pool=solo",
            "-Q",
            "celery,ranking",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env={**env, "DATABASE_URL": os.environ["DATABASE_URL"] + "?application_name=worker"},
    )
    return server, worker


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--reviewers", type=int, nargs="+", default=[20, 50, 100, 200])
    parser.add_argument("--seconds", type=float, default=60, help="per step")
    parser.add_argument(
        "--read", type=float, nargs=2, default=[0.5, 2.0], help="reading time range, seconds"
    )
    parser.add_argument("--workers", type=int, default=max(3, 2 * (os.cpu_count() or 1) + 1))
    parser.add_argument("--port", type=int, default=8793)
    parser.add_argument("--db", default="reviewapp_bench_screening")
    parser.add_argument(
        "--broker",
        default=os.environ.get("BENCH_CELERY_BROKER_URL", "redis://127.0.0.1:6379/12"),
        help="Redis for the broker and the cache (emptied first)",
    )
    args = parser.parse_args()
    configure(args)
    import redis

    redis.Redis.from_url(args.broker).flushdb()
    from bench._db import recreate_database

    recreate_database(args.db)
    t0 = time.monotonic()
    review_id, sessions = seed(args.records, max(args.reviewers))
    fitted = initial_fit(review_id)
    from django.conf import settings

    print(
        f"{args.records:,} records, {max(args.reviewers)} reviewers seeded in "
        f"{time.monotonic() - t0:.0f} s (every model fitted once: {fitted:.1f} s); "
        f"{args.workers} gunicorn sync workers, 1 celery worker (solo), {os.cpu_count()} CPUs"
    )
    print(
        f"reading {args.read[0]}-{args.read[1]} s per record; refit after "
        f"{settings.RANKING_REFIT_VOTES} own votes or {settings.RANKING_REFIT_SECONDS} s; "
        f"{args.seconds:.0f} s per step"
    )
    server, worker = start_processes(args)
    rows, accepted, errors = [], [], 0
    try:
        for n in args.reviewers:
            versions0, _ = refits(review_id)
            step = run_step(args, review_id, sessions, n, server, worker)
            versions1, oldest = refits(review_id)
            timings, votes = step["timings"], len(step["accepted"])
            requests = sum(len(v) for v in timings.values())
            cpu_ms = {k: 1000 * v / max(votes, 1) for k, v in step["cpu"].items()}
            row = {
                "n": n,
                "rps": requests / step["elapsed"],
                "next": (percentile(timings["next"], 50), percentile(timings["next"], 95)),
                "vote": (percentile(timings["vote"], 50), percentile(timings["vote"], 95)),
                "errors": len(step["errors"]) + step["empty"],
                "votes": votes,
                "cpu": cpu_ms,
                "refits": versions1 - versions0,
                "oldest": oldest,
                "load": step["load"],
            }
            rows.append(row)
            accepted += step["accepted"]
            errors += row["errors"]
            for error in step["errors"][:3]:
                print("  ", error)
            if step["empty"]:
                print(f"   {step['empty']} 'nothing waiting' answers while records waited")
    finally:
        for process in (server, worker):
            process.send_signal(signal.SIGTERM)
        for process in (server, worker):
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(30)

    print(
        f"\n{'reviewers':>9} {'req/s':>6} {'next p50/p95 ms':>16} {'vote p50/p95 ms':>16} "
        f"{'errors':>6} {'votes':>6} {'refits':>6} {'load':>5}  CPU ms per screened record: "
        "gunicorn celery pg-web pg-worker = total"
    )
    knee = None
    for row in rows:
        cpu = row["cpu"]
        total = sum(cpu.values())
        print(
            f"{row['n']:>9} {row['rps']:>6.1f} "
            f"{1000 * row['next'][0]:>7.0f} / {1000 * row['next'][1]:<6.0f} "
            f"{1000 * row['vote'][0]:>7.0f} / {1000 * row['vote'][1]:<6.0f} "
            f"{row['errors']:>6} {row['votes']:>6} {row['refits']:>6} {row['load']:>5.1f}  "
            f"{cpu['gunicorn']:.1f} {cpu['celery']:.1f} {cpu['pg web']:.1f} "
            f"{cpu['pg worker']:.1f} = {total:.1f}"
        )
        if (
            max(row["next"][1], row["vote"][1]) * 1000 <= TARGET_MS
            and not row["errors"]
            and (knee is None or row["n"] > knee)
        ):
            knee = row["n"]
    print(
        f"knee (most reviewers with next and vote p95 <= {TARGET_MS} ms, no error): "
        f"{knee if knee is not None else 'none of the steps'}"
    )

    from django.db.models import Count, Max

    from screening.models import Vote

    per_record = Vote.objects.filter(stage="ta").values("record").annotate(n=Count("pk"))
    most = per_record.aggregate(m=Max("n"))["m"] or 0
    stored = Vote.objects.filter(stage="ta").count()
    keys, size = redis_usage(args.broker)
    versions, oldest = refits(review_id)
    print(
        f"votes stored {stored}, accepted {len(accepted)}, max on one record {most} (N = 2); "
        f"Redis {keys} keys, {size / 1024:.0f} kB; model versions {versions}, "
        f"oldest model {oldest:.0f} s old"
    )
    ok = most <= 2 and stored == len(accepted) == len(set(accepted)) and not errors
    print("integrity PASS" if ok else "integrity FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
