"""Writes for processes, ideas, discussion, moderation and review.

Each service checks who asks (``actor``) and whether the phase allows it, then writes in
one transaction, and tells the people concerned through ``engagement.notifications.services.notify``
(recorded with the write, e-mailed after commit). Refusals are ``PermissionDenied`` (role
or account missing) or ``ValidationError`` with field names and stable codes: the phase
under ``phase`` (``wrong_phase``), the idea's state under ``status``.

Text is sanitised here, on the way in (``engagement.content.sanitise``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budgeting import ports
from budgeting.ports import BudgetRound, DistrictBudget
from engagement import dashboards
from engagement.content import images, sanitise
from engagement.ideas import live, phases
from engagement.ideas import permissions as rules
from engagement.ideas.models import (
    CollectionPhase,
    Comment,
    Follow,
    Idea,
    IdeaImage,
    IdeaStatus,
    ModerationAction,
    ModerationLog,
    ParticipatoryProcess,
    ProcessKind,
    Report,
    ReportReason,
    ReportStatus,
    Support,
)
from engagement.ideas.models.ideas import MAX_COMMENT_DEPTH, OPEN_STATUSES
from engagement.ideas.phases import Action
from engagement.notifications.services import notify
from engagement.people import permissions as staff_permissions
from engagement.people.models import District, Organisation, Role, User

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
COMMENT_MAX = 5_000
NOTE_MAX = 2_000
DETAILS_MAX = 1_000
ALT_TEXT_MAX = 300
DEFAULT_COMMENT_EDIT_MINUTES = 15
DEFAULT_MAX_IMAGES = 6


def comment_edit_window() -> timedelta:
    return timedelta(
        minutes=int(getattr(settings, "KOPA_COMMENT_EDIT_MINUTES", DEFAULT_COMMENT_EDIT_MINUTES))
    )


def max_images_per_idea() -> int:
    return int(getattr(settings, "KOPA_IDEA_MAX_IMAGES", DEFAULT_MAX_IMAGES))


# --- shared checks ------------------------------------------------------------------------


def _error(field: str, message: str, code: str, **params: Any) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def _require_signed_in(user: Any) -> None:
    if not rules.signed_in(user):
        raise PermissionDenied(_("Sign in first."))


def _require_phase(process: ParticipatoryProcess, action: Action) -> None:
    if not rules.phase_allows(process, action):
        phase = rules.current_phase(process)
        raise _error(
            "phase",
            _("Not possible in the %(phase)s phase."),
            "wrong_phase",
            phase=phase,
        )


def _require_visible(user: Any, idea: Idea) -> None:
    """Services never act on content the person could not see (the API answers 404)."""
    if not rules.can_see_process(user, idea.process) or not rules.can_see_idea(user, idea):
        raise PermissionDenied(_("You cannot see this idea."))


def _lock(idea: Idea) -> Idea:
    """Re-read the idea locked for this transaction (status changes do not race)."""
    return (
        Idea.objects.select_for_update(of=("self",))
        .select_related("process", "process__organisation", "process__budget_round", "author")
        .get(pk=idea.pk)
    )


def _copy_state(source: Idea, target: Idea) -> None:
    """Keep the caller's object current after a write on the locked copy."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _followers(idea: Idea) -> list[User]:
    return list(User.objects.filter(idea_follows__idea=idea, is_active=True))


def _audience(idea: Idea) -> list[User]:
    """Who hears about the idea's status: its author and its followers."""
    people = _followers(idea)
    if idea.author_id is not None and idea.author_id not in {p.pk for p in people}:
        people.append(idea.author)
    return people


def _status_context(idea: Idea) -> dict[str, Any]:
    return {
        "title": idea.title,
        "idea": idea.pk,
        "process": idea.process.slug,
        "status": idea.status,
        "status_display": str(IdeaStatus(idea.status).label),
        "public_reason": idea.public_reason,
        "url": idea.get_absolute_url(),
    }


