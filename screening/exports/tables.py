"""The export tables as plain row generators: a header row, then one row per item.

Each table reads its rows with `.iterator()` and joins per-record details (outcomes,
votes) by walking cursors ordered the same way side by side, so a 100,000-record review
takes the same handful of queries as a ten-record one and never sits in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from reviewapp.models import Review, Role
from screening.exports import interchange
from screening.exports.ris import ris_entries
from screening.models import (
    CITATION_FIELDS,
    Comment,
    OutcomeStatus,
    Record,
    RecordState,
    Resolution,
    SourceKind,
    Stage,
    StageOutcome,
    Vote,
)
from screening.selectors.records import (
    RecordFilters,
    VoteAccess,
    filter_records,
    stage_status,
    visible_status,
    vote_visible,
)
from screening.selectors.tags import shown_tag_names, tag_rows
from screening.visibility import comment_visible, current_status

CHUNK = 2000
STATE_LABELS = dict(RecordState.choices)
KIND_LABELS = dict(SourceKind.choices)

Row = Sequence[Any]


@dataclass(frozen=True)
class ExportContext:
    """Who exports what: the review, the member's view of votes, and the list's filters."""

    review: Review
    access: VoteAccess
    user_id: int
    filters: RecordFilters = RecordFilters()
    labels: str = ""  # ASReview file: "" title/abstract decisions, "final" final ones


class _Cursor:
    """Items of an iterator sorted by key, handed out one key at a time, in order.

    `take(key)` skips items with smaller keys and returns those with this key; asking for
    the same key again returns the same items (several resolutions share their votes).
    """

    def __init__(self, items: Iterable[dict], key: Callable[[dict], Any]) -> None:
        self._items = iter(items)
        self._key = key
        self._next = next(self._items, None)
        self._last_key: Any = object()
        self._last: list[dict] = []

    def take(self, key: Any) -> list[dict]:
        if key == self._last_key:
            return self._last
        while self._next is not None and self._key(self._next) < key:
            self._next = next(self._items, None)
        found = []
        while self._next is not None and self._key(self._next) == key:
            found.append(self._next)
            self._next = next(self._items, None)
        self._last_key, self._last = key, found
        return found


def _by_record(item: dict) -> int:
    return item["record_id"]


def _by_record_stage(item: dict) -> tuple[int, str]:
    return (item["record_id"], item["stage"])


_VOTE_FIELDS = ("record_id", "stage", "reviewer_id", "reviewer__username", "verdict", "note")


def _votes_text(votes: Sequence[dict]) -> tuple[str, str, str]:
    """Votes as three cells: "who: verdict", "who: reason" and "who: note", each joined."""
    return (
        "; ".join(f"{v['reviewer__username']}: {v['verdict']}" for v in votes),
        "; ".join(
            f"{v['reviewer__username']}: {v['reason__label']}" for v in votes if v["reason__label"]
        ),
        " | ".join(f"{v['reviewer__username']}: {v['note']}" for v in votes if v["note"]),
    )


BIB_HEADER = ["record_id", "record_key", *CITATION_FIELDS, "source", "source_kind"]
BIB_FIELDS = ("pk", "record_key", *CITATION_FIELDS, "batch__source_name", "batch__source_kind")


def _bib(record: dict) -> list:
    return [
        record["pk"],
        record["record_key"],
        record["title"],
        "; ".join(record["authors"] or []),
        record["year"],
        record["journal"],
        record["volume"],
        record["issue"],
        record["pages"],
        record["doi"],
        record["pmid"],
        record["batch__source_name"],
        record["batch__source_kind"],
    ]


def _filtered_records(context: ExportContext) -> QuerySet:
    return filter_records(
        Record.objects.filter(review=context.review),
        filters=context.filters,
        review=context.review,
        access=context.access,
        user_id=context.user_id,
    ).order_by("pk")


def record_rows(context: ExportContext) -> Iterator[Row]:
    """Every record (narrowed by the records list's filters) with its state, and per
    stage its status, decision, reason and, for members who may see them, the votes."""
    with_votes = context.access != VoteAccess.NONE
    header = [*BIB_HEADER, "state", "state_label", "abstract", "tags", "comments"]
    for stage in Stage:
        header += [f"{stage}_status", f"{stage}_decision", f"{stage}_reason", f"{stage}_settled_by"]
        if with_votes:
            header += [f"{stage}_votes", f"{stage}_vote_reasons", f"{stage}_notes"]
    yield header

    records = _filtered_records(context)
    ids = records.values("pk")
    outcomes = _Cursor(
        StageOutcome.objects.filter(record__in=ids)
        .order_by("record_id", "stage")
        .values("record_id", "stage", "status", "decision", "reason__label", "settled_by")
        .iterator(chunk_size=CHUNK),
        _by_record,
    )
    votes = _Cursor(
        Vote.objects.filter(record__in=ids)
        .order_by("record_id", "stage", "created_at", "pk")
        .values(*_VOTE_FIELDS, "reason__label")
        .iterator(chunk_size=CHUNK)
        if with_votes
        else (),
        _by_record,
    )
    tags = _Cursor(tag_rows(records), _by_record)
    comments = _Cursor(
        Comment.objects.filter(record__in=records.values("pk"), deleted_at__isnull=True)
        .order_by("record_id")
        .values("record_id", "author_id")
        .iterator(chunk_size=CHUNK),
        _by_record,
    )
    for record in records.values(*BIB_FIELDS, "state", "abstract").iterator(chunk_size=CHUNK):
        by_stage = {o["stage"]: o for o in outcomes.take(record["pk"])}
        record_votes = votes.take(record["pk"])
        status = current_status(
            state=record["state"],
            ta_outcome_status=(by_stage.get(Stage.TITLE_ABSTRACT) or {}).get("status"),
            ft_outcome_status=(by_stage.get(Stage.FULL_TEXT) or {}).get("status"),
        )
        names = shown_tag_names(
            tags.take(record["pk"]), access=context.access, user_id=context.user_id, status=status
        )
        row = [
            *_bib(record),
            record["state"],
            STATE_LABELS.get(record["state"], record["state"]),
            record["abstract"],
            "; ".join(names),
            sum(  # the comments this member may read (visibility.comment_visible)
                comment_visible(
                    audience=context.access,
                    mine=c["author_id"] == context.user_id,
                    status=status,
                )
                for c in comments.take(record["pk"])
            ),
        ]
        for stage in Stage:
            outcome = by_stage.get(stage)
            settled = outcome is not None and outcome["status"] == OutcomeStatus.SETTLED
            row += [
                visible_status(
                    state=record["state"],
                    stage=stage,
                    outcome_status=outcome["status"] if outcome else None,
                    access=context.access,
                ),
                outcome["decision"] if settled else "",
                (outcome["reason__label"] or "") if settled else "",
                outcome["settled_by"] if settled else "",
            ]
            if with_votes:
                shown = [
                    v
                    for v in record_votes
                    if v["stage"] == stage
                    and vote_visible(
                        access=context.access,
                        status=stage_status(
                            state=record["state"],
                            stage=stage,
                            outcome_status=outcome["status"] if outcome else None,
                        ),
                        reviewer_id=v["reviewer_id"],
                        user_id=context.user_id,
                    )
                ]
                row += _votes_text(shown)
        yield row


def vote_rows(context: ExportContext) -> Iterator[Row]:
    """Votes in long form, one row per current vote (the history of changes is VoteEvent's)."""
    yield [
        "vote_id",
        "record_id",
        "record_key",
        "title",
        "stage",
        "reviewer",
        "verdict",
        "reason",
        "note",
        "created",
        "updated",
    ]
    votes = Vote.objects.filter(record__review=context.review)
    if context.access == VoteAccess.NONE:
        return
    ended = context.access.outcome_statuses_with_votes  # screening.visibility
    if ended is not None:
        settled = StageOutcome.objects.filter(
            record=OuterRef("record_id"), stage=OuterRef("stage"), status__in=ended
        )
        votes = votes.filter(Q(reviewer_id=context.user_id) | Q(Exists(settled)))
    yield from (
        votes.order_by("record_id", "stage", "created_at", "pk")
        .values_list(
            "pk",
            "record_id",
            "record__record_key",
            "record__title",
            "stage",
            "reviewer__username",
            "verdict",
            "reason__label",
            "note",
            "created_at",
            "updated_at",
        )
        .iterator(chunk_size=CHUNK)
    )


def conflict_rows(context: ExportContext) -> Iterator[Row]:
    """One row per resolution or overrule with the votes it settled, then one row per
    conflict still open. For leads: conflicts reveal votes on unsettled records."""
    yield [
        "record_id",
        "record_key",
        "title",
        "stage",
        "kind",
        "decision",
        "reason",
        "lead_note",
        "decided_by",
        "decided_at",
        "votes",
        "vote_reasons",
        "vote_notes",
    ]
    review_votes = Vote.objects.filter(record__review=context.review).order_by(
        "record_id", "stage", "created_at", "pk"
    )
    same_record_stage = {"record_id": OuterRef("record_id"), "stage": OuterRef("stage")}
    resolved_votes = _Cursor(
        review_votes.filter(Exists(Resolution.objects.filter(**same_record_stage)))
        .values(*_VOTE_FIELDS, "reason__label")
        .iterator(chunk_size=CHUNK),
        _by_record_stage,
    )
    for resolution in (
        Resolution.objects.filter(record__review=context.review)
        .order_by("record_id", "stage", "decided_at", "pk")
        .values(
            "record_id",
            "record__record_key",
            "record__title",
            "stage",
            "kind",
            "verdict",
            "reason__label",
            "note",
            "decided_by__username",
            "decided_at",
        )
        .iterator(chunk_size=CHUNK)
    ):
        yield [
            resolution["record_id"],
            resolution["record__record_key"],
            resolution["record__title"],
            resolution["stage"],
            resolution["kind"],
            resolution["verdict"],
            resolution["reason__label"] or "",
            resolution["note"],
            resolution["decided_by__username"],
            resolution["decided_at"],
            *_votes_text(resolved_votes.take(_by_record_stage(resolution))),
        ]

    open_conflicts = StageOutcome.objects.filter(
        review=context.review, status=OutcomeStatus.CONFLICT
    ).filter(
        Q(stage=Stage.TITLE_ABSTRACT, record__state=RecordState.TA)
        | Q(stage=Stage.FULL_TEXT, record__state=RecordState.FT)
    )
    conflict_votes = _Cursor(
        review_votes.filter(
            Exists(open_conflicts.filter(record_id=OuterRef("record_id"), stage=OuterRef("stage")))
        )
        .values(*_VOTE_FIELDS, "reason__label")
        .iterator(chunk_size=CHUNK),
        _by_record_stage,
    )
    for conflict in (
        open_conflicts.order_by("record_id", "stage")
        .values("record_id", "record__record_key", "record__title", "stage")
        .iterator(chunk_size=CHUNK)
    ):
        yield [
            conflict["record_id"],
            conflict["record__record_key"],
            conflict["record__title"],
            conflict["stage"],
            "open conflict",
            "",
            "",
            "",
            "",
            None,
            *_votes_text(conflict_votes.take(_by_record_stage(conflict))),
        ]


INCLUDED_FIELDS = (*BIB_FIELDS, "issn", "abstract", "keywords", "urls")


def included_records(context: ExportContext) -> Iterator[dict]:
    """The included records with their batch's format (for RIS) and the tags the member
    may see (`tags`, a list of names; included records are settled), in id order."""
    records = Record.objects.filter(review=context.review, state=RecordState.INCLUDED)
    tags = _Cursor(tag_rows(records), _by_record)
    for record in (
        records.order_by("pk")
        .values(*INCLUDED_FIELDS, "language", "publication_type", "raw", "batch__detected_format")
        .iterator(chunk_size=CHUNK)
    ):
        record["tags"] = shown_tag_names(
            tags.take(record["pk"]),
            access=context.access,
            user_id=context.user_id,
            status=current_status(
                state=RecordState.INCLUDED, ta_outcome_status=None, ft_outcome_status=None
            ),
        )
        yield record


def included_rows(context: ExportContext) -> Iterator[Row]:
    """The included records' bibliographic details, abstracts and keywords."""
    yield [*BIB_HEADER, "issn", "abstract", "keywords", "urls", "tags"]
    for record in included_records(context):
        yield [
            *_bib(record),
            record["issn"],
            record["abstract"],
            "; ".join(record["keywords"] or []),
            " ".join(record["urls"] or []),
            "; ".join(record["tags"]),
        ]


@dataclass(frozen=True)
class ExportTable:
    """One table that can be exported: who may, in which formats, and its rows."""

    name: str
    title: str
    description: str
    least_role: Role
    formats: tuple[str, ...]
    rows: Callable[[ExportContext], Iterator[Row]]
    filterable: bool = False
    ris: Callable[[ExportContext], Iterator[str]] | None = None  # RIS entries, if offered


TABLES: dict[str, ExportTable] = {
    table.name: table
    for table in (
        ExportTable(
            "records",
            "Records",
            "Every record with its state and, per stage, status, decision, reason, votes and "
            "notes. Takes the records list's filters.",
            Role.VIEWER,
            ("csv", "xlsx"),
            record_rows,
            filterable=True,
        ),
        ExportTable(
            "votes",
            "Votes",
            "One row per vote: record, stage, reviewer, verdict, reason, note, when.",
            Role.REVIEWER,
            ("csv", "xlsx"),
            vote_rows,
        ),
        ExportTable(
            "conflicts",
            "Conflicts and resolutions",
            "One row per resolution or overrule with the votes it settled, then open conflicts.",
            Role.LEAD,
            ("csv", "xlsx"),
            conflict_rows,
        ),
        ExportTable(
            "included",
            "Included records",
            "The included records: RIS for reference managers, or a table.",
            Role.VIEWER,
            ("ris", "csv", "xlsx"),
            included_rows,
            ris=lambda context: ris_entries(included_records(context)),
        ),
        ExportTable(
            "asreview",
            "ASReview labelled data set",
            "Every screened record with its title/abstract decision as ASReview's label: "
            "CSV with included = 1/0/empty, or RIS with ASReview_relevant/irrelevant/not_seen "
            "notes. ?labels=final labels the final decision instead.",
            Role.VIEWER,
            ("csv", "ris"),
            interchange.asreview_rows,
            ris=interchange.asreview_ris,
        ),
        ExportTable(
            "revman",
            "Included studies for RevMan",
            "RIS of the included reports grouped by study, each with its study id.",
            Role.VIEWER,
            ("ris",),
            lambda context: iter(()),
            ris=interchange.revman_ris,
        ),
    )
}
