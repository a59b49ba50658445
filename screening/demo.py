"""Demo screening: votes by two reviewers so a newcomer sees settled records, a conflict
for the lead, and records at full text. Idempotent: it only adds what is missing."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from screening.models import ExclusionReason, Record, RecordState, Stage, Vote
from screening.services.settings import setup_new_review, update_settings
from screening.services.votes import cast_vote

# Per record, by position in the stable random order: (reviewer1, reviewer2) at title/abstract.
TA_PATTERN = [
    ("include", "include"),
    ("exclude", "exclude"),
    ("include", "exclude"),  # a conflict for the lead
    ("exclude", "exclude"),
    ("maybe", "include"),
    ("exclude", "exclude"),
    ("include", "include"),
    ("exclude", "include"),  # another conflict
    ("exclude", "exclude"),
    ("include", "maybe"),
    ("exclude", "exclude"),
    ("include", None),  # one vote: waits for reviewer2
]


def _user(users, name):
    if isinstance(users, dict) and name in users:
        return users[name]
    for user in users.values() if isinstance(users, dict) else users:
        if getattr(user, "username", None) == name:
            return user
    return get_user_model().objects.filter(username=name).first()


# A minimal one-page PDF, so the demo's full-text screening shows a document.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 144]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 58>>stream\nBT /F1 14 Tf 20 70 Td (Demo full text: low-dose naltrexone) Tj ET\nendstream endobj\n"
    b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@transaction.atomic
def add_demo_screening(*, review, users) -> None:
    """Cast the demo votes as `reviewer1`/`reviewer2` (from `users`, a dict or a list of users)."""
    first, second = _user(users, "reviewer1"), _user(users, "reviewer2")
    if first is None or second is None:
        return
    setup_new_review(review=review)
    update_settings(
        review=review,
        by=None,
        highlight_include=["naltrex*", "LDN", "chronic pain"],
        highlight_exclude=["mice", "rats", "in vitro"],
    )
    if Vote.objects.filter(record__review=review).exists():
        return
    reasons = list(ExclusionReason.objects.for_stage(review, Stage.TITLE_ABSTRACT))
    records = list(
        Record.objects.filter(review=review, state=RecordState.TA).order_by("shuffle_key", "pk")[
            : len(TA_PATTERN)
        ]
    )
    for index, (record, (a, b)) in enumerate(zip(records, TA_PATTERN, strict=False)):
        for reviewer, verdict in ((first, a), (second, b)):
            if verdict is None:
                continue
            reason = reasons[index % len(reasons)] if verdict == "exclude" else None
            cast_vote(
                record=record,
                stage=Stage.TITLE_ABSTRACT,
                reviewer=reviewer,
                verdict=verdict,
                reason=reason,
            )
    # Two of the records that passed get a (tiny) PDF; one is marked not retrieved.
    passed = list(
        Record.objects.filter(review=review, state=RecordState.FT_RETRIEVAL).order_by("pk")
    )
    if passed:
        from screening.services.fulltext import mark_not_retrieved

        mark_not_retrieved(
            record=passed[-1], reason="Only available as a conference poster", by=first
        )
    full_text = [r for r in passed[:-1]][:2]
    ft_reasons = list(ExclusionReason.objects.for_stage(review, Stage.FULL_TEXT))
    from django.core.files.uploadedfile import SimpleUploadedFile

    from screening.services.fulltext import upload_fulltext

    for record in full_text:
        upload_fulltext(
            record=record, upload=SimpleUploadedFile("demo.pdf", DEMO_PDF), uploaded_by=first
        )
    if full_text:
        cast_vote(record=full_text[0], stage=Stage.FULL_TEXT, reviewer=first, verdict="include")
        cast_vote(record=full_text[0], stage=Stage.FULL_TEXT, reviewer=second, verdict="include")
    if len(full_text) > 1:
        cast_vote(
            record=full_text[1],
            stage=Stage.FULL_TEXT,
            reviewer=first,
            verdict="exclude",
            reason=ft_reasons[0],
        )
        cast_vote(
            record=full_text[1],
            stage=Stage.FULL_TEXT,
            reviewer=second,
            verdict="exclude",
            reason=ft_reasons[1],
        )