def _set_status(idea: Idea, status: str, *, actor: Any | None, notify_event: str | None) -> None:
    idea.status = status
    idea.status_changed_at = timezone.now()
    dashboards.counts_changed(idea.process.organisation_id)  # the review queue
    if notify_event:
        context = _status_context(idea)
        if status == IdeaStatus.MERGED and idea.merged_into_id:
            context["merged_into"] = {"id": idea.merged_into_id, "title": idea.merged_into.title}
        notify(
            notify_event,
            recipients=_audience(idea),
            target=idea,
            actor=actor if rules.signed_in(actor) else None,
            context=context,
        )


def _text_field(
    errors: dict[str, list[ValidationError]], field: str, value: str, maximum: int
) -> None:
    if len(value) > maximum:
        errors.setdefault(field, []).append(
            ValidationError(
                _("At most %(maximum)s characters."),
                code="max_length",
                params={"maximum": maximum},
            )
        )


def _raise(errors: dict[str, list[ValidationError]]) -> None:
    if errors:
        raise ValidationError(errors)


# --- processes ----------------------------------------------------------------------------

PROCESS_FIELDS = frozenset(
    {"title", "description", "categories", "collecting_from", "reviewing_from", "closes_at"}
)


def _clean_process_fields(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(fields)
    if "title" in cleaned:
        cleaned["title"] = sanitise.plain_text(cleaned["title"])
    if "description" in cleaned:
        cleaned["description"] = sanitise.rich_text(cleaned["description"])
    if "categories" in cleaned and isinstance(cleaned["categories"], list):
        cleaned["categories"] = [
            sanitise.plain_text(c) if isinstance(c, str) else c for c in cleaned["categories"]
        ]
    return cleaned


# --- role checks: services call them, and the API calls them before it reads a body -------


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


@transaction.atomic
def process_create(
    *,
    actor: Any | None,
    organisation: Organisation,
    kind: str,
    slug: str,
    title: str = "",
    budget_round: BudgetRound | None = None,
    **fields: Any,
) -> ParticipatoryProcess:
    """A new process: an idea collection (in draft) or the idea phase of a budget round.

    ``actor=None`` is the system (seeding). One process per round.
    """
    if actor is not None:
        require_process_admin(actor, organisation)
    unknown = set(fields) - PROCESS_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown setting.") for name in sorted(unknown)})
    if kind == ProcessKind.BUDGET and budget_round is not None and not title:
        title = budget_round.title
    process = ParticipatoryProcess(
        organisation=organisation,
        kind=kind,
        slug=slug,
        budget_round=budget_round,
        **_clean_process_fields({"title": title, **fields}),
    )
    process.full_clean()
    process.save()
    return process


@transaction.atomic
def process_update(
    *, actor: Any, process: ParticipatoryProcess, **changes: Any
) -> ParticipatoryProcess:
    require_process_admin(actor, process.organisation_id)
    unknown = set(changes) - PROCESS_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown setting.") for name in sorted(unknown)})
    locked = ParticipatoryProcess.objects.select_for_update().get(pk=process.pk)
    locked.organisation = process.organisation
    locked.budget_round = process.budget_round
    removed = set(locked.categories) - set(changes.get("categories", locked.categories))
    for name, value in _clean_process_fields(changes).items():
        setattr(locked, name, value)
    locked.full_clean()
    if removed and Idea.objects.filter(process=locked, category__in=removed).exists():
        raise _error(
            "categories",
            _("Ideas are filed under a category you removed; keep it."),
            "category_in_use",
        )
    locked.save()
    for name in (*PROCESS_FIELDS, "updated_at"):
        setattr(process, name, getattr(locked, name))
    return process


@transaction.atomic
def process_phase_advance(
    *, actor: Any | None, process: ParticipatoryProcess, to_phase: str
) -> ParticipatoryProcess:
    """Move an idea collection forward (a budget process follows its round)."""
    if actor is not None:
        require_process_admin(actor, process.organisation_id)
    if process.kind != ProcessKind.IDEAS:
        raise _error(
            "phase",
            _("A budget process follows the phases of its round."),
            "follows_round",
        )
    locked = ParticipatoryProcess.objects.select_for_update().get(pk=process.pk)
    current = rules.current_phase(locked)
    if to_phase not in CollectionPhase.values or not phases.can_move_collection(current, to_phase):
        raise _error(
            "phase",
            _("A process cannot move from %(current)s to %(target)s."),
            "invalid_transition",
            current=current,
            target=to_phase,
        )
    locked.phase = to_phase
    locked.phase_changed_at = timezone.now()
    locked.save(update_fields=["phase", "phase_changed_at", "updated_at"])
    process.phase, process.phase_changed_at = locked.phase, locked.phase_changed_at
    return process


# --- ideas --------------------------------------------------------------------------------

IDEA_FIELDS = frozenset(
    {
        "title",
        "description",
        "category",
        "district",
        "latitude",
        "longitude",
        "estimated_cost",
    }
)


def _apply_idea_fields(idea: Idea, fields: dict[str, Any]) -> None:
    """Sanitise and set; collect field errors (sizes, emptiness, location) with codes."""
    errors: dict[str, list[ValidationError]] = {}
    for name, value in fields.items():
        if name == "title":
            value = sanitise.plain_text(value)
            if not value:
                errors.setdefault("title", []).append(
                    ValidationError(_("Give your idea a title."), code="required")
                )
            _text_field(errors, "title", value, TITLE_MAX)
        elif name == "description":
            value = sanitise.rich_text(value)
            if not sanitise.text_of(value):
                errors.setdefault("description", []).append(
                    ValidationError(_("Describe your idea."), code="required")
                )
            _text_field(errors, "description", value, DESCRIPTION_MAX)
        elif name == "category":
            value = sanitise.plain_text(value or "")
        setattr(idea, name, value)
    _raise(errors)


def _validate_idea(idea: Idea) -> None:
    idea.full_clean(exclude=["process", "author", "merged_into", "project", "reviewed_by"])


@transaction.atomic
def idea_create(
    *,
    author: Any,
    process: ParticipatoryProcess,
    title: str,
    description: str,
    category: str = "",
    district: District | None = None,
    latitude: Any = None,
    longitude: Any = None,
    estimated_cost: int | None = None,
    submit: bool = False,
) -> Idea:
    """A new idea by ``author``: a draft (seen by the author only), or submitted at once.

    Preconditions: signed in; the process is visible and its phase accepts ideas.
    """
    _require_signed_in(author)
    if not rules.can_see_process(author, process):
        raise PermissionDenied(_("You cannot see this process."))
    _require_phase(process, Action.SUBMIT)
    idea = Idea(process=process, author=author, status=IdeaStatus.DRAFT)
    _apply_idea_fields(
        idea,
        {
            "title": title,
            "description": description,
            "category": category,
            "district": district,
            "latitude": latitude,
            "longitude": longitude,
            "estimated_cost": estimated_cost,
        },
    )
    _validate_idea(idea)
    now = timezone.now()
    idea.status_changed_at = now
    if submit:
        idea.status = IdeaStatus.SUBMITTED
        idea.submitted_at = now
    idea.save()
    _follow_insert(idea, author)
    return idea


def require_author(actor: Any, content: Idea | Comment) -> None:
    """Only its author changes an idea or a comment (asked before the body is read too)."""
    if not rules.is_author(actor, content):
        if isinstance(content, Comment):
            raise PermissionDenied(_("Only the author can change this comment."))
        raise PermissionDenied(_("Only the author can change this idea."))


def _require_editable(actor: Any, idea: Idea) -> None:
    require_author(actor, idea)
    if idea.hidden:
        raise _error("status", _("Moderators hid this idea."), "hidden")
    _require_phase(idea.process, Action.SUBMIT)
    if idea.status not in {IdeaStatus.DRAFT, IdeaStatus.SUBMITTED}:
        raise _error(
            "status",
            _("An idea can no longer be changed once it is %(status)s."),
            "not_editable",
            status=IdeaStatus(idea.status).label,
        )


@transaction.atomic
def idea_update(*, actor: Any, idea: Idea, **changes: Any) -> Idea:
    """The author changes a draft or submitted idea while ideas are being collected."""
    unknown = set(changes) - IDEA_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    locked = _lock(idea)
    _require_editable(actor, locked)
    _apply_idea_fields(locked, changes)
    _validate_idea(locked)
    locked.save()
    _copy_state(locked, idea)
    return idea


@transaction.atomic
def idea_submit(*, actor: Any, idea: Idea) -> Idea:
    """A draft becomes public (submitted)."""
    locked = _lock(idea)
    _require_editable(actor, locked)
    if locked.status != IdeaStatus.DRAFT:
        raise _error("status", _("This idea was already submitted."), "already_submitted")
    _validate_idea(locked)
    locked.submitted_at = locked.submitted_at or timezone.now()
    _set_status(locked, IdeaStatus.SUBMITTED, actor=actor, notify_event=None)
    locked.save()
    _copy_state(locked, idea)
    return idea


@transaction.atomic
def idea_withdraw(*, actor: Any, idea: Idea) -> Idea:
    """The author takes the idea back (before a decision). Followers are told."""
    locked = _lock(idea)
    if not rules.is_author(actor, locked):
        raise PermissionDenied(_("Only the author can withdraw this idea."))
    _require_phase(locked.process, Action.WITHDRAW)
    if locked.status not in rules.WITHDRAWABLE_STATUSES:
        raise _error(
            "status",
            _("An idea that is %(status)s cannot be withdrawn."),
            "not_withdrawable",
            status=IdeaStatus(locked.status).label,
        )
    was_public = locked.is_public
    _set_status(
        locked,
        IdeaStatus.WITHDRAWN,
        actor=actor,
        notify_event="idea.status_changed" if was_public else None,
    )
    locked.save()
    _copy_state(locked, idea)
    return idea


@transaction.atomic
def idea_image_add(*, actor: Any, idea: Idea, upload: Any, alt_text: str = "") -> IdeaImage:
    """Check, re-encode and store an image of the author's editable idea."""
    locked = _lock(idea)
    _require_editable(actor, locked)
    alt = sanitise.plain_text(alt_text)
    errors: dict[str, list[ValidationError]] = {}
    _text_field(errors, "alt_text", alt, ALT_TEXT_MAX)
    _raise(errors)
    count = IdeaImage.objects.filter(idea=locked).count()
    if count >= max_images_per_idea():
        raise _error(
            "image",
            _("An idea has at most %(maximum)s images."),
            "too_many_images",
            maximum=max_images_per_idea(),
        )
    clean = images.clean_image(upload)
    image = IdeaImage(idea=locked, alt_text=alt, position=count)
    image.file.save(clean.content.name, clean.content, save=False)
    try:
        image.save()
    except Exception:
        image.file.delete(save=False)
        raise
    return image


@transaction.atomic
def idea_image_remove(*, actor: Any, idea: Idea, image: IdeaImage) -> None:
    locked = _lock(idea)
    _require_editable(actor, locked)
    if image.idea_id != locked.pk:
        raise _error("image", _("Not an image of this idea."), "wrong_idea")
    name = image.file.name
    storage = image.file.storage
    image.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- discussion ---------------------------------------------------------------------------


def _require_discussion(user: Any, idea: Idea) -> None:
    _require_signed_in(user)
    _require_visible(user, idea)
    _require_phase(idea.process, Action.DISCUSS)
    if not rules.idea_open_for_discussion(idea):
        raise _error(
            "status",
            _("The discussion of this idea is closed."),
            "hidden" if idea.hidden else "discussion_closed",
        )


def _comment_body(body: str) -> str:
    cleaned = sanitise.rich_text(body)
    errors: dict[str, list[ValidationError]] = {}
    if not sanitise.text_of(cleaned):
        errors["body"] = [ValidationError(_("Write a comment."), code="required")]
    _text_field(errors, "body", cleaned, COMMENT_MAX)
    _raise(errors)
    return cleaned


@transaction.atomic
def comment_create(*, author: Any, idea: Idea, body: str, parent: Comment | None = None) -> Comment:
    """A comment on ``idea`` or a reply to ``parent``; the commenter follows the idea.

    Followers hear about it (``idea.commented``), the parent's author about a reply
    (``comment.replied``) — never the commenter.
    """
    _require_discussion(author, idea)
    cleaned = _comment_body(body)
    depth, root_id = 0, None
    if parent is not None:
        if parent.idea_id != idea.pk:
            raise _error("parent", _("Reply to a comment on the same idea."), "wrong_idea")
        if parent.is_deleted or parent.hidden:
            raise _error(
                "parent", _("This comment can no longer be answered."), "parent_unavailable"
            )
        if parent.depth >= MAX_COMMENT_DEPTH:
            raise _error(
                "parent",
                _("Replies go at most %(depth)s levels deep."),
                "too_deep",
                depth=MAX_COMMENT_DEPTH,
            )
        depth, root_id = parent.depth + 1, parent.root_id or parent.pk
    comment = Comment.objects.create(
        idea=idea, author=author, parent=parent, root_id=root_id, depth=depth, body=cleaned
    )
    _follow_insert(idea, author)
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
    followers = [
        person
        for person in _followers(idea)
        if person.pk != author.pk and (parent_author is None or person.pk != parent_author.pk)
    ]
    notify("idea.commented", recipients=followers, target=comment, actor=author, context=context)
    live.publish_counts(idea.pk)
    return comment


def _lock_comment(comment: Comment) -> Comment:
    return (
        Comment.objects.select_for_update(of=("self",)).select_related("author").get(pk=comment.pk)
    )


@transaction.atomic
def comment_update(*, actor: Any, comment: Comment, body: str) -> Comment:
    """The author corrects a comment within the edit window (15 minutes by default)."""
    locked = _lock_comment(comment)
    require_author(actor, locked)
    if locked.is_deleted or locked.hidden:
        raise _error("body", _("This comment can no longer be changed."), "not_editable")
    _require_phase(comment.idea.process, Action.DISCUSS)
    if timezone.now() - locked.created_at > comment_edit_window():
        raise _error(
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
    locked = _lock_comment(comment)
    if not rules.is_author(actor, locked):
        raise PermissionDenied(_("Only the author can delete this comment."))
    if locked.hidden:
        raise _error("body", _("Moderators hid this comment."), "hidden")
    if not locked.is_deleted:
        locked.deleted_at = timezone.now()
        locked.body = ""
        locked.save(update_fields=["deleted_at", "body"])
        live.publish_counts(locked.idea_id)
    comment.deleted_at, comment.body = locked.deleted_at, locked.body
    return comment


def _insert_ignoring_duplicate(model: type, idea: Idea, user: Any) -> bool:
    """``INSERT … ON CONFLICT DO NOTHING``: True if this call created the row."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (idea_id, user_id, created_at) VALUES (%s, %s, %s)"
            " ON CONFLICT DO NOTHING RETURNING id",
            [idea.pk, user.pk, timezone.now()],
        )
        return cursor.fetchone() is not None


def _follow_insert(idea: Idea, user: Any) -> bool:
    return _insert_ignoring_duplicate(Follow, idea, user)


def support_add(*, user: Any, idea: Idea) -> bool:
    """Support an idea, once per person. True if this call added the support.

    Race-free: the unique constraint decides, in one statement without exceptions, so
    concurrent clicks leave exactly one support.
    """
    _require_discussion(user, idea)
    if idea.status not in rules.SUPPORTABLE_STATUSES:
        raise _error(
            "status",
            _("Ideas that are %(status)s cannot be supported."),
            "not_supportable",
            status=IdeaStatus(idea.status).label,
        )
    added = _insert_ignoring_duplicate(Support, idea, user)
    if added:
        live.publish_counts(idea.pk)
    return added


def support_remove(*, user: Any, idea: Idea) -> bool:
    """Take one's support back while supporting is possible. True if there was one."""
    _require_discussion(user, idea)
    if idea.status not in rules.SUPPORTABLE_STATUSES:
        raise _error(
            "status",
            _("Ideas that are %(status)s cannot be supported."),
            "not_supportable",
            status=IdeaStatus(idea.status).label,
        )
    deleted, _rows = Support.objects.filter(idea=idea, user=user).delete()
    if deleted:
        live.publish_counts(idea.pk)
    return bool(deleted)


def follow_add(*, user: Any, idea: Idea) -> bool:
    """Hear about status changes and new comments. Possible in every phase."""
    _require_signed_in(user)
    _require_visible(user, idea)
    return _follow_insert(idea, user)


def follow_remove(*, user: Any, idea: Idea) -> bool:
    _require_signed_in(user)
    _require_visible(user, idea)
    deleted, _rows = Follow.objects.filter(idea=idea, user=user).delete()
    return bool(deleted)


# --- moderation ---------------------------------------------------------------------------


def _target_of(idea: Idea | None, comment: Comment | None) -> tuple[Idea, Comment | None]:
    if (idea is None) == (comment is None):
        raise _error("target", _("Name one idea or one comment."), "one_target")
    if comment is not None:
        return comment.idea, comment
    assert idea is not None
    return idea, None


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
    _require_signed_in(reporter)
    target_idea, target_comment = _target_of(idea, comment)
    _require_visible(reporter, target_idea)
    field = "comment" if target_comment is not None else "idea"
    if target_comment is not None:
        if target_comment.hidden and not rules.can_see_hidden(reporter, target_idea.process):
            raise PermissionDenied(_("You cannot see this comment."))
        if target_comment.is_deleted:
            raise _error("comment", _("This comment was deleted."), "deleted")
    errors: dict[str, list[ValidationError]] = {}
    if reason not in ReportReason.values:
        errors["reason"] = [ValidationError(_("Choose a reason."), code="invalid_choice")]
    cleaned = sanitise.plain_text(details, multiline=True)
    _text_field(errors, "details", cleaned, DETAILS_MAX)
    if reason == ReportReason.OTHER and not cleaned:
        errors.setdefault("details", []).append(
            ValidationError(_("Tell the moderators what is wrong."), code="required")
        )
    _raise(errors)
    already = _error(field, _("You have already reported this."), "already_reported")
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


def _moderation_target(
    actor: Any, idea: Idea | None, comment: Comment | None
) -> tuple[Idea, Comment | None, Any]:
    target_idea, target_comment = _target_of(idea, comment)
    require_moderator(actor, target_idea.process.organisation_id)
    if target_comment is not None:
        locked = _lock_comment(target_comment)
        locked.idea = target_idea
        return target_idea, locked, locked
    locked_idea = _lock(target_idea)
    return locked_idea, None, locked_idea


def _close_reports(actor: Any, idea: Idea, comment: Comment | None, status: str) -> int:
    reports = Report.objects.filter(status=ReportStatus.OPEN)
    reports = (
        reports.filter(comment=comment)
        if comment is not None
        else reports.filter(idea=idea, comment__isnull=True)
    )
    closed = reports.update(status=status, resolved_at=timezone.now(), resolved_by=actor)
    if closed:
        dashboards.counts_changed(idea.process.organisation_id)  # the moderation queue
    return closed


def _log(
    actor: Any, action: str, idea: Idea, comment: Comment | None, note: str, closed: int
) -> ModerationLog:
    return ModerationLog.objects.create(
        organisation_id=idea.process.organisation_id,
        actor=actor,
        action=action,
        idea=None if comment is not None else idea,
        comment=comment,
        note=note,
        reports_closed=closed,
    )


def _moderation_note(note: str, *, required: bool) -> str:
    cleaned = sanitise.plain_text(note, multiline=True)
    errors: dict[str, list[ValidationError]] = {}
    if required and not cleaned:
        errors["note"] = [
            ValidationError(_("Give a public note saying why."), code="note_required")
        ]
    _text_field(errors, "note", cleaned, NOTE_MAX)
    _raise(errors)
    return cleaned


def _tell_author(event: str, actor: Any, idea: Idea, content: Any, note: str) -> None:
    if content.author_id is None:
        return
    notify(
        event,
        recipients=[content.author],
        target=content,
        actor=actor,
        context={
            "title": idea.title,
            "idea": idea.pk,
            "kind": "comment" if isinstance(content, Comment) else "idea",
            "note": note,
            "url": content.get_absolute_url(),
        },
    )


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
        raise _error("target", _("This is already hidden."), "already_hidden")
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
        raise _error("target", _("This is not hidden."), "not_hidden")
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
        raise _error("target", _("There are no open reports on this."), "no_open_reports")
    return _log(actor, ModerationAction.DISMISS, target_idea, target_comment, cleaned, closed)


def _sync(idea: Idea | None, comment: Comment | None, content: Any) -> None:
    original = comment if comment is not None else idea
    if original is not None and original is not content:
        original.hidden = content.hidden
        original.hidden_at = content.hidden_at
        original.moderation_note = content.moderation_note


# --- review -------------------------------------------------------------------------------


# What a reviewer may answer: the idea's next status.
DECISIONS = (IdeaStatus.UNDER_REVIEW, IdeaStatus.ACCEPTED, IdeaStatus.REJECTED)


def _district_budget_for(budget_round: BudgetRound, idea: Idea, key: str | None) -> DistrictBudget:
    budgets = DistrictBudget.objects.filter(round=budget_round)
    if key:
        chosen = budgets.filter(key=key).first()
        if chosen is None:
            raise _error(
                "district",
                _("This round has no district %(key)s."),
                "unknown_district",
                key=key,
            )
        return chosen
    chosen = None
    if idea.district_id is not None:
        chosen = budgets.filter(district_id=idea.district_id).first()
    chosen = chosen or budgets.filter(district__isnull=True).order_by("position").first()
    if chosen is None:
        raise _error(
            "district",
            _("The round has no budget for this idea's district and no city-wide budget;"
              " choose a district."),
            "no_district_budget",
        )  # fmt: skip
    return chosen


def project_external_id(idea: Idea) -> str:
    """The ballot project id of an accepted idea: stable and traceable to the idea."""
    return f"idea-{idea.pk}"


def _create_project(
    reviewer: Any, idea: Idea, cost: int, district_key: str | None
) -> ports.Project:
    budget_round = idea.process.budget_round
    return ports.project_from_idea(
        reviewer=reviewer,
        budget_round=budget_round,
        district_budget=_district_budget_for(budget_round, idea, district_key),
        external_id=project_external_id(idea),
        title=idea.title,
        cost=cost,
        description=sanitise.text_of(idea.description),
        categories=[idea.category] if idea.category else [],
        latitude=idea.latitude,
        longitude=idea.longitude,
    )


@transaction.atomic
def idea_review(
    *,
    actor: Any,
    idea: Idea,
    decision: str,
    cost: int | None = None,
    public_reason: str = "",
    district: str | None = None,
) -> Idea:
    """The administration's answer: under review, accepted or rejected (with a reason).

    Accepting an idea of a budget process makes it a feasible ballot project of the round
    (``external_id`` ``idea-<id>``; the district budget of the idea's district, or the
    city-wide one, or ``district`` given as a round district key), with the reviewer's
    ``cost``. The author and followers are told of the new status.
    Rejected ideas may be reconsidered; accepted, merged and withdrawn ones are final.
    """
    locked = _lock(idea)
    require_reviewer(actor, locked.process.organisation_id)
    _require_phase(locked.process, Action.REVIEW)
    if locked.status not in OPEN_STATUSES:
        raise _error(
            "status",
            _("An idea that is %(status)s cannot be reviewed."),
            "not_reviewable",
            status=IdeaStatus(locked.status).label,
        )
    errors: dict[str, list[ValidationError]] = {}
    if decision not in DECISIONS:
        errors["decision"] = [ValidationError(_("Unknown decision."), code="invalid_choice")]
    reason = sanitise.plain_text(public_reason, multiline=True)
    _text_field(errors, "public_reason", reason, NOTE_MAX)
    if decision == IdeaStatus.REJECTED and not reason:
        errors.setdefault("public_reason", []).append(
            ValidationError(_("Explain publicly why the idea is rejected."), code="reason_required")
        )
    if cost is not None and cost < 0:
        errors["cost"] = [ValidationError(_("A cost cannot be negative."), code="min_value")]
    if decision == IdeaStatus.ACCEPTED:
        if locked.hidden:
            errors.setdefault("status", []).append(
                ValidationError(_("Moderators hid this idea."), code="hidden")
            )
        if locked.process.kind == ProcessKind.BUDGET and cost is None:
            errors.setdefault("cost", []).append(
                ValidationError(
                    _("Give the administration's cost estimate for the ballot."),
                    code="required",
                )
            )
    if decision == locked.status and decision != IdeaStatus.UNDER_REVIEW:
        errors.setdefault("decision", []).append(
            ValidationError(_("The idea already has this status."), code="unchanged")
        )
    _raise(errors)
    if cost is not None:
        locked.admin_cost = cost
    locked.public_reason = reason
    locked.feasible = {IdeaStatus.ACCEPTED: True, IdeaStatus.REJECTED: False}.get(decision)
    locked.reviewed_by = actor
    locked.reviewed_at = timezone.now()
    if decision == IdeaStatus.ACCEPTED and locked.process.kind == ProcessKind.BUDGET:
        assert cost is not None
        locked.project = _create_project(actor, locked, cost, district)
    changed = decision != locked.status
    _set_status(
        locked,
        decision,
        actor=actor,
        notify_event="idea.status_changed" if changed else None,
    )
    locked.save()
    _copy_state(locked, idea)
    idea.project = locked.project
    return idea


@transaction.atomic
def idea_merge(*, actor: Any, idea: Idea, into: Idea, public_reason: str = "") -> Idea:
    """Merge a duplicate into another idea of the same process.

    The duplicate keeps its text, comments and supports, and points to ``into``
    (``merged_into``); supports are *not* moved: people supported that text, and may
    support the other idea themselves. Its author and followers are told (``idea.merged``).
    """
    locked = _lock(idea)
    require_reviewer(actor, locked.process.organisation_id, merging=True)
    _require_phase(locked.process, Action.MERGE)
    if locked.status not in OPEN_STATUSES:
        raise _error(
            "status",
            _("An idea that is %(status)s cannot be merged."),
            "not_mergeable",
            status=IdeaStatus(locked.status).label,
        )
    reason = sanitise.plain_text(public_reason, multiline=True)
    errors: dict[str, list[ValidationError]] = {}
    _text_field(errors, "public_reason", reason, NOTE_MAX)
    if into.pk == locked.pk:
        errors["into"] = [ValidationError(_("An idea cannot merge into itself."), code="same")]
    elif into.process_id != locked.process_id:
        errors["into"] = [
            ValidationError(_("Merge only ideas of the same process."), code="wrong_process")
        ]
    elif (
        not into.is_public
        or into.hidden
        or into.status
        in (
            IdeaStatus.MERGED,
            IdeaStatus.WITHDRAWN,
        )
    ):
        errors["into"] = [
            ValidationError(
                _("Merge into a visible idea that is not itself merged or withdrawn."),
                code="invalid_target",
            )
        ]
    _raise(errors)
    locked.merged_into = into
    locked.public_reason = reason
    locked.reviewed_by = actor
    locked.reviewed_at = timezone.now()
    _set_status(locked, IdeaStatus.MERGED, actor=actor, notify_event="idea.merged")
    locked.save()
    _copy_state(locked, idea)
    idea.merged_into = into
    return idea
