from __future__ import annotations

import pytest

from tests.engagement.notifications.conftest import celery_eager  # noqa: F401


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.KOPA_NOTIFICATION_EMAILS = True
