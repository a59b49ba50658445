"""Reads for the records list and its exports: the filters of the query string, the
records they select, each record's outcome per stage, and which votes a member may see.

The query string is the contract every PRISMA number links with (documented on
`screening.views.records.record_list`). What each member may see of votes, outcomes and
conflicts is `screening.visibility`'s to say; this module only asks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from reviewapp.http import parse_id
from reviewapp.models import Membership, Review
from screening import visibility
from screening.models import (
    ExclusionReason,
    FullText,
    ImportBatch,
    ImportStatus,
    OutcomeStatus,
    Record,
    RecordState,
    ScreeningSettings,
    SearchRound,
    SourceKind,
    Stage,
    StageOutcome,
    Vote,
)
from screening.search import parse as parse_search
from screening.selectors import record_order
from screening.selectors.rounds import found_again, in_rounds
from screening.selectors.screening import REACHED
from screening.selectors.search import search_records, searched_inline
from screening.selectors.tags import filter_by_tags

# How much of the screening a member may see in lists and exports: the policy's audience.
VoteAccess = visibility.Audience


def vote_access(*, membership: Membership, screening_settings: ScreeningSettings) -> VoteAccess:
    return visibility.audience(role_rank=membership.role_enum.rank, blind=screening_settings.blind)


# `unsettled` is open or in conflict; only leads (and everyone when blinding is off) may
# tell them apart, since a reviewer who voted learns the other vote from a conflict.
STATUSES = visibility.Audience.ALL.statuses
BLIND_STATUSES = visibility.Audience.SETTLED.statuses
NO_REASON = "none"
MAX_IDS = 1000


@dataclass(frozen=True)
class RecordFilters:
    """The records list's filters, read from a query string (see `from_query`)."""

    states: tuple[str, ...] = ()
    stage: str = ""
    status: str = ""
    sources: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    reason: str = ""  # an ExclusionReason id, or "none" for excluded without a reason
    q: str = ""
    tags: tuple[int, ...] = ()  # Tag ids: records carrying every one (as the member sees them)
    batch: int | None = None  # one import's records
    year_from: int | None = None
    year_to: int | None = None
    fulltext: str = ""  # "yes": a PDF is attached; "no": none
    abstract: str = ""  # "yes": has an abstract; "no": none
    ordering: str = ""  # screening.selectors.record_order; "" = id order
    ids: tuple[int, ...] = ()  # a selection of records (bulk export), at most MAX_IDS
    rounds: tuple[int, ...] = ()  # search round numbers the records were found in
    found_again: str = ""  # "yes": copies of a record an earlier round found; "no": the rest
    screened_by: int | None = None  # leads: records a member voted on (as the lead may see)
    errors: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_query(
        cls, params, *, access: VoteAccess = VoteAccess.ALL, is_lead: bool = False
    ) -> RecordFilters:
        """Parse `params` (a QueryDict); unknown values are reported in `errors` and left out."""
        errors = []
        batch = None
        if (value := params.get("import", "")) and (batch := parse_id(value)) is None:
            errors.append("The import is given by its id.")
        years = []
        for name in ("year_from", "year_to"):
            value = params.get(name, "").strip()
            if value and not (value.isdigit() and len(value) <= 4):
                errors.append(f"{name} is a year, like 2019.")
                value = ""
            years.append(int(value) if value else None)
        flags = []
        for name in ("fulltext", "abstract", "found_again"):
            value = params.get(name, "")
            if value and value not in ("yes", "no"):
                errors.append(f"{name} is yes or no.")
                value = ""
            flags.append(value)
        ordering = params.get("ordering", "").strip()
        if ordering and (problem := record_order.check(ordering, access=access, is_lead=is_lead)):
            errors.append(problem)
            ordering = ""
        states = tuple(dict.fromkeys(v for v in params.getlist("state") if v))
        if bad := [s for s in states if s not in RecordState.values]:
            errors.append(
                f"Unknown state {', '.join(bad)}; use one of {', '.join(RecordState.values)}."
            )
            states = tuple(s for s in states if s in RecordState.values)
        kinds = tuple(dict.fromkeys(v for v in params.getlist("kind") if v))
        if bad := [k for k in kinds if k not in SourceKind.values]:
            errors.append(f"Unknown source kind {', '.join(bad)}.")
            kinds = tuple(k for k in kinds if k in SourceKind.values)
        stage = params.get("stage", "")
        if stage and stage not in Stage.values:
            errors.append(f"Unknown stage {stage}; use ta or ft.")
            stage = ""
        status = params.get("status", "")
        allowed = access.statuses
        if status and status not in allowed:
            errors.append(f"Status {status} is not available; use one of {', '.join(allowed)}.")
            status = ""
        if status and not stage:
            errors.append("Filtering by status needs a stage (stage=ta or stage=ft).")
            status = ""
        reason = params.get("reason", "")
        if reason and reason != NO_REASON and parse_id(reason) is None:
            errors.append("The reason is an exclusion reason's id, or none.")
            reason = ""
        q = params.get("q", "").strip()[:500]
        errors += list(parse_search(q).errors)
        tags = []
        for value in params.getlist("tag"):
            if not value:
                continue
            if (tag_id := parse_id(value)) is None:
                errors.append("A tag is given by its id.")
            elif tag_id not in tags:
                tags.append(tag_id)
        screened_by = None
        if value := params.get("screened_by", ""):
            if not is_lead:
                errors.append("Only the lead may filter by who screened a record.")
            elif (screened_by := parse_id(value)) is None:
                errors.append("The screener is given by their user id.")
        rounds = tuple(dict.fromkeys(n for v in params.getlist("round") if (n := parse_id(v))))
        if any(v and not parse_id(v) for v in params.getlist("round")):
            errors.append("A search round is given by its number.")
        ids = tuple(dict.fromkeys(i for v in params.getlist("id") if (i := parse_id(v))))
        if len(params.getlist("id")) != len(ids) and any(
            not parse_id(v) for v in params.getlist("id")
        ):
            errors.append("A record is given by its id.")
        if len(ids) > MAX_IDS:
            errors.append(f"Select at most {MAX_IDS} records, or use the filters.")
            ids = ids[:MAX_IDS]
        return cls(
            ids=ids,
            screened_by=screened_by,
            batch=batch,
            year_from=years[0],
            year_to=years[1],
            fulltext=flags[0],
            abstract=flags[1],
            found_again=flags[2],
            rounds=rounds,
            ordering=ordering,
            tags=tuple(tags),
            states=states,
            stage=stage,
            status=status,
            sources=tuple(dict.fromkeys(v.strip() for v in params.getlist("source") if v.strip())),
            kinds=kinds,
            reason=reason,
            q=q,
            errors=tuple(errors),
        )

    @property
    def active(self) -> bool:
        return bool(
            self.states
            or self.stage
            or self.sources
            or self.kinds
            or self.reason
            or self.q
            or self.tags
            or self.batch
            or self.year_from is not None
            or self.year_to is not None
            or self.fulltext
            or self.abstract
            or self.ids
            or self.rounds
            or self.found_again
            or self.screened_by
        )

    def query_items(self, *, ordering: bool = True) -> list[tuple[str, str]]:
        """The filters (and the order) as query-string pairs, to carry them to other
        pages and exports."""
        items = [("state", s) for s in self.states]
        items += [(k, v) for k, v in (("stage", self.stage), ("status", self.status)) if v]
        items += [("source", s) for s in self.sources] + [("kind", k) for k in self.kinds]
        items += [(k, v) for k, v in (("reason", self.reason), ("q", self.q)) if v]
        items += [("tag", str(t)) for t in self.tags]
        extra = (
            ("import", self.batch),
            ("year_from", self.year_from),
            ("year_to", self.year_to),
            ("fulltext", self.fulltext),
            ("abstract", self.abstract),
            ("screened_by", self.screened_by),
            ("found_again", self.found_again),
        )
        items += [(k, str(v)) for k, v in extra if v not in (None, "")]
        items += [("round", str(n)) for n in self.rounds]
        items += [("id", str(i)) for i in self.ids]
        if ordering and self.ordering:
            items.append(("ordering", self.ordering))
        return items

    def as_query(self, *, ordering: bool = True) -> str:
        return urlencode(self.query_items(ordering=ordering))


