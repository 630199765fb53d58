"""Implementation tracking of selected projects: services (writes) and selectors (reads).

Who: administrators of the round's organisation (``permissions.can_manage_organisation``)
report; anyone who may see the round reads; signed-in people follow.
When: phases that enable ``Action.TRACK_IMPLEMENTATION`` (results, implementation,
evaluation). What: projects the vote selected (status ``selected`` or ``implemented``).

Each update is public, dated, sanitised (``engagement.content.sanitise``) and may carry photos
(checked and re-encoded by ``engagement.content.images``). Followers hear about it through
``engagement.notifications.services.notify`` — queued after commit, never sent in the request.
Completing a project marks it ``implemented`` (and sets progress to 100); moving it out of
``completed`` makes it ``selected`` again.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from budgeting import phases
from budgeting.models import (
    BudgetRound,
    ImplementationImage,
    ImplementationStatus,
    ImplementationUpdate,
    Project,
    ProjectFollow,
    ProjectImplementation,
    ProjectStatus,
)
from budgeting.phases import Action
from engagement.content.images import clean_image
from engagement.content.sanitise import plain_text, rich_text, text_of
from engagement.notifications.services import notify
from engagement.people import permissions

TRACKED_STATUSES = (ProjectStatus.SELECTED, ProjectStatus.IMPLEMENTED)
MAX_IMAGES_PER_UPDATE = 6
MAX_TEXT_LENGTH = 20_000


@dataclass
class ImageUpload:
    file: IO[bytes]
    description: str = ""


@dataclass
class ImplementationView:
    """What citizens see of a project's implementation."""

    project: Project
    status: str
    progress: int
    updated_at: datetime.datetime | None
    followers: int
    following: bool | None
    updates: list[ImplementationUpdate] = field(default_factory=list)


# --- checks ----------------------------------------------------------------------------------


def require_reporter(actor: Any, project: Project) -> None:
    """Administrators of the organisation report on implementation (and the system,
    ``permissions.SYSTEM``, when seeding). The API asks before it reads the request body."""
    if not permissions.can_manage_organisation(actor, project.round.organisation_id):
        raise PermissionDenied(
            _("Only administrators of this organisation can report on implementation.")
        )


def _require_tracker(actor: Any, project: Project) -> None:
    """An administrator (:func:`require_reporter`), a tracking phase, a selected project."""
    budget_round = project.round
    require_reporter(actor, project)
    if not phases.allows(budget_round.phase, Action.TRACK_IMPLEMENTATION):
        raise ValidationError(
            {
                "phase": ValidationError(
                    _("Not possible in the %(phase)s phase."),
                    code="wrong_phase",
                    params={"phase": budget_round.get_phase_display()},
                )
            }
        )
    if project.status not in TRACKED_STATUSES:
        raise ValidationError(
            {
                "project": ValidationError(
                    _("Only projects selected in the vote are tracked."), code="not_selected"
                )
            }
        )


def _validate_progress(progress: int | None) -> None:
    if progress is not None and not 0 <= progress <= 100:
        raise ValidationError(
            {
                "progress": ValidationError(
                    _("Progress is a percentage from 0 to 100."), code="progress_out_of_range"
                )
            }
        )


def _validate_status(status: str | None) -> None:
    if status is not None and status not in ImplementationStatus.values:
        raise ValidationError(
            {"status": ValidationError(_("Unknown status."), code="unknown_status")}
        )


def _apply(implementation: ProjectImplementation, status: str | None, progress: int | None) -> None:
    _validate_status(status)
    _validate_progress(progress)
    if status is not None:
        implementation.status = status
    if progress is not None:
        implementation.progress = progress
    if implementation.status == ImplementationStatus.COMPLETED:
        if progress is not None and progress < 100:
            raise ValidationError(
                {
                    "progress": ValidationError(
                        _("A completed project is 100% done."), code="completed_not_100"
                    )
                }
            )
        implementation.progress = 100


def _sync_project_status(project: Project, implementation: ProjectImplementation) -> None:
    wanted = (
        ProjectStatus.IMPLEMENTED
        if implementation.status == ImplementationStatus.COMPLETED
        else ProjectStatus.SELECTED
    )
    if project.status != wanted:
        project.status = wanted
        project.save(update_fields=["status", "updated_at"])


def _locked_implementation(project: Project) -> ProjectImplementation:
    ProjectImplementation.objects.get_or_create(project=project)
    return ProjectImplementation.objects.select_for_update().get(project=project)


def _notify_followers(actor: Any, project: Project, update: ImplementationUpdate | None) -> None:
    followers = [
        f.user for f in ProjectFollow.objects.filter(project=project).select_related("user")
    ]
    if not followers:
        return
    budget_round = project.round
    implementation = project.implementation
    notify(
        "project.implementation_updated",
        recipients=followers,
        target=project,
        actor=permissions.person_or_none(actor),
        context={
            "title": project.title,
            "round": budget_round.slug,
            "project": project.external_id,
            "status": implementation.status,
            "progress": implementation.progress,
            "update": update.pk if update is not None else None,
            "summary": text_of(update.text)[:280] if update is not None else "",
            "url": project.get_absolute_url(),
        },
    )


