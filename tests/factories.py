"""Small builders for records in tests: an import batch and records, straight through the ORM."""

from __future__ import annotations

import hashlib
import itertools

from django.core.files.base import ContentFile

from screening.models import ImportBatch, ImportStatus, Record

_counter = itertools.count(1)


def make_batch(
    review, *, source_name: str = "PubMed", content: bytes = b"TY  - JOUR\nER  - \n", **fields
) -> ImportBatch:
    n = next(_counter)
    batch = ImportBatch(
        review=review,
        source_name=source_name,
        filename=f"export-{n}.ris",
        size=len(content),
        sha256=hashlib.sha256(content + str(n).encode()).hexdigest(),
        status=ImportStatus.DONE,
        detected_format="ris",
        **{"deduplicated": True, **fields},
    )
    batch.file.save(batch.filename, ContentFile(content), save=False)
    batch.save()
    return batch


def make_record(batch: ImportBatch, **fields) -> Record:
    position = fields.pop("position", None) or next(_counter)
    fields.setdefault("title", f"Record {position}")
    fields.setdefault("shuffle_key", (position * 2654435761) % 2**31)
    if not fields.pop("dedupe_checked", True):
        # Not compared yet: kept per import (ImportBatch.deduplicated), so the whole batch waits.
        ImportBatch.objects.filter(pk=batch.pk).update(deduplicated=False)
        batch.deduplicated = False
    return Record.objects.create(review=batch.review, batch=batch, position=position, **fields)
