"""Screening on the production shape: gunicorn + PostgreSQL + Redis + a Celery worker
retraining as votes arrive, 20 / 50 / 100 / 200 reviewers on one 100,000-record review.

    .venv/bin/python bench/screening.py                       # the issue's run (~12 min)
    .venv/bin/python bench/screening.py --records 10000 --reviewers 20 50 --seconds 20
    .venv/bin/python bench/screening.py --worker-class gthread --workers 2 --threads 4
    .venv/bin/python bench/screening.py --hosts 2 --ranking-workers 2   # a second web host
    .venv/bin/python bench/screening.py --read 5 20           # real reading time (slow)
    .venv/bin/python bench/screening.py --vote-next           # one request per record

Each simulated reviewer holds a logged-in session (created in the session store as a
login does; stdlib http.client, keep-alive) and loops: GET /api/reviews/{id}/queue/next/,
read the record for a time drawn uniformly from --read (default 0.5-2 s: people's
5-20 s compressed 10x, so the server sees ten times the vote rate of that many people),
then POST /api/reviews/{id}/votes/. Verdicts: 85 % exclude, 10 % include, 5 % maybe;
2 votes per record.

The worker (`celery worker`, solo pool, both queues) retrains as the votes arrive, with
the app's own schedule: RANKING_REFIT_VOTES (50) and RANKING_REFIT_SECONDS compressed
like the reading time (300 s / 10 = 30 s by default, so a model is as many votes old
at its timed refit as with people reading 5-20 s; --refit-seconds). Before the first
step every member's model is fitted once (a few settled decisions are seeded, so the
queue is the ranked one from the start), and the worker runs once to build and cache
the review's features (a one-off per worker process, printed, not in the steps).

--hosts N starts N gunicorn process groups on consecutive ports (loopback stand-ins for
N web hosts behind a load balancer; the reviewers are spread over them) and
--ranking-workers M starts M Celery workers, all on the one PostgreSQL and Redis.

For each number of reviewers (one step each, --seconds long, the same review going on)
it prints next and vote p50/p95, errors (non-2xx, "nothing waiting" answers while
records wait, failed models), requests/s, refits, how stale the models got (the most
votes a screener cast since their last fit, the oldest model) and the load average;
then the CPU per screened record (one next + one vote) of each process group, read from
/proc (whole process trees, ended children included): gunicorn, celery, PostgreSQL,
Redis, their sum, this script's own (the clients) and the whole machine's; then the
knee: the most reviewers with next and vote p95 <= 100 ms, no error and every model
refreshed within twice its due. At the end it checks in the database that no record got
more than 2 votes and every accepted vote is stored once, and prints Redis's keys and
bytes and the whole run's time.

Numbers depend on the machine: quote the load average printed beside them; on a shared
machine every figure is an upper bound.
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
from bench._proc import (  # noqa: E402
    backend_cpu,
    cpu_seconds,
    machine_busy,
    postgres_cpu,
    redis_pids,
    tree_cpu,
)

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
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
            # A keep-alive connection the server closed while the reviewer read (gthread
            # closes them after --keep-alive seconds idle): reconnect and send again, as
            # a browser does on a reused connection that fails before any answer.
            self.conn.close()
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data


def reviewer_loop(name, session_id, review_id, port, read, deadline, out, lock, gate, vote_next):
    try:
        screen(name, session_id, review_id, port, read, deadline, out, lock, gate, vote_next)
    except Exception as exc:  # noqa: BLE001 - counted as an error
        with lock:
            out["errors"].append(f"{name}: {exc!r}")


def screen(name, session_id, review_id, port, read, deadline, out, lock, gate, vote_next):
    client = Client(session_id, port)
    rng = random.Random(name)
    timings = {"next": [], "vote": []}
    accepted, failures, empty = [], [], 0
    gate.wait()
    time.sleep(rng.uniform(0, read[1]))  # people do not all press a key at once
    record = None  # with --vote-next: the record the last vote's answer leased
    while time.monotonic() < deadline:
        if record is None:
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
        ballot = {"record": record["id"], "stage": "ta", "verdict": verdict}
        if vote_next:
            ballot["next"] = True
        t0 = time.perf_counter()
        status, data = client.request(
            "POST",
            f"/api/reviews/{review_id}/votes/",
            json.dumps(ballot),
            {"Content-Type": "application/json"},
        )
        timings["vote"].append(time.perf_counter() - t0)
        if status == 201:
            accepted.append((record["id"], name))
        else:
            failures.append(f"vote {status} {data[:120]!r}")
        # None (no next asked, a refusal, or the queue's end): ask queue/next/ again.
        following = json.loads(data).get("next") if vote_next and status < 300 else None
        record = following["record"] if following else None
    with lock:
        for kind, values in timings.items():
            out["timings"][kind].extend(values)
        out["errors"].extend(failures)
        out["empty"] += empty
        out["accepted"].extend(accepted)


def percentile(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


# The server's processes: PostgreSQL as a whole (backends that ended between two
# readings included), Redis as a whole.
GROUPS = ("gunicorn", "celery", "postgres", "redis")
# Of "postgres": the backends serving each (live through the step), by application_name.
BACKENDS = ("pg web", "pg worker", "pg other")


def snapshot(servers: list, workers: list, db: str) -> dict:
    return {
        "gunicorn": sum(tree_cpu(p.pid) for p in servers),
        "celery": sum(tree_cpu(p.pid) for p in workers),
        "pg": backend_cpu(db),
        "redis": sum(cpu_seconds(pid) for pid in redis_pids()),
        "postgres": postgres_cpu(),
        "clients": cpu_seconds(os.getpid()),  # this script: the simulated browsers
        "machine": machine_busy(),
    }


def used(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds per process group between two snapshots (a backend born in between
    counts whole)."""
    kinds = ("gunicorn", "celery", "postgres", "redis", "clients")
    totals = {k: after[k] - before[k] for k in kinds}
    totals.update({"pg web": 0.0, "pg worker": 0.0, "pg other": 0.0})
    for pid, (kind, seconds) in after["pg"].items():
        if kind != "bench":
            totals[f"pg {kind}"] += seconds - before["pg"].get(pid, (kind, 0.0))[1]
    totals["machine"] = after["machine"] - before["machine"]
    return totals