# --- services --------------------------------------------------------------------------------


@transaction.atomic
def implementation_set(
    *, actor: Any, project: Project, status: str | None = None, progress: int | None = None
) -> ProjectImplementation:
    """Change a project's status and/or progress; followers are told."""
    _require_tracker(actor, project)
    implementation = _locked_implementation(project)
    before = (implementation.status, implementation.progress)
    _apply(implementation, status, progress)
    implementation.full_clean(exclude=["project"])
    implementation.save()
    _sync_project_status(project, implementation)
    project.implementation = implementation
    if (implementation.status, implementation.progress) != before:
        _notify_followers(actor, project, None)
    return implementation


@transaction.atomic
def implementation_update_post(
    *,
    actor: Any,
    project: Project,
    text: str,
    happened_on: datetime.date | None = None,
    status: str | None = None,
    progress: int | None = None,
    images: Sequence[ImageUpload] = (),
) -> ImplementationUpdate:
    """Publish a dated update (sanitised text, optional photos, optional new status and
    progress); followers are told after commit."""
    _require_tracker(actor, project)
    clean_text = rich_text(text)
    if not plain_text(clean_text):
        raise ValidationError({"text": ValidationError(_("Write what happened."), code="required")})
    if len(clean_text) > MAX_TEXT_LENGTH:
        raise ValidationError(
            {
                "text": ValidationError(
                    _("At most %(n)s characters.") % {"n": MAX_TEXT_LENGTH}, code="max_length"
                )
            }
        )
    today = timezone.localdate()
    happened_on = happened_on or today
    if happened_on > today:
        raise ValidationError(
            {
                "happened_on": ValidationError(
                    _("The date cannot be in the future."), code="future_date"
                )
            }
        )
    if len(images) > MAX_IMAGES_PER_UPDATE:
        raise ValidationError(
            {
                "images": ValidationError(
                    _("At most %(n)s images per update.") % {"n": MAX_IMAGES_PER_UPDATE},
                    code="too_many_images",
                )
            }
        )
    cleaned = []
    for upload in images:
        try:
            cleaned.append((clean_image(upload.file), upload.description))
        except ValidationError as error:
            # The checker reports on its own "image" field; here the field is "images".
            raise ValidationError({"images": error.error_dict.get("image", [error])}) from None

    implementation = _locked_implementation(project)
    _apply(implementation, status, progress)
    implementation.full_clean(exclude=["project"])
    implementation.save()
    _sync_project_status(project, implementation)
    project.implementation = implementation

    update = ImplementationUpdate.objects.create(
        project=project,
        author=permissions.person_or_none(actor),
        happened_on=happened_on,
        text=clean_text,
        status=implementation.status,
        progress=implementation.progress,
    )
    for position, (image, description) in enumerate(cleaned):
        picture = ImplementationImage(
            update=update,
            description=plain_text(description)[:300],
            position=position,
        )
        picture.image.save(image.content.name, image.content, save=False)
        picture.save()
    _notify_followers(actor, project, update)
    return update


@transaction.atomic
def project_follow(*, user: Any, project: Project) -> ProjectFollow:
    """Follow a project's implementation. Idempotent."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to follow a project."))
    try:
        with transaction.atomic():
            follow, _created = ProjectFollow.objects.get_or_create(project=project, user=user)
    except IntegrityError:  # a concurrent follow won
        follow = ProjectFollow.objects.get(project=project, user=user)
    return follow


@transaction.atomic
def project_unfollow(*, user: Any, project: Project) -> None:
    """Stop following. Idempotent."""
    ProjectFollow.objects.filter(project=project, user=user).delete()


# --- selectors -------------------------------------------------------------------------------


def trackable_projects(budget_round: BudgetRound) -> QuerySet[Project]:
    return Project.objects.filter(round=budget_round, status__in=TRACKED_STATUSES)


def implementation_of(project: Project, *, viewer: Any = None) -> ImplementationView:
    """A project's implementation as citizens see it; 3 queries whatever the size."""
    implementation = ProjectImplementation.objects.filter(project=project).first()
    updates = list(
        ImplementationUpdate.objects.filter(project=project)
        .prefetch_related(
            Prefetch("images", ImplementationImage.objects.order_by("position", "id"))
        )
        .order_by("-happened_on", "-id")
    )
    counts = ProjectFollow.objects.filter(project=project).aggregate(n=Count("id"))
    following = None
    if getattr(viewer, "is_authenticated", False):
        following = ProjectFollow.objects.filter(project=project, user=viewer).exists()
    return ImplementationView(
        project=project,
        status=implementation.status if implementation else ImplementationStatus.PLANNED,
        progress=implementation.progress if implementation else 0,
        updated_at=implementation.updated_at if implementation else None,
        followers=counts["n"],
        following=following,
        updates=updates,
    )


def followed_projects(user: Any) -> QuerySet[ProjectFollow]:
    return ProjectFollow.objects.filter(user=user).select_related("project__round")
