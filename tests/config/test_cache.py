"""The Redis cache while Redis is away: fast, quiet fallbacks chosen per use
(docs/operations.md, "When Redis goes away")."""

from __future__ import annotations

import socket
import time

import pytest
import redis
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from config import redis_breaker
from config.cache import RedisCache
from config.redis_breaker import breaker_for
from tests import factories

UNREACHABLE = "redis://127.0.0.1:9/0"  # nothing listens on the discard port


def redis_cache(url: str, fallback: str, timeout: float = 0.1) -> RedisCache:
    return RedisCache(
        url,
        {
            "KEY_PREFIX": "kopa-test",
            "OPTIONS": {
                "fallback": fallback,
                "socket_timeout": timeout,
                "socket_connect_timeout": timeout,
            },
        },
    )


@pytest.fixture
def hung_redis():
    """A Redis that accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"


def test_a_hung_redis_costs_one_timeout_per_outage_not_one_per_call(hung_redis, caplog):
    cache = redis_cache(hung_redis, "memory", timeout=0.2)
    started = time.monotonic()
    assert cache.get("first") is None
    first = time.monotonic() - started
    started = time.monotonic()
    for number in range(200):
        cache.set(f"key{number}", number)
        assert cache.get(f"key{number}") == number
    others = time.monotonic() - started

    assert 0.15 < first < 1.0
    assert others < 0.5
    warnings = [r for r in caplog.records if r.name == "config.redis_breaker"]
    assert len(warnings) == 1
    assert "is unreachable (TimeoutError" in warnings[0].getMessage()


def test_the_memory_fallback_keeps_values_in_this_process():
    cache = redis_cache(UNREACHABLE, "memory")
    cache.set("a", 1)
    assert cache.add("a", 2) is False
    assert cache.get_or_set("b", lambda: 3) == 3
    assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": 3}
    assert cache.incr("a") == 2
    cache.delete("b")
    assert cache.get("b") is None
    assert "a" in cache
    # Another alias (another thread's instance) of the same cache sees the same values.
    assert redis_cache(UNREACHABLE, "memory").get("a") == 2


def test_the_none_fallback_caches_nothing():
    cache = redis_cache(UNREACHABLE, "none")
    cache.set("a", 1)
    assert cache.get("a") is None
    assert cache.get_or_set("b", lambda: 3) == 3
    assert cache.get("b") is None
    assert "a" not in cache
    with pytest.raises(ValueError, match="not found"):
        cache.incr("a")


def test_what_is_written_while_redis_is_away_is_remembered_for_deletion():
    cache = redis_cache(UNREACHABLE, "none")
    cache.set("session", {"user": 1})
    cache.delete("other")
    cache.set_many({"x": 1, "y": 2})
    cache.get("read-only")
    assert breaker_for(UNREACHABLE)._stale == {
        cache.make_key(key) for key in ("session", "other", "x", "y")
    }


def test_other_redis_errors_are_raised_not_hidden(monkeypatch):
    cache = redis_cache(UNREACHABLE, "memory")

    def wrong_type(*args, **kwargs):
        raise redis.ResponseError("WRONGTYPE")

    monkeypatch.setattr(
        cache._cache, "get_client", lambda *a, **k: type("C", (), {"get": wrong_type})()
    )
    with pytest.raises(redis.ResponseError):
        cache.get("a")
    assert breaker_for(UNREACHABLE).closed


def wait_until_closed(breaker, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not breaker.closed:
        assert time.monotonic() < deadline, "the breaker did not see Redis back"
        time.sleep(0.05)


@pytest.mark.redis
def test_keys_changed_while_redis_was_frozen_are_deleted_from_it_when_it_is_back(
    own_redis, settings
):
    settings.KOPA_REDIS_RETRY_SECONDS = 0.2
    cache = redis_cache(own_redis.url(), "none")
    cache.set("signed-in", "old")
    cache.set("untouched", "kept")
    own_redis.freeze()
    cache.set("signed-in", "new")  # opens the breaker after one timeout
    cache.delete("untouched-but-deleted")
    own_redis.thaw()
    wait_until_closed(breaker_for(own_redis.url()))
    # Redis kept the old copy through the freeze; it is gone, so the next read misses.
    assert cache.get("signed-in") is None
    assert cache.get("untouched") == "kept"


@pytest.mark.redis
def test_after_too_many_changed_keys_the_whole_cache_namespace_is_purged(
    own_redis, settings, monkeypatch
):
    settings.KOPA_REDIS_RETRY_SECONDS = 0.2
    monkeypatch.setattr(redis_breaker, "MAX_STALE_KEYS", 3)
    cache = redis_cache(own_redis.url(), "none")
    cache.set("before", 1)
    other = redis.Redis(port=own_redis.port)
    other.set("kopa-test:live:seq:round:x:turnout", 5)  # not the cache's: kept
    own_redis.freeze()
    for number in range(5):
        cache.set(f"during{number}", number)
    own_redis.thaw()
    wait_until_closed(breaker_for(own_redis.url()))
    assert other.keys("kopa-test:1:*") == []
    assert other.get("kopa-test:live:seq:round:x:turnout") == b"5"
    other.close()


# --- rate limits while Redis is away: per process, not lifted -----------------------------


@pytest.fixture
def throttles_on_a_dead_redis(settings, monkeypatch):
    settings.CACHES = {**settings.CACHES, "default": _dead_default()}
    monkeypatch.setattr(SimpleRateThrottle, "cache", caches["default"])
    monkeypatch.setitem(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "ballot", "2/min")
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    )


def _dead_default() -> dict[str, object]:
    return {
        "BACKEND": "config.cache.RedisCache",
        "LOCATION": UNREACHABLE,
        "KEY_PREFIX": "kopa-test",
        "OPTIONS": {"fallback": "memory", "socket_timeout": 0.1, "socket_connect_timeout": 0.1},
    }


@pytest.mark.django_db
def test_the_ballot_throttle_still_limits_while_redis_is_away(
    throttles_on_a_dead_redis, client, riga
):
    voter = factories.eligible_voter(riga)
    budget_round = factories.voting_round(organisation=riga, slug="riga-throttled")
    client.force_login(voter)
    path = f"/api/v1/rounds/{budget_round.slug}/ballot/"
    statuses = [
        client.put(
            path, {"district": "city", "projects": ["p1"]}, content_type="application/json"
        ).status_code
        for _ in range(3)
    ]
    assert statuses[0] == 201
    assert statuses[2] == 429  # the third within a minute, at "2/min"
    assert not breaker_for(UNREACHABLE).closed


@pytest.mark.django_db
def test_sign_in_guessing_is_still_limited_while_redis_is_away(settings, client, resident):
    settings.CACHES = {**settings.CACHES, "default": _dead_default()}
    for n in range(5):  # "5/5m/key"
        client.post("/accounts/login/", {"login": resident.email, "password": f"guess {n}"})
    assert not breaker_for(UNREACHABLE).closed

    right = {"login": resident.email, "password": factories.TEST_PASSWORD}
    refused = client.post("/accounts/login/", right)
    assert refused.status_code == 400
    assert "Too many failed login attempts" in refused.content.decode()
    # The limit holds for the guessed account only.
    other = factories.UserFactory(email="other@example.org")
    response = client.post(
        "/accounts/login/", {"login": other.email, "password": factories.TEST_PASSWORD}
    )
    assert response.status_code == 302
