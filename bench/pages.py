"""The hot pages of a 100,000-record review, one user, over real HTTP (issue 14).

    .venv/bin/python bench/pages.py                     # build 100k records, 40 runs
    .venv/bin/python bench/pages.py --reuse --runs 60   # keep the database built last time
    .venv/bin/python bench/pages.py --records 5000 --runs 10

Builds a review in database $BENCH_DB_NAME (default reviewapp_bench_pages, recreated
unless --reuse finds the review) half-way through screening: records from three
databases and citation searching in every state of the flow (5 % duplicates, 45 %
awaiting title/abstract screening, most of the rest excluded, a few hundred at full
text), two votes from a team of six on every record past title/abstract (full-text
reasons too), one vote on a fifth of those waiting, some conflicts, tags, highlight
terms, and every member's ranking model fitted once (so the queue is the ranked one).

Then serves the app with gunicorn (production settings: DEBUG=0, PostgreSQL, Redis
cache on $BENCH_CELERY_BROKER_URL, default redis://127.0.0.1:6379/13, one sync worker,
no Celery worker: the retrain tasks the votes queue just wait in Redis) and times, as one
logged-in reviewer (stdlib http.client, keep-alive), each request --runs times,
interleaved round by round so a load spike hits all of them alike:

    floor          GET  /api/reviews/<id>/           (the cheapest authenticated API call)
    screen page    GET  /reviews/<id>/screen/ta/     (the whole page: the record the last
                   next leased, as on a reload)
    htmx vote+next POST .../screen/ta/records/<r>/vote/  HX-Request (vote, the next record
                   found afresh, progress)
    api vote       POST /api/reviews/<id>/votes/     (on the record the fragment offered)
    api next       GET  /api/reviews/<id>/queue/next/?stage=ta  (afresh, after that vote)
    prisma page    GET  /reviews/<id>/prisma/        after a change (flow version bumped)
    prisma live    GET  /reviews/<id>/prisma/live/?v=<old>  after a change: the re-render
    prisma poll    GET  /reviews/<id>/prisma/live/?v=<current>  nothing changed: 204
    records p1     GET  /reviews/<id>/records/  (the records list as opened: rows 1-50)
    records p1000  GET  /reviews/<id>/records/?page=1000  (the records list deep in: rows
                   49,951-50,000 of 50 per page)

"After a change" bumps the review's PRISMA flow version before the request (what every
vote that settles a record, import or merge does), so nothing cached for the previous
version may answer: these are the cost of a real re-render, not of a cache hit.

Prints median and p95 (ms), the ratio of each median to the floor's, and the targets
(issue 14: every page <= 50 ms median at 100k and <= 8x the floor; the HTMX vote+next
within 2x of api next + api vote). The machine is shared: print `uptime` beside them.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]
TITLE = "Bench pages: low-dose naltrexone for chronic pain"
TEAM = 6
STATES = [  # (state, share of records): half-way through title/abstract screening
    ("duplicate", 0.05),
    ("ta", 0.45),
    ("ta_excluded", 0.44),
    ("ft_retrieval", 0.01),
    ("ft_not_retrieved", 0.005),
    ("ft", 0.015),
    ("ft_excluded", 0.025),
    ("included", 0.005),
]
PAST_TA = {"ta_excluded", "ft_retrieval", "ft_not_retrieved", "ft", "ft_excluded", "included"}
FT_REASONS = ["Animal model", "In vitro", "Acute pain only", "Outcome not assessed", "Wrong design"]
TOPIC = [
    "naltrexone",
    "low",
    "dose",
    "chronic",
    "pain",
    "fibromyalgia",
    "randomised",
    "placebo",
    "trial",
    "patients",
]
OTHER = [
    "mice",
    "opioid",
    "receptor",
    "glia",
    "microglia",
    "cytokine",
    "cells",
    "vitro",
    "model",
    "antagonist",
    "rat",
]
COMMON = [
    "the",
    "of",
    "and",
    "in",
    "with",
    "for",
    "was",
    "were",
    "study",
    "results",
    "methods",
    "conclusion",
]


def configure(args) -> None:
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.db}"
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-pages-" + "s3cr" * 12)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
    os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
    os.environ["DJANGO_SETTINGS_MODULE"] = "reviewapp.settings"
    os.environ["CELERY_BROKER_URL"] = args.broker
    os.environ["CACHE_URL"] = args.broker


def _abstract(rng: random.Random, relevant: bool) -> str:
    words = (TOPIC if relevant else OTHER + TOPIC[:3]) + COMMON * 2
    sentences = [" ".join(rng.choices(words, k=rng.randint(12, 24))).capitalize() for _ in range(9)]
    return ". ".join(sentences) + "."


def build(n_records: int) -> int:
    """The review half-way through screening (see the module's docstring); its id."""
    from django.contrib.auth import get_user_model

    from reviewapp.models import Membership, Role
    from reviewapp.services import create_review
    from screening.models import (
        ExclusionReason,
        OutcomeStatus,
        Record,
        RecordTag,
        ScreeningSettings,
        StageOutcome,
        Tag,
        Vote,
    )
    from screening.services.bulk import analyze, insert_records, insert_rows
    from screening.services.ranking import retrain_review

    users = get_user_model()
    lead = users.objects.create_user("bench-lead")
    review = create_review(owner=lead, title=TITLE)
    team = [users.objects.create_user(f"bench-reviewer-{i}") for i in range(TEAM)]
    for user in team:
        Membership.objects.create(review=review, user=user, role=Role.REVIEWER)
    ScreeningSettings.objects.update_or_create(
        review=review,
        defaults={
            "highlight_include": ["naltrexone", "chronic pain", "fibromyalgia", "randomised"],
            "highlight_exclude": ["mice", "rat", "in vitro", "microglia"],
        },
    )
    from bench._db import source_batches

    batches = source_batches(review, "pages")
    reasons = [
        ExclusionReason.objects.get_or_create(
            review=review, stage="ft", label=label, defaults={"order": i}
        )[0]
        for i, label in enumerate(FT_REASONS)
    ]
    rng = random.Random(14)
    states = [s for s, share in STATES for _ in range(round(share * n_records))][:n_records]
    states += ["ta"] * (n_records - len(states))
    rng.shuffle(states)
    rows = []
    for position, state in enumerate(states, start=1):
        relevant = state in ("ft", "ft_excluded", "included", "ft_retrieval") or rng.random() < 0.1
        words = TOPIC if relevant else OTHER
        rows.append(
            Record(
                review=review,
                batch=batches[3]
                if position % 50 == 0 and state not in ("duplicate", "ta", "ta_excluded")
                else batches[position % 3],
                position=position,
                title=" ".join(rng.choices(words + COMMON, k=rng.randint(8, 16))).capitalize(),
                abstract=_abstract(rng, relevant),
                authors=[f"Author{rng.randrange(5000)} {chr(65 + i)}" for i in range(5)],
                year=1990 + position % 35,
                journal=rng.choice(["Pain", "Pain Medicine", "J Pain Res", "Brain Behav Immun"]),
                doi=f"10.5555/bench.{position}",
                keywords=rng.sample(words, 3),
                shuffle_key=rng.randrange(2**31),
                state=state,
            )
        )
        if len(rows) == 5000:
            insert_records(rows)
            rows = []
    insert_records(rows)
    keys = {
        position: (pk, key)
        for position, pk, key in Record.objects.filter(review=review).values_list(
            "position", "pk", "shuffle_key"
        )
    }
    ids = {position: pk for position, (pk, _) in keys.items()}
    votes, outcomes = [], []

    def settle(pk, shuffle_key, stage, pair, verdict, reason=None):
        """Two agreeing votes of `pair` and the outcome they settled."""
        votes.extend(
            Vote(
                record_id=pk, review=review, stage=stage, reviewer=u, verdict=verdict, reason=reason
            )
            for u in pair
        )
        outcomes.append(
            StageOutcome(
                review=review,
                record_id=pk,
                shuffle_key=shuffle_key,
                stage=stage,
                votes=2,
                status=OutcomeStatus.SETTLED,
                decision=verdict,
                reason=reason,
                settled_by="votes",
            )
        )

    for position, state in enumerate(states, start=1):
        pk, shuffle_key = keys[position]
        if state in PAST_TA:
            pair = rng.sample(team, 2)
            verdict = "exclude" if state == "ta_excluded" else "include"
            settle(pk, shuffle_key, "ta", pair, verdict)
            if state in ("ft_excluded", "included"):
                reason = rng.choice(reasons) if state == "ft_excluded" else None
                settle(pk, shuffle_key, "ft", pair, "exclude" if reason else "include", reason)
        elif state == "ta" and rng.random() < 0.2:
            conflict = rng.random() < 0.05
            voters = rng.sample(team[1:], 2 if conflict else 1)  # not the bench reviewer's
            votes += [
                Vote(record_id=pk, review=review, stage="ta", reviewer=u, verdict=v)
                for u, v in zip(voters, ["include", "exclude"], strict=False)
            ]
            outcomes.append(
                StageOutcome(
                    review=review,
                    record_id=pk,
                    shuffle_key=shuffle_key,
                    stage="ta",
                    votes=len(voters),
                    status=OutcomeStatus.CONFLICT if conflict else OutcomeStatus.OPEN,
                )
            )
    insert_rows(Vote, votes)
    insert_rows(StageOutcome, outcomes)
    tags = [
        Tag.objects.create(review=review, name=name)
        for name in ["RCT", "Case report", "Ask lead", "Animal", "Review"]
    ]
    insert_rows(
        RecordTag,
        [
            RecordTag(record_id=pk, tag=rng.choice(tags), added_by=lead)
            for pk in rng.sample(list(ids.values()), n_records // 20)
        ],
    )
    for model in (Record, Vote, StageOutcome, RecordTag):
        analyze(model)
    vacuum(Record, Vote, StageOutcome)
    started = time.perf_counter()
    retrain_review(review=review)
    print(f"every member's model fitted in {time.perf_counter() - started:.1f} s", flush=True)
    return review.pk


def vacuum(*models) -> None:
    """What autovacuum does soon after a bulk insert (PostgreSQL 13+ vacuums on inserts
    too): marks the pages all-visible, so counts read indexes only. Done at once here so
    the figures do not depend on when it happens to run."""
    from django.db import connection

    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def session_for(username: str) -> str:
    """A real session in the store, as a login makes."""
    from django.contrib.auth import get_user_model
    from django.test import Client as DjangoClient

    client = DjangoClient()
    client.force_login(get_user_model().objects.get(username=username))
    return client.cookies["sessionid"].value


class Client:
    """A logged-in browser session over one keep-alive connection."""

    def __init__(self, session_id: str, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies = {"sessionid": session_id, "csrftoken": "c" * 32}

    def request(self, method, path, body=None, headers=None) -> tuple[float, int, bytes]:
        headers = {"Host": "127.0.0.1", **(headers or {})}
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method != "GET":
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        started = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return elapsed, response.status, data


VOTE_URL = re.compile(rb'action="(/reviews/\d+/screen/ta/records/(\d+)/vote/)"')


def expect(status: int, wanted: int, what: str, data: bytes) -> None:
    if status != wanted:
        raise RuntimeError(f"{what}: HTTP {status} (expected {wanted}): {data[:300]!r}")


def bump_flow_version(review_id: int) -> int:
    """What a change of a PRISMA number does (journey.flow_changed), done at once; the
    version before the bump."""
    from django.core.cache import cache

    from screening.services.journey import _version_key, flow_version

    before = flow_version(review_id)
    cache.incr(_version_key(review_id))
    return before


def run(args, review_id: int, session_id: str) -> dict[str, list[float]]:
    from screening.services.journey import flow_version

    client = Client(session_id, args.port)
    base = f"/reviews/{review_id}"
    api = f"/api/reviews/{review_id}"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    htmx = {**form, "HX-Request": "true", "HX-Target": "screen"}
    as_json = {"Content-Type": "application/json"}
    timings: dict[str, list[float]] = {
        name: []
        for name in (
            "floor",
            "screen page",
            "htmx vote+next",
            "api next",
            "api vote",
            "prisma page",
            "prisma live",
            "prisma poll",
            "records p1",
            "records p1000",
        )
    }

    def timed(name, method, path, body=None, headers=None, status=200) -> bytes:
        elapsed, got, data = client.request(method, path, body, headers)
        expect(got, status, name, data)
        timings[name].append(elapsed)
        return data

    for warm in range(args.warmup + args.runs):
        if warm == args.warmup:
            timings = {name: [] for name in timings}
        timed("floor", "GET", f"{api}/")
        # The page shows the record the last `next` leased (a reload); the vote then
        # answers with a record found afresh, as the API's next after a vote does.
        page = timed("screen page", "GET", f"{base}/screen/ta/")
        match = VOTE_URL.search(page)
        if match is None:
            raise RuntimeError("the screening page shows no record to vote on")
        fragment = timed("htmx vote+next", "POST", match[1].decode(), "verdict=exclude", htmx)
        leased = VOTE_URL.search(fragment)
        if leased is None or b'data-testid="vote-saved"' not in fragment:
            raise RuntimeError(f"the HTMX vote did not answer the next record: {fragment[:300]!r}")
        body = json.dumps({"record": int(leased[2]), "stage": "ta", "verdict": "exclude"})
        timed("api vote", "POST", f"{api}/votes/", body, as_json, status=201)
        if json.loads(timed("api next", "GET", f"{api}/queue/next/?stage=ta"))["record"] is None:
            raise RuntimeError("the queue answered nothing waiting")
        bump_flow_version(review_id)
        timed("prisma page", "GET", f"{base}/prisma/")
        old = bump_flow_version(review_id)
        timed("prisma live", "GET", f"{base}/prisma/live/?v={old}")
        timed("prisma poll", "GET", f"{base}/prisma/live/?v={flow_version(review_id)}", status=204)
        # The records list as opened, and deep in: page 1,000 of 50 (records 49,951-50,000).
        timed("records p1", "GET", f"{base}/records/")
        timed("records p1000", "GET", f"{base}/records/?page=1000")
    return timings


def start_server(args) -> subprocess.Popen:
    # DEBUG=0 serves hashed static names (whitenoise's manifest), as in production.
    os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="bench-pages-static-"))
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True
    )
    from bench._db import start_gunicorn

    return start_gunicorn(args.port, args.workers, dict(os.environ))


