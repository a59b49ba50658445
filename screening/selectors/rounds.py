"""Which search round a record was found in, and whether it was found again.

One home for the two questions every per-round count and filter asks (PRISMA per round,
the search log's round counts, the records list's `round` and `found_again` filters):
a record was found in its import's round (imports from before rounds existed: round 1);
a record is *found again* when it was removed as a duplicate of a group whose primary was
found in an earlier round (the earlier copy keeps its decisions).
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce

from screening.models import RecordState

FOUND_AGAIN = Q(state=RecordState.DUPLICATE) & Q(primary_round__lt=F("found_in_round"))


def with_rounds(records: QuerySet) -> QuerySet:
    """`records` annotated with `found_in_round` and `primary_round` (the round of its
    duplicate group's primary; 1 when it has none)."""
    if "found_in_round" in records.query.annotations:
        return records
    return records.annotate(
        found_in_round=Coalesce("batch__search_round__number", 1),
        primary_round=Coalesce("duplicate_group__primary__batch__search_round__number", 1),
    )


def in_rounds(records: QuerySet, numbers: Collection[int]) -> QuerySet:
    """The records found in any of the rounds `numbers`."""
    return with_rounds(records).filter(found_in_round__in=list(numbers))


def found_again(records: QuerySet, *, again: bool = True) -> QuerySet:
    """The records found again from an earlier round (or, with `again=False`, the others)."""
    records = with_rounds(records)
    return records.filter(FOUND_AGAIN) if again else records.exclude(FOUND_AGAIN)
