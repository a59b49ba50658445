"""Builders for screening tests: records straight through the ORM, votes through the services."""

from __future__ import annotations

from django.core.files.base import ContentFile

from screening.models import ExclusionReason, FullText, Record, RecordState, Stage, Vote
from tests.factories import make_batch, make_record

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_records(review, n: int = 5, **fields) -> list[Record]:
    batch = make_batch(review)
    return [make_record(batch, **fields) for _ in range(n)]


def reason(review, stage: str = Stage.TITLE_ABSTRACT, index: int = 0) -> ExclusionReason:
    return list(ExclusionReason.objects.for_stage(review, stage))[index]


def attach_pdf(record: Record, *, by=None) -> FullText:
    fulltext = FullText(
        record=record, sha256="0" * 64, size=len(PDF_BYTES), filename="paper.pdf", uploaded_by=by
    )
    fulltext.file.save("paper.pdf", ContentFile(PDF_BYTES), save=False)
    fulltext.save()
    return fulltext


def walk_objects(world) -> dict:
    """URL values for the screening routes in tests/test_access_walk.py: a record at full
    text with its PDF, a vote by world.reviewer, and a reason in use."""
    batch = make_batch(world.review)
    at_full_text = make_record(batch, state=RecordState.FT)
    attach_pdf(at_full_text)
    voted = make_record(batch)
    used = reason(world.review)
    vote = Vote.objects.create(
        record=voted,
        review=world.review,
        stage=Stage.TITLE_ABSTRACT,
        reviewer=world.reviewer,
        verdict="exclude",
        reason=used,
    )
    from screening.services.comments import add_comment
    from screening.services.tags import create_tag

    tag = create_tag(review=world.review, name=f"Tag {at_full_text.pk}")
    settled = make_record(batch, state=RecordState.TA_EXCLUDED)  # every screener reads it
    comment = add_comment(record=settled, author=world.reviewer, text="A comment")
    return {
        "record_id": at_full_text.pk,
        "vote_id": vote.pk,
        "reason_id": used.pk,
        "stage": "ta",
        "tag_id": tag.pk,
        "comment_id": comment.pk,
    }
