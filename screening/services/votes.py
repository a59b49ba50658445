"""Casting and changing votes, and settling a record once its votes decide it.

Every vote locks its record row first, so two votes arriving at the same moment are
counted one after the other: exactly one of them is "the Nth", and the record is
settled in the same transaction as the vote that decides it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from reviewapp import prepared
from reviewapp.http import parse_id
from reviewapp.prepared import Read
from screening import flow, rules, visibility
from screening.models import (
    ExclusionReason,
    FullText,
    Lease,
    OutcomeStatus,
    Record,
    SettledBy,
    Stage,
    StageOutcome,
    Verdict,
    Vote,
    VoteAction,
    VoteEvent,
)
from screening.services import journey
from screening.services.ranking import schedule_retrain
from screening.services.record_stats import append_history, votes_changed
from screening.services.settings import screening_settings_for


@dataclass(frozen=True)
class VoteResult:
    vote: Vote
    created: bool
    changed: bool
    outcome: StageOutcome
    votes_in: int = 0  # votes on the record at the stage, this one included
    needed: int = 0

    @property
    def message(self) -> str:
        """What the screener is told: the same whatever the other votes were."""
        return visibility.vote_message(votes_in=self.votes_in, needed=self.needed)


ALL_VOTES_IN = (
    "All votes are in for this record, so it is settled or with the lead; "
    "ask the lead if your vote needs to change."
)


def vote_snapshot(vote: Vote | None) -> dict | None:
    """What the history stores for a vote: plain data that outlives the reason's renaming."""
    if vote is None:
        return None
    return {
        "verdict": vote.verdict,
        "reason_id": vote.reason_id,
        "reason": vote.reason.label if vote.reason_id else "",
        "note": vote.note,
    }


def record_event(
    *, record: Record, stage: str, actor, action: str, before: dict | None, after: dict | None
) -> None:
    append_history(
        [
            VoteEvent(
                review_id=record.review_id,
                record=record,
                record_pk=record.pk,
                record_title=record.title[:1000],
                stage=stage,
                actor=actor,
                action=action,
                before=before,
                after=after,
            )
        ]
    )


def stage_reason(*, record: Record, stage: str, reason) -> ExclusionReason:
    """`reason` (an ExclusionReason or its id) as one of this review's reasons at `stage`."""
    if not isinstance(reason, ExclusionReason):
        number = parse_id(reason)
        reason = ExclusionReason.objects.filter(pk=number).first() if number else None
    if reason is None or reason.review_id != record.review_id or reason.stage != stage:
        raise ValidationError("That exclusion reason does not belong to this stage of this review.")
    return reason


def _reason_for(*, record: Record, stage: str, verdict: str, reason) -> ExclusionReason | None:
    if verdict != Verdict.EXCLUDE or reason in (None, ""):
        return None
    return stage_reason(record=record, stage=stage, reason=reason)


# What a vote reads of the record it locks: not the citation, abstract or the import's
# raw tags (a JSON document per record), which a vote never needs.
_VOTE_FIELDS = ("id", "review_id", "state", "shuffle_key", "title", "vote_count", "activity_at")


def _lock(record_id: int, *, review_id: int | None = None, fields=None) -> Record:
    """Lock the record's row; Record.DoesNotExist when it is not there (or not in
    `review_id`'s review, when given)."""
    if review_id is not None and fields == _VOTE_FIELDS:  # a vote: compiled once
        record = _LOCK_FOR_VOTE.one(review=review_id, record=record_id)
        if record is None:
            raise Record.DoesNotExist("No such record in this review.")
        return record
    # NO KEY UPDATE: a vote changes no key of the record, so it need not wait for the
    # KEY SHARE locks that other transactions' foreign-key checks hold on it.
    records = Record.objects.select_for_update(no_key=True)
    if review_id is not None:
        records = records.filter(review_id=review_id)
    if fields:
        records = records.only(*fields)
    return records.get(pk=record_id)


# The reads of every vote, compiled once (reviewapp.prepared.Read).
_LOCK_FOR_VOTE = Read(
    lambda review, record: (
        Record.objects.select_for_update(no_key=True)
        .filter(review_id=review, pk=record)
        .only(*_VOTE_FIELDS)
    ),
    review=int,
    record=int,
)
_VOTES_AT = Read(
    lambda record, stage: Vote.objects.select_related("reason").filter(
        record_id=record, stage=stage
    ),
    record=int,
    stage=str,
)
_OUTCOME_AT = Read(
    lambda record, stage: StageOutcome.objects.filter(record_id=record, stage=stage).order_by("pk")[
        :1
    ],
    record=int,
    stage=str,
)


