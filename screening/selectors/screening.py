"""Reads for screening: the queue's order, progress, votes as each role may see them,
conflicts, agreement and history. Views and the API call these; blinding lives here."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone

from reviewapp.models import Membership, Review
from screening import agreement, visibility
from screening.models import (
    FullText,
    OutcomeStatus,
    Record,
    RecordState,
    Resolution,
    ScreeningSettings,
    Stage,
    StageOutcome,
    Vote,
    VoteAction,
    VoteEvent,
)
from screening.services.journey import flow_version, many_version

# Records that reached each stage (whatever happened to them there), for "of how many".
REACHED = {
    Stage.TITLE_ABSTRACT: [
        RecordState.TA,
        RecordState.TA_EXCLUDED,
        RecordState.FT_RETRIEVAL,
        RecordState.FT_NOT_RETRIEVED,
        RecordState.FT,
        RecordState.FT_EXCLUDED,
        RecordState.INCLUDED,
    ],
    Stage.FULL_TEXT: [RecordState.FT, RecordState.FT_EXCLUDED, RecordState.INCLUDED],
}


def ranking_enabled(review: Review) -> bool:
    """The review's ranking setting (on by default, also before its settings row exists)."""
    try:
        return review.screening_settings.ranking_enabled
    except ScreeningSettings.DoesNotExist:
        return ScreeningSettings._meta.get_field("ranking_enabled").default


def audience_of(
    *, membership: Membership, screening_settings: ScreeningSettings
) -> visibility.Audience:
    """What this member's role and the review's blinding allow (screening.visibility)."""
    return visibility.audience(role_rank=membership.role_enum.rank, blind=screening_settings.blind)


def sees_outcome_counts(*, membership: Membership, screening_settings: ScreeningSettings) -> bool:
    """Whether progress may count records per state and conflicts for this member: only
    those who may see conflicts (a conflict arises once all votes are in, so counting
    them tells a lead nothing about a vote still to be cast)."""
    return audience_of(membership=membership, screening_settings=screening_settings).sees_conflicts


@dataclass(frozen=True)
class Progress:
    stage: str
    my_votes: int
    my_remaining: int
    team_votes: int
    team_votes_needed: int
    # Only for those who may see outcomes (leads, or when blinding is off):
    by_state: dict[str, int] | None = None
    conflicts: int | None = None

    @property
    def team_percent(self) -> int:
        return (
            round(100 * self.team_votes / self.team_votes_needed) if self.team_votes_needed else 100
        )


def _shared(key: str, ttl: int, compute):
    """`compute()`, shared by every member through the cache for `ttl` seconds (0: none)."""
    if ttl and (cached := cache.get(key)) is not None:
        return cached
    value = compute()
    if ttl:
        cache.set(key, value, ttl)
    return value


# The counts of `_reviewer_counts` ({table} names filled in, %s parameters).
_MINE = "SELECT COUNT(*) FROM {vote} WHERE review_id = %s AND reviewer_id = %s AND stage = %s"
_VOTED_OPEN = """SELECT COUNT(*) FROM {stageoutcome} o
    WHERE o.review_id = %s AND o.stage = %s AND o.status = %s AND o.votes >= 1 AND o.votes < %s
      AND o.record_id IN (
        SELECT v.record_id FROM {vote} v
        WHERE v.review_id = %s AND v.reviewer_id = %s AND v.stage = %s)
      AND EXISTS (SELECT 1 FROM {record} r WHERE r.id = o.record_id AND r.state = %s)"""
_IN_STATUS = (
    "SELECT COUNT(*) FROM {stageoutcome} WHERE review_id = %s AND stage = %s AND status = %s"
)
_FULL_OPEN = """SELECT COUNT(*) FROM {stageoutcome} o
    WHERE o.review_id = %s AND o.stage = %s AND o.status = %s AND o.votes >= %s
      AND (SELECT r.state FROM {record} r WHERE r.id = o.record_id) = %s"""
_AWAITING = "SELECT COUNT(*) FROM {record} WHERE review_id = %s AND state = %s"
_STRAY = """SELECT COUNT(*) FROM {stageoutcome} o
    WHERE o.review_id = %s AND o.stage = %s AND o.status = %s
      AND (SELECT r.state FROM {record} r WHERE r.id = o.record_id) <> %s"""


