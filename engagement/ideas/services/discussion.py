"""The discussion of an idea: comments and replies, corrected or deleted by their authors.

Comments are possible while the phase allows discussion and the idea is open for it;
replies go at most ``MAX_COMMENT_DEPTH`` levels deep. Commenters follow the idea; its
followers hear about new comments, the answered author about a reply.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from engagement.content import sanitise
from engagement.ideas import live
from engagement.ideas import permissions as rules
from engagement.ideas.models import Comment, Idea
from engagement.ideas.models.ideas import MAX_COMMENT_DEPTH
from engagement.ideas.phases import Action
from engagement.ideas.services.checks import (
    FieldErrors,
    error,
    lock_comment,
    raise_errors,
    require_author,
    require_discussion,
    require_phase,
    text_field,
)
from engagement.ideas.services.supports import follow_quietly, followers
from engagement.notifications.services import notify

COMMENT_MAX = 5_000
DEFAULT_COMMENT_EDIT_MINUTES = 15


def comment_edit_window() -> timedelta:
    return timedelta(
        minutes=int(getattr(settings, "KOPA_COMMENT_EDIT_MINUTES", DEFAULT_COMMENT_EDIT_MINUTES))
    )


def _comment_body(body: str) -> str:
    cleaned = sanitise.rich_text(body)
    errors: FieldErrors = {}
    if not sanitise.text_of(cleaned):
        errors["body"] = [ValidationError(_("Write a comment."), code="required")]
    text_field(errors, "body", cleaned, COMMENT_MAX)
    raise_errors(errors)
    return cleaned


@transaction.atomic
def comment_create(*, author: Any, idea: Idea, body: str, parent: Comment | None = None) -> Comment:
    """A comment on ``idea`` or a reply to ``parent``; the commenter follows the idea.

    Followers hear about it (``idea.commented``), the parent's author about a reply
    (``comment.replied``) — never the commenter.
    """
    require_discussion(author, idea)
    cleaned = _comment_body(body)
    depth, root_id = 0, None
    if parent is not None:
        if parent.idea_id != idea.pk:
            raise error("parent", _("Reply to a comment on the same idea."), "wrong_idea")
        if parent.is_deleted or parent.hidden:
            raise error(
                "parent", _("This comment can no longer be answered."), "parent_unavailable"
            )
        if parent.depth >= MAX_COMMENT_DEPTH:
            raise error(
                "parent",
                _("Replies go at most %(depth)s levels deep."),
                "too_deep",
                depth=MAX_COMMENT_DEPTH,
            )
        depth, root_id = parent.depth + 1, parent.root_id or parent.pk
    comment = Comment.objects.create(
        idea=idea, author=author, parent=parent, root_id=root_id, depth=depth, body=cleaned
    )
    follow_quietly(idea, author)
    context = {
        "title": idea.title,
        "idea": idea.pk,
        "comment": comment.pk,
        "excerpt": sanitise.text_of(cleaned)[:200],
        "url": comment.get_absolute_url(),
    }
    parent_author = parent.author if parent is not None and parent.author_id else None
    if parent_author is not None:
        notify(
            "comment.replied", recipients=[parent_author], target=comment, actor=author,
            context=context,
        )  # fmt: skip
    audience = [
        person
        for person in followers(idea)
        if person.pk != author.pk and (parent_author is None or person.pk != parent_author.pk)
    ]
    notify("idea.commented", recipients=audience, target=comment, actor=author, context=context)
    live.publish_counts(idea.pk)
    return comment


@transaction.atomic
def comment_update(*, actor: Any, comment: Comment, body: str) -> Comment:
    """The author corrects a comment within the edit window (15 minutes by default)."""
    locked = lock_comment(comment)
    require_author(actor, locked)
    if locked.is_deleted or locked.hidden:
        raise error("body", _("This comment can no longer be changed."), "not_editable")
    require_phase(comment.idea.process, Action.DISCUSS)
    if timezone.now() - locked.created_at > comment_edit_window():
        raise error(
            "body",
            _("Comments can be changed for %(minutes)s minutes after posting."),
            "edit_window_closed",
            minutes=int(comment_edit_window().total_seconds() // 60),
        )
    locked.body = _comment_body(body)
    locked.edited_at = timezone.now()
    locked.save(update_fields=["body", "edited_at"])
    comment.body, comment.edited_at = locked.body, locked.edited_at
    return comment


@transaction.atomic
def comment_delete(*, actor: Any, comment: Comment) -> Comment:
    """The author deletes a comment: its text goes, a "deleted" placeholder keeps the thread.

    Idempotent. Hidden comments stay as they are (moderators keep the evidence).
    """
    locked = lock_comment(comment)
    if not rules.is_author(actor, locked):
        raise PermissionDenied(_("Only the author can delete this comment."))
    if locked.hidden:
        raise error("body", _("Moderators hid this comment."), "hidden")
    if not locked.is_deleted:
        locked.deleted_at = timezone.now()
        locked.body = ""
        locked.save(update_fields=["deleted_at", "body"])
        live.publish_counts(locked.idea_id)
    comment.deleted_at, comment.body = locked.deleted_at, locked.body
    return comment
