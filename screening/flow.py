"""A record's journey through the PRISMA 2020 flow, as a pure table (read this first).

Every record is in exactly one state (`RecordState`), so every PRISMA box is a count of
states. A record moves only by an *event*; this table says, for each (state, event),
the state it moves to. Anything not in the table is refused. The one service that moves
records, `screening.services.journey.move`, looks every move up here, writes the state,
drops the record's queue leases, appends the move to the record's history and bumps the
live diagram's version when the transaction commits.

States (DOMAIN.md, "The PRISMA flow"):
ta → ta_excluded | ft_retrieval | ft | ft_not_retrieved;  ft_retrieval → ft | ft_not_retrieved;
ft_not_retrieved → ft_retrieval (sought again);
ft → ft_excluded | included;  any state → duplicate (merge) and back;
ta → automation (stopping) and back.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    """The values of `screening.models.RecordState` (kept in step by a test)."""

    DUPLICATE = "duplicate"
    AUTOMATION = "automation"
    REMOVED_OTHER = "removed_other"
    TA = "ta"
    TA_EXCLUDED = "ta_excluded"
    FT_RETRIEVAL = "ft_retrieval"
    FT_NOT_RETRIEVED = "ft_not_retrieved"
    FT = "ft"
    FT_EXCLUDED = "ft_excluded"
    INCLUDED = "included"


class Event(StrEnum):
    TA_EXCLUDE = "ta_exclude"  # title/abstract decided (votes, resolution or overrule): out
    TA_INCLUDE = "ta_include"  # ... passed, no full text yet: sought for retrieval
    TA_INCLUDE_RETRIEVED = "ta_include_retrieved"  # ... passed, its PDF is already there
    TA_INCLUDE_NOT_RETRIEVED = "ta_include_not_retrieved"  # ... passed, known not retrievable
    RETRIEVED = "retrieved"  # the full text was uploaded
    NOT_RETRIEVED = "not_retrieved"  # the full text cannot be obtained
    SOUGHT_AGAIN = (
        "sought_again"  # back on the retrieval list (the lead's bulk action, or its undo)
    )
    FT_EXCLUDE = "ft_exclude"  # full text decided: out (with one reason)
    FT_INCLUDE = "ft_include"  # full text decided: included
    MERGE = "merge"  # removed as a duplicate of another record
    UNMERGE = "unmerge"  # a merge undone: back to the state it had before
    STOP = "stop"  # excluded by automation tool (stopping rule)
    UNSTOP = "unstop"  # a stop undone


# Where an undone merge returns: the state the record had when it was merged.
RESTORE = "restore"

_TA_DONE = (State.TA_EXCLUDED, State.FT_RETRIEVAL, State.FT_NOT_RETRIEVED, State.FT)

TABLE: dict[tuple[State, Event], str] = {
    # Title/abstract decided by votes or the lead's resolution ...
    **{(State.TA, Event.TA_EXCLUDE): State.TA_EXCLUDED},
    **{(State.TA, Event.TA_INCLUDE): State.FT_RETRIEVAL},
    **{(State.TA, Event.TA_INCLUDE_RETRIEVED): State.FT},
    **{(State.TA, Event.TA_INCLUDE_NOT_RETRIEVED): State.FT_NOT_RETRIEVED},
    # ... or overruled by the lead before any full-text decision.
    **{(s, Event.TA_EXCLUDE): State.TA_EXCLUDED for s in _TA_DONE},
    **{(s, Event.TA_INCLUDE): State.FT_RETRIEVAL for s in _TA_DONE},
    **{(s, Event.TA_INCLUDE_RETRIEVED): State.FT for s in _TA_DONE},
    **{(s, Event.TA_INCLUDE_NOT_RETRIEVED): State.FT_NOT_RETRIEVED for s in _TA_DONE},
    # Retrieval.
    (State.FT_RETRIEVAL, Event.RETRIEVED): State.FT,
    (State.FT_NOT_RETRIEVED, Event.RETRIEVED): State.FT,
    (State.FT, Event.RETRIEVED): State.FT,  # a better PDF replaces the first
    (State.FT_RETRIEVAL, Event.NOT_RETRIEVED): State.FT_NOT_RETRIEVED,
    (State.FT_NOT_RETRIEVED, Event.NOT_RETRIEVED): State.FT_NOT_RETRIEVED,
    (State.FT, Event.NOT_RETRIEVED): State.FT_NOT_RETRIEVED,  # before any full-text vote
    (State.FT_NOT_RETRIEVED, Event.SOUGHT_AGAIN): State.FT_RETRIEVAL,
    # Full text decided by votes or the lead (and overruled by the lead).
    **{(s, Event.FT_EXCLUDE): State.FT_EXCLUDED for s in (State.FT, State.INCLUDED)},
    **{(s, Event.FT_INCLUDE): State.INCLUDED for s in (State.FT, State.FT_EXCLUDED)},
    # Duplicates: merged from any state before full-text assessment, and back.
    # (the dedupe rules decide which merges happen; the flow allows any from any state)
    **{(s, Event.MERGE): State.DUPLICATE for s in State if s != State.DUPLICATE},
    (State.DUPLICATE, Event.UNMERGE): RESTORE,
    # Stopping: unscreened records are excluded by automation tool, and back.
    (State.TA, Event.STOP): State.AUTOMATION,
    (State.AUTOMATION, Event.UNSTOP): State.TA,
}


class FlowError(ValueError):
    """A move the flow does not allow (the record is not where the event expects it)."""


def next_state(state: str, event: str, *, restore_to: str | None = None) -> str:
    """The state a record in `state` moves to on `event`, or FlowError.

    `restore_to`: for an undone merge, the state the record had before it (default ta).
    """
    try:
        target = TABLE[(State(state), Event(event))]
    except (KeyError, ValueError):
        raise FlowError(f"a record in state {state!r} cannot take the event {event!r}") from None
    if target == RESTORE:
        target = State(restore_to or State.TA)
        if target == State.DUPLICATE:
            raise FlowError("an undone merge cannot restore a record to duplicate")
    return str(target)


def ta_include_event(*, retrieved: bool | None) -> Event:
    """Passing title/abstract: where the full text stands decides the state."""
    if retrieved is None:
        return Event.TA_INCLUDE
    return Event.TA_INCLUDE_RETRIEVED if retrieved else Event.TA_INCLUDE_NOT_RETRIEVED


def stage_of(event: str) -> str:
    """The screening stage an event belongs to in the history ("ta" or "ft")."""
    return (
        "ft"
        if event
        in (
            Event.FT_EXCLUDE,
            Event.FT_INCLUDE,
            Event.RETRIEVED,
            Event.NOT_RETRIEVED,
            Event.SOUGHT_AGAIN,
        )
        else "ta"
    )
