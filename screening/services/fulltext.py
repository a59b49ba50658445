"""Full-text retrieval: upload a record's PDF, or mark it not retrieved."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction

from screening import flow
from screening.models import FullText, Record, RecordState, Stage, Vote
from screening.services import journey

# States in which a report's retrieval may still change: before full-text votes exist.
_RETRIEVABLE = {RecordState.FT_RETRIEVAL, RecordState.FT_NOT_RETRIEVED, RecordState.FT}


def _check_retrievable(record: Record) -> None:
    if record.state not in _RETRIEVABLE:
        raise ValidationError(
            "Only records that passed title/abstract screening are sought for retrieval."
        )
    if Vote.objects.filter(record=record, stage=Stage.FULL_TEXT).exists():
        raise ValidationError(
            "Full-text screening has started on this record; its PDF cannot change now."
        )


def check_pdf(upload) -> str:
    """Check size and magic bytes, and return the SHA-256 of an uploaded PDF."""
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            f"The file is larger than the limit of {settings.UPLOAD_MAX_BYTES // (1024 * 1024)} MB."
        )
    upload.seek(0)
    if upload.read(5) != b"%PDF-":
        raise ValidationError("That file is not a PDF.")
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in (
        upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(1 << 20), b"")
    ):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def upload_fulltext(*, record: Record, upload, uploaded_by) -> FullText:
    """Store the PDF privately and send the record on to full-text assessment."""
    record = Record.objects.select_for_update().get(pk=record.pk)
    _check_retrievable(record)
    sha256 = check_pdf(upload)
    fulltext = FullText.objects.filter(record=record).first() or FullText(record=record)
    old_name = fulltext.file.name if fulltext.file else ""
    fulltext.sha256 = sha256
    fulltext.size = upload.size
    fulltext.filename = (getattr(upload, "name", "") or "fulltext.pdf").rsplit("/", 1)[-1][-255:]
    fulltext.not_retrieved_reason = ""
    fulltext.uploaded_by = uploaded_by
    fulltext.file.save("fulltext.pdf", File(upload), save=False)
    fulltext.save()
    if old_name and old_name != fulltext.file.name:
        storage = fulltext.file.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    journey.move(record, flow.Event.RETRIEVED, by=uploaded_by)
    return fulltext


@transaction.atomic
def mark_not_retrieved(*, record: Record, reason: str, by) -> FullText:
    """The report could not be obtained: PRISMA counts it as "not retrieved"."""
    record = Record.objects.select_for_update().get(pk=record.pk)
    _check_retrievable(record)
    reason = " ".join((reason or "").split())[:300]
    if not reason:
        raise ValidationError("Say why the report was not retrieved.")
    fulltext = FullText.objects.filter(record=record).first() or FullText(record=record)
    old_name = fulltext.file.name if fulltext.file else ""
    fulltext.file = ""
    fulltext.sha256, fulltext.size, fulltext.filename = "", 0, ""
    fulltext.not_retrieved_reason = reason
    fulltext.uploaded_by = by
    fulltext.save()
    if old_name:
        storage = FullText._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(old_name))
    if not journey.move(record, flow.Event.NOT_RETRIEVED, by=by):
        journey.flow_changed(record.review_id)
    return fulltext
