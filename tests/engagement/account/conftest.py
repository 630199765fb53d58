from __future__ import annotations

import pytest
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.throttling import SimpleRateThrottle

from tests.engagement.notifications.conftest import celery_eager  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_throttle_counters(monkeypatch):
    """Each test starts with empty rate-limit counters (user ids repeat across tests)."""
    monkeypatch.setattr(
        SimpleRateThrottle, "cache", LocMemCache("account-throttle-tests", {"TIMEOUT": 300})
    )
    SimpleRateThrottle.cache.clear()
