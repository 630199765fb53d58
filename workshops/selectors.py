"""Reads of workshops: lists (upcoming and past, per organisation, process or round, by
format and district), one workshop as a visitor may see it, a person's own registration,
the online link when it may be shown, and the staff check-in list."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from engagement.people import permissions as people_permissions
from engagement.people.models import District, Organisation
from workshops.models import Registration, RegistrationStatus, Workshop, WorkshopStatus
from workshops.permissions import can_facilitate

# The online link shows from this long before the start (people test their sound first).
ONLINE_LINK_OPENS = timedelta(minutes=30)
UPCOMING, PAST = "upcoming", "past"


def _with_counts(workshops: QuerySet[Workshop]) -> QuerySet[Workshop]:
    """With ``waitlisted``, counted in a subquery: joins made by filters (facilitators) do
    not multiply it."""
    waiting = (
        Registration.objects.filter(workshop=OuterRef("pk"), status=RegistrationStatus.WAITLISTED)
        .order_by()
        .values("workshop")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return workshops.select_related("organisation", "district", "process", "budget_round").annotate(
        waitlisted=Coalesce(Subquery(waiting, output_field=IntegerField()), 0)
    )


def visible_to(user: Any) -> QuerySet[Workshop]:
    """Published and cancelled workshops, and drafts of organisations where ``user`` is staff
    or which they facilitate."""
    workshops = Workshop.objects.all()
    staff_of = people_permissions.staff_organisation_ids(user)
    if staff_of is None:
        return workshops
    visible = ~Q(status=WorkshopStatus.DRAFT) | Q(organisation_id__in=staff_of)
    if getattr(user, "is_authenticated", False) and user.pk is not None:
        # A subquery, not a join: one row per workshop whatever its facilitators.
        facilitated = Workshop.facilitators.through.objects.filter(user_id=user.pk).values(
            "workshop_id"
        )
        visible |= Q(pk__in=facilitated)
    return workshops.filter(visible)


def workshop_list(
    user: Any,
    *,
    organisation: Organisation | str | int | None = None,
    process_id: int | None = None,
    round_id: int | None = None,
    when: str | None = None,
    format: str | None = None,
    district: District | str | int | None = None,
    process: str | None = None,
    budget_round: str | None = None,
    now: datetime | None = None,
) -> QuerySet[Workshop]:
    """Workshops ``user`` may see, filtered; each annotated with ``waitlisted``.

    ``when="upcoming"``: not yet ended, soonest first; ``"past"``: ended, latest first.
    ``organisation``/``district`` take an object, an id or a slug; ``process`` and
    ``budget_round`` take slugs (the API's filters), ``process_id``/``round_id`` ids.
    """
    now = now or timezone.now()
    workshops = visible_to(user)
    if isinstance(organisation, Organisation):
        workshops = workshops.filter(organisation=organisation)
    elif isinstance(organisation, int):
        workshops = workshops.filter(organisation_id=organisation)
    elif organisation:
        workshops = workshops.filter(organisation__slug=organisation)
    if process_id is not None:
        workshops = workshops.filter(process_id=process_id)
    if process:
        workshops = workshops.filter(process__slug=process)
    if round_id is not None:
        workshops = workshops.filter(budget_round_id=round_id)
    if budget_round:
        workshops = workshops.filter(budget_round__slug=budget_round)
    if format:
        workshops = workshops.filter(format=format)
    if isinstance(district, District):
        workshops = workshops.filter(district=district)
    elif isinstance(district, int):
        workshops = workshops.filter(district_id=district)
    elif district:
        workshops = workshops.filter(district__slug=district)
    if when == UPCOMING:
        workshops = workshops.filter(ends_at__gt=now).order_by("starts_at", "pk")
    elif when == PAST:
        workshops = workshops.filter(ends_at__lte=now).order_by("-starts_at", "-pk")
    else:
        workshops = workshops.order_by("starts_at", "pk")
    return _with_counts(workshops)


def visible_workshop(user: Any, pk: int) -> Workshop:
    """The workshop ``pk`` if ``user`` may see it (annotated like the list); else 404."""
    workshop = _with_counts(visible_to(user).filter(pk=pk)).first()
    if workshop is None:
        raise Http404
    return workshop


def workshop_by_pk(pk: int) -> Workshop:
    """Any workshop, whoever asks (staff views check the role next)."""
    workshop = _with_counts(Workshop.objects.filter(pk=pk)).first()
    if workshop is None:
        raise Http404
    return workshop


def workshops_for_round(round_id: int) -> list[Workshop]:
    """Published workshops of a budget round (known by id: budgeting never imports this)."""
    return list(
        _with_counts(
            Workshop.objects.filter(budget_round_id=round_id).exclude(status=WorkshopStatus.DRAFT)
        ).order_by("starts_at", "pk")
    )


def workshops_for_process(process_id: int) -> list[Workshop]:
    return list(
        _with_counts(
            Workshop.objects.filter(process_id=process_id).exclude(status=WorkshopStatus.DRAFT)
        ).order_by("starts_at", "pk")
    )


def upcoming_workshops(
    organisation: Organisation | int, *, now: datetime | None = None
) -> QuerySet[Workshop]:
    """The organisation's published workshops that have not ended, soonest first."""
    now = now or timezone.now()
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return _with_counts(
        Workshop.objects.filter(
            organisation_id=org_id, status=WorkshopStatus.PUBLISHED, ends_at__gt=now
        )
    ).order_by("starts_at", "pk")


def published_workshops(organisation: Organisation | int) -> QuerySet[Workshop]:
    """Every published or cancelled workshop of the organisation (the calendar feed)."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return (
        Workshop.objects.filter(organisation_id=org_id)
        .exclude(status=WorkshopStatus.DRAFT)
        .select_related("organisation")
        .order_by("starts_at", "pk")
    )


def my_registration(user: Any, workshop: Workshop) -> Registration | None:
    """The signed-in person's registration (of any status, cancelled included), if any."""
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return None
    return Registration.objects.filter(workshop=workshop, user=user).first()


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first in line; None when not waiting."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        workshop_id=registration.workshop_id,
        status=RegistrationStatus.WAITLISTED,
    ).filter(
        Q(registered_at__lt=registration.registered_at)
        | Q(registered_at=registration.registered_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def online_link_for(user: Any, workshop: Workshop, *, now: datetime | None = None) -> str | None:
    """The meeting link, for confirmed participants, facilitators and staff, from
    :data:`ONLINE_LINK_OPENS` before the start until the end; else None (the link is what
    keeps strangers out of the meeting, so it is never public)."""
    if not workshop.online_url or workshop.status != WorkshopStatus.PUBLISHED:
        return None
    now = now or timezone.now()
    if not (workshop.starts_at - ONLINE_LINK_OPENS <= now < workshop.ends_at):
        return None
    if can_facilitate(user, workshop):
        return workshop.online_url
    registration = my_registration(user, workshop)
    if registration is not None and registration.status == RegistrationStatus.CONFIRMED:
        return workshop.online_url
    return None


def attendance(workshop: Workshop) -> QuerySet[Registration]:
    """Confirmed registrations with their people, by name: the check-in list."""
    return (
        Registration.objects.filter(workshop=workshop, status=RegistrationStatus.CONFIRMED)
        .select_related("user")
        .order_by("user__display_name", "user__email", "pk")
    )


def waitlist(workshop: Workshop) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(workshop=workshop, status=RegistrationStatus.WAITLISTED)
        .select_related("user")
        .order_by("registered_at", "pk")
    )


def registrations_of(user: Any) -> QuerySet[Registration]:
    """A person's registrations (not cancelled), soonest workshop first."""
    if not getattr(user, "is_authenticated", False):
        return Registration.objects.none()
    return (
        Registration.objects.filter(user=user)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("workshop", "workshop__organisation")
        .order_by("workshop__starts_at", "pk")
    )


def open_workshops_count(organisation_id: int) -> int:
    """Dashboard: the organisation's published workshops still to come."""
    return upcoming_workshops(organisation_id).count()
