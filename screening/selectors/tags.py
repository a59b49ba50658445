"""Reads for tags: a review's tags, the tags a member may see on records, and the tag
filter of the records list, its exports and the API. What is visible is
`screening.visibility`'s to say (team tags: always; private tags: like a vote)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from reviewapp.models import Review
from screening import visibility
from screening.models import RecordState, RecordTag, Stage, StageOutcome, Tag

_CHUNK = 2000


def review_tags(review: Review) -> list[Tag]:
    return list(Tag.objects.filter(review=review))


@dataclass
class ShownTag:
    """A tag on a record as one member sees it."""

    tag: Tag
    mine: bool = False  # this member put it there (for private tags: their own)
    by: list[str] = field(default_factory=list)  # who put it there, of what they may see

    @property
    def name(self) -> str:
        return self.tag.name


def status_of_listed(record) -> visibility.Status:
    """The status of a record of `records_for_list` (its outcomes are prefetched)."""
    outcomes = {o.stage: o.status for o in record.stage_outcomes}
    return visibility.current_status(
        state=record.state,
        ta_outcome_status=outcomes.get(Stage.TITLE_ABSTRACT),
        ft_outcome_status=outcomes.get(Stage.FULL_TEXT),
    )


def record_statuses(record_ids: list[int]) -> dict[int, visibility.Status]:
    """Each record's status at the stage it waits at (visibility.current_status)."""
    from screening.models import Record

    states = {}
    outcomes: dict[tuple[int, str], str] = {}
    for start in range(0, len(record_ids), _CHUNK):
        chunk = record_ids[start : start + _CHUNK]
        states.update(Record.objects.filter(pk__in=chunk).values_list("pk", "state"))
        for record_id, stage, status in StageOutcome.objects.filter(
            record_id__in=chunk
        ).values_list("record_id", "stage", "status"):
            outcomes[(record_id, stage)] = status
    return {
        pk: visibility.current_status(
            state=state,
            ta_outcome_status=outcomes.get((pk, Stage.TITLE_ABSTRACT)),
            ft_outcome_status=outcomes.get((pk, Stage.FULL_TEXT)),
        )
        for pk, state in states.items()
    }


def visible_tags(
    record_ids: list[int],
    *,
    access: visibility.Audience,
    user_id: int,
    statuses: dict[int, visibility.Status] | None = None,
) -> dict[int, list[ShownTag]]:
    """The tags this member may see on each record, in tag-name order: one query, and two
    more to read the records' statuses unless `statuses` (from `status_of_listed`) says."""
    record_ids = list(record_ids)
    if not record_ids:
        return {}
    if statuses is None:
        statuses = record_statuses(record_ids)
    shown: dict[int, dict[int, ShownTag]] = defaultdict(dict)
    rows = (
        RecordTag.objects.filter(record_id__in=record_ids)
        .select_related("tag", "added_by")
        .order_by("tag__name", "tag_id", "added_at", "pk")
    )
    for row in rows:
        mine = row.added_by_id == user_id
        if not visibility.tag_visible(
            audience=access,
            private=row.tag.private,
            mine=mine,
            status=statuses.get(row.record_id, visibility.Status.SETTLED),
        ):
            continue
        entry = shown[row.record_id].setdefault(row.tag_id, ShownTag(tag=row.tag))
        entry.mine = entry.mine or mine
        entry.by.append(row.added_by.username)
    return {pk: list(tags.values()) for pk, tags in shown.items()}


def tags_text(tags: list[ShownTag]) -> str:
    """Tags as one export cell: "RCT; pediatric"."""
    return "; ".join(t.name for t in tags)


def tag_q(tag: Tag, *, access: visibility.Audience, user_id: int) -> Q:
    """Records carrying `tag` as this member may see it (for filters over many records).

    A private tag counts where the member put it, and where others did once the record
    is where their votes would be visible (visibility.private_tag_statuses)."""
    applied = RecordTag.objects.filter(record=OuterRef("pk"), tag=tag)
    if not tag.private:
        return Q(Exists(applied))
    mine = Q(Exists(applied.filter(added_by_id=user_id)))
    statuses = visibility.private_tag_statuses(access)
    if statuses is None:
        return Q(Exists(applied))
    if not statuses:
        return mine
    outcomes = StageOutcome.objects.filter(record=OuterRef("pk"), status__in=statuses)
    ended = (
        ~Q(state__in=[RecordState.TA, RecordState.FT])
        | (Q(state=RecordState.TA) & Q(Exists(outcomes.filter(stage=Stage.TITLE_ABSTRACT))))
        | (Q(state=RecordState.FT) & Q(Exists(outcomes.filter(stage=Stage.FULL_TEXT))))
    )
    return mine | (Q(Exists(applied)) & ended)


def filter_by_tags(
    records: QuerySet, *, tag_ids: tuple[int, ...], review: Review, access, user_id: int
) -> QuerySet:
    """Records carrying every tag of `tag_ids` (as this member may see them)."""
    if not tag_ids:
        return records
    tags = {t.pk: t for t in Tag.objects.filter(review=review, pk__in=tag_ids)}
    for tag_id in tag_ids:
        tag = tags.get(tag_id)
        if tag is None:
            return records.none()
        records = records.filter(tag_q(tag, access=access, user_id=user_id))
    return records


def tag_rows(records: QuerySet):
    """The tags on `records` as dicts ordered by record id then tag name (for exports
    that walk records in id order; apply `shown_tag_names` to each record's rows)."""
    return (
        RecordTag.objects.filter(record__in=records.values("pk"))
        .order_by("record_id", "tag__name", "tag_id", "pk")
        .values("record_id", "tag_id", "tag__name", "tag__private", "added_by_id")
        .iterator(chunk_size=_CHUNK)
    )


def shown_tag_names(
    rows: list[dict], *, access: visibility.Audience, user_id: int, status: visibility.Status
) -> list[str]:
    """The names of the tags of one record's `tag_rows` this member may see, once each."""
    names: dict[int, str] = {}
    for row in rows:
        if visibility.tag_visible(
            audience=access,
            private=row["tag__private"],
            mine=row["added_by_id"] == user_id,
            status=status,
        ):
            names.setdefault(row["tag_id"], row["tag__name"])
    return list(names.values())
