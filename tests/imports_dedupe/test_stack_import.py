"""Against the real stack: a worker killed mid-import leaves nothing, and the retry
leaves exactly one copy of each record."""

import time

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from reviewapp import services as review_services
from screening.models import ImportBatch, ImportStatus, Record
from screening.services import imports as services
from tests.services_fixtures import wait_for

N_RECORDS = 30_000


def _big_ris(n: int) -> bytes:
    parts = []
    for i in range(n):
        parts.append(
            f"TY  - JOUR\nID  - big{i}\nTI  - Trial number {i} of treatment {i * 7919 % 1000} in cohort {i % 97}\n"
            f"AU  - Author{i % 500}, A\nPY  - {1990 + i % 30}\nJO  - Journal {i % 50}\nVL  - {i % 40}\n"
            f"SP  - {i}\nEP  - {i + 9}\nAB  - {'Abstract text about outcomes. ' * 8}\nER  - \n\n"
        )
    return "".join(parts).encode()


@pytest.mark.services
def test_a_killed_worker_leaves_nothing_and_the_retry_imports_once(worker, django_user_model):
    owner = django_user_model.objects.create_user(username="owner", password="x")
    review = review_services.create_review(owner=owner, title="Kill test")
    batch = services.create_import(
        review=review,
        upload=SimpleUploadedFile("big.ris", _big_ris(N_RECORDS)),
        source_name="Embase",
        uploaded_by=owner,
    )
    # Wait until the worker is well into the file, then kill it like a machine dying.
    wait_for(
        lambda: (cache.get(services.progress_key(batch.pk)) or {}).get("imported", 0) >= 4000,
        timeout=60,
        what="the worker to be half-way through the import",
    )
    worker.kill()
    killed_at = time.monotonic()
    assert Record.objects.filter(review=review).count() == 0
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.RUNNING

    # The heartbeat stops with the worker: within a minute the lead is told, with Retry.
    lead = Client()
    lead.force_login(owner)
    status_url = reverse("import_status", args=[review.pk, batch.pk])
    wait_for(
        lambda: b'data-testid="import-stalled"' in lead.get(status_url).content,
        timeout=60,
        what="the import page to say the import stopped",
    )
    assert time.monotonic() - killed_at < 60
    page = lead.get(reverse("import_detail", args=[review.pk, batch.pk])).content.decode()
    assert "Retry import" in page and 'data-testid="import-stalled"' in page
    api = lead.get(f"/api/reviews/{review.pk}/imports/{batch.pk}/").json()
    assert api["progress"]["stalled"] is True

    worker.start()

    def retried_or_redelivered():
        # Either the lead's Retry is accepted, or the broker has already handed the dead
        # worker's task to the new worker (which then holds the lock, or has finished).
        current = ImportBatch.objects.get(pk=batch.pk)
        if current.status == ImportStatus.DONE:
            return True
        try:
            return services.retry_import(batch=current)
        except ValidationError:  # locked: the dead connection's lock, or a redelivered run
            return None

    wait_for(retried_or_redelivered, timeout=120, what="the retry (or the redelivery) to start")
    wait_for(
        lambda: ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.DONE,
        timeout=120,
        what="the retried import",
    )
    records = Record.objects.filter(review=review)
    assert records.count() == N_RECORDS
    assert records.values("record_key").distinct().count() == N_RECORDS
    batch.refresh_from_db()
    assert batch.records_imported == N_RECORDS and batch.attempts >= 2
    # A second delivery of the same task (the broker's redelivery) changes nothing.
    services.execute_import(batch_id=batch.pk)
    assert records.count() == N_RECORDS


@pytest.mark.services
def test_the_worker_imports_and_deduplicates(worker, django_user_model):
    from tests.imports_dedupe.fixtures import MEDLINE_DUPLICATE, RIS_THREE

    owner = django_user_model.objects.create_user(username="owner", password="x")
    review = review_services.create_review(owner=owner, title="Stack import")
    first = services.create_import(
        review=review,
        upload=SimpleUploadedFile("e.ris", RIS_THREE),
        source_name="Embase",
        uploaded_by=owner,
    )
    wait_for(
        lambda: ImportBatch.objects.get(pk=first.pk).duplicates_found is not None,
        what="first import",
    )
    second = services.create_import(
        review=review,
        upload=SimpleUploadedFile("p.nbib", MEDLINE_DUPLICATE),
        source_name="PubMed",
        uploaded_by=owner,
    )
    batch = wait_for(
        lambda: ImportBatch.objects.filter(pk=second.pk, duplicates_found__isnull=False).first(),
        what="second import and its deduplication",
    )
    assert (batch.records_imported, batch.duplicates_found) == (2, 1)
