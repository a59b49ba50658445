"""Tags: the lead defines them; any screener puts them on records and takes them off.

Every change of a record's tags is appended to the record's history (VoteEvent "tag" /
"untag", at the stage the record is at), and the history page hides another screener's
private tag events exactly as it hides their votes (screening.visibility).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, DateTimeField, Exists, F, JSONField, OuterRef, Value, When
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from reviewapp.models import Review
from screening.models import Record, RecordTag, Stage, Tag, VoteAction, VoteEvent
from screening.models.tags import COLOURS, RESERVED_KEYS
from screening.services.bulk import insert_select

_CHUNK = 2000
_FT_STATES = ("ft", "ft_excluded", "included", "ft_retrieval", "ft_not_retrieved")


def history_stage(state: str) -> str:
    """The stage a record is at, for its history and the blinding of private tags."""
    return Stage.FULL_TEXT if state in _FT_STATES else Stage.TITLE_ABSTRACT


def _clean(review: Review, *, name: str, colour: str, key: str, tag: Tag | None) -> tuple:
    name = (name or "").strip()
    key = (key or "").strip().lower()
    if not name:
        raise ValidationError("A tag needs a name.")
    if len(name) > 60:
        raise ValidationError("A tag's name is at most 60 characters.")
    if colour not in dict(COLOURS):
        raise ValidationError(f"Choose a colour: {', '.join(dict(COLOURS))}.")
    if key and (len(key) != 1 or not ("a" <= key <= "z")):
        raise ValidationError("The keyboard key is one letter a–z, or nothing.")
    if key in RESERVED_KEYS:
        raise ValidationError(f"The key {key} is already used on the screening page.")
    others = Tag.objects.filter(review=review).exclude(pk=tag.pk if tag else None)
    if others.filter(name__iexact=name).exists():
        raise ValidationError(f"The review already has a tag named {name}.")
    if key and others.filter(key=key).exists():
        raise ValidationError(f"Another tag already uses the key {key}.")
    return name, key


def create_tag(
    *,
    review: Review,
    name: str,
    colour: str = "blue",
    key: str = "",
    description: str = "",
    private: bool = False,
) -> Tag:
    name, key = _clean(review, name=name, colour=colour, key=key, tag=None)
    try:
        with transaction.atomic():
            return Tag.objects.create(
                review=review,
                name=name,
                colour=colour,
                key=key,
                description=(description or "").strip()[:500],
                private=private,
            )
    except IntegrityError:
        raise ValidationError("Another tag has this name or key.") from None


def update_tag(tag: Tag, **fields) -> Tag:
    """Change a tag's name, colour, key, description or privacy."""
    merged = {
        "name": tag.name,
        "colour": tag.colour,
        "key": tag.key,
        "description": tag.description,
        "private": tag.private,
        **{k: v for k, v in fields.items() if v is not None},
    }
    name, key = _clean(
        tag.review, name=merged["name"], colour=merged["colour"], key=merged["key"], tag=tag
    )
    tag.name, tag.key, tag.colour = name, key, merged["colour"]
    tag.description = (merged["description"] or "").strip()[:500]
    tag.private = bool(merged["private"])
    try:
        with transaction.atomic():
            tag.save()
    except IntegrityError:
        raise ValidationError("Another tag has this name or key.") from None
    return tag


def delete_tag(tag: Tag, *, by) -> int:
    """Delete a tag and take it off every record (each removal kept in the history)."""
    with transaction.atomic():
        rows = list(
            RecordTag.objects.filter(tag=tag).select_related("record").order_by("record_id")
        )
        _history(rows, action=VoteAction.UNTAG, by=by, tag=tag)
        tag.delete()
    return len(rows)


def _history(rows: Iterable[RecordTag], *, action: str, by, tag: Tag) -> None:
    VoteEvent.objects.bulk_create(
        [
            VoteEvent(
                review_id=tag.review_id,
                record_id=row.record_id,
                record_pk=row.record_id,
                record_title=(row.record.title or "")[:1000],
                stage=history_stage(row.record.state),
                actor=by,
                action=action,
                before=None,
                after={"tag": tag.name, "tag_id": tag.pk, "private": tag.private},
            )
            for row in rows
        ],
        batch_size=_CHUNK,
    )