def _reviewer_counts(
    *, review_id: int, reviewer_id: int, stage: Stage, needed: int, with_flow: bool
) -> dict[str, int]:
    """The counts behind a reviewer's "left for you", in one statement (see `progress`).

    Plain SQL, each count a scalar subquery: built with the ORM the statement took
    ~2 ms of CPU to compose on every request, more than the counts themselves. The
    shapes are those the indexes answer: my votes and the waiting records from index
    entries only; the open outcomes with my vote by joining two index reads (the small
    partial index `outcome_half_done`, my votes' records) and checking only the
    matches' record; each outcome with all its votes in (few) looked up by id, never
    joined with every waiting record.
    """
    stage_value, waiting = str(stage.value), str(stage.awaiting_state)
    open_, conflict = str(OutcomeStatus.OPEN), str(OutcomeStatus.CONFLICT)
    counts = {
        "mine": (_MINE, [review_id, reviewer_id, stage_value]),
        "voted_open": (
            _VOTED_OPEN,
            [review_id, stage_value, open_, needed, review_id, reviewer_id, stage_value, waiting],
        ),
        "conflicts": (_IN_STATUS, [review_id, stage_value, conflict]),
        "full_open": (_FULL_OPEN, [review_id, stage_value, open_, needed, waiting]),
    }
    if with_flow:
        counts["awaiting"] = (_AWAITING, [review_id, waiting])
        counts["stray_conflicts"] = (_STRAY, [review_id, stage_value, conflict, waiting])
    tables = {m.__name__.lower(): m._meta.db_table for m in (Vote, StageOutcome, Record)}
    sql = "SELECT " + ", ".join(f"({query.format(**tables)})" for query, _ in counts.values())
    with connection.cursor() as cursor:
        cursor.execute(sql, [param for _, params in counts.values() for param in params])
        return dict(zip(counts, cursor.fetchone(), strict=True))


def _progress_key(review: Review, stage: Stage, needed: int) -> str:
    # The creation time too: a database recreated (tests, a restore) reuses review ids.
    created = review.created_at.timestamp() if review.created_at else 0
    return f"team-progress:{review.pk}:{created}:{stage}:{needed}"


def team_progress(*, review: Review, stage: str, needed: int) -> dict:
    """The team's figures shown at a stage, the same for every member: shared through
    the cache for PROGRESS_CACHE_SECONDS, so 200 screeners asking after every vote cost
    a few counts per review every few seconds, not per request. The counts per state
    and the outcomes' votes one pass over an index each (shared for the seconds as one
    record moves, like the votes that move none: with a team at work records move every
    second, and renewing them on each move cost every request both passes; renewed at
    once on imports, merges and other changes of many: `many_version`).
    """
    stage = Stage(stage)
    ttl = settings.SCREENING_PROGRESS_CACHE_SECONDS
    key = _progress_key(review, stage, needed)

    def shown() -> dict:
        counts = dict(
            Record.objects.filter(review=review, state__in=REACHED[stage])
            .order_by()
            .values_list("state")
            .annotate(n=Count("*"))
        )
        # A stage's votes are its outcomes' vote counts (cast_vote keeps each equal to
        # the record's votes): one pass over the outcome index, not votes x records.
        outcomes = StageOutcome.objects.filter(review=review, stage=stage).aggregate(
            votes=Sum("votes"), conflicts=Count("pk", filter=Q(status=OutcomeStatus.CONFLICT))
        )
        return {
            "counts": counts,
            "team_votes": outcomes["votes"] or 0,
            "conflicts": outcomes["conflicts"],
        }

    return _shared(f"{key}:shown:{many_version(review.pk)}", ttl, shown)


