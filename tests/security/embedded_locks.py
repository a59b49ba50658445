"""Run by tests/security/test_embedded_locks.py in its own process, on a file SQLite
database in embedded mode (no broker): a large import uploaded through the page while
two reviewers vote through the API. Prints one JSON line of what happened."""

from __future__ import annotations

import json
import sys
import threading
import time

import django


def main(size: int) -> None:
    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from reviewapp.models import Membership, Role
    from reviewapp.services import create_review
    from screening.models import ImportBatch, ImportStatus, Record
    from tests.conftest import make_user

    assert settings.IMPORT_IN_THREAD and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    lead, rita, rafael = make_user("liam"), make_user("rita"), make_user("rafael")
    review = create_review(owner=lead, title="Embedded")
    for user in (rita, rafael):
        Membership.objects.create(review=review, user=user, role=Role.REVIEWER, added_by=lead)
    small = "".join(f"TY  - JOUR\nTI  - Seed trial {i}\nER  - \n\n" for i in range(300))
    seed = Client()
    seed.force_login(lead)
    url = reverse("import_create", args=[review.pk])

    def form(name, content):
        return {"files": SimpleUploadedFile(name, content), "source_name": "Embase",
                "source_kind": "database"}  # fmt: skip

    seeded = seed.post(url, form("seed.ris", small.encode()))
    assert seeded.status_code == 302, (seeded.status_code, seeded.content[:3000])
    while ImportBatch.objects.exclude(status__in=[ImportStatus.DONE, ImportStatus.FAILED]).exists():
        time.sleep(0.2)
    targets = list(Record.objects.filter(review=review).values_list("pk", flat=True))

    big = "".join(
        f"TY  - JOUR\nTI  - Large import trial number {i}\nAB  - {'words ' * 40}\nER  - \n\n"
        for i in range(size)
    )
    statuses: list[int] = []
    stop = threading.Event()

    def vote(user, verdict):
        client = Client()
        client.force_login(user)
        api = reverse("api:vote_list", args=[review.pk])
        for pk in targets:
            if stop.is_set():
                break
            response = client.post(
                api, {"record": pk, "stage": "ta", "verdict": verdict},
                content_type="application/json",
            )  # fmt: skip
            statuses.append(response.status_code)

    started = time.monotonic()
    upload = Client()
    upload.force_login(lead)
    response = upload.post(url, form("big.ris", big.encode()))
    upload_seconds = time.monotonic() - started
    batch = ImportBatch.objects.order_by("-pk").first()
    status_after_upload = batch.status
    voters = [
        threading.Thread(target=vote, args=(rita, "include")),
        threading.Thread(target=vote, args=(rafael, "exclude")),
    ]
    for voter in voters:
        voter.start()
    while True:
        batch.refresh_from_db()
        if batch.status in (ImportStatus.DONE, ImportStatus.FAILED):
            break
        time.sleep(0.2)
    import_seconds = time.monotonic() - started
    stop.set()
    for voter in voters:
        voter.join()
    print(
        json.dumps(
            {
                "upload_status": response.status_code,
                "upload_seconds": round(upload_seconds, 2),
                "status_after_upload": status_after_upload,
                "import_status": batch.status,
                "import_error": batch.error,
                "imported": batch.records_imported,
                "import_seconds": round(import_seconds, 2),
                "votes": len(statuses),
                "vote_statuses": sorted(set(statuses)),
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
