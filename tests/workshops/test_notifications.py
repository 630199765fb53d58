"""The workshop notification events: registered in their own preference group, and each
e-mail renders with the time in the organisation's zone, the place and the page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engagement.notifications.email import render_email
from engagement.notifications.events import EVENTS
from engagement.notifications.models import EventGroup, Notification
from tests import factories
from tests.workshops.factories import WorkshopFactory
from workshops import notifications

pytestmark = pytest.mark.django_db

ALL = (
    notifications.PROMOTED,
    notifications.CANCELLED,
    notifications.REMINDER_DAY,
    notifications.REMINDER_HOUR,
)


def test_events_are_registered_in_the_workshop_group():
    assert {name: EVENTS[name].group for name in ALL} == dict.fromkeys(ALL, EventGroup.WORKSHOPS)


@pytest.mark.parametrize("event", ALL)
def test_each_email_renders(event):
    organisation = factories.OrganisationFactory(time_zone="Europe/Warsaw")
    workshop = WorkshopFactory(
        organisation=organisation,
        title="Riverside park",
        format="hybrid",
        online_url="https://meet.example/secret",
        starts_at=datetime(2030, 6, 15, 8, 0, tzinfo=UTC),
        ends_at=datetime(2030, 6, 15, 10, 30, tzinfo=UTC),
        venue="Library",
    )
    person = factories.UserFactory(display_name="Ola")
    notifications.tell(event, workshop, [person], reason="Flooded hall")
    message = render_email(Notification.objects.get(recipient=person))
    assert "Riverside park" in message.subject
    assert "Hello Ola" in message.body
    assert "10:00\u201312:30 CEST" in message.body
    assert "secret" not in message.body
    if event == notifications.CANCELLED:
        assert "Flooded hall" in message.body
    else:
        assert "Library" in message.body
    assert f"/workshops/{workshop.pk}/" in message.body