def _status_q(stage: Stage, status: str) -> Q:
    outcomes = StageOutcome.objects.filter(record=OuterRef("pk"), stage=stage)
    if status == "settled":
        return Q(Exists(outcomes.filter(status=OutcomeStatus.SETTLED)))
    # A record still awaiting the stage with no vote yet is open there, too.
    awaiting = Q(state=stage.awaiting_state)
    if status == "conflict":
        return awaiting & Q(Exists(outcomes.filter(status=OutcomeStatus.CONFLICT)))
    unsettled = ~Q(Exists(outcomes.filter(status=OutcomeStatus.SETTLED)))
    if status == "open":
        return awaiting & unsettled & ~Q(Exists(outcomes.filter(status=OutcomeStatus.CONFLICT)))
    return awaiting & unsettled


def _screened_by_q(reviewer_id: int, *, access: VoteAccess, user_id: int | None) -> Q:
    """Records `reviewer_id` voted on, counting only the votes this member may see
    (screening.visibility: under blinding a lead sees another's vote once the record is
    settled or in conflict at that stage; one's own votes always)."""
    votes = Vote.objects.filter(record=OuterRef("pk"), reviewer_id=reviewer_id)
    statuses = access.outcome_statuses_with_votes
    if reviewer_id != user_id and statuses is not None:
        seen = StageOutcome.objects.filter(
            record=OuterRef("record"), stage=OuterRef("stage"), status__in=statuses
        )
        votes = votes.filter(Exists(seen))
    return Q(Exists(votes))


