"""What the workshop pages show of a workshop: its time in the organisation's zone (with the
data the viewer's-zone script needs), its place, its places left and its target groups."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from engagement.people.models import TargetGroup
from workshops import selectors, times
from workshops.models import Workshop, WorkshopFormat, WorkshopStatus


@dataclass
class TimeSpan:
    """``<time datetime=start data-local-zone=zone data-ends=end>text</time>``."""

    text: str
    start_iso: str
    end_iso: str
    zone: str


@dataclass
class Card:
    workshop: Workshop
    url: str
    title: str
    when: TimeSpan
    format_label: str
    place: str
    cancelled: bool
    capacity: int | None
    registered: int
    places_left: int | None
    waitlisted: int
    waitlist_enabled: bool
    target_groups: list[str] = field(default_factory=list)
    district: str = ""
    draft: bool = False
    past: bool = False
    outcome_url: str = ""
    registration_closed: bool = False


def time_span(workshop: Workshop) -> TimeSpan:
    zone = workshop.organisation.time_zone
    return TimeSpan(
        text=times.local_span(workshop.starts_at, workshop.ends_at, zone),
        start_iso=workshop.starts_at.isoformat(),
        end_iso=workshop.ends_at.isoformat(),
        zone=zone,
    )


def moment_text(moment: Any, zone: str) -> str:
    """ "Mon 14 December 2026, 12:00 EET": one moment, written like the spans."""
    return f"{times.local_date(moment, zone)}, {times.local_time(moment, zone)}"


def place_of(workshop: Workshop) -> str:
    """ "Community centre, Brīvības iela 1", "Online", or both for a hybrid workshop."""
    where = ", ".join(part for part in (workshop.venue, workshop.address) if part)
    if workshop.format == WorkshopFormat.ONLINE:
        return _("Online")
    if workshop.format == WorkshopFormat.HYBRID:
        return _("%(place)s and online") % {"place": where} if where else _("Online")
    return where


def target_group_labels(codes: list[str] | None) -> list[str]:
    labels = dict(TargetGroup.choices)
    return [str(labels[code]) for code in codes or [] if code in labels]


def language_names(codes: list[str] | None) -> list[str]:
    """The content languages' names; any other language by Django's name for it ("ru" ->
    "Russian"), the code only when Django does not know it either."""
    names = dict(settings.KOPA_CONTENT_LANGUAGES)
    return [str(names[code]) if code in names else _language_name(code) for code in codes or []]


def _language_name(code: str) -> str:
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def places_left(workshop: Workshop) -> int | None:
    if workshop.capacity is None:
        return None
    return max(0, workshop.capacity - workshop.registered)


def card(workshop: Workshop) -> Card:
    return Card(
        workshop=workshop,
        url=reverse("frontend:workshop_detail", args=[workshop.pk]),
        title=workshop.title,
        when=time_span(workshop),
        format_label=str(WorkshopFormat(workshop.format).label),
        place=place_of(workshop),
        cancelled=workshop.status == WorkshopStatus.CANCELLED,
        capacity=workshop.capacity,
        registered=workshop.registered,
        places_left=places_left(workshop),
        waitlisted=int(getattr(workshop, "waitlisted", 0) or 0),
        waitlist_enabled=workshop.waitlist_enabled,
        target_groups=target_group_labels(workshop.target_groups),
        district=workshop.district.name if workshop.district_id and workshop.district else "",
        draft=workshop.status == WorkshopStatus.DRAFT,
        past=workshop.ends_at <= timezone.now(),
        registration_closed=workshop.registration_closes_at is not None
        and workshop.registration_closes_at <= timezone.now() < workshop.starts_at,
        outcome_url=reverse("frontend:workshop_outcome", args=[workshop.pk])
        if workshop.outcome_published_at
        else "",
    )


def cards(workshops: Any) -> list[Card]:
    return [card(workshop) for workshop in workshops]


def map_link(workshop: Workshop) -> str | None:
    if workshop.latitude is None or workshop.longitude is None:
        return None
    lat, lon = workshop.latitude, workshop.longitude
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


# --- listings on other pages (organisation, budget round, process) ----------------------------


def listing(workshops: Any, *, all_url: str | None, heading: str = "") -> dict[str, Any]:
    """What ``frontend/workshops/_listing.html`` shows (its heading "Workshops" unless
    given)."""
    return {"cards": cards(workshops), "all_url": all_url, "heading": heading}


def organisation_listing(organisation: Any) -> dict[str, Any]:
    return listing(
        selectors.upcoming_workshops(organisation)[:3],
        all_url=reverse("frontend:workshops_organisation", args=[organisation.slug]),
        heading=_("Upcoming workshops"),
    )


def round_listing(budget_round: Any) -> dict[str, Any]:
    return listing(selectors.workshops_for_round(budget_round.pk), all_url=None)


def process_listing(process: Any) -> dict[str, Any]:
    url = reverse("frontend:workshops_organisation", args=[process.organisation.slug])
    return listing(
        selectors.workshops_for_process(process.pk), all_url=f"{url}?process={process.slug}"
    )
