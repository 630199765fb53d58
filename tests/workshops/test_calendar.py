"""Calendar files parsed back with icalendar: the same instants, the zone, a stable UID,
cancelled status, no online link; the organisation feed lists published workshops only."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from icalendar import Calendar

from engagement.people.models import Organisation
from tests import factories
from tests.workshops.factories import WorkshopFactory
from workshops import calendar
from workshops.models import WorkshopFormat, WorkshopStatus

pytestmark = pytest.mark.django_db
SITE = "https://kopa.example"


def events_of(body: bytes) -> list:
    parsed = Calendar.from_ical(body)
    return [c for c in parsed.walk() if c.name == "VEVENT"]


def test_cancelled_workshop_says_so():
    workshop = WorkshopFactory(
        status=WorkshopStatus.CANCELLED, cancellation_reason="The hall is flooded."
    )
    (event,) = events_of(calendar.workshop_ics(workshop, site_url=SITE))
    assert str(event["STATUS"]) == "CANCELLED"
    assert "The hall is flooded." in str(event["DESCRIPTION"])


def test_online_link_is_never_in_the_file():
    workshop = WorkshopFactory(
        format=WorkshopFormat.HYBRID, online_url="https://meet.example/s3cret"
    )
    body = calendar.workshop_ics(workshop, site_url=SITE)
    assert b"s3cret" not in body
    (event,) = events_of(body)
    assert str(event["LOCATION"]).startswith("Community centre, Brīvības iela 1 / Online")


def test_times_parse_back_equal_across_a_daylight_saving_change():
    organisation = factories.OrganisationFactory(time_zone="Europe/Warsaw")
    # 29 March 2026, 10:00-12:30 CEST (the first day of summer time).
    workshop = WorkshopFactory(
        organisation=organisation,
        starts_at=datetime(2026, 3, 29, 8, 0, tzinfo=UTC),
        ends_at=datetime(2026, 3, 29, 10, 30, tzinfo=UTC),
        latitude=Decimal("54.352025"),
        longitude=Decimal("18.646638"),
        title="Riverside park",
    )
    body = calendar.workshop_ics(workshop, site_url=SITE)
    parsed = Calendar.from_ical(body)
    (event,) = [c for c in parsed.walk() if c.name == "VEVENT"]
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == workshop.starts_at
    assert end == workshop.ends_at
    assert event["DTSTART"].params["TZID"] == "Europe/Warsaw"
    assert start.hour == 10
    assert start.tzname() == "CEST"
    zones = [c for c in parsed.walk() if c.name == "VTIMEZONE"]
    assert [str(z["TZID"]) for z in zones] == ["Europe/Warsaw"]
    assert str(event["SUMMARY"]) == "Riverside park"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert (event["GEO"].latitude, event["GEO"].longitude) == (54.352025, 18.646638)
    assert str(event["UID"]) == f"workshop-{workshop.pk}@kopa.example"


def test_uid_is_stable_across_changes():
    workshop = WorkshopFactory()
    (first,) = events_of(calendar.workshop_ics(workshop, site_url=SITE))
    workshop.title = "New title"
    workshop.save()
    (second,) = events_of(calendar.workshop_ics(workshop, site_url=SITE))
    assert str(first["UID"]) == str(second["UID"])
    assert int(second["SEQUENCE"]) >= int(first["SEQUENCE"])


def test_feed_lists_published_and_cancelled_not_drafts_or_others():
    organisation = factories.OrganisationFactory(name="Jelgava")
    published = WorkshopFactory(organisation=organisation, title="Published")
    cancelled = WorkshopFactory(
        organisation=organisation, title="Called off", status=WorkshopStatus.CANCELLED
    )
    WorkshopFactory(organisation=organisation, title="Draft", status=WorkshopStatus.DRAFT)
    WorkshopFactory(title="Elsewhere")
    body = calendar.organisation_feed(Organisation.objects.get(pk=organisation.pk), site_url=SITE)
    parsed = Calendar.from_ical(body)
    assert str(parsed["X-WR-CALNAME"]) == "Jelgava"
    by_title = {str(e["SUMMARY"]): str(e["STATUS"]) for e in parsed.walk("VEVENT")}
    assert by_title == {"Published": "CONFIRMED", "Called off": "CANCELLED"}
    assert published.pk != cancelled.pk
