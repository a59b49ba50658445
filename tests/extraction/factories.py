"""Included records and studies for extraction tests, straight through the ORM."""

from __future__ import annotations

import hashlib
import itertools

from django.core.files.base import ContentFile

from extraction.models import Study
from extraction.services.studies import ensure_studies
from screening.models import ImportBatch, ImportStatus, Record, RecordState

_counter = itertools.count(1)


def make_batch(review) -> ImportBatch:
    n = next(_counter)
    content = f"TY  - JOUR\nTI  - export {n}\nER  - \n".encode()
    batch = ImportBatch(
        review=review,
        source_name="PubMed",
        filename=f"extraction-{n}.ris",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        status=ImportStatus.DONE,
        detected_format="ris",
    )
    batch.file.save(batch.filename, ContentFile(content), save=False)
    batch.save()
    return batch


def included_record(review, *, batch=None, **fields) -> Record:
    batch = batch or make_batch(review)
    position = next(_counter)
    fields.setdefault("title", f"Low-dose naltrexone trial {position}")
    fields.setdefault("authors", [f"Author{position}, A"])
    fields.setdefault("year", 2019)
    fields.setdefault("state", RecordState.INCLUDED)
    return Record.objects.create(review=review, batch=batch, position=position, **fields)


def study_for(record: Record) -> Study:
    ensure_studies(review=record.review)
    return Study.objects.get(reports__record=record)


def make_study(review, **fields) -> Study:
    return study_for(included_record(review, **fields))


def walk_objects(world) -> dict:
    """URL values for tests/test_access_walk.py: a study of one included report."""
    return {
        "study_id": make_study(world.review).pk,
        "instrument": "extraction",
        "kind": "robvis-rob2",  # the evidence table's files for R
    }
