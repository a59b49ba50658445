"""The records list on a 100,000-record review (PostgreSQL): searches, filter + sort
combinations, and tagging a 10,000-record filtered set.

    .venv/bin/python bench/records.py                 # 100k records
    .venv/bin/python bench/records.py --size 20000 --runs 10

Builds a review in database reviewapp_bench_records (recreated) with synthetic records
(titles, 120-word abstracts, authors, keywords, journals, years 1990-2024, DOIs, every
state of the flow, votes on some), then requests the records page through Django's test
client as the lead (the whole stack but the network) and prints, per request, the p50
and p95 over `--runs` runs and the number of SQL queries; then tags every record of a
filtered set of about 10,000 records (`tag_records`, one history event each) and prints
the time. Targets (issue 16): p95 ≤ 200 ms for list pages, ≤ 2 s for the bulk tag.
The machine is shared, so the figures are indicative (upper bounds).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "reviewapp_bench_records"

from _db import recreate_database  # noqa: E402  (bench/ is on sys.path)

os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB_NAME}")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")
sys.path.insert(0, str(ROOT))

WORDS = [
    "pain",
    "chronic",
    "naltrexone",
    "opioid",
    "low",
    "dose",
    "trial",
    "randomised",
    "placebo",
    "controlled",
    "patients",
    "fibromyalgia",
    "neuropathic",
    "syndrome",
    "regional",
    "complex",
    "inflammatory",
    "bowel",
    "disease",
    "crohn",
    "treatment",
    "efficacy",
    "safety",
    "outcome",
    "cohort",
    "study",
    "review",
    "systematic",
    "meta",
    "analysis",
    "mouse",
    "model",
    "cells",
    "vitro",
    "receptor",
    "antagonist",
    "glial",
    "microglia",
    "cytokine",
    "women",
    "men",
    "children",
    "adult",
    "quality",
    "life",
    "sleep",
    "fatigue",
    "depression",
    "anxiety",
    "score",
    "scale",
    "follow",
    "weeks",
    "months",
    "baseline",
    "significant",
    "reduction",
    "improvement",
    "adverse",
    "events",
    "mild",
    "moderate",
    "severe",
    "headache",
    "migraine",
    "arthritis",
    "rheumatoid",
    "osteoarthritis",
    "back",
    "lumbar",
    "cancer",
    "multiple",
    "sclerosis",
]
SURNAMES = [
    "Smith",
    "Younger",
    "Mackey",
    "Chopra",
    "Cooper",
    "Jones",
    "Garcia",
    "Müller",
    "Nguyen",
    "Patel",
    "Kim",
    "Rossi",
]
JOURNALS = ["Pain", "Pain Med", "BMJ", "Lancet", "J Pain Res", "Arthritis Rheum", "PLoS One"]
STATES = [("ta", 0.3), ("ta_excluded", 0.5), ("duplicate", 0.1), ("ft", 0.05), ("included", 0.05)]


def build_review(size: int):
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.db import connection

    from reviewapp.models import Membership, Role
    from reviewapp.services import create_review
    from screening.models import ImportBatch, Record, StageOutcome, Vote
    from screening.services.bulk import insert_records
    from screening.services.record_stats import recount

    rng = random.Random(size)
    users = get_user_model()
    owner = users.objects.create_user("bench-owner", password="x")
    lead = users.objects.create_user("bench-lead", password="x")
    rita = users.objects.create_user("bench-rita", password="x")
    review = create_review(owner=owner, title=f"records bench {size}")
    Membership.objects.create(review=review, user=lead, role=Role.LEAD, added_by=owner)
    Membership.objects.create(review=review, user=rita, role=Role.REVIEWER, added_by=owner)
    batches = []
    for name in ("PubMed", "Embase", "Web of Science"):
        batch = ImportBatch(
            review=review, source_name=name, filename=f"{name}.ris", sha256=name, status="done"
        )
        batch.file.save(batch.filename, ContentFile(b"x"), save=False)
        batch.save()
        batches.append(batch)
    states = [s for s, share in STATES for _ in range(round(share * size))][:size]
    states += ["ta"] * (size - len(states))
    rng.shuffle(states)

    def words(n):
        return " ".join(rng.choice(WORDS) for _ in range(n))

    records = [
        Record(
            review=review,
            batch=batches[i % 3],
            position=i,
            title=words(12).capitalize(),
            abstract=words(120) if i % 10 else "",
            authors=[f"{rng.choice(SURNAMES)} {chr(65 + rng.randrange(26))}" for _ in range(3)],
            keywords=[rng.choice(WORDS) for _ in range(4)],
            journal=rng.choice(JOURNALS),
            year=1990 + rng.randrange(35),
            doi=f"10.{1000 + i % 9000}/bench.{i}",
            state=state,
            shuffle_key=rng.getrandbits(31),
        )
        for i, state in enumerate(states)
    ]
    insert_records(records)
    voted = list(
        Record.objects.filter(review=review, state="ta_excluded").values_list("pk", flat=True)
    )[: size // 5]
    StageOutcome.objects.bulk_create(
        [
            StageOutcome(
                review=review,
                record_id=pk,
                stage="ta",
                votes=1,
                status="settled",
                decision="exclude",
                settled_by="votes",
            )
            for pk in voted
        ],
        batch_size=5000,
    )
    Vote.objects.bulk_create(
        [
            Vote(record_id=pk, review=review, stage="ta", reviewer=rita, verdict="exclude")
            for pk in voted
        ],
        batch_size=5000,
    )
    # The rows went in directly, not through the services: fill the stored sort figures
    # as the migration's backfill does (screening.services.record_stats).
    recount(review.pk)
    with connection.cursor() as cursor:
        # What autovacuum does soon after an import: statistics, and the visibility map
        # that lets a count read an index alone.
        cursor.execute("VACUUM ANALYZE")
    return review, lead


REQUESTS = [
    ("search: naltrexone", "q=naltrexone"),
    ('search: "low dose" fibromyalgia', 'q="low dose" fibromyalgia'),
    ("search: naltrex* -mouse year:2015..", "q=naltrex* -mouse year:2015.."),
    ("search: ti:pain au:smith", "q=ti:pain au:smith"),
    ("search: doi fragment", "q=doi:bench.4242"),
    ("filter state=ta, sort -year", "state=ta&ordering=-year"),
    ("filter stage=ta&status=settled, sort title", "stage=ta&status=settled&ordering=title"),
    (
        "filter year 2000-2010 + abstract, sort first author",
        "year_from=2000&year_to=2010&abstract=yes&ordering=first_author",
    ),
    ("filter source, sort -votes", "source=Embase&ordering=-votes"),
    ("tag filter + search, sort journal", "tag={tag}&q=pain&ordering=journal"),
    ("all records, 500 per page", "per_page=500"),
    ("screened by a reviewer, sort -last activity", "screened_by={rita}&ordering=-activity"),
    ("all records, page 40", "page=40"),
]


def measure(client, url: str, runs: int) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return (
        statistics.median(timings),
        p95,
        len(queries),
        response.content.count(b'data-testid="record" data-record'),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    recreate_database(DB_NAME)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from screening.models import Record
    from screening.services.tags import add_tag, create_tag, tag_records

    started = time.perf_counter()
    review, lead = build_review(args.size)
    print(f"built {args.size} records in {time.perf_counter() - started:.1f} s", flush=True)
    tag = create_tag(review=review, name="RCT", key="r")
    for record in Record.objects.filter(review=review).order_by("pk")[: args.size // 100]:
        add_tag(record=record, tag=tag, by=lead)
    rita = get_user_model().objects.get(username="bench-rita")
    # This process now starts as a web process does (reviewapp/wsgi.py: views and
    # scikit-learn loaded, what was loaded frozen out of the cycle collector's walks).
    import reviewapp.wsgi  # noqa: F401

    client = Client(HTTP_HOST="localhost")
    client.force_login(lead)
    base = reverse("record_list", args=[review.pk])
    # A shared machine: the load beside the figures (they are upper bounds under load).
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"{'request':58} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'rows':>5}")
    for label, query in REQUESTS:
        url = f"{base}?{query.format(tag=tag.pk, rita=rita.pk)}"
        p50, p95, queries, rows = measure(client, url, args.runs)
        print(f"{label:58} {p50:8.1f} {p95:8.1f} {queries:8} {rows:5}", flush=True)

    bulk = create_tag(review=review, name="Bulk", key="b")
    years = sorted(Record.objects.filter(review=review).values_list("year", flat=True))
    cut = years[min(len(years) - 1, 10_000 * len(years) // max(args.size, 1) - 1)]
    ids = list(
        Record.objects.filter(review=review, year__lte=cut)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    started = time.perf_counter()
    tagged = tag_records(review=review, record_ids=ids, tag=bulk, by=lead)
    elapsed = time.perf_counter() - started
    print(
        f"bulk tag of a filtered set (year <= {cut}): {tagged} records in {elapsed:.2f} s (target ≤ 2 s)"
    )
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
