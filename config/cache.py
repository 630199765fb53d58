"""Django's Redis cache, with one client per connection pool and a fallback for outages.

The stock client builds a new ``redis.Redis`` for every cache call, and building one
copies ~170 response callbacks: about 0.15 ms of CPU, three times per signed-in API
request (session, throttle read, throttle write). Clients are thread-safe over their pool,
so one per pool is enough.

While Redis is away (``config.redis_breaker``: the first refused or timed-out call opens the
breaker) every call answers from the alias's ``fallback`` option instead of raising:

- ``"memory"`` — a cache in this process's memory (rate-limit counters, page caches): each
  process keeps its own until Redis is back;
- ``"none"`` — nothing is cached: a read misses, a write is dropped (sessions, so the
  session engine reads and writes the database, the source of truth).

Every key written or deleted meanwhile is deleted from Redis before it is used again, since
Redis may still hold an older copy (docs/operations.md, "When Redis goes away").
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient

from config.redis_breaker import REDIS_DOWN, RedisBreaker, breaker_for, on_return

FALLBACKS = ("memory", "none")


def _as_is(key: str, key_prefix: str, version: int) -> str:
    return key  # the fallback stores the Redis key the client was given


class _MemoryFallback:
    """The client's interface over this process's memory (keys already made by the cache)."""

    def __init__(self, name: str) -> None:
        # Instances with the same name share one store across the process's threads.
        self._store = LocMemCache(
            f"kopa-redis-fallback:{name}",
            {"KEY_FUNCTION": _as_is, "TIMEOUT": None, "OPTIONS": {"MAX_ENTRIES": 20_000}},
        )
        _memory_fallbacks[name] = self._store

    def add(self, key: str, value: Any, timeout: int | None) -> bool:
        return self._store.add(key, value, timeout)

    def get(self, key: str, default: Any) -> Any:
        return self._store.get(key, default)

    def set(self, key: str, value: Any, timeout: int | None) -> None:
        self._store.set(key, value, timeout)

    def touch(self, key: str, timeout: int | None) -> bool:
        return self._store.touch(key, timeout)

    def delete(self, key: str) -> bool:
        return self._store.delete(key)

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        return self._store.get_many(keys)

    def has_key(self, key: str) -> bool:
        return self._store.has_key(key)

    def incr(self, key: str, delta: int) -> int:
        return self._store.incr(key, delta)

    def set_many(self, data: dict[str, Any], timeout: int | None) -> None:
        self._store.set_many(data, timeout)

    def delete_many(self, keys: Iterable[str]) -> None:
        self._store.delete_many(keys)

    def clear(self) -> bool:
        self._store.clear()
        return True


_memory_fallbacks: dict[str, LocMemCache] = {}


def clear_fallbacks(breaker: RedisBreaker | None = None) -> None:
    """Empty the per-process stores: Redis is back and holds the counts again."""
    for store in list(_memory_fallbacks.values()):
        store.clear()


on_return(clear_fallbacks)


class _NoFallback:
    """Nothing cached while Redis is away: reads miss, writes are dropped."""

    def add(self, key: str, value: Any, timeout: int | None) -> bool:
        return True

    def get(self, key: str, default: Any) -> Any:
        return default

    def set(self, key: str, value: Any, timeout: int | None) -> None:
        return None

    def touch(self, key: str, timeout: int | None) -> bool:
        return False

    def delete(self, key: str) -> bool:
        return False

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        return {}

    def has_key(self, key: str) -> bool:
        return False

    def incr(self, key: str, delta: int) -> int:
        raise ValueError(f"Key '{key}' not found.")

    def set_many(self, data: dict[str, Any], timeout: int | None) -> None:
        return None

    def delete_many(self, keys: Iterable[str]) -> None:
        return None

    def clear(self) -> bool:
        return False


# One pool and one client per server and pool options, shared by every alias and thread of
# the process (both are thread-safe): sessions and the default cache use the same connections.
_shared: dict[tuple[str, str], Any] = {}
_shared_lock = threading.Lock()


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(
        self, servers: list[str], *, fallback: str, namespace: str, **options: Any
    ) -> None:
        super().__init__(servers, **options)
        self.breaker: RedisBreaker = breaker_for(servers[0])
        self.fallback = _MemoryFallback(namespace) if fallback == "memory" else _NoFallback()
        # A SCAN pattern covering every key of this cache (for a purge after a long outage).
        self.namespace = namespace
        self._pool_key = repr(sorted(self._pool_options.items()))
        self._clients: dict[bool, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        client = self._clients.get(write)
        if client is None:
            shared = (self._servers[self._get_connection_pool_index(write)], self._pool_key)
            with _shared_lock:
                client = _shared.get(shared)
                if client is None:
                    pool = self._pool_class.from_url(shared[0], **self._pool_options)
                    client = _shared[shared] = self._client(connection_pool=pool)
            if len(self._servers) == 1:  # replicas are picked per call
                self._clients[write] = client
        return client

    # Each call: Redis while the breaker is closed (one attribute read on the way), else —
    # and when the call finds Redis gone — the fallback, remembering what it changed.

    def _away(self, error: Exception | None, changed: Iterable[str] = ()) -> Any:
        if error is not None:
            self.breaker.trip(error)
        if changed:
            self.breaker.forget_when_back(changed, namespace=self.namespace)
        return self.fallback

    def add(self, key: str, value: Any, timeout: int | None) -> bool:
        error = None
        if self.breaker.closed:
            try:
                return super().add(key, value, timeout)
            except REDIS_DOWN as down:
                error = down
        return self._away(error, (key,)).add(key, value, timeout)

    def get(self, key: str, default: Any) -> Any:
        error = None
        if self.breaker.closed:
            try:
                return super().get(key, default)
            except REDIS_DOWN as down:
                error = down
        return self._away(error).get(key, default)

    def set(self, key: str, value: Any, timeout: int | None) -> None:
        error = None
        if self.breaker.closed:
            try:
                return super().set(key, value, timeout)
            except REDIS_DOWN as down:
                error = down
        return self._away(error, (key,)).set(key, value, timeout)

    def touch(self, key: str, timeout: int | None) -> bool:
        error = None
        if self.breaker.closed:
            try:
                return super().touch(key, timeout)
            except REDIS_DOWN as down:
                error = down
        return self._away(error, (key,)).touch(key, timeout)

    def delete(self, key: str) -> bool:
        error = None
        if self.breaker.closed:
            try:
                return super().delete(key)
            except REDIS_DOWN as down:
                error = down
        return self._away(error, (key,)).delete(key)

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        keys = list(keys)
        error = None
        if self.breaker.closed:
            try:
                return super().get_many(keys)
            except REDIS_DOWN as down:
                error = down
        return self._away(error).get_many(keys)

    def has_key(self, key: str) -> bool:
        error = None
        if self.breaker.closed:
            try:
                return super().has_key(key)
            except REDIS_DOWN as down:
                error = down
        return self._away(error).has_key(key)

    def incr(self, key: str, delta: int) -> int:
        error = None
        if self.breaker.closed:
            try:
                return super().incr(key, delta)
            except REDIS_DOWN as down:
                error = down
        return self._away(error, (key,)).incr(key, delta)

    def set_many(self, data: dict[str, Any], timeout: int | None) -> None:
        error = None
        if self.breaker.closed:
            try:
                return super().set_many(data, timeout)
            except REDIS_DOWN as down:
                error = down
        return self._away(error, list(data)).set_many(data, timeout)

    def delete_many(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        error = None
        if self.breaker.closed:
            try:
                return super().delete_many(keys)
            except REDIS_DOWN as down:
                error = down
        return self._away(error, keys).delete_many(keys)

    def clear(self) -> bool:
        error = None
        if self.breaker.closed:
            try:
                return super().clear()
            except REDIS_DOWN as down:
                error = down
        return self._away(error).clear()


class RedisCache(DjangoRedisCache):
    """``OPTIONS``: ``fallback`` (``"memory"`` or ``"none"``, default ``"memory"``), then
    redis-py's pool options (``socket_timeout``, ``socket_connect_timeout``, ...)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        fallback = options.pop("fallback", "memory")
        if fallback not in FALLBACKS:
            raise ValueError(f"cache fallback {fallback!r}: expected one of {FALLBACKS}")
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = RedisCacheClient
        namespace = re.sub(r"([*?\[\]\\])", r"\\\1", self.make_key("", version=self.version))
        self._options = {**options, "fallback": fallback, "namespace": f"{namespace}*"}
