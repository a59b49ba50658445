"""The screening decision rules, as pure functions (DOMAIN.md, "Screening rules").

Given how many votes a stage needs and the votes cast so far, :func:`decide` says
whether the record is still pending, passes, is excluded (with the one reason PRISMA
counts) or is a conflict for the lead.

- "maybe" counts with "include": both send the record on to the next stage.
- N = 1: the single vote decides (at full text an exclusion still needs a reason).
- N = 2: two include/maybe pass; two excludes exclude; include/maybe vs exclude is a
  conflict; at full text two excludes with different reasons are a conflict too,
  because the PRISMA box needs exactly one reason per report.
- N = 3 (the natural generalisation): nothing is decided until all three votes are
  in, so each reviewer stays independent and the lead sees every opinion; then a
  unanimous include/maybe passes, a unanimous exclude excludes (at full text only if
  every reason is the same), and anything else is a conflict.

At title/abstract a reason is optional. When the excluding votes give reasons, the
excluded record keeps the most frequent one (ties: the earliest given), for display.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from enum import StrEnum

TITLE_ABSTRACT = "ta"
FULL_TEXT = "ft"

INCLUDE_CLASS = frozenset({"include", "maybe"})
VERDICTS = frozenset({"include", "exclude", "maybe"})


class Outcome(StrEnum):
    PENDING = "pending"
    INCLUDE = "include"
    EXCLUDE = "exclude"
    CONFLICT = "conflict"


@dataclass(frozen=True, slots=True)
class Ballot:
    """One vote as the rules see it: the verdict and the exclusion reason's id, if any."""

    verdict: str
    reason: Hashable | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    reason: Hashable | None = None
    explanation: str = ""

    @property
    def settled(self) -> bool:
        return self.outcome in (Outcome.INCLUDE, Outcome.EXCLUDE)


class RuleError(ValueError):
    """A vote the rules do not accept (an unknown verdict, a full-text exclusion without a reason)."""


def check_ballot(ballot: Ballot, *, stage: str) -> None:
    """Raise RuleError for a vote that cannot be cast at this stage."""
    if ballot.verdict not in VERDICTS:
        raise RuleError(f"unknown verdict {ballot.verdict!r}; expected include, exclude or maybe")
    if ballot.verdict != "exclude" and ballot.reason is not None:
        raise RuleError("only an exclusion takes a reason")
    if stage == FULL_TEXT and ballot.verdict == "exclude" and ballot.reason is None:
        raise RuleError("at full text an exclusion needs a reason")


def decide(*, votes_needed: int, ballots: Sequence[Ballot], stage: str) -> Decision:
    """Apply the screening rules to the votes cast so far on one record at one stage."""
    if votes_needed not in (1, 2, 3):
        raise RuleError(f"votes needed must be 1, 2 or 3, not {votes_needed}")
    if stage not in (TITLE_ABSTRACT, FULL_TEXT):
        raise RuleError(f"unknown stage {stage!r}")
    for ballot in ballots:
        check_ballot(ballot, stage=stage)
    if len(ballots) < votes_needed:
        return Decision(Outcome.PENDING, explanation=f"{len(ballots)} of {votes_needed} votes")

    includes = [b for b in ballots if b.verdict in INCLUDE_CLASS]
    excludes = [b for b in ballots if b.verdict == "exclude"]
    if includes and excludes:
        return Decision(Outcome.CONFLICT, explanation="include/maybe against exclude")
    if includes:
        return Decision(Outcome.INCLUDE, explanation="all votes include or maybe")
    reasons = [b.reason for b in excludes]
    if stage == FULL_TEXT:
        if len(set(reasons)) > 1:
            return Decision(Outcome.CONFLICT, explanation="excluded for different reasons")
        return Decision(Outcome.EXCLUDE, reason=reasons[0], explanation="all votes exclude")
    return Decision(Outcome.EXCLUDE, reason=_most_common(reasons), explanation="all votes exclude")


def _most_common(reasons: Sequence[Hashable | None]) -> Hashable | None:
    given = [r for r in reasons if r is not None]
    if not given:
        return None
    counts = Counter(given)
    best = max(counts.values())
    return next(r for r in given if counts[r] == best)


def has_room(*, votes: int, leases_of_others: int, needed: int) -> bool:
    """The lease rule: a record can take one more screener while its votes plus the live
    leases other screeners hold on it stay below the votes needed (the queue offers
    records by it, and cast_vote refuses a vote by it)."""
    return votes + leases_of_others < needed
