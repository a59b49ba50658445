"""Stopping title/abstract screening early, on the evidence the lead saw, and undoing it.

A stop moves every record nobody has voted on at title/abstract to "excluded by
automation tool" (the PRISMA box for it), keeping the records and the evidence in a
`StoppingDecision`; undoing it puts them back and refits the models, whose last fit
scored without them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from reviewapp.models import Review
from screening import flow
from screening.models import (
    RankingModelState,
    Record,
    RecordState,
    StoppingDecision,
    StopRule,
)
from screening.selectors import ranking as selectors
from screening.services import journey
from screening.services.ranking import schedule_retrain

_CHUNK = 5000


def _chunks(ids: list[int]):
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


@transaction.atomic
def stop_screening(*, review: Review, by, rule: str, note: str = "") -> StoppingDecision:
    """Mark every record nobody has voted on at title/abstract "excluded by automation
    tool", keeping the evidence the lead saw. Partly voted records stay to be finished."""
    rule = StopRule(rule)
    evidence = selectors.stopping_evidence(review=review)
    if evidence.n_screened == 0:
        raise ValidationError("Nothing has been screened yet: there is no evidence to stop on.")
    if rule == StopRule.STATISTICAL and not (
        evidence.statistical and evidence.statistical.should_stop
    ):
        raise ValidationError(
            "The statistical rule says keep screening, so it cannot be the reason to stop now. "
            "To stop anyway, choose the lead's judgement and say why in the note."
        )
    if (
        rule != StopRule.STATISTICAL
        and not (evidence.statistical and evidence.statistical.should_stop)
        and not note.strip()
    ):
        raise ValidationError(
            "The statistical rule says keep screening: to stop anyway, say why in the note."
        )
    candidates = selectors.stoppable_records(review=review)
    locked = list(candidates.select_for_update().order_by("pk").values_list("pk", flat=True))
    # Re-read after the locks: a vote committed meanwhile keeps its record with people.
    record_ids: list[int] = []
    for chunk in _chunks(locked):
        record_ids += candidates.filter(pk__in=chunk).order_by("pk").values_list("pk", flat=True)
    for chunk in _chunks(record_ids):
        journey.move(
            Record.objects.filter(pk__in=chunk).only("pk", "review_id", "state"),
            flow.Event.STOP,
            by=by,
            history=False,  # the StoppingDecision keeps the records and the evidence
        )
    decision = StoppingDecision.objects.create(
        review=review,
        rule=rule,
        evidence=evidence.as_dict(),
        record_ids=record_ids,
        n_records=len(record_ids),
        note=note[:2000],
        stopped_by=by,
    )
    journey.flow_changed(review.pk)
    return decision


@transaction.atomic
def undo_stop(*, decision: StoppingDecision, by) -> int:
    """Put the records a stop removed back at title/abstract; returns how many."""
    decision = StoppingDecision.objects.select_for_update().get(pk=decision.pk)
    if decision.undone_at is not None:
        raise ValidationError("This stop has already been undone.")
    restored = 0
    for chunk in _chunks(list(decision.record_ids)):
        restored += journey.move(
            Record.objects.filter(
                pk__in=chunk, review_id=decision.review_id, state=RecordState.AUTOMATION
            ).only("pk", "review_id", "state"),
            flow.Event.UNSTOP,
            by=by,
            history=False,
        )
    decision.undone_at, decision.undone_by = timezone.now(), by
    decision.save(update_fields=["undone_at", "undone_by"])
    # The restored records lost their scores at the last fit: refit even on the same labels.
    RankingModelState.objects.filter(review_id=decision.review_id).update(fingerprint="")
    journey.flow_changed(decision.review_id)
    schedule_retrain(decision.review_id)
    return restored
