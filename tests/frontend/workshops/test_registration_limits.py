"""Registering for workshops and cancelling is rate-limited per person (scope
``workshop_registration``), on the page and in the API with one budget: enough to change
one's mind, not to flood a waiting list with notifications."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.throttling import ScopedRateThrottle

from tests.factories import UserFactory
from tests.workshops.factories import WorkshopFactory
from workshops.models import Registration, RegistrationStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def registration_rate(monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "workshop_registration", "2/min")


@pytest.fixture
def workshop(riga):
    return WorkshopFactory(organisation=riga, capacity=5, asks_accessibility_needs=False)


def test_the_third_change_within_the_minute_is_refused_and_changes_nothing(client, workshop):
    resident = UserFactory()
    client.force_login(resident)
    page = reverse("frontend:workshop_detail", args=[workshop.pk])
    client.post(page, {})
    client.post(page, {"action": "cancel"})
    refused = client.post(page, {}, follow=True)
    assert "Too many attempts in a short time" in refused.content.decode()
    registration = Registration.objects.get(workshop=workshop, user=resident)
    assert registration.status == RegistrationStatus.CANCELLED


def test_the_page_and_the_api_share_one_budget_per_person(client, workshop):
    resident = UserFactory()
    client.force_login(resident)
    client.post(reverse("frontend:workshop_detail", args=[workshop.pk]), {})
    api = reverse("api:workshop-registration", args=[workshop.pk])
    assert client.delete(api).status_code == 200
    refused = client.post(api, {}, content_type="application/json")
    assert refused.status_code == 429
    assert Registration.objects.get(user=resident).status == RegistrationStatus.CANCELLED


def test_another_person_is_not_held_back(client, workshop):
    first, second = UserFactory(), UserFactory()
    client.force_login(first)
    page = reverse("frontend:workshop_detail", args=[workshop.pk])
    client.post(page, {})
    client.post(page, {"action": "cancel"})
    client.force_login(second)
    client.post(page, {})
    assert Registration.objects.get(user=second).status == RegistrationStatus.CONFIRMED


def test_reading_ones_registration_is_not_counted(client, workshop):
    resident = UserFactory()
    client.force_login(resident)
    api = reverse("api:workshop-registration", args=[workshop.pk])
    for _ in range(3):
        assert client.get(api).status_code == 200
    assert client.post(api, {}, content_type="application/json").status_code == 201
