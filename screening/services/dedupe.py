"""Deduplication in the database: run the matcher, merge what is certain, queue the rest.

The matcher (screening/dedupe/) is pure; this module turns its verdicts into
DuplicateGroups and CandidatePairs. A merge keeps every record: the primary goes on to
screening, the others get state "duplicate" and remember the state they had, so any
merge can be undone exactly. Every merge and unmerge is written to DedupeEvent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.utils import timezone

from reviewapp.models import Review
from screening import flow
from screening.dedupe import DUPLICATE, DedupeRecord, group_duplicates
from screening.dedupe.matcher import cyclic_gc_paused, find_duplicates_normalised
from screening.models import (
    CITATION_FIELDS,
    CandidatePair,
    DedupeAction,
    DedupeEvent,
    DuplicateGroup,
    ImportBatch,
    PairStatus,
    Record,
    RecordState,
)
from screening.services.bulk import gin_upkeep_deferred, insert_rows, update_rows
from screening.services.dedupe_cache import Normaliser
from screening.services.journey import rows_moved
from screening.services.search_index import enqueue_search_index

WRITE_BATCH = 1000


@dataclass(frozen=True)
class DedupeSummary:
    compared: int  # records checked for the first time
    removed: int  # records removed as duplicates automatically
    pending: int  # pairs left for a person


@dataclass
class _Row:
    pk: int
    state: str
    before: str
    group_id: int | None
    richness: int
    round: int = 1  # the search round the record was found in (imports before rounds: 1)

    @property
    def effective_state(self) -> str:
        return (
            (self.before or RecordState.TA) if self.state == RecordState.DUPLICATE else self.state
        )


def _load_rows(review: Review, record_ids: Iterable[int]) -> dict[int, _Row]:
    """The records named and every member of their groups."""
    record_ids = list(record_ids)
    groups = Record.objects.filter(pk__in=record_ids, duplicate_group__isnull=False).values(
        "duplicate_group"
    )
    query = (
        Record.objects.filter(review=review)
        .filter(Q(pk__in=record_ids) | Q(duplicate_group__in=groups))
        .annotate(abstract_length=Length("abstract"))
        .values_list(
            "pk",
            "state",
            "state_before_merge",
            "duplicate_group_id",
            "abstract_length",
            "doi",
            "pmid",
            "pages",
            "volume",
            "journal",
            "year",
            "batch__search_round__number",
        )
    )
    rows = {}
    for pk, state, before, group_id, abstract_length, *fields, round_number in query:
        # The richest record becomes the primary: an abstract counts most.
        richness = (3 if abstract_length else 0) + sum(1 for value in fields if value)
        rows[pk] = _Row(pk, state, before, group_id, richness, round_number or 1)
    return rows


def _choose_primary(members: list[_Row], groups: dict[int, DuplicateGroup]) -> _Row:
    # A primary already screened past title/abstract keeps its place. Otherwise a record
    # found again in a later search round stays linked to its earlier copy, which keeps
    # its decisions: the earliest round's records come first. Then an existing primary
    # stays; then a record already screened past title/abstract; then the one with the
    # richest metadata; then the oldest.
    current = {group.primary_id for group in groups.values()}
    return min(
        members,
        key=lambda r: (
            not (r.pk in current and r.effective_state != RecordState.TA),
            r.round,
            r.pk not in current,
            r.effective_state == RecordState.TA,
            -r.richness,
            r.pk,
        ),
    )


def _check_primary(row: _Row, members: list[_Row]) -> _Row:
    """A person's choice of primary, unless it would put a later round's copy in the
    place of the earlier record (whose decisions the review keeps)."""
    earliest = min(r.round for r in members)
    if row.round > earliest:
        raise ValidationError(
            f"This record was found again in search round {row.round}; the copy from round "
            f"{earliest} keeps its place and its decisions. Choose a record of round {earliest}."
        )
    return row


def _apply_merges(
    review: Review,
    clusters: list[set[int]],
    *,
    actor,
    action: str,
    reason: str,
    primary_id: int | None = None,
) -> list[DuplicateGroup]:
    """Merge each cluster (joined with the groups its records are already in) into one group."""
    rows = _load_rows(review, set().union(*clusters) if clusters else set())
    existing = {
        g.pk: g
        for g in DuplicateGroup.objects.filter(
            pk__in={r.group_id for r in rows.values() if r.group_id}
        )
    }
    members_of_group = defaultdict(set)
    for row in rows.values():
        if row.group_id:
            members_of_group[row.group_id].add(row.pk)

    def primary_of(members, groups):
        return (
            _check_primary(rows[primary_id], members)
            if primary_id in {r.pk for r in members}
            else _choose_primary(members, groups)
        )

    # Clusters that touch no existing group get their groups in one INSERT.
    fresh = [
        i for i, cluster in enumerate(clusters) if not any(rows[pk].group_id for pk in cluster)
    ]
    created = DuplicateGroup.objects.bulk_create(
        [
            DuplicateGroup(
                review=review, primary_id=primary_of([rows[pk] for pk in clusters[i]], {}).pk
            )
            for i in fresh
        ],
        batch_size=WRITE_BATCH,
    )
    precreated = dict(zip(fresh, created, strict=True))

    changed: dict[int, _Row] = {}
    result, events, emptied = [], [], set()
    for index, cluster in enumerate(clusters):
        ids = set(cluster)
        for pk in list(cluster):
            if rows[pk].group_id:
                ids |= members_of_group[rows[pk].group_id]
        members = [rows[pk] for pk in sorted(ids)]
        groups = {r.group_id: existing[r.group_id] for r in members if r.group_id}
        primary = primary_of(members, groups)
        group = next((g for g in groups.values() if g.primary_id == primary.pk), None) or next(
            iter(groups.values()), None
        )
        if group is None:
            group = precreated[index]
        elif group.primary_id != primary.pk:
            group.primary_id = primary.pk
            group.save(update_fields=["primary"])
        emptied |= set(groups) - {group.pk}
        for row in members:
            row.group_id = group.pk
            if row.pk == primary.pk:
                if row.state == RecordState.DUPLICATE:
                    row.state = flow.next_state(
                        row.state, flow.Event.UNMERGE, restore_to=row.before
                    )
                    row.before = ""
            elif row.state != RecordState.DUPLICATE:
                row.state, row.before = flow.next_state(row.state, flow.Event.MERGE), row.state
            changed[row.pk] = row
        for pk in ids:
            members_of_group[group.pk].add(pk)
        result.append(group)
        events.append(
            DedupeEvent(
                review=review,
                action=action,
                actor=actor,
                group=group,
                record_ids=sorted(ids),
                reason=reason,
            )
        )
    _save_rows(changed.values())
    rows_moved(review.pk, [pk for pk, r in changed.items() if r.state == RecordState.DUPLICATE])
    insert_rows(DedupeEvent, events)  # ids not needed: one COPY on PostgreSQL
    if emptied:
        DuplicateGroup.objects.filter(pk__in=emptied).delete()
    return result


def _save_rows(rows: Iterable[_Row]) -> None:
    with gin_upkeep_deferred(Record):
        update_rows(
            Record,
            [(r.pk, r.state, r.before, r.group_id) for r in rows],
            ["state", "state_before_merge", "duplicate_group"],
        )


def _detach(review: Review, record_ids: Collection[int], *, actor, reason: str) -> None:
    """Take records out of their groups, restoring the state they had before the merge.
    A group left with one record is dissolved; a group that lost its primary gets a new one."""
    rows = _load_rows(review, record_ids)
    leaving = {pk for pk in record_ids if pk in rows and rows[pk].group_id}
    if not leaving:
        return
    groups = {
        g.pk: g for g in DuplicateGroup.objects.filter(pk__in={rows[pk].group_id for pk in leaving})
    }
    changed, events, dissolve = {}, [], []
    for group in groups.values():
        members = [r for r in rows.values() if r.group_id == group.pk]
        gone = [r for r in members if r.pk in leaving]
        stay = [r for r in members if r.pk not in leaving]
        for row in gone + (stay if len(stay) < 2 else []):
            if row.state == RecordState.DUPLICATE:
                row.state = flow.next_state(row.state, flow.Event.UNMERGE, restore_to=row.before)
            row.before, row.group_id = "", None
            changed[row.pk] = row
        if len(stay) >= 2 and group.primary_id in leaving:
            new_primary = _choose_primary(stay, {})
            if new_primary.state == RecordState.DUPLICATE:
                new_primary.state = flow.next_state(
                    new_primary.state, flow.Event.UNMERGE, restore_to=new_primary.before
                )
            new_primary.before = ""
            changed[new_primary.pk] = new_primary
            group.primary_id = new_primary.pk
            group.save(update_fields=["primary"])
        if len(stay) < 2:
            dissolve.append(group.pk)
        events.append(
            DedupeEvent(
                review=review,
                action=DedupeAction.UNMERGE,
                actor=actor,
                group=None if len(stay) < 2 else group,
                record_ids=sorted(r.pk for r in gone),
                reason=reason,
            )
        )
    _save_rows(changed.values())
    rows_moved(review.pk, [pk for pk, r in changed.items() if r.state == RecordState.DUPLICATE])
    DedupeEvent.objects.bulk_create(events)
    # Pairs inside an undone merge must not be merged again by a later run.
    CandidatePair.objects.filter(
        Q(record_a__in=leaving) | Q(record_b__in=leaving),
        status__in=[PairStatus.MERGED, PairStatus.CONFIRMED],
    ).update(status=PairStatus.UNMERGED)
    DuplicateGroup.objects.filter(pk__in=dissolve).delete()


def _as_dedupe_record(
    pk, title, authors, year, journal, volume, issue, pages, doi, pmid, ptype
) -> DedupeRecord:
    return DedupeRecord(
        id=pk,
        title=title,
        authors=tuple(authors or ()),
        year=year,
        journal=journal,
        volume=volume,
        issue=issue,
        pages=pages,
        doi=doi,
        pmid=pmid,
        publication_type=ptype,
    )


def dedupe_review(*, review_id: int) -> DedupeSummary | None:
    """Compare the records not yet checked with every record of the review.

    One run per review at a time (the review row is locked); a run that dies leaves
    nothing behind, and the next run picks the same records up again.
    """
    # The cycle collector stays paused for the whole run, not just the matching: the
    # normalised records live until they are kept, and each full collection during the
    # writes walked all of them to find nothing (seconds of an update round).
    with cyclic_gc_paused():
        return _dedupe_review(review_id)


def _dedupe_review(review_id: int) -> DedupeSummary | None:
    kept = []  # this run's Normaliser, kept once the run has committed
    try:
        summary = _dedupe_in_transaction(review_id, kept)
    except BaseException:
        for normaliser in kept:
            normaliser.close()
        raise
    for normaliser in kept:
        normaliser.keep()
    return summary


@transaction.atomic
def _dedupe_in_transaction(review_id: int, kept: list) -> DedupeSummary | None:
    review = Review.objects.select_for_update().filter(pk=review_id).first()
    if review is None:
        return None
    records = Record.objects.filter(review=review)
    matched = _match_review(review, records) if records.awaiting_dedupe().exists() else None
    if matched is None:
        return DedupeSummary(0, 0, 0)
    verdicts, screened, new_ids, batch_ids, normaliser = matched
    kept.append(normaliser)

    certain = [v for v in verdicts if v.decision == DUPLICATE]
    clusters = [set(c) for c in group_duplicates(certain)]
    # Two records both already screened past title/abstract are never merged without a person.
    held = [c for c in clusters if sum(pk in screened for pk in c) > 1]
    clusters = [c for c in clusters if c not in held]
    held_ids = set().union(*held) if held else set()
    before = records.filter(state=RecordState.DUPLICATE).count()
    _apply_merges(
        review, clusters, actor=None, action=DedupeAction.AUTO_MERGE, reason="certain match"
    )
    removed = records.filter(state=RecordState.DUPLICATE).count() - before

    pairs = [
        CandidatePair(
            review=review,
            record_a_id=v.a,
            record_b_id=v.b,
            score=round(v.score, 4),
            automatic=v.decision == DUPLICATE,
            reasons=list(v.reasons),
            status=PairStatus.MERGED
            if v.decision == DUPLICATE and v.a not in held_ids
            else PairStatus.PENDING,
        )
        for v in verdicts
    ]
    # Every pair has a record never compared before, so none can exist already.
    insert_rows(CandidatePair, pairs)
    pending = sum(p.status == PairStatus.PENDING for p in pairs)
    ImportBatch.objects.filter(pk__in=batch_ids).update(duplicates_found=removed, deduplicated=True)
    for batch_id in sorted(batch_ids):  # their search documents next (search_index.py)
        enqueue_search_index(batch_id)
    return DedupeSummary(compared=len(new_ids), removed=removed, pending=pending)


_UNSCREENED = (RecordState.TA, RecordState.DUPLICATE)


def _match_review(review: Review, records):
    """The matcher's verdicts on the review's records not yet compared, with the ids of
    the records screened past title/abstract, those records' ids and imports, and the
    Normaliser to keep; None when there is nothing to compare.

    One read of the review: each record's citation, state, and whether its import was
    compared already (an import's records become visible together, at commit). Each
    record is normalised as it is read (an unchanged record reuses the last run's
    normalised form, dedupe_cache.py) and its raw citation let go at once.
    """
    rows = records.values_list(
        "pk", "state", "batch_id", "batch__deduplicated", *CITATION_FIELDS, "publication_type"
    )
    # Of the states, only which records are screened past title/abstract (a few, or
    # none in a first import): a dict of every record's state was 20 MB at 200k.
    normalised, screened, new_ids, batch_ids = [], set(), set(), set()
    normaliser = Normaliser(review.pk)
    try:
        for pk, state, batch_id, deduplicated, *citation in rows.iterator(chunk_size=5000):
            normalised.append(normaliser(_as_dedupe_record(pk, *citation)))
            if state not in _UNSCREENED:
                screened.add(pk)
            if not deduplicated:
                new_ids.add(pk)
                batch_ids.add(batch_id)
        normaliser.done_reading()
        if not new_ids:  # the import went away meanwhile
            normaliser.close()
            return None
        verdicts = find_duplicates_normalised(normalised, new_ids=new_ids, keys=normaliser.keys)
    except BaseException:
        normaliser.close()
        raise
    return verdicts, screened, new_ids, batch_ids, normaliser


def enqueue_dedupe(review: Review) -> None:
    from screening.tasks import run_dedupe

    transaction.on_commit(lambda: run_dedupe.delay(review.pk))


@transaction.atomic
def confirm_pair(*, pair: CandidatePair, actor, primary_id: int | None = None) -> DuplicateGroup:
    """A person says the two records are duplicates: merge them (with their groups)."""
    pair = CandidatePair.objects.select_for_update().get(pk=pair.pk)
    if pair.status != PairStatus.PENDING:
        raise ValidationError("This pair has already been decided.")
    group = _apply_merges(
        pair.review,
        [{pair.record_a_id, pair.record_b_id}],
        actor=actor,
        action=DedupeAction.CONFIRM,
        reason=f"pair {pair.pk} confirmed",
        primary_id=primary_id,
    )[0]
    pair.status, pair.decided_by, pair.decided_at = PairStatus.CONFIRMED, actor, timezone.now()
    pair.save(update_fields=["status", "decided_by", "decided_at"])
    return group


@transaction.atomic
def reject_pair(*, pair: CandidatePair, actor) -> CandidatePair:
    """A person says the two records are different reports."""
    pair = CandidatePair.objects.select_for_update().get(pk=pair.pk)
    if pair.status != PairStatus.PENDING:
        raise ValidationError("This pair has already been decided.")
    pair.status, pair.decided_by, pair.decided_at = PairStatus.REJECTED, actor, timezone.now()
    pair.save(update_fields=["status", "decided_by", "decided_at"])
    DedupeEvent.objects.create(
        review=pair.review,
        action=DedupeAction.REJECT,
        actor=actor,
        record_ids=[pair.record_a_id, pair.record_b_id],
        reason=f"pair {pair.pk} rejected",
    )
    return pair


@transaction.atomic
def unmerge(*, review: Review, record_ids: Collection[int], actor, reason: str = "") -> None:
    """Undo merges: the records leave their groups and get back the state they had."""
    _detach(review, record_ids, actor=actor, reason=reason or "merge undone")


@transaction.atomic
def unmerge_group(*, group: DuplicateGroup, actor, reason: str = "") -> None:
    ids = list(group.records.exclude(pk=group.primary_id).values_list("pk", flat=True))
    _detach(group.review, ids, actor=actor, reason=reason or "group dissolved")


@transaction.atomic
def set_primary(*, group: DuplicateGroup, record: Record, actor) -> DuplicateGroup:
    """The lead picks which record of a group goes on to screening."""
    if not group.records.filter(pk=record.pk).exists():
        raise ValidationError("That record is not in this group.")
    members = list(group.records.values_list("pk", flat=True))
    _apply_merges(
        group.review,
        [set(members)],
        actor=actor,
        action=DedupeAction.PRIMARY,
        reason=f"record {record.pk} made primary",
        primary_id=record.pk,
    )
    group.refresh_from_db()
    return group


def release_records(*, review: Review, record_ids: Collection[int], actor, reason: str) -> None:
    """Take records about to be deleted out of every group, keeping the rest consistent."""
    _detach(review, record_ids, actor=actor, reason=reason)
