"""The random review operations both PRISMA property tests drive (test_flow_invariants:
every box adds up; test_flow_version: every change of a number bumps the live version).

Each test adds its own operations (imports, rounds, studies, stops) and hands the rest to
`apply_screening_op`, so both walk the same real services."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from screening.models import CandidatePair, Record, RecordState, Stage, StageOutcome
from screening.services import dedupe as dedupe_services
from screening.services.conflicts import decide_as_lead
from screening.services.fulltext import mark_not_retrieved, upload_fulltext
from screening.services.votes import cast_vote
from tests.screening.factories import PDF_BYTES

SCREENING_OPS = ("merge", "unmerge", "vote", "resolve", "overrule", "pdf", "lost")


def pick(queryset, n):
    """The n-th item (modulo) of `queryset` in id order, or None when it is empty."""
    items = list(queryset.order_by("pk"))
    return items[n % len(items)] if items else None


def apply_screening_op(review, users, op, a, b, verdict) -> None:
    """Run one of SCREENING_OPS: `users` is (lead, reviewer, reviewer); `a`, `b` choose
    records and people; `verdict` is include, exclude or maybe."""
    records = Record.objects.filter(review=review)
    lead = users[0]
    if op == "merge":
        first, second = pick(records, a), pick(records, b)
        if first and second and first.pk != second.pk:
            low, high = sorted([first, second], key=lambda r: r.pk)
            pair, _ = CandidatePair.objects.get_or_create(
                review=review,
                record_a=low,
                record_b=high,
                defaults={"score": 0.9, "automatic": False},
            )
            if pair.status == "pending":
                dedupe_services.confirm_pair(pair=pair, actor=lead)
    elif op == "unmerge":
        record = pick(records.filter(duplicate_group__isnull=False), a)
        if record:
            dedupe_services.unmerge(review=review, record_ids=[record.pk], actor=lead)
    elif op == "vote":
        record = pick(records.filter(state__in=[RecordState.TA, RecordState.FT]), a)
        if record:
            stage = Stage.TITLE_ABSTRACT if record.state == RecordState.TA else Stage.FULL_TEXT
            reason = (
                review.exclusion_reasons.filter(stage=stage).first()
                if verdict == "exclude"
                else None
            )
            if stage == Stage.FULL_TEXT and verdict == "maybe":
                verdict = "include"
            cast_vote(
                record=record,
                stage=stage,
                reviewer=users[1 + b % 2],
                verdict=verdict,
                reason=reason.pk if reason else None,
            )
    elif op in ("resolve", "overrule"):
        outcome = pick(
            StageOutcome.objects.filter(
                review=review, status="conflict" if op == "resolve" else "settled"
            ),
            a,
        )
        if outcome:
            final = "exclude" if verdict == "exclude" else "include"
            reason = (
                pick(review.exclusion_reasons.filter(stage=outcome.stage), b)
                if final == "exclude"
                else None
            )
            decide_as_lead(
                record=outcome.record,
                stage=outcome.stage,
                lead=lead,
                verdict=final,
                reason=reason.pk if reason else None,
            )
    elif op == "pdf":
        record = pick(
            records.filter(state__in=[RecordState.FT_RETRIEVAL, RecordState.FT_NOT_RETRIEVED]), a
        )
        if record:
            upload_fulltext(
                record=record,
                upload=SimpleUploadedFile("paper.pdf", PDF_BYTES),
                uploaded_by=lead,
            )
    elif op == "lost":
        record = pick(records.filter(state=RecordState.FT_RETRIEVAL), a)
        if record:
            mark_not_retrieved(record=record, reason="Not held by any library", by=lead)
    else:
        raise ValueError(f"not a screening operation: {op}")