def percentile(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(timings: dict[str, list[float]], records: int) -> bool:
    floor = statistics.median(timings["floor"])
    print(f"\n{'request':<16} {'median ms':>9} {'p95 ms':>7} {'x floor':>8}")
    for name, values in timings.items():
        median = statistics.median(values)
        print(
            f"{name:<16} {1000 * median:>9.1f} {1000 * percentile(values, 95):>7.1f} "
            f"{median / floor:>8.1f}"
        )
    pages = [
        "screen page",
        "htmx vote+next",
        "prisma page",
        "prisma live",
        "records p1",
        "records p1000",
    ]
    worst = max(statistics.median(timings[p]) for p in pages)
    api_pair = statistics.median(timings["api next"]) + statistics.median(timings["api vote"])
    htmx = statistics.median(timings["htmx vote+next"])
    print(
        f"\n{records:,} records. Pages: slowest median {1000 * worst:.1f} ms "
        f"({worst / floor:.1f}x the floor); target <= 50 ms and <= 8x."
        f"\nHTMX vote+next {1000 * htmx:.1f} ms = {htmx / api_pair:.2f}x api next + vote "
        f"({1000 * api_pair:.1f} ms); target <= 2x."
        f"\nload: {Path('/proc/loadavg').read_text().split()[:3]} on {os.cpu_count()} CPUs "
        "(shared machine: figures are upper bounds)"
    )
    return worst <= 0.050 and worst <= 8 * floor and htmx <= 2 * api_pair


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep the review built last time")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8795)
    parser.add_argument("--db", default=os.environ.get("BENCH_DB_NAME", "reviewapp_bench_pages"))
    parser.add_argument(
        "--broker",
        default=os.environ.get("BENCH_CELERY_BROKER_URL", "redis://127.0.0.1:6379/13"),
        help="Redis for the cache and the (unserved) task queue; emptied first",
    )
    args = parser.parse_args()
    configure(args)
    import redis

    redis.Redis.from_url(args.broker).flushdb()
    review_id = None
    if args.reuse:
        import django

        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)

        with contextlib.suppress(Exception):
            django.setup()
            from reviewapp.models import Review
            from screening.models import Record

            review = Review.objects.filter(title=TITLE).first()
            if review and Record.objects.filter(review=review).count() == args.records:
                review_id = review.pk
        if review_id is not None:  # a migration may have rewritten rows: as autovacuum would
            from screening.models import StageOutcome, Vote

            vacuum(Record, Vote, StageOutcome)
    if review_id is None:
        from bench._db import recreate_database

        recreate_database(args.db)
        import django

        django.setup()
        started = time.perf_counter()
        review_id = build(args.records)
        print(f"{args.records:,} records built in {time.perf_counter() - started:.0f} s")
    from django.db import connections

    session_id = session_for("bench-reviewer-0")
    connections.close_all()
    server = start_server(args)
    try:
        timings = run(args, review_id, session_id)
    finally:
        server.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(30)
    print(
        f"gunicorn, {args.workers} sync worker(s), DEBUG=0, PostgreSQL, Redis cache; one "
        f"reviewer; {args.runs} runs each (after {args.warmup} warm-up rounds), interleaved"
    )
    return 0 if report(timings, args.records) else 1


if __name__ == "__main__":
    sys.exit(main())
