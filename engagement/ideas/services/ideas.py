"""Ideas by their authors: write, change, submit and withdraw them; add and remove images.

An idea starts as a draft seen by its author only, or is submitted at once; its author may
change it while it is a draft or submitted and the phase collects ideas. Status changes tell
the author and the idea's followers (:func:`set_status`, also used by the review).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from engagement import dashboards
from engagement.content import images, sanitise
from engagement.ideas import permissions as rules
from engagement.ideas.models import Idea, IdeaImage, IdeaStatus, ParticipatoryProcess
from engagement.ideas.phases import Action
from engagement.ideas.services.checks import (
    FieldErrors,
    copy_state,
    error,
    lock_idea,
    raise_errors,
    require_author,
    require_phase,
    require_signed_in,
    text_field,
)
from engagement.ideas.services.supports import follow_quietly, followers
from engagement.notifications.services import notify
from engagement.people import permissions as staff_permissions
from engagement.people.models import District, User

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
ALT_TEXT_MAX = 300
DEFAULT_MAX_IMAGES = 6

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


def max_images_per_idea() -> int:
    return int(getattr(settings, "KOPA_IDEA_MAX_IMAGES", DEFAULT_MAX_IMAGES))


# --- status -------------------------------------------------------------------------------


def _audience(idea: Idea) -> list[User]:
    """Who hears about the idea's status: its author and its followers."""
    people = followers(idea)
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


def set_status(idea: Idea, status: str, *, actor: Any, notify_event: str | None) -> None:
    """Give the (locked) idea its new status; tell its author and followers if asked."""
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
            actor=staff_permissions.person_or_none(actor) if rules.signed_in(actor) else None,
            context=context,
        )


# --- writing ------------------------------------------------------------------------------


def _apply_idea_fields(idea: Idea, fields: dict[str, Any]) -> None:
    """Sanitise and set; collect field errors (sizes, emptiness, location) with codes."""
    errors: FieldErrors = {}
    for name, value in fields.items():
        if name == "title":
            value = sanitise.plain_text(value)
            if not value:
                errors.setdefault("title", []).append(
                    ValidationError(_("Give your idea a title."), code="required")
                )
            text_field(errors, "title", value, TITLE_MAX)
        elif name == "description":
            value = sanitise.rich_text(value)
            if not sanitise.text_of(value):
                errors.setdefault("description", []).append(
                    ValidationError(_("Describe your idea."), code="required")
                )
            text_field(errors, "description", value, DESCRIPTION_MAX)
        elif name == "category":
            value = sanitise.plain_text(value or "")
        setattr(idea, name, value)
    raise_errors(errors)


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
    require_signed_in(author)
    if not rules.can_see_process(author, process):
        raise PermissionDenied(_("You cannot see this process."))
    require_phase(process, Action.SUBMIT)
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
    follow_quietly(idea, author)
    return idea


def _require_editable(actor: Any, idea: Idea) -> None:
    require_author(actor, idea)
    if idea.hidden:
        raise error("status", _("Moderators hid this idea."), "hidden")
    require_phase(idea.process, Action.SUBMIT)
    if idea.status not in {IdeaStatus.DRAFT, IdeaStatus.SUBMITTED}:
        raise error(
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
    locked = lock_idea(idea)
    _require_editable(actor, locked)
    _apply_idea_fields(locked, changes)
    _validate_idea(locked)
    locked.save()
    copy_state(locked, idea)
    return idea


@transaction.atomic
def idea_submit(*, actor: Any, idea: Idea) -> Idea:
    """A draft becomes public (submitted)."""
    locked = lock_idea(idea)
    _require_editable(actor, locked)
    if locked.status != IdeaStatus.DRAFT:
        raise error("status", _("This idea was already submitted."), "already_submitted")
    _validate_idea(locked)
    locked.submitted_at = locked.submitted_at or timezone.now()
    set_status(locked, IdeaStatus.SUBMITTED, actor=actor, notify_event=None)
    locked.save()
    copy_state(locked, idea)
    return idea


@transaction.atomic
def idea_withdraw(*, actor: Any, idea: Idea) -> Idea:
    """The author takes the idea back (before a decision). Followers are told."""
    locked = lock_idea(idea)
    if not rules.is_author(actor, locked):
        raise PermissionDenied(_("Only the author can withdraw this idea."))
    require_phase(locked.process, Action.WITHDRAW)
    if locked.status not in rules.WITHDRAWABLE_STATUSES:
        raise error(
            "status",
            _("An idea that is %(status)s cannot be withdrawn."),
            "not_withdrawable",
            status=IdeaStatus(locked.status).label,
        )
    was_public = locked.is_public
    set_status(
        locked,
        IdeaStatus.WITHDRAWN,
        actor=actor,
        notify_event="idea.status_changed" if was_public else None,
    )
    locked.save()
    copy_state(locked, idea)
    return idea


# --- images -------------------------------------------------------------------------------


@transaction.atomic
def idea_image_add(*, actor: Any, idea: Idea, upload: Any, alt_text: str = "") -> IdeaImage:
    """Check, re-encode and store an image of the author's editable idea."""
    locked = lock_idea(idea)
    _require_editable(actor, locked)
    alt = sanitise.plain_text(alt_text)
    errors: FieldErrors = {}
    text_field(errors, "alt_text", alt, ALT_TEXT_MAX)
    raise_errors(errors)
    count = IdeaImage.objects.filter(idea=locked).count()
    if count >= max_images_per_idea():
        raise error(
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
    locked = lock_idea(idea)
    _require_editable(actor, locked)
    if image.idea_id != locked.pk:
        raise error("image", _("Not an image of this idea."), "wrong_idea")
    name = image.file.name
    storage = image.file.storage
    image.delete()
    transaction.on_commit(lambda: storage.delete(name))
