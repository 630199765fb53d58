"""Suite-wide fixtures: real-service switches and named personas.

Tests marked ``postgres`` or ``redis`` need the real services; on the embedded defaults
(no ``DATABASE_URL`` / ``REDIS_URL``) they are skipped with the reason printed (``-ra``).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.throttling import SimpleRateThrottle

from config.cache import clear_fallbacks
from config.redis_breaker import reset_breakers
from engagement.people.models import Role
from engagement.realtime import broadcast
from tests import factories
from tests.api_client import as_user_factory
from tests.redis_server import OwnRedis


def pytest_configure(config: pytest.Config) -> None:
    # Connections opened by worker threads (websocket auth, concurrency tests) must not
    # outlive their test, or PostgreSQL refuses to drop the test database.
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    need_postgres = pytest.mark.skip(
        reason="needs PostgreSQL: set DATABASE_URL=postgres://... (embedded SQLite in use)"
    )
    need_redis = pytest.mark.skip(
        reason="needs Redis: set REDIS_URL=redis://... (embedded in-memory layer in use)"
    )
    for item in items:
        # Markers, not keywords: keywords also hold the names of the directories above the
        # test (a checkout in a directory called "redis" would skip everything).
        if item.get_closest_marker("postgres") and not settings.USING_POSTGRES:
            item.add_marker(need_postgres)
        if item.get_closest_marker("redis") and not settings.REDIS_URL:
            item.add_marker(need_redis)


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [
        f"kopa: database={settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"
        f" channel_layer={settings.CHANNEL_LAYERS['default']['BACKEND'].rsplit('.', 1)[-1]}"
        f" celery_eager={settings.CELERY_TASK_ALWAYS_EAGER}"
    ]


@pytest.fixture
def riga(db):
    return factories.OrganisationFactory(slug="riga", name="Rīga", country="LV", is_capital=True)


@pytest.fixture
def gdansk(db):
    return factories.OrganisationFactory(
        slug="gdansk", name="Gdańsk", country="PL", currency="PLN", time_zone="Europe/Warsaw"
    )


@pytest.fixture
def resident(db):
    return factories.UserFactory(email="resident@example.org")


@pytest.fixture
def riga_admin(riga):
    return factories.staff(riga, Role.ADMINISTRATOR, email="admin@riga.example")


@pytest.fixture
def riga_moderator(riga):
    return factories.staff(riga, Role.MODERATOR, email="moderator@riga.example")


@pytest.fixture
def gdansk_admin(gdansk):
    return factories.staff(gdansk, Role.ADMINISTRATOR, email="admin@gdansk.example")


@pytest.fixture
def platform_admin(db):
    return factories.UserFactory(email="operator@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def api(client):
    """Django's test client speaking JSON."""
    return client


@pytest.fixture(autouse=True)
def _fresh_throttle_counters(monkeypatch):
    """Every test starts with empty rate-limit counters, whatever cache the run uses."""
    monkeypatch.setattr(
        SimpleRateThrottle, "cache", LocMemCache("throttle-tests", {"TIMEOUT": 300})
    )
    SimpleRateThrottle.cache.clear()


@pytest.fixture
def own_redis():
    """A redis-server of the test's own to stop, restart or freeze (tests.redis_server)."""
    server = OwnRedis()
    if server.binary is None:
        pytest.skip("needs redis-server on PATH (a Redis of the test's own to stop)")
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _redis_breakers_closed():
    """A test that makes Redis go away leaves no open breaker (or fallback) behind."""
    yield
    reset_breakers()
    clear_fallbacks()
    broadcast._skipped.clear()


@pytest.fixture
def riga_reviewer(riga):
    return factories.staff(riga, Role.REVIEWER, email="reviewer@riga.example")


@pytest.fixture
def riga_officer(riga):
    return factories.staff(riga, Role.OFFICER, email="officer@riga.example")


@pytest.fixture
def as_user(client):
    """``as_user(user)`` -> a JSON client signed in as ``user`` (``None``: anonymous)."""
    return as_user_factory(client)


@pytest.fixture(autouse=True)
def _default_language():
    """A page asked for in another language leaves that language active in the thread:
    every test starts in the default one."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
