"""Moving in with decisions: title/abstract decisions made in another tool, kept.

When the lead imports a labelled export (ASReview, Rayyan) or a stage's list
(Covidence's "Irrelevant" or "Included" export) and chooses to keep its decisions
(`ImportBatch.keep_decisions`), each new record with a decision is settled at
title/abstract — a `StageOutcome` settled "by import" — and moved on through the
journey (`journey.move`: excluded, or sought for retrieval), inside the import's own
transaction, so the file imports whole with its decisions or not at all. The history
keeps, per record, an "import" event naming the origin (tool, what the file said, the
file and source) next to the journey's move. PRISMA counts states, so the diagram adds
up; the ranking trains on settled title/abstract decisions
(`screening.selectors.ranking.settled_labels`), so imported labels train it.

With "as votes" (`KeepDecisions.VOTES_FROM_FILE`) each decision is instead one vote of
a reviewer named "imported (review <id>)" (created once per review, a member who cannot
sign in), cast through `screening.services.votes.cast_vote` with the origin as its
note: the team's own votes complete it (the other tool as one of two screeners), and
the usual rules settle or flag a conflict.

Records without a decision (ASReview "not seen", Rayyan conflicts and "Maybe") stay
at title/abstract for the team. Exclusion reasons a Rayyan file names are matched to
the review's title/abstract reasons by label (ignoring case) and kept when found.
"""

from __future__ import annotations

from django.utils import timezone

from screening import flow
from screening.importers.labels import EXCLUDE, INCLUDE, ImportedDecision, decision_of
from screening.models import (
    ExclusionReason,
    ImportBatch,
    KeepDecisions,
    OutcomeStatus,
    Record,
    RecordState,
    SettledBy,
    Stage,
    StageOutcome,
    VoteAction,
    VoteEvent,
)
from screening.services import journey
from screening.services.ranking import schedule_retrain
from screening.services.record_stats import append_history

_CHUNK = 2000


def _decisions(batch: ImportBatch, records: list[Record]) -> dict[int, ImportedDecision]:
    if batch.keep_decisions in (KeepDecisions.FROM_FILE, KeepDecisions.VOTES_FROM_FILE):
        found = {r.pk: decision_of(r.raw) for r in records}
        return {pk: d for pk, d in found.items() if d is not None}
    if batch.keep_decisions in (KeepDecisions.ALL_INCLUDED, KeepDecisions.ALL_EXCLUDED):
        decision = INCLUDE if batch.keep_decisions == KeepDecisions.ALL_INCLUDED else EXCLUDE
        said = f"every record of {batch.filename} {decision}d at title/abstract"
        return {r.pk: ImportedDecision(decision, batch.source_name, said) for r in records}
    return {}


def apply_imported_decisions(*, batch: ImportBatch) -> int:
    """Settle the batch's new records at title/abstract as the file says; returns how
    many were settled. The caller holds the import's transaction."""
    if batch.keep_decisions == KeepDecisions.NONE:
        return 0
    records = list(
        Record.objects.filter(batch=batch, state=RecordState.TA)
        .only("pk", "review_id", "state", "title", "raw")
        .order_by("pk")
    )
    decisions = _decisions(batch, records)
    if not decisions:
        return 0
    reasons = {
        r.label.strip().casefold(): r
        for r in ExclusionReason.objects.filter(
            review_id=batch.review_id, stage=Stage.TITLE_ABSTRACT, retired=False
        )
    }
    if batch.keep_decisions == KeepDecisions.VOTES_FROM_FILE:
        return _as_votes(batch, records, decisions, reasons)
    now = timezone.now()
    outcomes = []
    for record in records:
        decided = decisions.get(record.pk)
        if decided is None:
            continue
        reason = next(
            (reasons[r.casefold()] for r in decided.reasons if r.casefold() in reasons), None
        )
        outcomes.append(
            StageOutcome(
                review_id=batch.review_id,
                record_id=record.pk,
                stage=Stage.TITLE_ABSTRACT,
                status=OutcomeStatus.SETTLED,
                decision=decided.decision,
                reason=reason if decided.decision == EXCLUDE else None,
                settled_by=SettledBy.IMPORT,
                settled_at=now,
            )
        )
    StageOutcome.objects.bulk_create(outcomes, batch_size=_CHUNK)
    by = batch.uploaded_by
    excluded = [r for r in records if r.pk in decisions and decisions[r.pk].decision == EXCLUDE]
    included = [r for r in records if r.pk in decisions and decisions[r.pk].decision == INCLUDE]
    # New records have no full text yet: passing title/abstract means "sought".
    journey.move(excluded, flow.Event.TA_EXCLUDE, by=by)
    journey.move(included, flow.ta_include_event(retrieved=None), by=by)
    append_history(
        [
            VoteEvent(
                review_id=batch.review_id,
                record_id=record.pk,
                record_pk=record.pk,
                record_title=(record.title or "")[:1000],
                stage=Stage.TITLE_ABSTRACT,
                actor=by,
                action=VoteAction.IMPORT,
                before=None,
                after={
                    "decision": decisions[record.pk].decision,
                    "origin": decisions[record.pk].origin,
                    "said": decisions[record.pk].detail,
                    "reasons": list(decisions[record.pk].reasons),
                    "file": batch.filename,
                    "source": batch.source_name,
                    "import_id": batch.pk,
                },
            )
            for record in [*excluded, *included]
        ]
    )
    schedule_retrain(batch.review_id)
    return len(outcomes)


def imported_reviewer(review_id: int):
    """The review's "imported" reviewer: a member (role reviewer) who cannot sign in.
    The space in the name keeps anyone from signing up under it."""
    from django.contrib.auth import get_user_model

    from reviewapp.models import Membership, Role

    user, created = get_user_model().objects.get_or_create(
        username=f"imported (review {review_id})", defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(
        review_id=review_id, user=user, defaults={"role": Role.REVIEWER}
    )
    return user


def _as_votes(batch, records, decisions, reasons) -> int:
    from screening.services.votes import cast_vote

    reviewer = imported_reviewer(batch.review_id)
    cast = 0
    for record in records:
        decided = decisions.get(record.pk)
        if decided is None:
            continue
        reason = next(
            (reasons[r.casefold()] for r in decided.reasons if r.casefold() in reasons), None
        )
        cast_vote(
            record=record,
            stage=Stage.TITLE_ABSTRACT,
            reviewer=reviewer,
            verdict=decided.decision,
            reason=reason if decided.decision == EXCLUDE else None,
            note=f"Imported from {decided.origin}: {decided.detail} ({batch.filename})",
        )
        cast += 1
    return cast