def filter_records(
    records: QuerySet,
    *,
    filters: RecordFilters,
    review: Review | None = None,
    access: VoteAccess = VoteAccess.NONE,
    user_id: int | None = None,
) -> QuerySet:
    """`records` narrowed by `filters`. Every filter combines with AND; repeated values
    of one filter (state, source, kind) with OR; several tags: records with all of them.
    Tags count as `access`/`user_id` may see them (private tags are blinded)."""
    if filters.tags:
        records = filter_by_tags(
            records, tag_ids=filters.tags, review=review, access=access, user_id=user_id or 0
        )
    if filters.states:
        records = records.filter(state__in=filters.states)
    if filters.sources:
        records = records.filter(batch__source_name__in=filters.sources)
    if filters.kinds:
        records = records.filter(batch__source_kind__in=filters.kinds)
    stage = Stage(filters.stage) if filters.stage else None
    if stage and filters.status:
        records = records.filter(_status_q(stage, filters.status))
    elif stage:
        records = records.filter(state__in=REACHED[stage])
    if filters.reason:
        # The one reason PRISMA counts per record and stage: the settled outcome's.
        outcomes = StageOutcome.objects.filter(record=OuterRef("pk"))
        if stage:
            outcomes = outcomes.filter(stage=stage)
        if filters.reason == NO_REASON:
            records = records.exclude(Exists(outcomes.filter(reason__isnull=False)))
        else:
            records = records.filter(Exists(outcomes.filter(reason_id=int(filters.reason))))
    if filters.ids:
        records = records.filter(pk__in=filters.ids)
    if filters.batch:
        records = records.filter(batch_id=filters.batch)
    if filters.screened_by:
        records = records.filter(
            _screened_by_q(filters.screened_by, access=access, user_id=user_id)
        )
    if filters.year_from is not None:
        records = records.filter(year__gte=filters.year_from)
    if filters.year_to is not None:
        records = records.filter(year__lte=filters.year_to)
    if filters.fulltext:
        retrieved = FullText.objects.filter(record=OuterRef("pk")).exclude(file="")
        records = records.filter(
            Exists(retrieved) if filters.fulltext == "yes" else ~Exists(retrieved)
        )
    if filters.abstract == "yes":
        records = records.exclude(abstract="")
    elif filters.abstract == "no":
        records = records.filter(abstract="")
    if filters.rounds:
        records = in_rounds(records, filters.rounds)
    if filters.found_again:
        records = found_again(records, again=filters.found_again == "yes")
    if filters.q:
        # Last: PostgreSQL checks conditions of equal cost in the order written, and the
        # columns above are cheaper to compare than a search document to decompress.
        records = search_records(records, filters.q, review_id=review.pk if review else None)
    return records


def records_for_list(
    *, review: Review, filters: RecordFilters, access: VoteAccess, user_id: int | None = None
) -> QuerySet:
    """The records list: filtered, with the batch, each stage's outcome (`stage_outcomes`)
    and, for members who may see votes, every vote (`stage_votes`). Three queries for a
    page of any size; `record_row` applies blinding to what they fetched."""
    records = filter_records(
        # `raw` (every original tag of the file) is the widest column and no list shows it.
        Record.objects.filter(review=review).select_related("batch").defer("raw"),
        filters=filters,
        review=review,
        access=access,
        user_id=user_id,
    ).prefetch_related(
        Prefetch(
            "outcomes",
            queryset=StageOutcome.objects.select_related("reason"),
            to_attr="stage_outcomes",
        )
    )
    if access != VoteAccess.NONE:
        records = records.prefetch_related(
            Prefetch(
                "votes",
                queryset=Vote.objects.select_related("reviewer", "reason").order_by(
                    "stage", "created_at", "pk"
                ),
                to_attr="stage_votes",
            )
        )
    return record_order.order(records, filters.ordering, user_id=user_id)


@dataclass(frozen=True)
class StageCell:
    """One record at one stage, as a member may see it."""

    stage: Stage
    status: str  # "", "open", "conflict", "settled", or "unsettled" for the blinded
    decision: str
    reason: str
    settled_by: str
    votes: tuple[Vote, ...]

    @property
    def status_label(self) -> str:
        if self.status == "unsettled":
            return "In screening"
        return OutcomeStatus(self.status).label if self.status else ""