def progress(*, review: Review, stage: str, reviewer, needed: int, see_outcomes: bool) -> Progress:
    """A reviewer's and the team's progress at a stage.

    The team figure is votes cast over votes needed: it moves by one with every vote
    whatever the vote was, so a blinded reviewer learns nothing about how others voted.
    Counts per outcome are only given to those who may see outcomes. The reviewer's own
    figures are exact; the team's shown ones are `team_progress`.

    What is left for the reviewer: the records waiting at the stage, less those whose
    votes are all in (in conflict, or open with enough votes) and those still open that
    the reviewer voted on. Two of these change only when the flow does (`flow_version`:
    every move, import, merge, settled outcome…): the records waiting (a pass over an
    index, 45,000 entries half-way through a 100,000-record review) and the conflicts
    whose record no longer waits (a lookup per conflict). They are counted once per
    change of the flow and shared by the team for PROGRESS_CACHE_SECONDS. The rest
    change without any record moving (a conflict arises, a vote is cast) and are
    counted on every request, in one statement: the reviewer's votes, what they voted
    on that still takes votes, the conflicts (index entries only) and the open outcomes
    with enough votes (none but after the votes needed were lowered).

    Why the conflicts whose record no longer waits change only with the flow: a vote
    (and so a conflict) is only cast on a waiting record, the rules are only applied
    again to a waiting record's votes (`votes.reevaluate`), settling bumps the flow
    version, and a record leaves its stage only by a move or with its batch's deletion,
    both of which bump it.
    """
    stage = Stage(stage)
    team = team_progress(review=review, stage=stage, needed=needed)
    ttl = settings.SCREENING_PROGRESS_CACHE_SECONDS
    flow_key = f"{_progress_key(review, stage, needed)}:flow:{flow_version(review.pk)}"
    shared = cache.get(flow_key) if ttl else None
    counts = _reviewer_counts(
        review_id=review.pk,
        reviewer_id=reviewer.pk,
        stage=stage,
        needed=needed,
        with_flow=shared is None,
    )
    if shared is None:
        shared = {k: counts[k] for k in ("awaiting", "stray_conflicts")}
        if ttl:
            cache.set(flow_key, shared, ttl)
    complete = counts["conflicts"] - shared["stray_conflicts"] + counts["full_open"]
    by_state = team["counts"]
    return Progress(
        stage=stage,
        my_votes=counts["mine"],
        my_remaining=max(0, shared["awaiting"] - complete - counts["voted_open"]),
        team_votes=team["team_votes"],
        team_votes_needed=max(team["team_votes"], sum(by_state.values()) * needed),
        by_state={RecordState(state).label: n for state, n in by_state.items()}
        if see_outcomes
        else None,
        conflicts=team["conflicts"] if see_outcomes else None,
    )


def previous_vote(
    *, review: Review, stage: str, reviewer, before: Record | None = None
) -> Vote | None:
    """The reviewer's most recent vote at the stage (for "u": back), optionally older than one record's."""
    votes = Vote.objects.filter(
        record__review=review, stage=stage, reviewer=reviewer
    ).select_related("record")
    if before is not None:
        mine = votes.filter(record=before).first()
        if mine is not None:
            votes = votes.filter(
                Q(updated_at__lt=mine.updated_at) | Q(updated_at=mine.updated_at, pk__lt=mine.pk)
            )
    return votes.order_by("-updated_at", "-pk").first()


def my_votes(*, review: Review, reviewer, stage: str | None = None) -> QuerySet:
    """The reviewer's own votes, newest first, with each record's outcome (settled or not)."""
    votes = (
        Vote.objects.filter(record__review=review, reviewer=reviewer)
        .select_related("record", "reason")
        .order_by("-updated_at", "-pk")
    )
    if stage:
        votes = votes.filter(stage=stage)
    return votes


def outcomes_for(votes) -> dict[tuple[int, str], StageOutcome]:
    """The outcomes of the votes' records, keyed by (record id, stage)."""
    keys = {(v.record_id, v.stage) for v in votes}
    rows = StageOutcome.objects.filter(record_id__in={k[0] for k in keys}).select_related("reason")
    return {(o.record_id, o.stage): o for o in rows if (o.record_id, o.stage) in keys}


def others_on_settled(*, votes, outcomes) -> dict[tuple[int, str], list[Vote]]:
    """Other reviewers' votes on the settled records among `votes` (blinding has ended there)."""
    settled = [key for key, outcome in outcomes.items() if outcome.is_settled]
    if not settled:
        return {}
    mine = {v.pk for v in votes}
    grouped: dict[tuple[int, str], list[Vote]] = defaultdict(list)
    query = Q()
    for record_id, stage in settled:
        query |= Q(record_id=record_id, stage=stage)
    for vote in (
        Vote.objects.filter(query).exclude(pk__in=mine).select_related("reviewer", "reason")
    ):
        grouped[(vote.record_id, vote.stage)].append(vote)
    return grouped


