"""Fixtures of the ideas tests: personas, processes in known phases, a JSON client,
isolated rate limits and a throw-away media directory."""

from __future__ import annotations

import pytest
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.throttling import SimpleRateThrottle

from engagement.models import Role
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_throttle_counters(monkeypatch):
    """Every test starts with empty rate-limit counters, whatever cache the run uses."""
    monkeypatch.setattr(
        SimpleRateThrottle, "cache", LocMemCache("ideas-throttle-tests", {"TIMEOUT": 300})
    )
    SimpleRateThrottle.cache.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def author(db):
    return factories.UserFactory(email="author@example.org", display_name="Ada Author")


@pytest.fixture
def riga_reviewer(riga):
    return factories.staff(riga, Role.REVIEWER, email="reviewer@riga.example")


@pytest.fixture
def riga_officer(riga):
    return factories.staff(riga, Role.OFFICER, email="officer@riga.example")


@pytest.fixture
def gdansk_moderator(gdansk):
    return factories.staff(gdansk, Role.MODERATOR, email="moderator@gdansk.example")


@pytest.fixture
def gdansk_reviewer(gdansk):
    return factories.staff(gdansk, Role.REVIEWER, email="reviewer@gdansk.example")


@pytest.fixture
def collection(riga):
    """Rīga's idea collection, collecting ideas."""
    return factories.IdeaCollectionFactory(organisation=riga, slug="waterfront")


@pytest.fixture
def idea(collection, author):
    return factories.IdeaFactory(process=collection, author=author, title="Benches by the sea")


class JsonClient:
    """Django's test client sending JSON bodies, signed in as ``user`` (or anonymous)."""

    def __init__(self, client, user=None):
        self.client = client
        if user is not None:
            client.force_login(user)

    def get(self, path, data=None):
        return self.client.get(path, data)

    def _send(self, method, path, body):
        return getattr(self.client, method)(
            path, body if body is not None else {}, content_type="application/json"
        )

    def post(self, path, body=None):
        return self._send("post", path, body)

    def put(self, path, body=None):
        return self._send("put", path, body)

    def patch(self, path, body=None):
        return self._send("patch", path, body)

    def delete(self, path, body=None):
        return self._send("delete", path, body)

    def upload(self, path, data):
        return self.client.post(path, data)  # multipart


@pytest.fixture
def as_user(client):
    """``as_user(user)`` -> a JSON client signed in as ``user`` (``None``: anonymous)."""

    def make(user=None):
        client.logout()
        return JsonClient(client, user)

    return make