def run_step(args, review_id, sessions, n, servers, workers) -> dict:
    names = list(sessions)[:n]
    out = {"timings": {"next": [], "vote": []}, "errors": [], "empty": 0, "accepted": []}
    lock = threading.Lock()
    gate = threading.Barrier(n + 1)
    deadline = time.monotonic() + args.seconds + args.read[1]
    ports = [args.port + host for host in range(args.hosts)]
    threads = [
        threading.Thread(
            target=reviewer_loop,
            args=(
                name,
                sessions[name],
                review_id,
                ports[i % len(ports)],  # the load balancer: reviewers spread over the hosts
                args.read,
                deadline,
                out,
                lock,
                gate,
                args.vote_next,
            ),
        )
        for i, name in enumerate(names)
    ]
    for thread in threads:
        thread.start()
    before = snapshot(servers, workers, args.db)
    began = time.monotonic()
    gate.wait()
    for thread in threads:
        thread.join()
    out["elapsed"] = time.monotonic() - began
    after = snapshot(servers, workers, args.db)
    out["cpu"] = used(before, after)
    out["load"] = os.getloadavg()[0]
    return out


def freshness(review_id: int, names: list[str]) -> tuple[int, float, int]:
    """For the screeners in `names`: the most title/abstract votes any of them cast since
    their model's last fit, the oldest of their models in seconds, and failed models."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from screening.models import ModelStatus, RankingModelState

    states = RankingModelState.objects.filter(
        review_id=review_id, reviewer__username__in=names
    ).annotate(
        votes=Count("reviewer__screening_votes", filter=Q(reviewer__screening_votes__stage="ta"))
    )
    now = timezone.now()
    since, oldest, failed = 0, 0.0, 0
    for state in states:
        since = max(since, state.votes - state.n_own)
        if state.trained_at:
            oldest = max(oldest, (now - state.trained_at).total_seconds())
        failed += state.status == ModelStatus.FAILED
    return since, oldest, failed


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


def gunicorn_options(args) -> list[str]:
    if args.worker_class == "gthread":
        return ["--worker-class", "gthread", "--threads", str(args.threads)]
    return []


def start_processes(args) -> tuple[list, list]:
    """`args.hosts` gunicorn process groups (one per simulated web host, on consecutive
    ports) and `args.ranking_workers` Celery workers (the first also serves the default
    queue), each on its own PostgreSQL connections."""
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1"}
    from bench._db import start_gunicorn

    web_url = args.db_url + "?application_name=web"
    servers = [
        start_gunicorn(
            args.port + host,
            args.workers,
            {**env, "DATABASE_URL": web_url},
            gunicorn_options(args),
        )
        for host in range(args.hosts)
    ]
    from bench._db import celery_worker

    workers = [
        celery_worker(
            "celery,ranking" if i == 0 else "ranking",
            f"bench{i}@%h",
            loglevel="WARNING",
            env={**env, "DATABASE_URL": args.db_url + "?application_name=worker"},
        )
        for i in range(args.ranking_workers)
    ]
    return servers, workers


def warm_worker(review_id: int, timeout: float = 900) -> float:
    """Have the worker run once before the first step, so it builds and caches the
    review's features (a one-off per worker process and record set) outside the
    measured steps; returns the seconds it took."""
    from django.utils import timezone

    from screening.models import RankingSchedule
    from screening.services.ranking import request_retrain

    started, since = time.monotonic(), timezone.now()
    RankingSchedule.objects.filter(review_id=review_id).update(pending=False, running_since=None)
    request_retrain(review_id)
    while time.monotonic() - started < timeout:
        done = RankingSchedule.objects.filter(
            review_id=review_id, finished_at__gte=since, running_since__isnull=True
        ).exists()
        if done:
            return time.monotonic() - started
        time.sleep(1)
    raise RuntimeError("the worker did not finish its warm-up run")


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
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers per host")
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--threads", type=int, default=4, help="per gthread worker")
    parser.add_argument(
        "--hosts", type=int, default=1, help="web hosts simulated: gunicorn groups on loopback"
    )
    parser.add_argument("--ranking-workers", type=int, default=1, help="Celery workers")
    parser.add_argument(
        "--refit-seconds",
        type=int,
        default=None,
        help="RANKING_REFIT_SECONDS for the run (default: 300 s compressed like the reading "
        "time, so a model is as many votes old at its timed refit as with people)",
    )
    parser.add_argument(
        "--vote-next",
        action="store_true",
        help='one request per screening act: each vote asks for the next record ("next": '
        "true) and its time is the vote's; next counts only the first ask and those after "
        '"nothing waiting"',
    )
    parser.add_argument("--port", type=int, default=8793)
    parser.add_argument("--db", default="reviewapp_bench_screening")
    parser.add_argument(
        "--broker",
        default=os.environ.get("BENCH_CELERY_BROKER_URL", "redis://127.0.0.1:6379/12"),
        help="Redis for the broker and the cache (emptied first)",
    )
    args = parser.parse_args()
    run_started = time.monotonic()
    compression = 12.5 / (sum(args.read) / 2)  # people read 5-20 s, 12.5 s on average
    if args.refit_seconds is None:
        args.refit_seconds = max(1, round(300 / compression))
    os.environ.setdefault("RANKING_REFIT_SECONDS", str(args.refit_seconds))
    configure(args)
    import redis

    redis.Redis.from_url(args.broker).flushdb()
    from bench._db import recreate_database

    recreate_database(args.db)
    args.db_url = os.environ["DATABASE_URL"]
    os.environ["DATABASE_URL"] += "?application_name=bench"
    t0 = time.monotonic()
    review_id, sessions = seed(args.records, max(args.reviewers))
    fitted = initial_fit(review_id)
    from django.conf import settings

    cpus = os.cpu_count()
    kind = f"{args.worker_class}" + (
        f" x{args.threads} threads" if args.worker_class == "gthread" else ""
    )
    print(
        f"{args.records:,} records, {max(args.reviewers)} reviewers seeded in "
        f"{time.monotonic() - t0:.0f} s (every model fitted once: {fitted:.1f} s); "
        f"{args.hosts} web host(s) x {args.workers} gunicorn {kind} workers, "
        f"{args.ranking_workers} celery worker(s) (solo), {cpus} CPUs"
    )
    print(
        f"reading {args.read[0]}-{args.read[1]} s per record ({compression:.1f}x people's "
        f"5-20 s); refit after {settings.RANKING_REFIT_VOTES} own votes or "
        f"{settings.RANKING_REFIT_SECONDS} s (300 s / {compression:.1f}); "
        f"{args.seconds:.0f} s per step; load average before: "
        + " ".join(f"{v:.1f}" for v in os.getloadavg())
    )
    servers, workers = start_processes(args)
    rows, accepted, errors = [], [], 0
    try:
        print(f"worker warm-up (features built and cached): {warm_worker(review_id):.0f} s")
        for n in args.reviewers:
            versions0, _ = refits(review_id)
            step = run_step(args, review_id, sessions, n, servers, workers)
            versions1, _ = refits(review_id)
            since, oldest, failed = freshness(review_id, list(sessions)[:n])
            timings, votes = step["timings"], len(step["accepted"])
            requests = sum(len(v) for v in timings.values())
            cpu_ms = {k: 1000 * v / max(votes, 1) for k, v in step["cpu"].items()}
            row = {
                "n": n,
                "rps": requests / step["elapsed"],
                "next": (percentile(timings["next"], 50), percentile(timings["next"], 95)),
                "vote": (percentile(timings["vote"], 50), percentile(timings["vote"], 95)),
                "errors": len(step["errors"]) + step["empty"] + failed,
                "votes": votes,
                "cpu": cpu_ms,
                "refits": versions1 - versions0,
                "since": since,
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
            if failed:
                print(f"   {failed} failed models")
    finally:
        for process in (*servers, *workers):
            process.send_signal(signal.SIGTERM)
        for process in (*servers, *workers):
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(30)

    votes_limit = settings.RANKING_REFIT_VOTES
    age_limit = settings.RANKING_REFIT_SECONDS
    print(
        f"\n{'reviewers':>9} {'req/s':>6} {'next p50/p95 ms':>16} {'vote p50/p95 ms':>16} "
        f"{'errors':>6} {'votes':>6} {'refits':>6} {'stale':>11} {'load':>5}"
    )
    knee = None
    for row in rows:
        print(
            f"{row['n']:>9} {row['rps']:>6.1f} "
            f"{1000 * row['next'][0]:>7.0f} / {1000 * row['next'][1]:<6.0f} "
            f"{1000 * row['vote'][0]:>7.0f} / {1000 * row['vote'][1]:<6.0f} "
            f"{row['errors']:>6} {row['votes']:>6} {row['refits']:>6} "
            f"{row['since']:>4} / {row['oldest']:>3.0f} s {row['load']:>5.1f}"
        )
        learning = row["since"] <= 2 * votes_limit and row["oldest"] <= 2 * age_limit
        if (
            max(row["next"][1], row["vote"][1]) * 1000 <= TARGET_MS
            and not row["errors"]
            and learning
            and (knee is None or row["n"] > knee)
        ):
            knee = row["n"]
    print(
        f"(stale: the most votes a screener cast since their model's last fit / the oldest "
        f"model, at the step's end; due at {votes_limit} votes or {age_limit} s, refitted "
        "by the next run)"
    )
    print(
        "\nCPU ms per screened record (one next + one vote; 2 votes settle a record), "
        "per process group:"
    )
    print(
        f"{'reviewers':>9} "
        + " ".join(f"{g:>9}" for g in GROUPS)
        + f" {'= server':>9}  {'clients':>8} {'machine':>8}  |  "
        + " ".join(f"{g:>9}" for g in BACKENDS)
    )
    for row in rows:
        cpu = row["cpu"]
        total = sum(cpu[g] for g in GROUPS)
        print(
            f"{row['n']:>9} "
            + " ".join(f"{cpu[g]:>9.1f}" for g in GROUPS)
            + f" {total:>9.1f}  {cpu['clients']:>8.1f} {cpu['machine']:>8.1f}  |  "
            + " ".join(f"{cpu[g]:>9.1f}" for g in BACKENDS)
        )
    print(
        "(server = gunicorn (master + workers) + celery + PostgreSQL + Redis, whole "
        "processes, live or ended; PostgreSQL and Redis count every database's and "
        "client's work, so on a shared machine they are upper bounds. clients: this "
        "script's simulated browsers. machine: every busy core, other jobs included. "
        "Right of |: the PostgreSQL backends of this bench's database that lived through "
        "the step, by application_name: a lower bound of each part.)"
    )
    print(
        f"knee (most reviewers with next and vote p95 <= {TARGET_MS} ms, no error, every "
        f"model refreshed within twice its due): "
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
        f"Redis {keys} keys, {size / 1024:.0f} kB; model versions {versions}; "
        f"whole run {time.monotonic() - run_started:.0f} s; load average now "
        + " ".join(f"{v:.1f}" for v in os.getloadavg())
    )
    ok = most <= 2 and stored == len(accepted) == len(set(accepted)) and not errors
    print("integrity PASS" if ok else "integrity FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