def record_sight(
    *,
    record: Record,
    stage: str,
    membership: Membership,
    screening_settings: ScreeningSettings,
    outcome: StageOutcome | None = None,
    voted: bool | None = None,
) -> visibility.Sight:
    """What this member may see of `record` at `stage` (screening.visibility decides)."""
    stage = Stage(stage)
    if outcome is None:
        outcome = StageOutcome.objects.filter(record=record, stage=stage).first()
    if voted is None:
        voted = Vote.objects.filter(
            record=record, stage=stage, reviewer=membership.user_id
        ).exists()
    status = visibility.status_of(
        outcome_status=outcome.status if outcome else None,
        at_stage=record.state == stage.awaiting_state,
    )
    return visibility.sight(
        audience=audience_of(membership=membership, screening_settings=screening_settings),
        may_screen=status == visibility.Status.WAITING and not voted,
        voted=voted,
        status=status,
    )


def visible_votes(
    *, record: Record, stage: str, membership: Membership, screening_settings: ScreeningSettings
):
    """Other members' votes on a record, as this member may see them (screening.visibility)."""
    sight = record_sight(
        record=record, stage=stage, membership=membership, screening_settings=screening_settings
    )
    if not sight.votes:
        return []
    votes = list(
        Vote.objects.filter(record=record, stage=stage)
        .exclude(reviewer=membership.user_id)
        .select_related("reviewer", "reason")
    )
    if not sight.notes:
        for vote in votes:
            vote.note = ""
    return votes


def conflicts(*, review: Review, stage: str) -> QuerySet:
    """Records in conflict at a stage, each with every vote (for the lead)."""
    return (
        Record.objects.filter(
            review=review,
            state=Stage(stage).awaiting_state,
            outcomes__stage=stage,
            outcomes__status=OutcomeStatus.CONFLICT,
        )
        .prefetch_related(
            Prefetch(
                "votes",
                queryset=Vote.objects.filter(stage=stage)
                .select_related("reviewer", "reason")
                .order_by("created_at"),
                to_attr="stage_votes",
            )
        )
        .order_by("pk")
    )


def settled_records(*, review: Review, stage: str) -> QuerySet:
    """Settled records at a stage with their outcome, newest first (the lead may overrule)."""
    return (
        StageOutcome.objects.filter(review=review, stage=stage, status=OutcomeStatus.SETTLED)
        .select_related("record", "reason")
        .order_by("-settled_at", "-pk")
    )


def record_history(*, review: Review, record_id: int) -> QuerySet:
    """Every vote, change, resolution and overrule on a record, oldest first (survives the record)."""
    return (
        VoteEvent.objects.filter(review=review, record_pk=record_id)
        .select_related("actor")
        .order_by("at", "pk")
    )


def record_decisions(
    *, record: Record, membership: Membership, screening_settings: ScreeningSettings
) -> dict:
    """A record's votes, outcomes and resolutions per stage, as this member may see them:
    under blinding, nobody's votes but one's own on a stage still waiting for votes
    (screening.visibility), even on the lead's record page."""
    votes = (
        Vote.objects.filter(record=record)
        .select_related("reviewer", "reason")
        .order_by("stage", "created_at")
    )
    outcomes = {
        o.stage: o for o in StageOutcome.objects.filter(record=record).select_related("reason")
    }
    resolutions = Resolution.objects.filter(record=record).select_related("decided_by", "reason")
    by_stage = {}
    for stage in Stage:
        stage_votes = [v for v in votes if v.stage == stage]
        sight = record_sight(
            record=record,
            stage=stage,
            membership=membership,
            screening_settings=screening_settings,
            outcome=outcomes.get(stage),
            voted=any(v.reviewer_id == membership.user_id for v in stage_votes),
        )
        by_stage[stage] = {
            "label": stage.label,
            "votes": [v for v in stage_votes if sight.votes or v.reviewer_id == membership.user_id],
            "outcome": outcomes.get(stage) if sight.outcome or sight.conflict else None,
            "resolutions": [r for r in resolutions if r.stage == stage],
            "blinded": not sight.votes,
        }
    return by_stage


