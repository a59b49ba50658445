"""The seed review (Soin et al. 2021, low-dose naltrexone), rebuilt through the real services.

PubMed 89 + Embase 95 + Web of Science 152 records = 336; 68 of them are copies of
records from an earlier database (same DOI), so deduplication removes 68 and leaves 268
to screen. Two reviewers exclude 217 at title/abstract and pass 51; all 51 PDFs are
found; at full text 2 are late duplicates, 14 animal models, 1 in vitro, 3 acute pain
only, 2 did not assess chronic pain, and 29 are included (29 studies).
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from screening.demo_data import SEED_SOURCES, seed_ris
from screening.models import ExclusionReason, Record, RecordState, Stage
from screening.services.conflicts import decide_as_lead  # noqa: F401 - re-exported for tests
from screening.services.fulltext import upload_fulltext
from screening.services.imports import create_import
from screening.services.settings import add_reason
from screening.services.votes import cast_vote

FT_EXCLUSIONS = [
    ("Duplicate", 2),
    ("Animal model", 14),
    ("In vitro", 1),
    ("Acute pain only", 3),
    ("Effect on chronic pain not assessed", 2),
]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def import_seed(review, lead, capture) -> None:
    for name, new, copies in SEED_SOURCES:
        with capture(execute=True):
            create_import(
                review=review,
                upload=SimpleUploadedFile(f"{name}.ris", seed_ris(new, copies)),
                source_name=name,
                uploaded_by=lead,
            )


def _reason(review, stage, label) -> ExclusionReason:
    found = ExclusionReason.objects.filter(review=review, stage=stage, label=label).first()
    return found or add_reason(review=review, stage=stage, label=label)


def screen_seed(review, reviewers, lead) -> None:
    records = list(
        Record.objects.filter(review=review, state=RecordState.TA).order_by("record_key")
    )
    assert len(records) == 268
    off_topic = _reason(review, Stage.TITLE_ABSTRACT, "Not related to the condition/outcome")
    for index, record in enumerate(records):
        passes = index < 51
        for reviewer in reviewers:
            cast_vote(
                record=record,
                stage=Stage.TITLE_ABSTRACT,
                reviewer=reviewer,
                verdict="include" if passes else "exclude",
                reason=None if passes else off_topic.pk,
            )
    sought = list(
        Record.objects.filter(review=review, state=RecordState.FT_RETRIEVAL).order_by("record_key")
    )
    for record in sought:
        upload_fulltext(
            record=record, upload=SimpleUploadedFile("paper.pdf", PDF), uploaded_by=lead
        )
    plan = [label for label, n in FT_EXCLUSIONS for _ in range(n)]
    for index, record in enumerate(sought):
        label = plan[index] if index < len(plan) else None
        reason = _reason(review, Stage.FULL_TEXT, label) if label else None
        for reviewer in reviewers:
            cast_vote(
                record=record,
                stage=Stage.FULL_TEXT,
                reviewer=reviewer,
                verdict="exclude" if label else "include",
                reason=reason.pk if reason else None,
            )
