"""The lead's bulk actions on the records list that move records, their undo, and the log
of every bulk action and export (RecordsAction).

- Send to the full-text retrieval list: records marked "not retrieved" are sought again
  (ft_not_retrieved → ft_retrieval; their "not retrieved" reason is dropped and kept in
  the log, for undo).
- Mark not retrieved, with one reason: records on the retrieval list without a PDF
  (ft_retrieval → ft_not_retrieved). Records with a PDF are left alone: replacing a PDF
  stays a decision taken record by record on the full-text page.

Every move goes through `journey.move` (history, leases, the live PRISMA diagram). Undo
applies the opposite move to the records still where the action left them and says how
many; records that moved on since are left where they are.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from reviewapp.models import Review
from screening import flow
from screening.models import ActionKind, FullText, Record, RecordsAction, RecordState
from screening.services import journey

MAX_REASON = 300
_CHUNK = 2000


def _records(review: Review, record_ids, state: str) -> list[Record]:
    found = []
    ids = list(record_ids)
    for start in range(0, len(ids), _CHUNK):
        found += list(
            Record.objects.filter(review=review, pk__in=ids[start : start + _CHUNK], state=state)
            .only("pk", "review_id", "state", "title")
            .order_by("pk")
        )
    return found


def _reasons(records: list[Record]) -> dict[str, str]:
    reasons = {}
    ids = [r.pk for r in records]
    for start in range(0, len(ids), _CHUNK):
        reasons.update(
            FullText.objects.filter(record_id__in=ids[start : start + _CHUNK], file="")
            .values_list("record_id", "not_retrieved_reason")
            .iterator()
        )
    return {str(pk): reason for pk, reason in reasons.items()}


def _seek_again(records: list[Record], *, by) -> int:
    ids = [r.pk for r in records]
    for start in range(0, len(ids), _CHUNK):
        FullText.objects.filter(record_id__in=ids[start : start + _CHUNK], file="").delete()
    return journey.move(records, flow.Event.SOUGHT_AGAIN, by=by)


def _not_retrieved(records: list[Record], reasons: dict[str, str], *, by) -> int:
    ids = [r.pk for r in records]
    for start in range(0, len(ids), _CHUNK):
        FullText.objects.filter(record_id__in=ids[start : start + _CHUNK], file="").delete()
    FullText.objects.bulk_create(
        [
            FullText(record_id=r.pk, not_retrieved_reason=reasons[str(r.pk)], uploaded_by=by)
            for r in records
        ],
        batch_size=_CHUNK,
    )
    return journey.move(records, flow.Event.NOT_RETRIEVED, by=by)


@transaction.atomic
def send_to_retrieval(*, review: Review, record_ids, by, query: str = "") -> RecordsAction:
    """Put the records of `record_ids` that were marked "not retrieved" back on the
    retrieval list; the others are left alone. Logged, undoable."""
    records = _records(review, record_ids, RecordState.FT_NOT_RETRIEVED)
    reasons = _reasons(records)
    moved = _seek_again(records, by=by)
    return RecordsAction.objects.create(
        review=review,
        actor=by,
        kind=ActionKind.RETRIEVAL,
        count=moved,
        query=query,
        detail={"records": {str(r.pk): reasons.get(str(r.pk), "") for r in records}},
    )


def clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())[:MAX_REASON]
    if not reason:
        raise ValidationError("Say why the reports were not retrieved.")
    return reason


@transaction.atomic
def mark_not_retrieved(
    *, review: Review, record_ids, reason: str, by, query: str = ""
) -> RecordsAction:
    """Mark the records of `record_ids` on the retrieval list (no PDF) "not retrieved"
    with `reason`; the others are left alone. Logged, undoable."""
    reason = clean_reason(reason)
    records = _records(review, record_ids, RecordState.FT_RETRIEVAL)
    moved = _not_retrieved(records, {str(r.pk): reason for r in records}, by=by)
    return RecordsAction.objects.create(
        review=review,
        actor=by,
        kind=ActionKind.NOT_RETRIEVED,
        count=moved,
        query=query,
        detail={"reason": reason, "records": {str(r.pk): reason for r in records}},
    )


@transaction.atomic
def undo(action: RecordsAction, *, by) -> int:
    """Undo a bulk move: the records still where it left them go back; returns how many."""
    action = RecordsAction.objects.select_for_update().get(pk=action.pk)
    if not action.undoable:
        raise ValidationError("This action cannot be undone (or was undone already).")
    review = action.review
    ids = [int(pk) for pk in action.detail.get("records", {})]
    if action.kind == ActionKind.RETRIEVAL:
        records = _records(review, ids, RecordState.FT_RETRIEVAL)
        reasons = {
            str(r.pk): action.detail["records"][str(r.pk)] or "Not retrieved (restored by undo)"
            for r in records
        }
        restored = _not_retrieved(records, reasons, by=by)
    else:
        records = _records(review, ids, RecordState.FT_NOT_RETRIEVED)
        same = _reasons(records)
        records = [r for r in records if same.get(str(r.pk)) == action.detail["reason"]]
        restored = _seek_again(records, by=by)
    action.undone_at = timezone.now()
    action.undone_by = by
    action.detail = {**action.detail, "restored": restored}
    action.save(update_fields=["undone_at", "undone_by", "detail"])
    return restored


def log(*, review: Review, by, kind: str, count: int, query: str = "", **detail) -> RecordsAction:
    """One row of the log for an action whose records keep their own history elsewhere
    (tagging: VoteEvent per record) or that changes nothing (an export)."""
    return RecordsAction.objects.create(
        review=review, actor=by, kind=kind, count=count, query=query, detail=detail
    )


def recent(review: Review, *, limit: int = 20) -> list[RecordsAction]:
    return list(
        RecordsAction.objects.filter(review=review).select_related("actor", "undone_by")[:limit]
    )


def log_export(*, context, table: str, fmt: str, by) -> RecordsAction | None:
    """An export of the records list (all, filtered or a selection) into the log, with
    how many records it held; other tables are not logged."""
    if table != "records":
        return None
    from screening.selectors.records import filter_records

    filters = context.filters
    count = filter_records(
        Record.objects.filter(review=context.review),
        filters=filters,
        review=context.review,
        access=context.access,
        user_id=context.user_id,
    ).count()
    return log(
        review=context.review,
        by=by,
        kind=ActionKind.EXPORT,
        count=count,
        query=filters.as_query(),
        format=fmt,
        selection=bool(filters.ids),
    )
