"""What the ideas services check before they write, and how they say no.

A refusal is ``PermissionDenied`` (account or role missing) or a ``ValidationError`` under a
field name with a stable code (:func:`error`): the phase under ``phase`` (``wrong_phase``),
the idea's state under ``status``. The role checks (``require_process_admin``,
``require_moderator``, ``require_reviewer``, ``require_author``) are also asked by the API
before it reads a request body, so a caller without the role gets 403 whatever the body
says. The locks re-read an idea or a comment for update, so status changes do not race.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from engagement.ideas import permissions as rules
from engagement.ideas.models import Comment, Idea, ParticipatoryProcess
from engagement.ideas.phases import Action
from engagement.people import permissions as staff_permissions
from engagement.people.models import Organisation, Role

# Public notes of moderators and public reasons of reviewers.
NOTE_MAX = 2_000

FieldErrors = dict[str, list[ValidationError]]


# --- saying no ----------------------------------------------------------------------------


def error(field: str, message: str, code: str, **params: Any) -> ValidationError:
    """One field error with a stable code (and the message's parameters)."""
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def text_field(errors: FieldErrors, field: str, value: str, maximum: int) -> None:
    """Collect a ``max_length`` error when ``value`` is longer than ``maximum``."""
    if len(value) > maximum:
        errors.setdefault(field, []).append(
            ValidationError(
                _("At most %(maximum)s characters."),
                code="max_length",
                params={"maximum": maximum},
            )
        )


def raise_errors(errors: FieldErrors) -> None:
    """Refuse with every collected field error at once (nothing when there are none)."""
    if errors:
        raise ValidationError(errors)


# --- who and when -------------------------------------------------------------------------


def require_signed_in(user: Any) -> None:
    if not rules.signed_in(user):
        raise PermissionDenied(_("Sign in first."))


def require_phase(process: ParticipatoryProcess, action: Action) -> None:
    if not rules.phase_allows(process, action):
        phase = rules.current_phase(process)
        raise error(
            "phase",
            _("Not possible in the %(phase)s phase."),
            "wrong_phase",
            phase=phase,
        )


def require_visible(user: Any, idea: Idea) -> None:
    """Services never act on content the person could not see (the API answers 404)."""
    if not rules.can_see_process(user, idea.process) or not rules.can_see_idea(user, idea):
        raise PermissionDenied(_("You cannot see this idea."))


def require_discussion(user: Any, idea: Idea) -> None:
    """Commenting and supporting: signed in, the idea visible, its discussion open now."""
    require_signed_in(user)
    require_visible(user, idea)
    require_phase(idea.process, Action.DISCUSS)
    if not rules.idea_open_for_discussion(idea):
        raise error(
            "status",
            _("The discussion of this idea is closed."),
            "hidden" if idea.hidden else "discussion_closed",
        )


def require_process_admin(actor: Any, organisation: Organisation | int | None = None) -> None:
    """Administrators of the organisation (``None``: of some organisation) run processes."""
    if organisation is None:
        allowed = staff_permissions.has_role_somewhere(actor, Role.ADMINISTRATOR)
    else:
        allowed = staff_permissions.can_manage_organisation(actor, organisation)
    if not allowed:
        raise PermissionDenied(_("Only administrators of this organisation can do this."))


def require_moderator(actor: Any, organisation: Organisation | int | None = None) -> None:
    """Moderators of the organisation (``None``: of some organisation) hide and restore."""
    if organisation is None:
        allowed = staff_permissions.has_role_somewhere(actor, Role.MODERATOR)
    else:
        allowed = staff_permissions.can_moderate(actor, organisation)
    if not allowed:
        raise PermissionDenied(_("Only moderators of this organisation can do this."))


def require_reviewer(
    actor: Any, organisation: Organisation | int, *, merging: bool = False
) -> None:
    if not staff_permissions.can_review(actor, organisation):
        if merging:
            raise PermissionDenied(_("Only reviewers of this organisation can merge ideas."))
        raise PermissionDenied(_("Only reviewers of this organisation can review ideas."))


def require_author(actor: Any, content: Idea | Comment) -> None:
    """Only its author changes an idea or a comment (asked before the body is read too)."""
    if not rules.is_author(actor, content):
        if isinstance(content, Comment):
            raise PermissionDenied(_("Only the author can change this comment."))
        raise PermissionDenied(_("Only the author can change this idea."))


# --- locks --------------------------------------------------------------------------------


def lock_idea(idea: Idea) -> Idea:
    """Re-read the idea locked for this transaction (status changes do not race)."""
    return (
        Idea.objects.select_for_update(of=("self",))
        .select_related("process", "process__organisation", "process__budget_round", "author")
        .get(pk=idea.pk)
    )


def lock_comment(comment: Comment) -> Comment:
    return (
        Comment.objects.select_for_update(of=("self",)).select_related("author").get(pk=comment.pk)
    )


def copy_state(source: Idea, target: Idea) -> None:
    """Keep the caller's object current after a write on the locked copy."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
