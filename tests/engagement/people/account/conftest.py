from __future__ import annotations

from tests.engagement.notifications.conftest import celery_eager  # noqa: F401
