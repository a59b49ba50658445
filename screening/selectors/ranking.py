"""Reads for relevance ranking: which labels a reviewer's model may learn from, the
models' state, a record's relevance, and the evidence for stopping.

Blindness lives in `training_labels`: a reviewer's model sees the final decisions of
settled records (which every reviewer may see) and that reviewer's own votes, never
another reviewer's vote on a record that is not settled.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from reviewapp.models import Review
from screening.models import (
    FinalVerdict,
    OutcomeStatus,
    RankedOrder,
    RankingModelState,
    Record,
    RecordState,
    Stage,
    StageOutcome,
    StoppingDecision,
    Verdict,
    Vote,
)
from screening.ranking import order
from screening.ranking.stopping import (
    HeuristicStop,
    RemainingEstimate,
    StatisticalStop,
    estimate_remaining,
    heuristic_stop,
    statistical_stop,
)

# Where a record that left title/abstract screening went, read as that stage's decision.
TA_DECISION_OF_STATE = {
    RecordState.TA_EXCLUDED: 0,
    RecordState.FT_RETRIEVAL: 1,
    RecordState.FT_NOT_RETRIEVED: 1,
    RecordState.FT: 1,
    RecordState.FT_EXCLUDED: 1,
    RecordState.INCLUDED: 1,
}
RECALL_TARGET = 0.95
CONFIDENCE = 0.95
IRRELEVANT_IN_A_ROW = 100


def settled_labels(*, review: Review) -> dict[int, int]:
    """{record id: 1 include / 0 exclude} for records settled at title/abstract.

    The record's state says where it went; a settled title/abstract outcome (votes,
    resolution or overrule) is the decision itself and wins where both exist.
    """
    labels = {
        pk: TA_DECISION_OF_STATE[state]
        for pk, state in Record.objects.filter(
            review=review, state__in=list(TA_DECISION_OF_STATE)
        ).values_list("pk", "state")
    }
    settled = StageOutcome.objects.filter(
        review=review, stage=Stage.TITLE_ABSTRACT, status=OutcomeStatus.SETTLED
    ).exclude(record__state__in=[RecordState.DUPLICATE, RecordState.AUTOMATION])
    for record_id, decision in settled.values_list("record_id", "decision"):
        labels[record_id] = int(decision == FinalVerdict.INCLUDE)
    return labels


def own_labels(*, review: Review, reviewer) -> dict[int, int]:
    """The reviewer's own include/exclude votes on records still at title/abstract
    ("maybe" says nothing about relevance, so it is not a label)."""
    return {
        record_id: int(verdict == Verdict.INCLUDE)
        for record_id, verdict in Vote.objects.filter(
            record__review=review,
            record__state=RecordState.TA,
            stage=Stage.TITLE_ABSTRACT,
            reviewer=reviewer,
            verdict__in=[Verdict.INCLUDE, Verdict.EXCLUDE],
        ).values_list("record_id", "verdict")
    }


def training_labels(
    *,
    review: Review,
    reviewer,
    settled: dict[int, int] | None = None,
    own: dict[int, int] | None = None,
) -> dict[int, int]:
    """What `reviewer`'s model learns from: settled decisions plus their own votes.

    No other reviewer's vote enters unless the record is settled, and a settled
    record's votes are no longer blind. `settled` may be passed in when several
    reviewers' models are trained at once, and `own` (`own_labels`) when already read.
    """
    if settled is None:
        settled = settled_labels(review=review)
    if own is None:
        own = own_labels(review=review, reviewer=reviewer)
    return {**own, **settled}


def voted_ids(*, review: Review, reviewer) -> list[int]:
    """Records `reviewer` has voted on at title/abstract (any verdict; an index-only read).

    A retrain ranks the records at title/abstract minus these (one read of the review's
    records shared by every member's model, where an anti-join over the whole review
    per member cost half a second at 100,000 records)."""
    return list(
        Vote.objects.filter(
            review=review, reviewer=reviewer, stage=Stage.TITLE_ABSTRACT
        ).values_list("record_id", flat=True)
    )


def model_states(*, review: Review, reviewer=None) -> QuerySet:
    """The review's ranking models (one per reviewer), or only `reviewer`'s."""
    states = RankingModelState.objects.filter(review=review).select_related("reviewer")
    if reviewer is not None:
        states = states.filter(reviewer=reviewer)
    return states.order_by("reviewer__username")


def visible_models(*, review: Review, membership) -> QuerySet:
    """The models this member may see: their own; every screener's for the lead only with
    blinding off, since a model's label counts and top terms learn from its screener's
    unsettled votes (screening.visibility)."""
    from reviewapp.models import Role
    from screening.selectors.screening import audience_of
    from screening.services.settings import screening_settings_for

    audience = audience_of(membership=membership, screening_settings=screening_settings_for(review))
    if membership.can(Role.LEAD) and audience.sees_others_models:
        return model_states(review=review)
    return model_states(review=review, reviewer=membership.user)


def relevance_of(*, record: Record, reviewer) -> float | None:
    """The record's relevance score in `reviewer`'s model (None until there is one)."""
    stored = (
        RankedOrder.objects.filter(state__review_id=record.review_id, state__reviewer=reviewer)
        .values_list("ids", "scores")
        .first()
    )
    return order.score_of(*stored, record.pk) if stored else None


def ranked_order(*, review: Review, reviewer) -> list[int]:
    """The records `reviewer`'s model scored, best first: their queue's relevance order
    (empty before a model or a cold-start order exists)."""
    stored = (
        RankedOrder.objects.filter(state__review=review, state__reviewer=reviewer)
        .values_list("ids", flat=True)
        .first()
    )
    return order.ids_of(stored) if stored else []


def ranked_scores(*, review: Review, reviewer) -> dict[int, float]:
    """{record id: score} of `reviewer`'s ranked order (empty before there is one)."""
    stored = (
        RankedOrder.objects.filter(state__review=review, state__reviewer=reviewer)
        .values_list("ids", "scores")
        .first()
    )
    return order.scores_of(*stored) if stored else {}


