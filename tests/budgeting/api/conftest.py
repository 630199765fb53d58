"""Fixtures of the budgeting API tests: more personas, JSON helpers, isolated rate limits."""

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
        SimpleRateThrottle, "cache", LocMemCache("throttle-tests", {"TIMEOUT": 300})
    )
    SimpleRateThrottle.cache.clear()


@pytest.fixture
def riga_reviewer(riga):
    return factories.staff(riga, Role.REVIEWER, email="reviewer@riga.example")


@pytest.fixture
def riga_officer(riga):
    return factories.staff(riga, Role.OFFICER, email="officer@riga.example")


@pytest.fixture
def second_officer(riga):
    return factories.staff(riga, Role.OFFICER, email="officer2@riga.example")


@pytest.fixture
def as_user(client):
    """``as_user(user)`` -> a JSON client signed in as ``user`` (``None``: anonymous)."""
    return as_user_factory(client)
