"""Calendar files (iCalendar, RFC 5545): one per workshop, and an organisation's feed.

Times carry the organisation's zone (``TZID`` with its ``VTIMEZONE``), so a calendar shows
the workshop at the right hour on both sides of a daylight-saving change and in the
viewer's own zone. The ``UID`` depends only on the workshop and the site, so re-importing a
file or re-reading the feed updates the same event; a cancelled workshop stays in the feed
with ``STATUS:CANCELLED``, so calendars that subscribed remove it. The online meeting link is
never in a file (files are public and forwarded); the ``URL`` is the workshop's page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vGeo

from engagement.content import sanitise
from engagement.people.models import Organisation
from workshops import times
from workshops.models import Workshop, WorkshopFormat, WorkshopStatus
from workshops.notifications import workshop_path
from workshops.selectors import published_workshops

PRODUCT = "-//Kopa//Workshops//EN"


def uid_of(workshop: Workshop, site_url: str) -> str:
    host = urlsplit(site_url).hostname or "kopa"
    return f"workshop-{workshop.pk}@{host}"


def _location(workshop: Workshop) -> str:
    place = ", ".join(part for part in (workshop.venue, workshop.address) if part)
    # The link itself stays out: files are public and forwarded.
    online = _("Online (the link is on the workshop's page for registered participants)")
    if workshop.format == WorkshopFormat.ONLINE:
        return online
    if workshop.format == WorkshopFormat.HYBRID:
        return f"{place} / {online}" if place else online
    return place


def _description(workshop: Workshop) -> str:
    parts = []
    if workshop.status == WorkshopStatus.CANCELLED:
        cancelled = _("This workshop is cancelled.")
        if workshop.cancellation_reason:
            cancelled = f"{cancelled} {workshop.cancellation_reason}"
        parts.append(cancelled)
    text = sanitise.text_of(workshop.description or "")
    if text:
        parts.append(text)
    if workshop.accessibility:
        parts.append(workshop.accessibility)
    return "\n\n".join(parts)


def _event(workshop: Workshop, site_url: str) -> Event:
    tz = times.zone(workshop.organisation.time_zone)
    event = Event()
    event.add("uid", uid_of(workshop, site_url))
    event.add("dtstamp", workshop.updated_at or workshop.created_at)
    event.add("last-modified", workshop.updated_at or workshop.created_at)
    event.add("dtstart", workshop.starts_at.astimezone(tz))
    event.add("dtend", workshop.ends_at.astimezone(tz))
    event.add("summary", workshop.title)
    location = _location(workshop)
    if location:
        event.add("location", location)
    if workshop.latitude is not None and workshop.longitude is not None:
        event.add("geo", vGeo((float(workshop.latitude), float(workshop.longitude))))
    description = _description(workshop)
    if description:
        event.add("description", description)
    path = workshop_path(workshop)
    if path:
        event.add("url", site_url.rstrip("/") + path)
    event.add("status", "CANCELLED" if workshop.status == WorkshopStatus.CANCELLED else "CONFIRMED")
    # Sequence grows with each change so calendars take the newer version.
    event.add("sequence", int((workshop.updated_at or workshop.created_at).timestamp()) // 60)
    return event


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def _finish(calendar: Calendar) -> bytes:
    # One VTIMEZONE for each TZID used, generated from the zone database.
    calendar.add_missing_timezones()
    return calendar.to_ical()


def workshop_ics(workshop: Workshop, *, site_url: str) -> bytes:
    """One workshop as an ``.ics`` file."""
    calendar = _calendar(workshop.title)
    calendar.add_component(_event(workshop, site_url))
    return _finish(calendar)


def organisation_feed(organisation: Organisation, *, site_url: str) -> bytes:
    """The organisation's published workshops (cancelled ones marked), for subscribing."""
    calendar = _calendar(organisation.name)
    calendar.add("x-wr-timezone", organisation.time_zone)
    for workshop in published_workshops(organisation):
        workshop.organisation = organisation
        calendar.add_component(_event(workshop, site_url))
    return _finish(calendar)
