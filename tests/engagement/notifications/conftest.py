"""Notification tests run Celery tasks in-process, also when REDIS_URL points at a broker,
so what a queued task does can be asserted (on_commit callbacks are captured explicitly)."""

from __future__ import annotations

import pytest

from config.celery import app


@pytest.fixture(autouse=True)
def celery_eager():
    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture(autouse=True)
def emails_on(settings):
    settings.KOPA_NOTIFICATION_EMAILS = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