def team_screening_order(*, review: Review) -> list[int]:
    """The team's title/abstract decisions in the order they were settled (1 include).

    This is the "screened so far, in order" sequence the stopping rules read; records
    since removed as duplicates or by the automation tool do not count.
    """
    return [
        int(decision == FinalVerdict.INCLUDE)
        for decision in StageOutcome.objects.filter(
            review=review,
            stage=Stage.TITLE_ABSTRACT,
            status=OutcomeStatus.SETTLED,
            record__state__in=list(TA_DECISION_OF_STATE),
        )
        .order_by("settled_at", "pk")
        .values_list("decision", flat=True)
    ]


def _unvoted_at_ta(review: Review) -> QuerySet:
    return Record.objects.filter(review=review, state=RecordState.TA).exclude(
        Exists(Vote.objects.filter(record=OuterRef("pk"), stage=Stage.TITLE_ABSTRACT))
    )


def stoppable_records(*, review: Review) -> QuerySet:
    """What a stop marks "excluded by automation tool": records at title/abstract that
    nobody has voted on. Partly voted ones stay to be finished by people."""
    return _unvoted_at_ta(review)


@dataclass(frozen=True)
class StoppingEvidence:
    """Everything the lead sees before stopping, and what a stop stores as evidence."""

    n_screened: int
    relevant_found: int
    n_unscreened: int  # still at title/abstract
    n_stoppable: int  # of which nobody has voted on (what a stop would move)
    n_records: int
    recall_target: float
    confidence: float
    statistical: StatisticalStop | None
    heuristic: HeuristicStop | None
    remaining: RemainingEstimate | None

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def stopping_evidence(
    *,
    review: Review,
    recall_target: float = RECALL_TARGET,
    confidence: float = CONFIDENCE,
    threshold: int = IRRELEVANT_IN_A_ROW,
) -> StoppingEvidence:
    """Both stopping rules and the remaining-relevant estimate, on the team's order."""
    order = team_screening_order(review=review)
    n_unscreened = Record.objects.filter(review=review, state=RecordState.TA).count()
    n_records = len(order) + n_unscreened
    statistical = heuristic = remaining = None
    if order:
        statistical = statistical_stop(
            order, n_records, recall_target=recall_target, confidence=confidence
        )
        heuristic = heuristic_stop(order, threshold=threshold)
        remaining = estimate_remaining(order, n_records)
    return StoppingEvidence(
        n_screened=len(order),
        relevant_found=sum(order),
        n_unscreened=n_unscreened,
        n_stoppable=stoppable_records(review=review).count(),
        n_records=n_records,
        recall_target=recall_target,
        confidence=confidence,
        statistical=statistical,
        heuristic=heuristic,
        remaining=remaining,
    )


def stopping_history(*, review: Review) -> QuerySet:
    return StoppingDecision.objects.filter(review=review).select_related("stopped_by", "undone_by")
