"""Who may see which vote: the one blinding policy, as pure functions (read this first).

Every page, template, API endpoint, filter, export, count and drill-down that shows
another member's vote, note, a record's outcome or its conflict asks this module. It
knows nothing of the database: callers say who is looking and where the record stands.

The rule (DOMAIN.md, "Blinding"):

- With blinding on, **no one who may screen a record** — reviewers, and leads and owners
  too, since they screen like anyone else — sees another vote, note or the outcome of
  that record at that stage while it waits for votes. Blinding ends for a stage when
  every vote it needs is in: the record is then settled or in conflict.
- Settled records: every screener sees every vote, note and the decision.
- In conflict: the lead (and owner) see every vote on the Conflicts page, the record's
  page, lists and exports, to resolve it. Reviewers see only "unsettled" (open and
  conflict alike), so a reviewer never learns that their vote disagreed.
- Viewers see settled decisions only, never a vote, a note or a conflict.
- Blinding off: screeners see everything; viewers still only settled decisions.

One's own vote is always visible to oneself. A conflict arises only once all the votes
are in, so telling a lead "open" from "conflict" says nothing a screener could use.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """Where a record stands at a stage, as the policy needs it."""

    ABSENT = "absent"  # not at this stage, and never decided there
    WAITING = "waiting"  # fewer votes than needed
    CONFLICT = "conflict"  # all votes in, and they disagree
    SETTLED = "settled"  # decided (by votes, resolution or overrule)


class Audience(StrEnum):
    """What a member's role and the review's blinding allow, before looking at a record."""

    NONE = "none"  # viewers: record states and settled decisions, never a vote
    SETTLED = "settled"  # reviewers under blinding: their own votes, every vote once settled
    LEAD = "lead"  # leads and owners under blinding: + votes and the flag of conflicts
    ALL = "all"  # any screener when blinding is off: everything

    @property
    def statuses(self) -> tuple[str, ...]:
        """The status filters this audience may use (the blinded cannot ask "conflict")."""
        if self in (Audience.LEAD, Audience.ALL):
            return ("open", "conflict", "settled", "unsettled")
        return ("settled", "unsettled")

    @property
    def sees_conflicts(self) -> bool:
        return self in (Audience.LEAD, Audience.ALL)

    @property
    def outcome_statuses_with_votes(self) -> tuple[str, ...] | None:
        """Outcome statuses ("settled", "conflict") at which others' votes are visible to
        this audience, for queries over many records; None: at every status."""
        if self == Audience.ALL:
            return None
        if self == Audience.LEAD:
            return ("settled", "conflict")
        if self == Audience.SETTLED:
            return ("settled",)
        return ()

    @property
    def sees_others_models(self) -> bool:
        """Whether other screeners' ranking models (their label counts and top terms, which
        learn from their own unsettled votes) may be shown: only with blinding off."""
        return self == Audience.ALL


def audience(*, role_rank: int, blind: bool) -> Audience:
    """`role_rank`: 0 viewer, 1 reviewer, 2 lead, 3 owner (reviewapp.models.ROLE_RANK)."""
    if role_rank < 1:
        return Audience.NONE
    if not blind:
        return Audience.ALL
    return Audience.LEAD if role_rank >= 2 else Audience.SETTLED


@dataclass(frozen=True, slots=True)
class Sight:
    """What one member may see of one record at one stage (besides their own vote)."""

    votes: bool = False  # other members' votes (verdict, reason, voter)
    notes: bool = False  # other members' notes
    outcome: bool = False  # the decision, its reason and who settled it
    conflict: bool = False  # whether an unsettled record is in conflict or still waiting


NOTHING = Sight()


def sight(*, audience: Audience, may_screen: bool, voted: bool, status: Status) -> Sight:
    """What a member may see of a record at a stage.

    `may_screen`: the member could still cast a vote on it at this stage (the record
    waits for votes and they have not voted); `voted`: they have a vote on it there.
    """
    if status == Status.ABSENT:
        return NOTHING
    if audience == Audience.NONE:
        return Sight(outcome=status == Status.SETTLED)
    if audience == Audience.ALL:
        return Sight(votes=True, notes=True, outcome=True, conflict=True)
    if status == Status.WAITING or may_screen:
        # Blinding holds for everyone who may screen it, and for those who voted, until
        # every vote is in. (A waiting record is one someone may still screen.)
        return NOTHING
    if status == Status.SETTLED:
        return Sight(votes=True, notes=True, outcome=True, conflict=True)
    # In conflict: the lead resolves it; reviewers only know it is not settled.
    if audience == Audience.LEAD:
        return Sight(votes=True, notes=True, outcome=False, conflict=True)
    return NOTHING


def vote_visible(
    *, audience: Audience, status: Status, mine: bool, may_screen: bool = False
) -> bool:
    """Whether one vote on a record may be shown to this member."""
    if mine:
        return audience != Audience.NONE
    voted = not may_screen and status != Status.WAITING
    return sight(audience=audience, may_screen=may_screen, voted=voted, status=status).votes


def status_of(*, outcome_status: str | None, at_stage: bool) -> Status:
    """The policy's Status from a StageOutcome's status ("open", "conflict", "settled").

    `at_stage`: the record is in the stage's awaiting state. An open outcome is waiting.
    """
    if outcome_status == "settled":
        return Status.SETTLED
    if not at_stage:
        return Status.ABSENT
    if outcome_status == "conflict":
        return Status.CONFLICT
    return Status.WAITING


def shown_status(*, audience: Audience, status: Status) -> str:
    """A record's status label code for lists and exports: "" where the record is not at
    the stage, "settled", and "open"/"conflict" for those who see conflicts, "unsettled"
    for the others."""
    if status == Status.ABSENT:
        return ""
    if status == Status.SETTLED:
        return "settled"
    if not audience.sees_conflicts:
        return "unsettled"
    return "conflict" if status == Status.CONFLICT else "open"


def vote_message(*, votes_in: int, needed: int) -> str:
    """What a screener is told after a vote, whatever the other votes were.

    It counts votes, never compares them: "2 of 2" is the same for agreement and
    conflict, and the team progress bar already counts votes.
    """
    if votes_in >= needed:
        return f"Saved; {needed} of {needed} votes in. All votes are in: ask the lead to change it."
    return f"Saved; {votes_in} of {needed} votes in. You can change it until all votes are in."


# Tags (screening.models.tags). A tag is not a vote: a team tag is visible to every
# member. A tag the lead marks "private to each screener" is blinded like a vote, at
# the stage the record is waiting at (title/abstract or full text); a record waiting at
# no stage (decided, a duplicate, sought for retrieval…) counts as settled.


def current_status(
    *, state: str, ta_outcome_status: str | None, ft_outcome_status: str | None
) -> Status:
    """Where a record stands for the blinding of its private tags (and comments):
    its status at the stage it waits at, or SETTLED when it waits at none."""
    if state == "ta":
        return status_of(outcome_status=ta_outcome_status, at_stage=True)
    if state == "ft":
        return status_of(outcome_status=ft_outcome_status, at_stage=True)
    return Status.SETTLED


def tag_visible(*, audience: Audience, private: bool, mine: bool, status: Status) -> bool:
    """Whether one member's application of a tag to a record may be shown to this member.

    Team tags: always (viewers included). Private tags: exactly as a vote would be.
    """
    if not private:
        return True
    return vote_visible(audience=audience, status=status, mine=mine)


def private_tag_statuses(audience: Audience) -> tuple[str, ...] | None:
    """For queries over many records: the outcome statuses at the record's current stage
    at which others' private tags are visible (None: always; (): never)."""
    return audience.outcome_statuses_with_votes


# The records' history (VoteEvent actions). A move in the flow, a resolution, an overrule
# and an imported decision change what every member sees (the record's state, a settled
# decision), so anyone may see that they happened. Votes, changed votes, tags and comments
# are blinded or private: only their author may count them (the "last activity" sort).
PUBLIC_HISTORY_ACTIONS = ("move", "resolve", "overrule", "import")


def comment_visible(*, audience: Audience, mine: bool, status: Status) -> bool:
    """Whether a comment on a record may be shown: one's own always (to members who may
    comment); others' exactly as a vote's note — on a record waiting for votes a
    screener sees only their own, the lead sees all on conflicts, viewers none."""
    return vote_visible(audience=audience, status=status, mine=mine)
