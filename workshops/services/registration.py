"""People register for a workshop and cancel; the waiting list moves up by itself.

Capacity holds under concurrent registration because every register and cancel first locks
the workshop row (``SELECT … FOR UPDATE``): the count of confirmed places
(``Workshop.registered``, changed only with ``F()`` updates) is read and changed by one
transaction at a time, and the database's ``workshop_not_overbooked`` check refuses any
write that would overbook all the same. When the workshop is full a person joins the
waiting list (if the workshop has one; else ``full``). A cancelled place goes to the first
person waiting (by the time they registered), who is told.

Refusals are ``ValidationError``s on ``registration`` with a stable code:
``not_published``, ``cancelled``, ``started``, ``registration_closed``, ``age_unknown``
(add a birth year to the profile), ``too_young``, ``already_registered``, ``full``,
``not_registered``, and for check-in ``not_confirmed``. An answer too long is refused on its
own field (``max_length``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from engagement.content import sanitise
from engagement.people.models import ResidentProfile
from workshops import notifications, times
from workshops.models import Registration, RegistrationStatus, Workshop, WorkshopStatus
from workshops.permissions import require_check_in

ACTIVE = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
ANSWER_MAX = 1000
FIELD = "registration"


def _refuse(message: str, code: str, field: str = FIELD, **params: Any) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def _lock(workshop: Workshop) -> Workshop:
    return Workshop.objects.select_for_update().select_related("organisation").get(pk=workshop.pk)


def _answer(workshop: Workshop, field: str, value: str, asked: bool) -> str:
    """The answer kept: only when the workshop asks for it (answers are personal data)."""
    if not asked:
        return ""
    text = sanitise.plain_text(value or "", multiline=True)
    if len(text) > ANSWER_MAX:
        raise _refuse(
            _("At most %(limit)s characters.") % {"limit": ANSWER_MAX}, "max_length", field
        )
    return text


def registration_refusal(
    user: Any, workshop: Workshop, *, now: Any = None
) -> ValidationError | None:
    """Why ``user`` may not register for ``workshop`` now (ignoring places), or None.
    Pages call it to explain before anyone presses the button."""
    now = now or timezone.now()
    if workshop.status == WorkshopStatus.DRAFT:
        return _refuse(_("This workshop is not open for registration."), "not_published")
    if workshop.status == WorkshopStatus.CANCELLED:
        return _refuse(_("This workshop is cancelled."), "cancelled")
    if workshop.starts_at <= now:
        return _refuse(_("This workshop has already started."), "started")
    if workshop.registration_closes_at is not None and workshop.registration_closes_at <= now:
        return _refuse(_("Registration for this workshop has closed."), "registration_closed")
    if workshop.minimum_age:
        birth_year = (
            ResidentProfile.objects.filter(user_id=user.pk)
            .values_list("birth_year", flat=True)
            .first()
        )
        year = times.to_local(workshop.starts_at, workshop.organisation.time_zone).year
        if birth_year is None:
            return _refuse(
                _(
                    "This workshop is for people aged %(age)s or over: add your birth year to "
                    "your profile, then register."
                )
                % {"age": workshop.minimum_age},
                "age_unknown",
            )
        # Only the birth year is stored: the age reached during the workshop's year counts.
        if year - birth_year < workshop.minimum_age:
            return _refuse(
                _("This workshop is for people aged %(age)s or over.")
                % {"age": workshop.minimum_age},
                "too_young",
            )
    return None


def _has_free_place(workshop: Workshop) -> bool:
    return workshop.capacity is None or workshop.registered < workshop.capacity


def _take_place(workshop: Workshop) -> None:
    """One more confirmed place, counted by the database (the check constraint refuses an
    overbooking even if a caller forgot the lock)."""
    Workshop.objects.filter(pk=workshop.pk).update(registered=F("registered") + 1)
    workshop.registered += 1


def _free_place(workshop: Workshop) -> None:
    Workshop.objects.filter(pk=workshop.pk, registered__gt=0).update(registered=F("registered") - 1)
    workshop.registered = max(0, workshop.registered - 1)


@transaction.atomic
def register(
    *, user: Any, workshop: Workshop, accessibility_needs: str = "", dietary_needs: str = ""
) -> Registration:
    """A place for ``user`` (status ``confirmed``), or a place in the queue
    (``waitlisted``) when the workshop is full and has a waiting list."""
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        raise PermissionDenied(_("Sign in to register."))
    workshop = _lock(workshop)
    refusal = registration_refusal(user, workshop)
    if refusal is not None:
        raise refusal
    registration = Registration.objects.filter(workshop=workshop, user=user).first()
    if registration is not None and registration.status in ACTIVE:
        raise _refuse(_("You are already registered for this workshop."), "already_registered")
    accessibility = _answer(
        workshop, "accessibility_needs", accessibility_needs, workshop.asks_accessibility_needs
    )
    dietary = _answer(workshop, "dietary_needs", dietary_needs, workshop.asks_dietary_needs)
    if _has_free_place(workshop):
        status = RegistrationStatus.CONFIRMED
    elif workshop.waitlist_enabled:
        status = RegistrationStatus.WAITLISTED
    else:
        raise _refuse(_("This workshop is full."), "full")
    now = timezone.now()
    if registration is None:
        registration = Registration(workshop=workshop, user=user)
    registration.status = status
    registration.accessibility_needs = accessibility
    registration.dietary_needs = dietary
    registration.answers_deleted_at = None
    # A new registration joins the end of the queue, also after cancelling earlier.
    registration.registered_at = now
    registration.promoted_at = None
    registration.cancelled_at = None
    registration.attended = False
    registration.checked_in_at = None
    registration.reminded_day_at = None
    registration.reminded_hour_at = None
    registration.save()
    if status == RegistrationStatus.CONFIRMED:
        _take_place(workshop)
    registration.workshop = workshop
    return registration


@transaction.atomic
def cancel_registration(*, user: Any, workshop: Workshop) -> Registration:
    """Give up a place (or leave the waiting list) before the start. A freed place goes to
    the first person waiting, who is told."""
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        raise PermissionDenied(_("Sign in to cancel your registration."))
    workshop = _lock(workshop)
    registration = (
        Registration.objects.select_for_update().filter(workshop=workshop, user=user).first()
    )
    if registration is None or registration.status not in ACTIVE:
        raise _refuse(_("You are not registered for this workshop."), "not_registered")
    if workshop.starts_at <= timezone.now():
        raise _refuse(_("This workshop has already started."), "started")
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = timezone.now()
    # The answers were for organising this person's visit, which is off.
    registration.accessibility_needs = ""
    registration.dietary_needs = ""
    registration.save(
        update_fields=["status", "cancelled_at", "accessibility_needs", "dietary_needs"]
    )
    if was_confirmed:
        _free_place(workshop)
        fill_free_places(workshop)
    registration.workshop = workshop
    return registration


def fill_free_places(workshop: Workshop) -> list[Registration]:
    """Give free places to the people waiting, first come first served, and tell them.
    Call with the workshop row locked (inside the caller's transaction). Nothing moves for
    a workshop that is not published or has started: a place given then is no use."""
    if workshop.status != WorkshopStatus.PUBLISHED or workshop.starts_at <= timezone.now():
        return []
    promoted: list[Registration] = []
    while _has_free_place(workshop):
        first = (
            Registration.objects.select_for_update()
            .filter(workshop=workshop, status=RegistrationStatus.WAITLISTED)
            .select_related("user")
            .order_by("registered_at", "pk")
            .first()
        )
        if first is None:
            break
        first.status = RegistrationStatus.CONFIRMED
        first.promoted_at = timezone.now()
        first.save(update_fields=["status", "promoted_at"])
        _take_place(workshop)
        promoted.append(first)
    if promoted:
        # Nobody "did" this to them: the actor is left out (who cancelled stays private).
        notifications.tell(notifications.PROMOTED, workshop, [r.user for r in promoted])
    return promoted


@transaction.atomic
def check_in(*, actor: Any, registration: Registration, attended: bool) -> Registration:
    """Tick a confirmed participant off at the door (or untick a mistake)."""
    workshop = registration.workshop
    require_check_in(actor, workshop)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise _refuse(_("Only people with a confirmed place can be checked in."), "not_confirmed")
    registration.attended = bool(attended)
    registration.checked_in_at = timezone.now() if attended else None
    registration.save(update_fields=["attended", "checked_in_at"])
    return registration
