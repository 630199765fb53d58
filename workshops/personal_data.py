"""What workshops hold about a person, for the personal-data export and account deletion.

Registered with the kernel (``engagement.personal_data``) when the app loads.

Export: every registration (with the answers still kept) and every note the person posted
on a board, with the name they showed.

Deletion: registrations go. A confirmed place at a workshop still to come is given up as a
cancellation would be (the first person waiting gets it, and is told), so the count of
places stays right. The person's board seats stay as anonymous seats — their notes and dots
remain part of what the workshop produced, as an anonymous guest's do — but nothing leads
back to them: the seat loses its account (an unusable random token takes its place), and the
names they showed on their notes are cleared.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.db.models import F

from engagement import personal_data
from engagement.personal_data import iso
from workshops.models import BoardParticipant, Note, Registration, RegistrationStatus, Workshop
from workshops.services.registration import fill_free_places


def _registrations(user: Any) -> list[dict[str, Any]]:
    return [
        {
            "workshop": r.workshop_id,
            "workshop_title": r.workshop.title,
            "organisation": r.workshop.organisation.slug,
            "starts_at": iso(r.workshop.starts_at),
            "ends_at": iso(r.workshop.ends_at),
            "status": r.status,
            "registered_at": iso(r.registered_at),
            "promoted_at": iso(r.promoted_at),
            "cancelled_at": iso(r.cancelled_at),
            "attended": r.attended,
            "checked_in_at": iso(r.checked_in_at),
            "accessibility_needs": r.accessibility_needs,
            "dietary_needs": r.dietary_needs,
            "answers_deleted_at": iso(r.answers_deleted_at),
        }
        for r in Registration.objects.filter(user=user)
        .select_related("workshop", "workshop__organisation")
        .order_by("registered_at", "pk")
    ]


def _notes(user: Any) -> list[dict[str, Any]]:
    return [
        {
            "workshop": n.workshop_id,
            "workshop_title": n.workshop.title,
            "prompt": n.prompt.text,
            "text": n.text,
            "display_name": n.display_name,
            "idea_consent": n.idea_consent,
            "hidden": n.hidden,
            "created_at": iso(n.created_at),
        }
        for n in Note.objects.filter(participant__user=user)
        .select_related("workshop", "prompt")
        .order_by("created_at", "pk")
    ]


def _give_up_places(user: Any) -> None:
    confirmed = Registration.objects.filter(user=user, status=RegistrationStatus.CONFIRMED)
    for workshop_id in confirmed.values_list("workshop_id", flat=True).order_by("workshop_id"):
        # Locked in id order, as registering locks it: the count and the queue move together.
        workshop = Workshop.objects.select_for_update().get(pk=workshop_id)
        Registration.objects.filter(user=user, workshop=workshop).delete()
        Workshop.objects.filter(pk=workshop_id, registered__gt=0).update(
            registered=F("registered") - 1
        )
        workshop.registered = max(0, workshop.registered - 1)
        fill_free_places(workshop)
    Registration.objects.filter(user=user).delete()


def _unlink_board(user: Any) -> None:
    seats = list(BoardParticipant.objects.filter(user=user).values_list("pk", flat=True))
    if not seats:
        return
    Note.objects.filter(participant_id__in=seats).update(display_name="", idea_consent=False)
    for seat in seats:
        # A digest of a token nobody holds: the seat is an anonymous guest's from now on.
        digest = hashlib.sha256(secrets.token_bytes(32)).hexdigest()
        BoardParticipant.objects.filter(pk=seat).update(user=None, guest_token_digest=digest)


@transaction.atomic
def _before_deletion(user: Any) -> None:
    _give_up_places(user)
    _unlink_board(user)


def register() -> None:
    personal_data.register_section("workshop_registrations", _registrations, position=170)
    personal_data.register_section("workshop_notes", _notes, position=171)
    personal_data.register_before_deletion(_before_deletion)