def _check(record: Record, tag: Tag) -> None:
    if tag.review_id != record.review_id:
        raise ValidationError("This tag belongs to another review.")


@transaction.atomic
def add_tag(*, record: Record, tag: Tag, by) -> bool:
    """Put `tag` on `record` for `by`; False when it was there already (nothing changes).

    A team tag is on the record once whoever put it there; a private tag once per screener.
    """
    _check(record, tag)
    existing = RecordTag.objects.filter(record=record, tag=tag)
    if not tag.private:
        if existing.exists():
            return False
    elif existing.filter(added_by=by).exists():
        return False
    row, created = RecordTag.objects.get_or_create(record=record, tag=tag, added_by=by)
    if created:
        row.record = record
        _history([row], action=VoteAction.TAG, by=by, tag=tag)
    return created


@transaction.atomic
def remove_tag(*, record: Record, tag: Tag, by) -> bool:
    """Take `tag` off `record`: a team tag for everyone, a private tag only `by`'s own."""
    _check(record, tag)
    rows = RecordTag.objects.filter(record=record, tag=tag)
    if tag.private:
        rows = rows.filter(added_by=by)
    deleted, _ = rows.delete()
    if deleted:
        _history(
            [RecordTag(record=record, tag=tag, added_by=by)],
            action=VoteAction.UNTAG,
            by=by,
            tag=tag,
        )
    return bool(deleted)


def _history_select(records, *, action: str, by, tag: Tag) -> None:
    """One history event per record of the queryset `records`, in one INSERT … SELECT."""
    after = {"tag": tag.name, "tag_id": tag.pk, "private": tag.private}
    insert_select(
        VoteEvent,
        records,
        {
            "review": F("review_id"),
            "record": F("pk"),
            "record_pk": F("pk"),
            "record_title": Substr("title", 1, 1000),
            "stage": Case(
                When(state__in=_FT_STATES, then=Value(Stage.FULL_TEXT.value)),
                default=Value(Stage.TITLE_ABSTRACT.value),
            ),
            "actor": Value(by.pk),
            "action": Value(str(action)),
            "after": Cast(Value(json.dumps(after)), JSONField()),
            "at": Value(timezone.now(), output_field=DateTimeField()),
        },
    )


def _chunks(record_ids: list[int]):
    for start in range(0, len(record_ids), _CHUNK):
        yield record_ids[start : start + _CHUNK]


def tag_records(*, review: Review, record_ids: list[int], tag: Tag, by) -> int:
    """Bulk: put `tag` on every record of `record_ids` that lacks it (for `by`, if private);
    returns how many were tagged. One history event per record tagged. Two INSERT …
    SELECT statements per 2,000 records: no record passes through Python."""
    if tag.review_id != review.pk:
        raise ValidationError("This tag belongs to another review.")
    tagged = 0
    now = timezone.now()
    with transaction.atomic():
        for chunk in _chunks(record_ids):
            have = RecordTag.objects.filter(tag=tag, record=OuterRef("pk"))
            if tag.private:
                have = have.filter(added_by=by)
            todo = Record.objects.filter(review=review, pk__in=chunk).exclude(Exists(have))
            _history_select(todo, action=VoteAction.TAG, by=by, tag=tag)
            tagged += insert_select(
                RecordTag,
                todo,
                {
                    "record": F("pk"),
                    "tag": Value(tag.pk),
                    "added_by": Value(by.pk),
                    "added_at": Value(now, output_field=DateTimeField()),
                },
            )
    return tagged


def untag_records(*, review: Review, record_ids: list[int], tag: Tag, by) -> int:
    """Bulk: take `tag` off every record of `record_ids` (only `by`'s own, if private)."""
    if tag.review_id != review.pk:
        raise ValidationError("This tag belongs to another review.")
    removed = 0
    with transaction.atomic():
        for chunk in _chunks(record_ids):
            rows = RecordTag.objects.filter(tag=tag, record_id__in=chunk)
            if tag.private:
                rows = rows.filter(added_by=by)
            having = Record.objects.filter(review=review, pk__in=chunk).filter(
                Exists(rows.filter(record=OuterRef("pk")))
            )
            _history_select(having, action=VoteAction.UNTAG, by=by, tag=tag)
            removed += len(set(rows.values_list("record_id", flat=True)))
            rows.delete()
    return removed