def stage_status(*, state: str, stage: Stage, outcome_status: str | None) -> visibility.Status:
    return visibility.status_of(
        outcome_status=outcome_status, at_stage=state == stage.awaiting_state
    )


def visible_status(
    *, state: str, stage: Stage, outcome_status: str | None, access: VoteAccess
) -> str:
    """A record's status at `stage` for this member: "" where the record is not at the
    stage and has no decision there, else open, conflict or settled; those who may not
    see conflicts see "unsettled" for open and conflict alike (screening.visibility)."""
    return visibility.shown_status(
        audience=access,
        status=stage_status(state=state, stage=stage, outcome_status=outcome_status),
    )


def vote_visible(
    *, access: VoteAccess, status: visibility.Status, reviewer_id: int, user_id: int
) -> bool:
    """Whether this member may see one vote (screening.visibility decides)."""
    return visibility.vote_visible(audience=access, status=status, mine=reviewer_id == user_id)


def record_row(record: Record, *, access: VoteAccess, user_id: int) -> list[StageCell]:
    """A record of `records_for_list` as the member may see it, one cell per stage."""
    outcomes = {o.stage: o for o in record.stage_outcomes}
    cells = []
    for stage in Stage:
        outcome = outcomes.get(stage)
        status = stage_status(
            state=record.state, stage=stage, outcome_status=outcome.status if outcome else None
        )
        sight = visibility.sight(audience=access, may_screen=False, voted=True, status=status)
        settled = sight.outcome and outcome is not None and outcome.is_settled
        votes = tuple(
            vote
            for vote in getattr(record, "stage_votes", ())
            if vote.stage == stage
            and vote_visible(
                access=access, status=status, reviewer_id=vote.reviewer_id, user_id=user_id
            )
        )
        cells.append(
            StageCell(
                stage=stage,
                status=visibility.shown_status(audience=access, status=status),
                decision=outcome.get_decision_display() if settled else "",
                reason=outcome.reason.label if settled and outcome.reason_id else "",
                settled_by=outcome.get_settled_by_display() if settled else "",
                votes=votes,
            )
        )
    return cells


@dataclass(frozen=True)
class FilterChoices:
    sources: list[str]
    kinds: list[tuple[str, str]]
    reasons: list[ExclusionReason]
    imports: list[tuple[int, str]]  # (id, "PubMed · export.nbib")
    # (number, "Update 1") of the review's search rounds, when there are updates
    rounds: list[tuple[int, str]] = field(default_factory=list)
    screeners: list[tuple[int, str]] = field(default_factory=list)  # leads: who may screen
    # Records whose search documents are still to be written (screening.services.
    # search_index): the search computes them meanwhile, complete but slower, unless they
    # are too many (`searched_inline` false): then it leaves them out until the job is done.
    unindexed: int = 0
    unindexed_searched: bool = True


def filter_choices(*, review: Review, is_lead: bool = False) -> FilterChoices:
    """What the filter bar offers: the review's sources, their kinds, its reasons, its
    search rounds (from the imports: no query of its own), for the lead, who screens, and
    how many records the search has no stored document for yet (PostgreSQL)."""
    rows = list(
        ImportBatch.objects.filter(review=review)
        .order_by("pk")
        .values_list(
            "pk",
            "source_name",
            "source_kind",
            "filename",
            "search_round__number",
            "status",
            "search_indexed_at",
            "records_imported",
        )
    )
    batches = [row[:5] for row in rows]
    pairs = {(name, kind) for _, name, kind, _, _ in batches}
    rounds = sorted({number or 1 for *_, number in batches})
    unindexed = sum(
        imported
        for *_, status, indexed_at, imported in rows
        if status == ImportStatus.DONE and indexed_at is None
    )
    kinds = {kind for _, kind in pairs}
    screeners = []
    if is_lead:
        screeners = [
            (m.user_id, m.user.username)
            for m in Membership.objects.filter(review=review)
            .select_related("user")
            .order_by("user__username")
            if m.role_enum.rank >= 1
        ]
    return FilterChoices(
        sources=sorted({name for name, _ in pairs}, key=str.lower),
        kinds=[(value, label) for value, label in SourceKind.choices if value in kinds],
        reasons=list(ExclusionReason.objects.filter(review=review)),
        imports=[(pk, f"{name} · {filename}") for pk, name, _, filename, _ in batches],
        rounds=[(n, SearchRound(number=n).label) for n in rounds] if len(rounds) > 1 else [],
        screeners=screeners,
        unindexed=unindexed if connection.vendor == "postgresql" else 0,
        unindexed_searched=searched_inline(unindexed),
    )
