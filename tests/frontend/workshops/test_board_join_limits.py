"""Joining a board by its code on the pages is rate-limited like the API (scope
``board_join``, one budget for both): codes cannot be guessed without limit, while a room on
one venue network still joins."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.throttling import ScopedRateThrottle

from tests.workshops.factories import board_workshop
from workshops.models import BoardParticipant

pytestmark = pytest.mark.django_db

VENUE = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


@pytest.fixture
def workshop(riga):
    return board_workshop(organisation=riga, title="Riverside park", join_code="K7Q2MX")


@pytest.fixture(autouse=True)
def join_rate(monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "board_join", "3/min")


def _join(client, code):
    return client.post(reverse("frontend:workshop_join"), {"code": code})


def test_the_form_says_to_wait_after_too_many_attempts(workshop):
    guesser = Client(REMOTE_ADDR=VENUE)
    for guess in ("AAAAAA", "BBBBBB", "CCCCCC"):
        assert _join(guesser, guess).status_code == 400
    refused = _join(guesser, "K7Q2MX")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    body = refused.content.decode()
    assert "Too many attempts to join in a short time" in body
    assert "Please wait" in body
    assert 'name="code"' in body  # the form is still there, to try again later
    assert not BoardParticipant.objects.exists()


def test_the_join_link_counts_too(workshop):
    guesser = Client(REMOTE_ADDR=VENUE)
    for guess in ("AAAAAA", "BBBBBB", "CCCCCC"):
        assert guesser.get(reverse("frontend:workshop_join_code", args=[guess])).status_code == 404
    refused = guesser.get(reverse("frontend:workshop_join_code", args=["K7Q2MX"]))
    assert refused.status_code == 429
    assert "Too many attempts to join" in refused.content.decode()
    assert not BoardParticipant.objects.exists()


def test_showing_the_form_is_not_counted(workshop):
    visitor = Client(REMOTE_ADDR=VENUE)
    for _ in range(5):
        assert visitor.get(reverse("frontend:workshop_join")).status_code == 200
    response = _join(visitor, "K7Q2MX")
    assert response.status_code == 302
    assert BoardParticipant.objects.count() == 1


def test_another_address_still_joins(workshop):
    guesser = Client(REMOTE_ADDR=VENUE)
    for _ in range(3):
        _join(guesser, "WRONG1")
    assert _join(guesser, "K7Q2MX").status_code == 429
    response = _join(Client(REMOTE_ADDR=ELSEWHERE), "K7Q2MX")
    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:workshop_board", args=[workshop.pk])
    assert BoardParticipant.objects.count() == 1


def test_the_page_and_the_api_share_one_budget(workshop):
    browser = Client(REMOTE_ADDR=VENUE)
    for _ in range(3):
        _join(browser, "WRONG1")
    api = browser.post(
        f"/api/v1/workshops/{workshop.pk}/board/join/",
        {"code": "K7Q2MX"},
        content_type="application/json",
    )
    assert api.status_code == 429
    assert not BoardParticipant.objects.exists()
