"""What workshops tell people about, registered with the kernel's notification events.

All in the "Workshops I registered for" preference group: a place that became free for
someone on the waiting list, a workshop cancelled, and the reminders a day and an hour
before. E-mail texts: ``workshops/templates/engagement/email/workshop_*.txt``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from engagement.notifications import services as notifications
from engagement.notifications.events import register_event
from engagement.notifications.models import EventGroup
from workshops import times
from workshops.models import Workshop

PROMOTED = "workshop.promoted"
CANCELLED = "workshop.cancelled"
REMINDER_DAY = "workshop.reminder_day"
REMINDER_HOUR = "workshop.reminder_hour"


def register() -> None:
    group = EventGroup.WORKSHOPS
    register_event(PROMOTED, group, _("You have a place at “%(title)s”"))
    register_event(CANCELLED, group, _("“%(title)s” is cancelled"))
    register_event(REMINDER_DAY, group, _("Coming up: “%(title)s”"))
    register_event(REMINDER_HOUR, group, _("Starting soon: “%(title)s”"))


def workshop_path(workshop: Workshop) -> str:
    """The workshop's page, when the pages are installed (else no link)."""
    try:
        return reverse("frontend:workshop_detail", args=[workshop.pk])
    except NoReverseMatch:
        return ""


def context_of(workshop: Workshop, **extra: Any) -> dict[str, Any]:
    """What every workshop message shows: the title, when (in the organisation's zone, as
    the page shows it) and where."""
    tz_name = workshop.organisation.time_zone
    when = times.local_span(workshop.starts_at, workshop.ends_at, tz_name)
    return {
        "title": workshop.title,
        "url": workshop_path(workshop),
        # The inbox's detail line.
        "summary": " · ".join(part for part in (when, workshop.venue) if part),
        "when": when,
        "starts_at": times.iso(workshop.starts_at, tz_name),
        "venue": workshop.venue,
        "address": workshop.address,
        "format": workshop.format,
        **extra,
    }


def tell(
    event: str,
    workshop: Workshop,
    recipients: Iterable[Any],
    *,
    actor: Any = None,
    **extra: Any,
) -> None:
    """Notify ``recipients`` of ``event`` about ``workshop`` (inside the caller's transaction:
    nothing is sent for a write that rolled back)."""
    notifications.notify(
        event,
        recipients=recipients,
        target=workshop,
        actor=actor if getattr(actor, "pk", None) is not None else None,
        context=context_of(workshop, **extra),
    )
