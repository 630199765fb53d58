"""Fixtures of the ideas tests: personas, processes in known phases, a JSON client,
isolated rate limits and a throw-away media directory."""

from __future__ import annotations

import pytest
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.throttling import SimpleRateThrottle

from engagement.models import Role
from tests import factories
from tests.api_client import as_user_factory


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


@pytest.fixture
def as_user(client):
    """``as_user(user)`` -> a JSON client signed in as ``user`` (``None``: anonymous)."""
    return as_user_factory(client)
