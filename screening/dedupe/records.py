"""The plain data the matcher takes in and hands back."""

from __future__ import annotations

from dataclasses import dataclass

DUPLICATE = "duplicate"
MAYBE = "maybe"
# Used only inside the matcher (and its tests): a pair that was compared and rejected.
DISTINCT = "distinct"


@dataclass(frozen=True)
class DedupeRecord:
    """One bibliographic record as the importers hand it to the matcher."""

    id: int | str
    title: str = ""
    authors: tuple[str, ...] = ()
    year: int | None = None
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    abstract: str = ""
    publication_type: str = ""
    isbn: str = ""


@dataclass(frozen=True)
class PairVerdict:
    """The matcher's opinion on one pair of records.

    `a` sorts before `b` (by id when both are ints, otherwise by str), so the same
    pair always comes out the same way round.
    """

    a: int | str
    b: int | str
    score: float
    decision: str
    reasons: tuple[str, ...]