def _leases(record_id: int, stage: str, now) -> list[tuple[int, bool]]:
    """The record's leases at `stage`: (holder, still live) each (one prepared statement)."""
    table = connection.ops.quote_name(Lease._meta.db_table)
    rows = prepared.fetchall(
        f"SELECT reviewer_id, CASE WHEN expires_at > %s THEN 1 ELSE 0 END FROM {table}"  # noqa: S608 - table name only
        " WHERE record_id = %s AND stage = %s",
        [connection.ops.adapt_datetimefield_value(now), record_id, stage],
    )
    return [(holder, bool(live)) for holder, live in rows]


@transaction.atomic
def cast_vote(
    *, record: Record, stage: str, reviewer, verdict: str, reason=None, note: str = ""
) -> VoteResult:
    """Cast or change `reviewer`'s vote on `record` at `stage`.

    Idempotent: repeating the same vote (a double key press, a retried request) changes
    nothing and records nothing. A vote can change while the record waits for other
    votes; once all the votes it needs are in (settled or in conflict) a change is
    refused with one message for both, so κ and the conflicts list keep the first
    complete set of votes and the refusal tells nothing about the other votes.

    Every write to a record's votes and outcome holds the record's lock, so once it is
    taken the votes, outcome and leases read here stay true until the commit: they are
    read once and the new vote is counted in memory.
    """
    stage = Stage(stage)
    review = record.review if Record.review.is_cached(record) else None
    # Locked within the review the caller names: an API vote names a record by id and
    # passes `Record(pk=id, review=review)` (Record.DoesNotExist when not in the review).
    record = _lock(record.pk, review_id=record.review_id, fields=_VOTE_FIELDS)
    if review is not None and review.pk == record.review_id:
        record.review = review  # the caller's review (and its cached settings)
    note = (note or "").strip()[:5000]
    reason_obj = _reason_for(record=record, stage=stage, verdict=verdict, reason=reason)
    try:
        rules.check_ballot(
            rules.Ballot(verdict, reason_obj.pk if reason_obj else None), stage=stage
        )
    except rules.RuleError as exc:
        raise ValidationError(str(exc).capitalize() + ".") from None
    votes = _VOTES_AT.all(record=record.pk, stage=stage.value)
    mine = next((v for v in votes if v.reviewer_id == reviewer.pk), None)
    outcome = _OUTCOME_AT.one(record=record.pk, stage=stage.value) or StageOutcome(
        record=record, stage=stage, review_id=record.review_id, shuffle_key=record.shuffle_key
    )
    needed = screening_settings_for(record.review).votes_needed(stage)
    if mine and (mine.verdict, mine.reason_id, mine.note) == (
        verdict,
        reason_obj and reason_obj.pk,
        note,
    ):
        return VoteResult(
            mine, created=False, changed=False, outcome=outcome, votes_in=len(votes), needed=needed
        )
    # Blinding: one message for settled and conflict alike, so a refusal tells nothing.
    complete = outcome.status != OutcomeStatus.OPEN or len(votes) >= needed
    if mine is not None and complete:
        raise ValidationError(ALL_VOTES_IN)
    if complete:
        raise ValidationError("This record already has the votes it needs; take the next one.")
    if record.state != stage.awaiting_state:
        raise ValidationError("This record is no longer being screened at this stage.")
    now = timezone.now()
    if mine is None:
        leases = _leases(record.pk, stage, now)  # (holder, live)
        had_lease = any(holder == reviewer.pk for holder, _ in leases)
        holds_lease = any(holder == reviewer.pk and live for holder, live in leases)
        leased_by_others = sum(1 for holder, live in leases if holder != reviewer.pk and live)
        # A lease of one's own was counted when it was taken: it keeps the place.
        if not rules.has_room(
            votes=len(votes), leases_of_others=0 if holds_lease else leased_by_others, needed=needed
        ):
            raise ValidationError("This record already has the votes it needs; take the next one.")
        vote = Vote(
            record=record,
            review_id=record.review_id,
            stage=stage,
            reviewer=reviewer,
            verdict=verdict,
            reason=reason_obj,
            note=note,
        )
        prepared.insert(vote)
        votes_changed([record.pk])
        votes.append(vote)
        record_event(
            record=record,
            stage=stage,
            actor=reviewer,
            action=VoteAction.VOTE,
            before=None,
            after=vote_snapshot(vote),
        )
        created, changed = True, False
    else:
        before = vote_snapshot(mine)
        mine.verdict, mine.reason, mine.note = verdict, reason_obj, note
        mine.save(update_fields=["verdict", "reason", "note", "updated_at"])
        record_event(
            record=record,
            stage=stage,
            actor=reviewer,
            action=VoteAction.CHANGE,
            before=before,
            after=vote_snapshot(mine),
        )
        vote, created, changed, had_lease = mine, False, True, True
    outcome = _evaluate(record=record, stage=stage, outcome=outcome, needed=needed, votes=votes)
    if had_lease and not outcome.is_settled:  # settling gives back every lease on the record
        table = connection.ops.quote_name(Lease._meta.db_table)
        prepared.execute(
            f"DELETE FROM {table} WHERE record_id = %s AND stage = %s AND reviewer_id = %s",  # noqa: S608 - table name only
            [record.pk, stage.value, reviewer.pk],
        )
    if stage == Stage.TITLE_ABSTRACT:
        schedule_retrain(record.review_id)
    return VoteResult(
        vote, created=created, changed=changed, outcome=outcome, votes_in=len(votes), needed=needed
    )


