"""What a process allows in each phase. No Django imports.

A budget process follows its round's phase (``budgeting.phases.ORDER``); an idea
collection has its own small set. Each phase enables a fixed set of actions; who may take
an action is decided in ``engagement.ideas.permissions`` on top of this.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class Action(StrEnum):
    SUBMIT = "submit"  # write, edit and submit ideas (drafts included)
    WITHDRAW = "withdraw"  # the author takes an idea back
    DISCUSS = "discuss"  # comment, reply, support
    REVIEW = "review"  # reviewers answer ideas
    MERGE = "merge"  # reviewers merge duplicates


# --- budget processes: the round's phase ----------------------------------------------------

BUDGET_ENABLED: dict[str, frozenset[Action]] = {
    "draft": frozenset(),
    "information": frozenset(),
    "needs_assessment": frozenset(),
    "proposals": frozenset({Action.SUBMIT, Action.WITHDRAW, Action.DISCUSS, Action.MERGE}),
    "review": frozenset({Action.WITHDRAW, Action.DISCUSS, Action.REVIEW, Action.MERGE}),
    "voting": frozenset(),
    "tallying": frozenset(),
    "results": frozenset(),
    "implementation": frozenset(),
    "evaluation": frozenset(),
    "closed": frozenset(),
}

# --- idea collections ----------------------------------------------------------------------

COLLECTION_ORDER = ("draft", "collecting", "reviewing", "closed")

COLLECTION_ENABLED: dict[str, frozenset[Action]] = {
    "draft": frozenset(),
    "collecting": frozenset({Action.SUBMIT, Action.WITHDRAW, Action.DISCUSS, Action.MERGE}),
    "reviewing": frozenset({Action.WITHDRAW, Action.DISCUSS, Action.REVIEW, Action.MERGE}),
    "closed": frozenset(),
}

# Forward moves staff may make; dates may also move a collection forward (never back).
COLLECTION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("collecting", "reviewing", "closed"),
    "collecting": ("reviewing", "closed"),
    "reviewing": ("closed",),
    "closed": (),
}


def collection_phase(
    stored: str,
    now: datetime,
    *,
    collecting_from: datetime | None = None,
    reviewing_from: datetime | None = None,
    closes_at: datetime | None = None,
) -> str:
    """The phase in force: the later of the phase staff set and the one the dates reached.

    A collection in draft without dates stays in draft; with ``collecting_from`` set it
    opens by itself at that moment.
    """
    reached = "draft"
    for phase, starts in (
        ("collecting", collecting_from),
        ("reviewing", reviewing_from),
        ("closed", closes_at),
    ):
        if starts is not None and starts <= now:
            reached = phase
    return max(stored, reached, key=COLLECTION_ORDER.index)


def can_move_collection(from_phase: str, to_phase: str) -> bool:
    return to_phase in COLLECTION_TRANSITIONS.get(from_phase, ())


def allows(kind: str, phase: str, action: Action) -> bool:
    """Whether ``action`` is open in ``phase`` of a process of ``kind`` (budget / ideas)."""
    table = BUDGET_ENABLED if kind == "budget" else COLLECTION_ENABLED
    return action in table.get(phase, frozenset())


def is_public(kind: str, phase: str) -> bool:
    """Processes in draft are seen by the organisation's staff only."""
    return phase != "draft"
