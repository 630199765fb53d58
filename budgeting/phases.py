"""The phase machine of a budget round and what each phase allows. No Django imports."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    CONFIGURE = "configure"  # ballot format, rules, budgets, districts
    EDIT_PROJECTS = "edit_projects"
    REVIEW_PROJECTS = "review_projects"
    VOTE = "vote"  # cast, change, withdraw
    ENTER_PAPER = "enter_paper"
    TALLY = "tally"
    PUBLISH = "publish"
    TRACK_IMPLEMENTATION = "track_implementation"


ORDER = (
    "draft",
    "information",
    "needs_assessment",
    "proposals",
    "review",
    "voting",
    "tallying",
    "results",
    "implementation",
    "evaluation",
    "closed",
)

# Forward moves staff may make. Information, needs assessment, proposals and review may be
# skipped (a city may run a round on projects it prepared itself); voting, tallying and results
# may not. The needs assessment asks residents what their neighbourhood needs (a linked survey)
# before anyone proposes projects.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("information", "needs_assessment", "proposals", "review", "voting"),
    "information": ("needs_assessment", "proposals", "review", "voting"),
    "needs_assessment": ("proposals", "review", "voting"),
    "proposals": ("review",),
    "review": ("voting",),
    "voting": ("tallying",),
    "tallying": ("results",),
    "results": ("implementation", "closed"),
    "implementation": ("evaluation", "closed"),
    "evaluation": ("closed",),
    "closed": (),
}

ENABLED: dict[str, frozenset[Action]] = {
    "draft": frozenset({Action.CONFIGURE, Action.EDIT_PROJECTS, Action.REVIEW_PROJECTS}),
    "information": frozenset({Action.CONFIGURE, Action.EDIT_PROJECTS, Action.REVIEW_PROJECTS}),
    "needs_assessment": frozenset({Action.CONFIGURE, Action.EDIT_PROJECTS, Action.REVIEW_PROJECTS}),
    "proposals": frozenset({Action.CONFIGURE, Action.EDIT_PROJECTS, Action.REVIEW_PROJECTS}),
    "review": frozenset({Action.CONFIGURE, Action.EDIT_PROJECTS, Action.REVIEW_PROJECTS}),
    "voting": frozenset({Action.VOTE, Action.ENTER_PAPER}),
    "tallying": frozenset({Action.ENTER_PAPER, Action.TALLY, Action.PUBLISH}),
    "results": frozenset({Action.TRACK_IMPLEMENTATION}),
    "implementation": frozenset({Action.TRACK_IMPLEMENTATION}),
    "evaluation": frozenset({Action.TRACK_IMPLEMENTATION}),
    "closed": frozenset(),
}


def allows(phase: str, action: Action) -> bool:
    return action in ENABLED[phase]


def can_move(from_phase: str, to_phase: str) -> bool:
    return to_phase in TRANSITIONS.get(from_phase, ())


def is_after(phase: str, other: str) -> bool:
    return ORDER.index(phase) > ORDER.index(other)
