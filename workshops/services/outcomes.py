"""After the workshop: minutes, photos (with a description for people who cannot see
them), and the public outcome page. Administrators of the organisation only.

Photos go through the kernel's image check (real type decoded, re-encoded without
metadata such as GPS, scaled down); its refusals keep their codes on the ``image`` field.
"""

from __future__ import annotations

from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from engagement.content import images, sanitise
from workshops.models import Workshop, WorkshopPhoto, WorkshopStatus
from workshops.permissions import require_manager

MAX_PHOTOS = 30


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


@transaction.atomic
def set_minutes(*, actor: Any, workshop: Workshop, minutes: str) -> Workshop:
    """Replace the minutes (rich text, sanitised)."""
    require_manager(actor, workshop.organisation_id)
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    workshop.minutes = sanitise.rich_text(minutes or "")
    workshop.save(update_fields=["minutes", "updated_at"])
    return workshop


@transaction.atomic
def add_photo(*, actor: Any, workshop: Workshop, upload: IO[bytes], alt_text: str) -> WorkshopPhoto:
    """A photo at the end of the workshop's photos. The description is required: the
    outcome page is read by screen readers too."""
    require_manager(actor, workshop.organisation_id)
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    text = sanitise.plain_text(alt_text or "")
    if not text:
        raise _error("alt_text", _("Describe the photo for people who cannot see it."), "required")
    if len(text) > 300:
        raise _error("alt_text", _("At most 300 characters."), "max_length")
    if workshop.photos.count() >= MAX_PHOTOS:
        raise _error(
            "image", _("At most %(count)s photos.") % {"count": MAX_PHOTOS}, "too_many_photos"
        )
    clean = images.clean_image(upload)
    last = workshop.photos.aggregate(last=Max("position"))["last"]
    photo = WorkshopPhoto(
        workshop=workshop,
        width=clean.width,
        height=clean.height,
        alt_text=text,
        position=0 if last is None else last + 1,
    )
    photo.file.save(clean.content.name, clean.content, save=False)
    photo.save()
    return photo


@transaction.atomic
def remove_photo(*, actor: Any, photo: WorkshopPhoto) -> None:
    require_manager(actor, photo.workshop.organisation_id)
    stored = photo.file.name
    storage = photo.file.storage
    photo.delete()
    # The file goes only once the row is gone for good.
    transaction.on_commit(lambda: storage.delete(stored) if stored else None)


@transaction.atomic
def publish_outcome(*, actor: Any, workshop: Workshop) -> Workshop:
    """Show the outcome page (minutes, photos, the read-only board) to everyone. Only once
    the workshop has ended (``not_ended``); not for a cancelled one (``cancelled``)."""
    require_manager(actor, workshop.organisation_id)
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if workshop.status != WorkshopStatus.PUBLISHED:
        raise _error("status", _("Only a held workshop has an outcome."), "cancelled")
    if workshop.ends_at > timezone.now():
        raise _error("status", _("The workshop has not ended yet."), "not_ended")
    if workshop.outcome_published_at is None:
        workshop.outcome_published_at = timezone.now()
        workshop.save(update_fields=["outcome_published_at", "updated_at"])
    return workshop
