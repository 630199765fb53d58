"""Moderation: reports by residents; hiding, restoring and dismissing by moderators.

Anyone signed in reports an idea or a comment. Moderators of the organisation hide content
with a public note (it is kept, and staff still see it), show it again, or close its open
reports without hiding it; each decision closes the reports it settles and is written to the
append-only ``ModerationLog``. The content's author is told of a hide or a restore.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from engagement import dashboards
from engagement.content import sanitise
from engagement.ideas import live
from engagement.ideas import permissions as rules
from engagement.ideas.models import (
    Comment,
    Idea,
    ModerationAction,
    ModerationLog,
    Report,
    ReportReason,
    ReportStatus,
)
from engagement.ideas.services.checks import (
    NOTE_MAX,
    FieldErrors,
    error,
    lock_comment,
    lock_idea,
    raise_errors,
    require_moderator,
    require_signed_in,
    require_visible,
    text_field,
)
from engagement.notifications.services import notify
from engagement.people.permissions import person_or_none

DETAILS_MAX = 1_000


def _target_of(idea: Idea | None, comment: Comment | None) -> tuple[Idea, Comment | None]:
    if (idea is None) == (comment is None):
        raise error("target", _("Name one idea or one comment."), "one_target")
    if comment is not None:
        return comment.idea, comment
    assert idea is not None
    return idea, None


# --- reports ------------------------------------------------------------------------------


@transaction.atomic
def report_create(
    *,
    reporter: Any,
    reason: str,
    details: str = "",
    idea: Idea | None = None,
    comment: Comment | None = None,
) -> Report:
    """Anyone signed in reports an idea or a comment; one open report per person and item."""
    require_signed_in(reporter)
    target_idea, target_comment = _target_of(idea, comment)
    require_visible(reporter, target_idea)
    field = "comment" if target_comment is not None else "idea"
    if target_comment is not None:
        if target_comment.hidden and not rules.can_see_hidden(reporter, target_idea.process):
            raise PermissionDenied(_("You cannot see this comment."))
        if target_comment.is_deleted:
            raise error("comment", _("This comment was deleted."), "deleted")
    errors: FieldErrors = {}
    if reason not in ReportReason.values:
        errors["reason"] = [ValidationError(_("Choose a reason."), code="invalid_choice")]
    cleaned = sanitise.plain_text(details, multiline=True)
    text_field(errors, "details", cleaned, DETAILS_MAX)
    if reason == ReportReason.OTHER and not cleaned:
        errors.setdefault("details", []).append(
            ValidationError(_("Tell the moderators what is wrong."), code="required")
        )
    raise_errors(errors)
    already = error(field, _("You have already reported this."), "already_reported")
    target_filter = {field: target_comment if target_comment is not None else target_idea}
    if Report.objects.filter(reporter=reporter, status=ReportStatus.OPEN, **target_filter).exists():
        raise already
    try:
        with transaction.atomic():
            report = Report.objects.create(
                organisation_id=target_idea.process.organisation_id,
                reporter=reporter,
                reason=reason,
                details=cleaned,
                **target_filter,
            )
        dashboards.counts_changed(report.organisation_id)  # the moderation queue
        return report
    except IntegrityError:  # a concurrent identical report won
        raise already from None


# --- decisions ----------------------------------------------------------------------------


def _moderation_target(
    actor: Any, idea: Idea | None, comment: Comment | None
) -> tuple[Idea, Comment | None, Any]:
    target_idea, target_comment = _target_of(idea, comment)
    require_moderator(actor, target_idea.process.organisation_id)
    if target_comment is not None:
        locked = lock_comment(target_comment)
        locked.idea = target_idea
        return target_idea, locked, locked
    locked_idea = lock_idea(target_idea)
    return locked_idea, None, locked_idea


def _close_reports(actor: Any, idea: Idea, comment: Comment | None, status: str) -> int:
    reports = Report.objects.filter(status=ReportStatus.OPEN)
    reports = (
        reports.filter(comment=comment)
        if comment is not None
        else reports.filter(idea=idea, comment__isnull=True)
    )
    closed = reports.update(
        status=status, resolved_at=timezone.now(), resolved_by=person_or_none(actor)
    )
    if closed:
        dashboards.counts_changed(idea.process.organisation_id)  # the moderation queue
    return closed


def _log(
    actor: Any, action: str, idea: Idea, comment: Comment | None, note: str, closed: int
) -> ModerationLog:
    return ModerationLog.objects.create(
        organisation_id=idea.process.organisation_id,
        actor=person_or_none(actor),
        action=action,
        idea=None if comment is not None else idea,
        comment=comment,
        note=note,
        reports_closed=closed,
    )


def _moderation_note(note: str, *, required: bool) -> str:
    cleaned = sanitise.plain_text(note, multiline=True)
    errors: FieldErrors = {}
    if required and not cleaned:
        errors["note"] = [
            ValidationError(_("Give a public note saying why."), code="note_required")
        ]
    text_field(errors, "note", cleaned, NOTE_MAX)
    raise_errors(errors)
    return cleaned


def _tell_author(event: str, actor: Any, idea: Idea, content: Any, note: str) -> None:
    if content.author_id is None:
        return
    notify(
        event,
        recipients=[content.author],
        target=content,
        actor=person_or_none(actor),
        context={
            "title": idea.title,
            "idea": idea.pk,
            "kind": "comment" if isinstance(content, Comment) else "idea",
            "note": note,
            "url": content.get_absolute_url(),
        },
    )


def _sync(idea: Idea | None, comment: Comment | None, content: Any) -> None:
    original = comment if comment is not None else idea
    if original is not None and original is not content:
        original.hidden = content.hidden
        original.hidden_at = content.hidden_at
        original.moderation_note = content.moderation_note


@transaction.atomic
def content_hide(
    *, actor: Any, note: str, idea: Idea | None = None, comment: Comment | None = None
) -> ModerationLog:
    """Hide an idea or comment with a public note; its open reports are closed as actioned.

    The content is kept (staff still see it, marked); its author is told.
    """
    target_idea, target_comment, content = _moderation_target(actor, idea, comment)
    cleaned = _moderation_note(note, required=True)
    if content.hidden:
        raise error("target", _("This is already hidden."), "already_hidden")
    content.hidden = True
    content.hidden_at = timezone.now()
    content.moderation_note = cleaned
    content.save(update_fields=["hidden", "hidden_at", "moderation_note"])
    closed = _close_reports(actor, target_idea, target_comment, ReportStatus.ACTIONED)
    entry = _log(actor, ModerationAction.HIDE, target_idea, target_comment, cleaned, closed)
    _tell_author("content.hidden", actor, target_idea, content, cleaned)
    live.publish_counts(target_idea.pk)
    _sync(idea, comment, content)
    return entry


@transaction.atomic
def content_restore(
    *, actor: Any, note: str, idea: Idea | None = None, comment: Comment | None = None
) -> ModerationLog:
    """Show hidden content again, with a public note; its author is told."""
    target_idea, target_comment, content = _moderation_target(actor, idea, comment)
    cleaned = _moderation_note(note, required=True)
    if not content.hidden:
        raise error("target", _("This is not hidden."), "not_hidden")
    content.hidden = False
    content.hidden_at = None
    content.moderation_note = ""
    content.save(update_fields=["hidden", "hidden_at", "moderation_note"])
    entry = _log(actor, ModerationAction.RESTORE, target_idea, target_comment, cleaned, 0)
    _tell_author("content.restored", actor, target_idea, content, cleaned)
    live.publish_counts(target_idea.pk)
    _sync(idea, comment, content)
    return entry


@transaction.atomic
def reports_dismiss(
    *, actor: Any, note: str = "", idea: Idea | None = None, comment: Comment | None = None
) -> ModerationLog:
    """Close the open reports on an item without hiding it."""
    target_idea, target_comment, _content = _moderation_target(actor, idea, comment)
    cleaned = _moderation_note(note, required=False)
    closed = _close_reports(actor, target_idea, target_comment, ReportStatus.DISMISSED)
    if not closed:
        raise error("target", _("There are no open reports on this."), "no_open_reports")
    return _log(actor, ModerationAction.DISMISS, target_idea, target_comment, cleaned, closed)
