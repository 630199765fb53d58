from __future__ import annotations

import pytest

from tests.engagement.notifications.conftest import celery_eager  # noqa: F401


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.KOPA_NOTIFICATION_EMAILS = True


@pytest.fixture(autouse=True)
def statistics_uncached(monkeypatch):
    """Statistics are cached by round id, and ids repeat across tests: no cache here."""
    from budgeting import statistics

    monkeypatch.setattr(statistics, "CACHE_SECONDS", 0)
