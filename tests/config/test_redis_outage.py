"""Redis goes away in the middle of signed-in voting (DESIGN.md §8), through the whole HTTP
stack: sessions cached in Redis (``cached_db``), allauth's sign-in rate limits, the ballot
throttle and the live publish all use a Redis of the test's own, which is stopped (or
frozen: connections open, nothing answers) and brought back. Before, during and after,
residents sign in, read pages and cast ballots: every acknowledged ballot is stored, nothing
answers 5xx, a request costs at most one short timeout, and a resident who signed out while
Redis was away stays signed out when it returns.
"""

from __future__ import annotations

import json
import logging
import threading
import time

import pytest
import redis
from django.core.cache import cache as default_cache
from django.core.cache import caches
from django.test import Client
from rest_framework.throttling import SimpleRateThrottle

from budgeting.models import Participation
from tests import factories

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def on_own_redis(own_redis, settings, monkeypatch):
    """Every use of Redis by this process (cache, sessions, live publish) goes to own_redis."""
    url = own_redis.url()
    settings.REDIS_URL = url
    settings.CACHES = {
        alias: {**config, "LOCATION": url} for alias, config in settings.CACHES.items()
    }
    settings.KOPA_REDIS_RETRY_SECONDS = 0.3
    # The suite gives throttles a memory cache of their own; here they count in Redis.
    monkeypatch.setattr(SimpleRateThrottle, "cache", default_cache)
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    return own_redis


@pytest.fixture
def voting_round(riga):
    return factories.voting_round(organisation=riga, slug="riga-outage")


class Resident:
    """One browser: its own cookies, every answer kept."""

    def __init__(self, user, answers: list[tuple[str, str, int, float]]) -> None:
        self.user = user
        self.client = Client(raise_request_exception=False)
        self.answers = answers
        self.acknowledged = False

    def _keep(self, what: str, response, started: float) -> None:
        self.answers.append(
            (what, self.user.email, response.status_code, time.monotonic() - started)
        )

    def sign_in(self) -> None:
        started = time.monotonic()
        response = self.client.post(
            "/accounts/login/", {"login": self.user.email, "password": factories.TEST_PASSWORD}
        )
        self._keep("sign in", response, started)
        assert response.status_code == 302, response.content[:300]

    def read(self, slug: str) -> None:
        for path in (f"/rounds/{slug}/", "/api/v1/rounds/", "/api/v1/me/"):
            started = time.monotonic()
            response = self.client.get(path)
            self._keep(f"read {path}", response, started)
            assert response.status_code == 200, (path, response.status_code)
        assert json.loads(response.content)["email"] == self.user.email  # still themselves

    def vote(self, slug: str) -> None:
        started = time.monotonic()
        response = self.client.put(
            f"/api/v1/rounds/{slug}/ballot/",
            {"district": "city", "projects": ["p1", "p3"]},
            content_type="application/json",
        )
        self._keep("vote", response, started)
        self.acknowledged = response.status_code == 201

    def sign_out(self) -> str:
        """Signs out; returns the session cookie the browser had."""
        old = self.client.cookies["sessionid"].value
        started = time.monotonic()
        response = self.client.post("/accounts/logout/")
        self._keep("sign out", response, started)
        assert response.status_code == 302
        return old


def wait_until_redis_is_used_again(timeout: float = 10) -> None:
    """The process's breaker has seen Redis back: the session cache holds what it is given."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        caches["sessions"].set("outage-test-probe", 1, 30)
        if caches["sessions"].get("outage-test-probe") == 1:
            return
        time.sleep(0.05)
    raise AssertionError("the session cache did not use Redis again")


@pytest.fixture
def redis_calls(monkeypatch):
    """Counts the commands this process's requests try to send to Redis while ``counting``
    (not the breaker's own checks, which run in their thread)."""
    calls = {"counting": False, "made": 0}
    real = redis.Redis.execute_command

    def counted(self, *args, **options):
        if calls["counting"] and threading.current_thread().name != "kopa-redis-probe":
            calls["made"] += 1
        return real(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    return calls


def stopped(server) -> tuple:
    return server.stop, server.start


def frozen(server) -> tuple:
    return server.freeze, server.thaw


@pytest.mark.parametrize("outage", [stopped, frozen], ids=["stopped", "frozen"])
def test_residents_sign_in_read_and_vote_before_during_and_after_an_outage(
    on_own_redis, voting_round, riga, outage, caplog, settings, redis_calls
):
    caplog.set_level(logging.WARNING, logger="config.redis_breaker")
    answers: list[tuple[str, str, int, float]] = []
    residents = [Resident(factories.eligible_voter(riga), answers) for _ in range(7)]
    early, before_then_during, before_then_after, during, during_then_after, after, leaver = (
        residents
    )
    slug = voting_round.slug
    go_away, come_back = outage(on_own_redis)

    for resident in (early, before_then_during, before_then_after, leaver):
        resident.sign_in()
        resident.read(slug)
    early.vote(slug)
    answers_before = len(answers)

    go_away()
    redis_calls["counting"] = True
    before_then_during.read(slug)
    before_then_during.vote(slug)
    during.sign_in()
    during.read(slug)
    during.vote(slug)
    during_then_after.sign_in()
    before_then_after.read(slug)
    leavers_cookie = leaver.sign_out()
    redis_calls["counting"] = False
    answers_during = answers[answers_before:]

    come_back()
    wait_until_redis_is_used_again()
    for resident in (before_then_after, during_then_after):
        resident.read(slug)
        resident.vote(slug)
    after.sign_in()
    after.read(slug)
    after.vote(slug)

    # Nothing answered 5xx, and every ballot asked for was acknowledged and stored.
    assert [a for a in answers if a[2] >= 500] == []
    voters = [r for r in residents if r is not leaver]
    assert all(r.acknowledged for r in voters), [a for a in answers if a[0] == "vote"]
    stored = set(
        Participation.objects.filter(round=voting_round).values_list("voter__email", flat=True)
    )
    assert stored == {r.user.email for r in voters}

    # A dead Redis costs one short timeout per outage, not one per request: the first call
    # finds it gone, and nothing after it (fourteen requests) tries it again.
    assert len(answers_during) == 14
    assert redis_calls["made"] == 1
    timeout = settings.KOPA_REDIS_TIMEOUT_MS / 1000
    waiting = [a for a in answers_during if a[0] != "sign in"]  # sign-ins hash a password
    assert max(seconds for *_, seconds in waiting) < timeout + 2.0, answers_during

    # Signed out while Redis was away: Redis may still hold the old session (frozen, it kept
    # everything), yet the old cookie is not signed in.
    stale = Client(raise_request_exception=False)
    stale.cookies["sessionid"] = leavers_cookie
    assert stale.get("/api/v1/me/").status_code == 403

    # Logged once when Redis went away and once when it was back, not per request.
    messages = [r.getMessage() for r in caplog.records if r.name == "config.redis_breaker"]
    assert len([m for m in messages if "is unreachable" in m]) == 1, messages
    assert len([m for m in messages if "is back after" in m]) == 1, messages
