"""Pages of a long filtered list without an exact COUNT over every matching record.

Counting 80,000 search hits reads all of them (the page itself reads 50). The records
list counts exactly only up to a bound — at least `BOUND`, and always one page past the
page asked for, so "next" works on every page — and says "1000+" beyond it. The exact
number is one click away where it matters: a bulk action's confirmation counts every
record it will change.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

BOUND = 1_000


class BoundedPaginator(Paginator):
    """A Paginator whose `count` stops at a bound; `more` says the bound was reached."""

    def __init__(self, object_list, per_page, *, page: str | int | None, bound: int = BOUND):
        super().__init__(object_list, per_page)
        try:
            asked = max(1, int(page))
        except (TypeError, ValueError):
            asked = 1
        self.bound = max(bound, (asked + 1) * int(per_page))

    @cached_property
    def count(self) -> int:
        # Without the order (it cannot change a count) and only the id: the database
        # stops after `bound + 1` matches and never sorts or joins for it.
        counted = self.object_list.order_by().values("pk")[: self.bound + 1].count()
        self.more = counted > self.bound
        return min(counted, self.bound)

    more = False