def _evaluate(
    *,
    record: Record,
    stage: Stage,
    outcome: StageOutcome,
    needed: int | None = None,
    votes: list[Vote] | None = None,
) -> StageOutcome:
    """Recount the votes and apply the rules; the caller holds the record's lock.

    `votes`: the record's votes at the stage in order, when the caller has them all.
    A new `outcome` (not saved yet) is inserted here.
    """
    if votes is None:
        votes = list(Vote.objects.filter(record=record, stage=stage).only("verdict", "reason_id"))
    ballots = [rules.Ballot(v.verdict, v.reason_id) for v in votes]
    if needed is None:
        needed = screening_settings_for(record.review).votes_needed(stage)
    decision = rules.decide(votes_needed=needed, ballots=ballots, stage=stage)
    outcome.votes = len(ballots)
    if decision.settled:
        reason = (
            ExclusionReason.objects.filter(pk=decision.reason).first() if decision.reason else None
        )
        settle(
            record=record,
            stage=stage,
            outcome=outcome,
            decision=decision.outcome.value,
            reason=reason,
            by=SettledBy.VOTES,
        )
    else:
        outcome.status = (
            OutcomeStatus.CONFLICT
            if decision.outcome == rules.Outcome.CONFLICT
            else OutcomeStatus.OPEN
        )
        if outcome.pk is None:
            prepared.insert(outcome)
        else:
            prepared.update(outcome, ("votes", "status"))
    return outcome


_OUTCOME_FIELDS = tuple(
    f.name for f in StageOutcome._meta.concrete_fields if f is not StageOutcome._meta.pk
)


def settle(
    *,
    record: Record,
    stage: str,
    outcome: StageOutcome,
    decision: str,
    reason,
    by: str,
    actor=None,
) -> None:
    """Record the final decision at a stage and move the record on in the PRISMA flow.

    The caller holds the record's lock. Passing title/abstract sends the record to full
    text retrieval (or straight to assessment when its PDF is already there).
    """
    outcome.status = OutcomeStatus.SETTLED
    outcome.decision = decision
    outcome.reason = reason if decision == "exclude" else None
    outcome.settled_by = by
    outcome.settled_at = timezone.now()
    if outcome.pk is None:
        prepared.insert(outcome)
    else:
        prepared.update(outcome, _OUTCOME_FIELDS)
    if stage == Stage.TITLE_ABSTRACT:
        if decision == "exclude":
            event = flow.Event.TA_EXCLUDE
        else:
            fulltext = FullText.objects.filter(record=record).first()
            event = flow.ta_include_event(retrieved=fulltext.retrieved if fulltext else None)
    else:
        event = flow.Event.FT_EXCLUDE if decision == "exclude" else flow.Event.FT_INCLUDE
    if not journey.move(record, event, by=actor):
        journey.flow_changed(record.review_id)  # same state, another decision or reason
    if stage == Stage.TITLE_ABSTRACT and by != SettledBy.VOTES:
        # Settling by votes retrains through cast_vote; resolutions and overrules here.
        schedule_retrain(record.review_id)


@transaction.atomic
def reevaluate(*, record_id: int, stage: str) -> StageOutcome | None:
    """Apply the rules again to a record's open votes (after the votes needed changed)."""
    record = _lock(record_id)
    outcome = StageOutcome.objects.filter(record=record, stage=stage).first()
    if outcome is None or outcome.is_settled or record.state != Stage(stage).awaiting_state:
        return outcome
    return _evaluate(record=record, stage=Stage(stage), outcome=outcome)