def visible_history(*, events, decisions: dict, user_id: int, record_state: str = "") -> list:
    """A record's history without the votes (and their notes) this member may not see
    yet, nor others' private tags (blinded like votes, screening.visibility.tag_visible)."""
    hidden = {stage for stage, entry in decisions.items() if entry["blinded"]}
    vote_actions = (VoteAction.VOTE, VoteAction.CHANGE)
    tag_actions = (VoteAction.TAG, VoteAction.UNTAG, VoteAction.COMMENT)

    # Private tags are blinded at the stage the record waits at now (visibility.current_status).
    current = {"ta": Stage.TITLE_ABSTRACT, "ft": Stage.FULL_TEXT}.get(record_state)

    def blinded(e) -> bool:
        if e.actor_id == user_id:
            return False
        if e.action in vote_actions:
            return e.stage in hidden
        private = e.action in tag_actions and bool((e.after or {}).get("private"))
        return private and current is not None and current in hidden

    return [e for e in events if not blinded(e)]


def fulltext_records(*, review: Review) -> QuerySet:
    """Records sought for retrieval (and those since assessed), with their report."""
    return (
        Record.objects.filter(
            review=review,
            state__in=[
                RecordState.FT_RETRIEVAL,
                RecordState.FT_NOT_RETRIEVED,
                RecordState.FT,
                RecordState.FT_EXCLUDED,
                RecordState.INCLUDED,
            ],
        )
        .select_related("fulltext")
        .order_by("state", "pk")
    )


def fulltext_of(record: Record) -> FullText | None:
    return FullText.objects.filter(record=record).first()


@dataclass
class ReviewerPace:
    username: str
    votes: int
    last_24h: int
    last_7d: int
    first_vote: object = None
    last_vote: object = None
    median_seconds: float | None = None
    remaining: int | None = None


@dataclass
class AgreementReport:
    stage: str
    overall: agreement.StageAgreement
    pairs: list[tuple[str, str, agreement.Agreement]] = field(default_factory=list)
    pace: list[ReviewerPace] = field(default_factory=list)


def agreement_report(*, review: Review, stage: str) -> AgreementReport:
    """Agreement per reviewer pair and overall at a stage, and each reviewer's pace.

    Pace is the median time between a reviewer's consecutive votes, ignoring breaks
    longer than 15 minutes, so it reads as "seconds per record while screening".
    """
    rows = list(
        Vote.objects.filter(record__review=review, stage=stage)
        .order_by("reviewer_id", "created_at")
        .values_list("record_id", "reviewer_id", "verdict", "created_at")
    )
    names = dict(
        get_user_model().objects.filter(pk__in={r[1] for r in rows}).values_list("pk", "username")
    )
    # Agreement reads complete sets of votes only (settled or in conflict): a record still
    # waiting for votes is blind to everyone who may screen it, the lead included
    # (screening.visibility), and its votes cannot change once complete.
    complete = set(
        StageOutcome.objects.filter(
            review=review,
            stage=stage,
            status__in=visibility.Audience.LEAD.outcome_statuses_with_votes,
        ).values_list("record_id", flat=True)
    )
    by_rater = agreement.votes_by_rater_from_rows(
        (r[0], names[r[1]], r[2]) for r in rows if r[0] in complete
    )
    overall = agreement.stage_agreement(dict(sorted(by_rater.items())))
    pairs = [(p.rater_a, p.rater_b, p.agreement) for p in overall.pairs]
    now = timezone.now()
    times: dict[int, list] = defaultdict(list)
    for _record, reviewer_id, _verdict, created in rows:
        times[reviewer_id].append(created)
    pace = []
    for reviewer_id, stamps in times.items():
        gaps = [(b - a).total_seconds() for a, b in zip(stamps, stamps[1:], strict=False)]
        gaps = [g for g in gaps if 0 < g <= 15 * 60]
        pace.append(
            ReviewerPace(
                username=names[reviewer_id],
                votes=len(stamps),
                last_24h=sum(1 for t in stamps if t >= now - timedelta(days=1)),
                last_7d=sum(1 for t in stamps if t >= now - timedelta(days=7)),
                first_vote=stamps[0],
                last_vote=stamps[-1],
                median_seconds=statistics.median(gaps) if gaps else None,
            )
        )
    pace.sort(key=lambda p: p.username)
    return AgreementReport(stage=stage, overall=overall, pairs=pairs, pace=pace)
