"""Reminders when the task runs concurrently (PostgreSQL only): each person is reminded
once, whichever run claims them."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from engagement.notifications.models import Notification
from tests.workshops.factories import RegistrationFactory, WorkshopFactory
from tests.workshops.services.test_registration_concurrency import race
from workshops.services import reminders

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_runs_remind_everyone_exactly_once():
    start = timezone.now() + timedelta(hours=20)
    workshop = WorkshopFactory(starts_at=start, ends_at=start + timedelta(hours=2), capacity=None)
    people = [RegistrationFactory(workshop=workshop).user for _ in range(30)]

    results = race([reminders.send_due_reminders] * 8)

    assert all(isinstance(r, dict) for r in results), results
    assert sum(r["day"] for r in results) == 30
    told = Counter(
        Notification.objects.filter(event="workshop.reminder_day").values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {p.pk: 1 for p in people}
