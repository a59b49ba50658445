"""Screening under load: gunicorn + PostgreSQL, a 100,000-record review, 20 reviewers.

    .venv/bin/python bench/screening.py                 # 100k records, 20 reviewers, 60 s
    .venv/bin/python bench/screening.py --records 20000 --seconds 20
    .venv/bin/python bench/screening.py --phases paced  # only the target's phase

Each simulated reviewer holds a logged-in session (created in the session store as a
login does; requests carry the session and CSRF cookies, stdlib http.client only) and
loops: GET /api/reviews/{id}/queue/next/?stage=ta, then POST /api/reviews/{id}/votes/.

Three phases against the same server and review, each printing p50/p95/p99 per request
kind, requests per second, errors and the server's CPU per request:

* ``paced`` (the target): each reviewer reads a record for --think seconds (default
  1 s, +-50 %) before voting: 20 people voting once a second between them all, ten to
  thirty times faster than people screen. Target: p95 <= 100 ms for each kind.
* ``saturated``: the same 20 loops with no pause at all. On a 2-core machine that
  also runs PostgreSQL and this client, this measures throughput: by Little's law each
  request waits about 20 / (requests per second), whatever the code does.
* ``floor``: the same 20 clients, back to back, on the lightest authenticated request
  (GET /api/reviews/{id}/: session, user and membership, no screening). What the stack
  itself gives at that concurrency on this machine, for reading the saturated phase.

At the end it checks in the database that no record got more than N votes and that
every accepted vote is stored exactly once.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "reviewapp_bench_screening"
PORT = 8793
os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB_NAME}")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-screening-" + "k3y" * 20)
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")
os.environ.pop("CELERY_BROKER_URL", None)
sys.path[:0] = [str(ROOT)]

PASSWORD = "bench screening password"


def recreate_database() -> None:
    url = urllib.parse.urlparse(os.environ["DATABASE_URL"])
    args = [
        "-h",
        url.hostname or "127.0.0.1",
        "-p",
        str(url.port or 5432),
        "-U",
        url.username or "postgres",
    ]
    subprocess.run(["dropdb", "--if-exists", *args, DB_NAME], check=True)
    subprocess.run(["createdb", *args, DB_NAME], check=True)


def seed(n_records: int, n_reviewers: int) -> tuple[int, dict[str, str]]:
    """Migrate; create the review, its reviewers (each with a session) and `n_records` records."""
    import django

    django.setup()
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    from reviewapp.models import Membership, Role
    from reviewapp.services import create_review
    from screening.models import ImportBatch, ImportStatus, Record

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    users = get_user_model()
    owner = users.objects.create_user("bench-owner", password=PASSWORD)
    review = create_review(owner=owner, title="Bench: low-dose naltrexone for chronic pain")
    from django.test import Client as DjangoClient

    sessions = {}
    for i in range(n_reviewers):
        user = users.objects.create_user(f"bench-reviewer-{i}", password=PASSWORD)
        Membership.objects.create(review=review, user=user, role=Role.REVIEWER)
        # A real session in the session store, as a login through the form makes.
        django_client = DjangoClient()
        django_client.force_login(user)
        sessions[user.username] = django_client.cookies["sessionid"].value
    batch = ImportBatch(
        review=review,
        source_name="PubMed",
        filename="bench.nbib",
        sha256="0" * 64,
        status=ImportStatus.DONE,
    )
    batch.file.save("bench.nbib", ContentFile(b"PMID- 1\n"), save=False)
    batch.save()
    rng = random.Random(4)
    words = [
        "naltrexone",
        "pain",
        "chronic",
        "fibromyalgia",
        "trial",
        "dose",
        "low",
        "placebo",
        "mice",
        "opioid",
        "receptor",
        "glia",
    ]
    rows = []
    for position in range(1, n_records + 1):
        title = " ".join(rng.choices(words, k=10)).capitalize()
        rows.append(
            Record(
                review=review,
                batch=batch,
                position=position,
                title=title,
                abstract=" ".join(rng.choices(words, k=180)),
                authors=["Smith J", "Doe A"],
                year=2000 + position % 24,
                journal="Pain Medicine",
                shuffle_key=rng.randrange(2**31),
                dedupe_checked=True,
            )
        )
        if len(rows) == 5000:
            Record.objects.bulk_create(rows)
            rows = []
    Record.objects.bulk_create(rows)
    from django.db import connection

    with connection.cursor() as cursor:
        # Every reviewer's relevance model has run once: a score per record and reviewer,
        # so the queue is the ranked one (a LEFT JOIN on RecordScore ordered by score).
        cursor.execute(
            """
            INSERT INTO screening_recordscore (review_id, record_id, reviewer_id, score)
            SELECT r.review_id, r.id, m.user_id, random()
            FROM screening_record r JOIN reviewapp_membership m ON m.review_id = r.review_id
            WHERE r.review_id = %s AND m.role = %s
            """,
            [review.pk, Role.REVIEWER],
        )
        cursor.execute("ANALYZE")
    from django.utils import timezone

    from screening.models import ModelStatus, RankingModelState

    states = RankingModelState.objects.bulk_create(
        RankingModelState(
            review=review,
            reviewer=m.user,
            status=ModelStatus.READY,
            trained_at=timezone.now(),
            version=1,
            n_scored=n_records,
        )
        for m in Membership.objects.filter(review=review, role=Role.REVIEWER).select_related("user")
    )
    # As the retrain does: each reviewer's queue order goes to the shared cache.
    from screening.models import RecordScore
    from screening.services.queue import share_ranked_order

    shuffle_keys = dict(Record.objects.filter(review=review).values_list("pk", "shuffle_key"))
    for state in RankingModelState.objects.filter(pk__in=[s.pk for s in states]):
        scores = dict(
            RecordScore.objects.filter(review=review, reviewer_id=state.reviewer_id).values_list(
                "record_id", "score"
            )
        )
        share_ranked_order(state=state, scores=scores, shuffle_keys=shuffle_keys)
    return review.pk, sessions


class Client:
    """A logged-in browser-like session over one keep-alive connection."""

    def __init__(self, session_id: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        # The session cookie plus a CSRF cookie/header pair, as a logged-in browser sends.
        self.cookies = {"sessionid": session_id, "csrftoken": "b" * 32}

    def request(self, method: str, path: str, body=None, headers=None) -> tuple[int, bytes]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method != "GET" and "csrftoken" in self.cookies:
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


def reviewer_loop(username, session_id, review_id, clock, timings, errors, accepted, lock, start):
    import json

    client = Client(session_id)
    rng = random.Random(username)
    start.wait()
    local = {"next": [], "vote": []}
    mine, failures = [], []
    if clock["think"]:
        # People do not all press a key in the same millisecond: starts spread over a read.
        time.sleep(rng.uniform(0, clock["think"]))
    while time.monotonic() < clock["deadline"]:
        t0 = time.perf_counter()
        status, data = client.request("GET", f"/api/reviews/{review_id}/queue/next/?stage=ta")
        local["next"].append(time.perf_counter() - t0)
        if status != 200:
            failures.append(f"next {status} {data[:200]!r}")
            continue
        record = json.loads(data)["record"]
        if record is None:
            break
        if clock["think"]:
            time.sleep(rng.uniform(0.5, 1.5) * clock["think"])
        verdict = rng.choices(["exclude", "include", "maybe"], weights=[85, 10, 5])[0]
        body = json.dumps({"record": record["id"], "stage": "ta", "verdict": verdict})
        t0 = time.perf_counter()
        status, data = client.request(
            "POST", f"/api/reviews/{review_id}/votes/", body, {"Content-Type": "application/json"}
        )
        local["vote"].append(time.perf_counter() - t0)
        if status == 201:
            mine.append(record["id"])
        else:
            failures.append(f"vote {status} {data[:200]!r}")
    with lock:
        for kind, values in local.items():
            timings[kind].extend(values)
        errors.extend(failures)
        accepted.extend((record_id, username) for record_id in mine)


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by `pid` and its children (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for one in pids:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def purge_queue(broker: str) -> None:
    """Drop the retrain jobs the run queued (nothing consumed them)."""
    if not broker.startswith("redis"):
        return
    import redis

    redis.Redis.from_url(broker).delete("celery")


def percentile(values, q):
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


def run_phase(
    *, review_id: int, sessions: dict[str, str], seconds: float, think: float, loop
) -> dict:
    """Run `loop` for every reviewer at once for `seconds`; return timings and counts."""
    timings: dict[str, list[float]] = {"next": [], "vote": []} if loop is reviewer_loop else {}
    errors: list[str] = []
    accepted: list[tuple[int, str]] = []
    lock = threading.Lock()
    # Everyone logs in first; the clock starts when the last one is ready.
    gate = threading.Barrier(len(sessions) + 1)
    clock = {"deadline": float("inf"), "think": think}

    class StartGate:
        @staticmethod
        def wait():
            gate.wait()

    def go(name):
        try:
            loop(name, sessions[name], review_id, clock, timings, errors, accepted, lock, StartGate)
        except Exception as exc:  # noqa: BLE001 - counted as an error
            with lock:
                errors.append(f"{name}: {exc!r}")

    threads = [threading.Thread(target=go, args=(name,)) for name in sessions]
    for thread in threads:
        thread.start()
    begun = time.monotonic()
    clock["deadline"] = begun + seconds
    client_cpu0 = time.process_time()
    gate.wait()
    for thread in threads:
        thread.join()
    return {
        "timings": timings,
        "errors": errors,
        "accepted": accepted,
        "elapsed": time.monotonic() - begun,
        "client_cpu": time.process_time() - client_cpu0,
    }


def floor_loop(username, session_id, review_id, clock, timings, errors, accepted, lock, start):
    """The lightest authenticated request, back to back (no screening work at all)."""
    client = Client(session_id)
    start.wait()
    local, failures = [], []
    while time.monotonic() < clock["deadline"]:
        t0 = time.perf_counter()
        status, data = client.request("GET", f"/api/reviews/{review_id}/")
        local.append(time.perf_counter() - t0)
        if status != 200:
            failures.append(f"review {status} {data[:200]!r}")
    with lock:
        timings.setdefault("review", []).extend(local)
        errors.extend(failures)


def report(name: str, result: dict, server_cpu: float) -> float:
    """Print one phase's table; return its worst p95 in ms."""
    timings, elapsed = result["timings"], result["elapsed"]
    total = sum(len(v) for v in timings.values())
    print(f"\n{name}: {elapsed:.1f} s")
    print(f"{'request':<8} {'n':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    worst_p95 = 0.0
    for kind, values in timings.items():
        if not values:
            continue
        p50, p95, p99 = (1000 * percentile(values, q) for q in (50, 95, 99))
        worst_p95 = max(worst_p95, p95)
        print(f"{kind:<8} {len(values):>7} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f}")
    print(f"requests/s: {total / elapsed:.0f}   errors: {len(result['errors'])}")
    print(
        f"CPU seconds: gunicorn {server_cpu:.1f} ({1000 * server_cpu / max(total, 1):.1f} ms/request), "
        f"bench client {result['client_cpu']:.1f}, of {elapsed * (os.cpu_count() or 1):.0f} available"
    )
    for error in result["errors"][:5]:
        print("  ", error)
    return worst_p95


PHASES = ("paced", "saturated", "floor")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60, help="per voting phase")
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="seconds a reviewer reads before voting in the paced phase (+-50 %%)",
    )
    parser.add_argument("--phases", nargs="+", default=list(PHASES), choices=PHASES)
    parser.add_argument("--workers", type=int, default=max(3, 2 * (os.cpu_count() or 1) + 1))
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument(
        "--broker",
        default=os.environ.get("BENCH_CELERY_BROKER_URL", "redis://127.0.0.1:6379/12"),
        help="Celery broker for the server, as in production: a vote enqueues the ranking "
        "retrain there instead of running it inside the request (no worker consumes it here; "
        "the queue is emptied afterwards)",
    )
    args = parser.parse_args()

    recreate_database()
    # The server's cache (Redis, beside the broker, as in production) is the seed's too.
    os.environ["CACHE_URL"] = args.broker
    t0 = time.monotonic()
    review_id, sessions = seed(args.records, args.reviewers)
    print(
        f"seeded {args.records:,} records and {args.reviewers} reviewers in {time.monotonic() - t0:.0f} s"
    )
    print(
        f"{args.reviewers} reviewers, {args.workers} gunicorn workers x {args.threads} thread(s) "
        f"on {os.cpu_count()} CPUs, {args.records:,} records"
    )

    gunicorn = shutil.which("gunicorn", path=str(ROOT / ".venv" / "bin")) or "gunicorn"
    server = subprocess.Popen(
        [
            gunicorn,
            "reviewapp.wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--log-level",
            "warning",
            "--preload",  # as in production: the app is loaded once, before the fork
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "ALLOWED_HOSTS": "127.0.0.1",
            "CELERY_BROKER_URL": args.broker,
            "CACHE_URL": args.broker,
        },
    )
    verdicts: dict[str, float] = {}
    accepted: list[tuple[int, str]] = []
    errors = 0
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/api/")
                break
            except OSError:
                time.sleep(0.1)
        for phase in PHASES:
            if phase not in args.phases:
                continue
            if phase == "paced":
                name, think, loop, seconds = (
                    f"paced (reading {args.think} s per record)",
                    args.think,
                    reviewer_loop,
                    args.seconds,
                )
            elif phase == "saturated":
                name, think, loop, seconds = (
                    "saturated (no pause)",
                    0.0,
                    reviewer_loop,
                    args.seconds,
                )
            else:
                name, think, loop, seconds = (
                    "floor (GET /api/reviews/{id}/, no pause)",
                    0.0,
                    floor_loop,
                    min(args.seconds, 15),
                )
            cpu0 = process_tree_cpu(server.pid)
            result = run_phase(
                review_id=review_id, sessions=sessions, seconds=seconds, think=think, loop=loop
            )
            verdicts[phase] = report(name, result, process_tree_cpu(server.pid) - cpu0)
            accepted += result["accepted"]
            errors += len(result["errors"])
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(20)
        purge_queue(args.broker)

    from django.db.models import Count, Max

    from screening.models import Vote

    per_record = Vote.objects.filter(stage="ta").values("record").annotate(n=Count("pk"))
    most = per_record.aggregate(m=Max("n"))["m"] or 0
    stored = Vote.objects.filter(stage="ta").count()
    print(
        f"\nvotes stored: {stored}  accepted (201): {len(accepted)}  "
        f"max votes on one record: {most} (N = 2)  errors: {errors}"
    )
    ok = most <= 2 and stored == len(accepted) == len(set(accepted)) and not errors
    if "paced" in verdicts:
        ok = ok and verdicts["paced"] <= 100
        print(
            "PASS" if ok else "FAIL",
            f"(target p95 <= 100 ms with 20 reviewers reading {args.think} s per record; "
            f"worst p95 {verdicts['paced']:.1f} ms)",
        )
    else:
        print("PASS" if ok else "FAIL", "(integrity only: the paced phase did not run)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
