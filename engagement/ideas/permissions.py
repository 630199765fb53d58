"""Who may do what with processes, ideas and comments: role x organisation x phase.

Each predicate combines a staff predicate of ``engagement.people.permissions`` (which answers for
one organisation only) or authorship with the actions the process's phase enables
(``engagement.ideas.phases``). Services call them and say *why* when they refuse: a missing
role or account is ``PermissionDenied`` (403), the right person at the wrong time is a
``ValidationError`` under ``phase`` (400), content nobody else may see is a 404 in the API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from engagement.ideas import phases
from engagement.ideas.models import Comment, Idea, IdeaStatus, ParticipatoryProcess, ProcessKind
from engagement.ideas.models.ideas import EDITABLE_STATUSES
from engagement.ideas.phases import Action
from engagement.people import permissions

# Ideas people may support, and withdraw.
SUPPORTABLE_STATUSES = frozenset({IdeaStatus.SUBMITTED, IdeaStatus.UNDER_REVIEW})
WITHDRAWABLE_STATUSES = frozenset({IdeaStatus.DRAFT, IdeaStatus.SUBMITTED, IdeaStatus.UNDER_REVIEW})
# Ideas whose discussion is open (while the phase allows discussion).
DISCUSSABLE_STATUSES = frozenset(
    {
        IdeaStatus.SUBMITTED,
        IdeaStatus.UNDER_REVIEW,
        IdeaStatus.ACCEPTED,
        IdeaStatus.REJECTED,
        IdeaStatus.MERGED,
    }
)


def signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def current_phase(process: ParticipatoryProcess, now: datetime | None = None) -> str:
    """The phase in force: the round's for budget processes, the dated one for collections."""
    if process.kind == ProcessKind.BUDGET:
        return process.budget_round.phase
    return phases.collection_phase(
        process.phase,
        now or timezone.now(),
        collecting_from=process.collecting_from,
        reviewing_from=process.reviewing_from,
        closes_at=process.closes_at,
    )


def phase_allows(process: ParticipatoryProcess, action: Action) -> bool:
    return phases.allows(process.kind, current_phase(process), action)


def open_actions(process: ParticipatoryProcess) -> list[str]:
    """The actions the current phase enables (for clients to show or hide buttons)."""
    return [action.value for action in Action if phase_allows(process, action)]


def is_author(user: Any, content: Idea | Comment) -> bool:
    return signed_in(user) and content.author_id == user.pk


def is_staff(user: Any, process: ParticipatoryProcess) -> bool:
    return permissions.is_staff_of(user, process.organisation_id)


# --- seeing -------------------------------------------------------------------------------


def can_see_process(user: Any, process: ParticipatoryProcess) -> bool:
    """Processes in draft are seen by the organisation's staff only."""
    return phases.is_public(process.kind, current_phase(process)) or is_staff(user, process)


def can_see_idea(user: Any, idea: Idea) -> bool:
    """Drafts: the author only. Hidden ideas: the organisation's staff only.

    Assumes the process is visible (check :func:`can_see_process` first).
    """
    if not idea.is_public:
        return is_author(user, idea)
    if idea.hidden:
        return is_staff(user, idea.process)
    return True


def can_see_hidden(user: Any, process: ParticipatoryProcess) -> bool:
    return is_staff(user, process)


# --- authors ------------------------------------------------------------------------------


def can_submit_ideas(user: Any, process: ParticipatoryProcess) -> bool:
    return signed_in(user) and phase_allows(process, Action.SUBMIT)


def can_edit_idea(user: Any, idea: Idea) -> bool:
    return (
        is_author(user, idea)
        and not idea.hidden
        and idea.status in EDITABLE_STATUSES
        and phase_allows(idea.process, Action.SUBMIT)
    )


def can_withdraw_idea(user: Any, idea: Idea) -> bool:
    return (
        is_author(user, idea)
        and idea.status in WITHDRAWABLE_STATUSES
        and phase_allows(idea.process, Action.WITHDRAW)
    )


# --- everyone signed in -------------------------------------------------------------------


def idea_open_for_discussion(idea: Idea) -> bool:
    return idea.is_public and not idea.hidden and idea.status in DISCUSSABLE_STATUSES


def can_comment(user: Any, idea: Idea) -> bool:
    return (
        signed_in(user)
        and idea_open_for_discussion(idea)
        and phase_allows(idea.process, Action.DISCUSS)
    )


def can_support(user: Any, idea: Idea) -> bool:
    return (
        signed_in(user)
        and idea_open_for_discussion(idea)
        and idea.status in SUPPORTABLE_STATUSES
        and phase_allows(idea.process, Action.DISCUSS)
    )


def can_report(user: Any) -> bool:
    return signed_in(user)


# --- staff --------------------------------------------------------------------------------


def can_moderate(user: Any, process: ParticipatoryProcess) -> bool:
    return permissions.can_moderate(user, process.organisation_id)


def can_review_idea(user: Any, idea: Idea) -> bool:
    return permissions.can_review(user, idea.process.organisation_id) and phase_allows(
        idea.process, Action.REVIEW
    )


def can_merge_idea(user: Any, idea: Idea) -> bool:
    return permissions.can_review(user, idea.process.organisation_id) and phase_allows(
        idea.process, Action.MERGE
    )


def can_manage_process(user: Any, process: ParticipatoryProcess) -> bool:
    return permissions.can_manage_organisation(user, process.organisation_id)


def idea_permissions(user: Any, idea: Idea) -> dict[str, bool]:
    """What ``user`` may do with ``idea`` now (no queries once roles are cached)."""
    return {
        "edit": can_edit_idea(user, idea),
        "submit": can_edit_idea(user, idea) and idea.status == IdeaStatus.DRAFT,
        "withdraw": can_withdraw_idea(user, idea),
        "comment": can_comment(user, idea),
        "support": can_support(user, idea),
        "review": can_review_idea(user, idea),
        "merge": can_merge_idea(user, idea),
        "moderate": can_moderate(user, idea.process),
    }
