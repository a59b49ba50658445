"""The lead's decisions: resolving a conflict, overruling a settled record."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from screening.models import (
    ExclusionReason,
    FinalVerdict,
    OutcomeStatus,
    Record,
    RecordState,
    Resolution,
    ResolutionKind,
    SettledBy,
    Stage,
    StageOutcome,
    Vote,
    VoteAction,
)
from screening.services.votes import _lock, record_event, settle, stage_reason

# Where a record may be when its title/abstract decision is overruled: once full-text
# votes exist the full-text decision is the one to change.
_TA_OVERRULABLE = {
    RecordState.TA_EXCLUDED,
    RecordState.FT_RETRIEVAL,
    RecordState.FT_NOT_RETRIEVED,
    RecordState.FT,
}


def _snapshot(outcome: StageOutcome) -> dict:
    return {
        "status": outcome.status,
        "decision": outcome.decision,
        "reason_id": outcome.reason_id,
        "reason": outcome.reason.label if outcome.reason_id else "",
        "settled_by": outcome.settled_by,
    }


def _final_reason(*, record: Record, stage: str, verdict: str, reason) -> ExclusionReason | None:
    if verdict not in FinalVerdict.values:
        raise ValidationError("The final decision is include or exclude.")
    if verdict != FinalVerdict.EXCLUDE:
        return None
    if reason in (None, ""):
        if stage == Stage.FULL_TEXT:
            raise ValidationError("At full text an exclusion needs a reason.")
        return None
    return stage_reason(record=record, stage=stage, reason=reason)


@transaction.atomic
def decide_as_lead(
    *, record: Record, stage: str, lead, verdict: str, reason=None, note: str = ""
) -> Resolution:
    """Resolve the record's conflict at `stage`, or overrule its settled decision.

    Which one it is follows from the record: a conflict is resolved; a settled record is
    overruled. A record still waiting for votes is neither.
    """
    stage = Stage(stage)
    record = _lock(record.pk)
    reason_obj = _final_reason(record=record, stage=stage, verdict=verdict, reason=reason)
    outcome = (
        StageOutcome.objects.select_related("reason").filter(record=record, stage=stage).first()
    )
    if outcome is None or outcome.status == OutcomeStatus.OPEN:
        raise ValidationError(
            "This record is still waiting for votes; there is nothing to resolve yet."
        )
    if outcome.status == OutcomeStatus.CONFLICT:
        if record.state != stage.awaiting_state:
            raise ValidationError("This record is no longer being screened at this stage.")
        kind, action, settled_by = (
            ResolutionKind.RESOLUTION,
            VoteAction.RESOLVE,
            SettledBy.RESOLUTION,
        )
    else:
        if stage == Stage.TITLE_ABSTRACT and (
            record.state not in _TA_OVERRULABLE
            or Vote.objects.filter(record=record, stage=Stage.FULL_TEXT).exists()
        ):
            raise ValidationError(
                "Full-text screening has started on this record; overrule its full-text decision."
            )
        if stage == Stage.FULL_TEXT and record.state not in (
            RecordState.FT_EXCLUDED,
            RecordState.INCLUDED,
        ):
            raise ValidationError("This record's full-text decision cannot be overruled now.")
        kind, action, settled_by = ResolutionKind.OVERRULE, VoteAction.OVERRULE, SettledBy.OVERRULE
    before = _snapshot(outcome)
    resolution = Resolution.objects.create(
        record=record,
        stage=stage,
        kind=kind,
        verdict=verdict,
        reason=reason_obj,
        note=(note or "").strip()[:5000],
        decided_by=lead,
    )
    settle(
        record=record,
        stage=stage,
        outcome=outcome,
        decision=verdict,
        reason=reason_obj,
        by=settled_by,
        actor=lead,
    )
    after = {**_snapshot(outcome), "note": resolution.note}
    record_event(record=record, stage=stage, actor=lead, action=action, before=before, after=after)
    return resolution
