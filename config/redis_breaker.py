"""What a process does while its Redis is away: one circuit breaker per Redis.

Redis carries conveniences here, never the truth (DESIGN.md §8): the cache behind sessions,
rate limits and pages, and the live "dirty" marks. Everything in a process that uses one
Redis shares its breaker (``breaker_for(url)``):

- the first failure (refused, reset, or no answer within ``KOPA_REDIS_TIMEOUT_MS``) opens
  it: from then on nobody in the process touches that Redis and every use takes its
  fallback at once — a dead or hung Redis costs one short timeout per outage, not one per
  request;
- a background thread pings Redis every ``KOPA_REDIS_RETRY_SECONDS``; when it answers, the
  thread first deletes from Redis every cached key this process wrote or deleted meanwhile
  (Redis may still hold an older copy: a session signed out during the outage must not
  come back), then closes the breaker and runs the ``on_return`` callbacks (the live
  publisher re-announces what changed meanwhile);
- both transitions are logged once, not once per request.

The healthy path costs one attribute read (``breaker.closed``): no lock, no round trip.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any
from urllib.parse import urlsplit

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

# What "Redis is away" looks like to a client (BusyLoadingError, a restart still loading its
# data, is a ConnectionError). Anything else — a wrong command, a wrong type — is a bug and
# is raised as usual.
REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError)

# Cached keys remembered per outage for deletion on return; beyond this many, the whole
# cache namespace of the writer is purged instead (a cold cache, not a stale one).
MAX_STALE_KEYS = 200_000
_BATCH = 500


def timeout_seconds() -> float:
    """The socket and connect timeout of every Redis client that has a fallback."""
    return settings.KOPA_REDIS_TIMEOUT_MS / 1000


def _where(url: str) -> str:
    """The URL without credentials, for logs."""
    parts = urlsplit(url)
    host = parts.hostname or parts.path or "?"
    return f"{host}:{parts.port}{parts.path}" if parts.port else f"{host}{parts.path}"


class RedisBreaker:
    def __init__(self, url: str) -> None:
        self.url = url
        # Read without a lock on every use: only ever replaced by a whole bool.
        self.closed = True
        self.opened_at = 0.0
        self._lock = threading.Lock()
        self._stale: set[str] = set()
        self._stale_namespaces: set[str] = set()
        self._overflowed = False
        self._client: redis.Redis | None = None
        self._scripts: dict[str, Any] = {}
        self._stop = threading.Event()
        self._prober: threading.Thread | None = None

    @property
    def client(self) -> redis.Redis:
        """A client of this Redis with short timeouts and no retries (the breaker is the
        retry policy)."""
        if self._client is None:
            self._client = redis.Redis.from_url(
                self.url,
                socket_timeout=timeout_seconds(),
                socket_connect_timeout=timeout_seconds(),
            )
        return self._client

    def script(self, text: str) -> Any:
        """A Lua script on :attr:`client` (EVALSHA; loaded again after a Redis restart)."""
        script = self._scripts.get(text)
        if script is None:
            script = self._scripts[text] = self.client.register_script(text)
        return script

    def trip(self, error: BaseException) -> None:
        """Redis failed: open the breaker (logged once per outage) and start probing."""
        with self._lock:
            if not self.closed:
                return
            self.closed = False
            self.opened_at = time.monotonic()
            self._stop.clear()
            self._prober = threading.Thread(
                target=self._probe_until_back, name="kopa-redis-probe", daemon=True
            )
            self._prober.start()
        logger.warning(
            "Redis at %s is unreachable (%s: %s). Until it is back: sessions are read from "
            "the database, rate limits and caches are kept per process, live updates "
            "pause. Retrying every %s s.",
            _where(self.url),
            type(error).__name__,
            error,
            settings.KOPA_REDIS_RETRY_SECONDS,
        )

    def forget_when_back(self, keys: Iterable[str], *, namespace: str) -> None:
        """Delete ``keys`` from Redis before using it again (this process wrote or deleted
        them while it was away). ``namespace`` (a SCAN pattern covering them) is purged
        instead when too many keys pile up."""
        keys = list(keys)
        with self._lock:
            if self.closed:
                back = True  # closed since the caller looked: Redis is back already
            elif self._overflowed:
                self._stale_namespaces.add(namespace)
                return
            else:
                back = False
                self._stale.update(keys)
            if len(self._stale) > MAX_STALE_KEYS:
                self._overflowed = True
                self._stale_namespaces.add(namespace)
                logger.error(
                    "Redis at %s: over %d cached keys changed during the outage; the "
                    "cache namespace %s will be purged when Redis is back",
                    _where(self.url),
                    MAX_STALE_KEYS,
                    namespace,
                )
        if back and keys:
            try:
                self.client.unlink(*keys)
            except REDIS_DOWN as error:
                self.trip(error)
                self.forget_when_back(keys, namespace=namespace)

    def _probe_until_back(self) -> None:
        while not self._stop.wait(float(settings.KOPA_REDIS_RETRY_SECONDS)):
            try:
                self.client.ping()
                while (forgotten := self._forget_stale()) is None:
                    pass  # more keys arrived meanwhile: forget those too
            except redis.RedisError:
                continue
            outage = time.monotonic() - self.opened_at
            logger.warning(
                "Redis at %s is back after %.1f s; %s cached keys changed meanwhile were "
                "deleted from it",
                _where(self.url),
                outage,
                forgotten,
            )
            for callback in list(_on_return):
                try:
                    callback(self)
                except Exception:
                    logger.exception("Redis at %s: a return callback failed", _where(self.url))
            return

    def _forget_stale(self) -> int | str | None:
        """Delete the stale keys; close the breaker if none arrived meanwhile. Returns how
        many were deleted (or the purged namespaces), None when it must run again."""
        with self._lock:
            keys, self._stale = self._stale, set()
            namespaces, self._stale_namespaces = self._stale_namespaces, set()
            self._overflowed = False
        try:
            iterator = iter(keys)
            while chunk := list(islice(iterator, _BATCH)):
                self.client.unlink(*chunk)
            for pattern in namespaces:
                found = self.client.scan_iter(match=pattern, count=1000)
                while chunk := list(islice(found, _BATCH)):
                    self.client.unlink(*chunk)
        except redis.RedisError:
            with self._lock:  # not done: keep them for the next try
                self._stale.update(keys)
                self._stale_namespaces.update(namespaces)
            raise
        with self._lock:
            if self._stale or self._stale_namespaces:
                return None
            self.closed = True
        return f"{len(keys)} (and namespaces {sorted(namespaces)})" if namespaces else len(keys)

    def stop(self) -> None:
        """Stop probing and close (tests, shutdown)."""
        self._stop.set()
        prober = self._prober
        if prober is not None and prober is not threading.current_thread():
            prober.join(timeout=5)
        with self._lock:
            self.closed = True
            self._stale.clear()
            self._stale_namespaces.clear()
            self._overflowed = False


_breakers: dict[str, RedisBreaker] = {}
_breakers_lock = threading.Lock()
_on_return: list[Callable[[RedisBreaker], Any]] = []


def breaker_for(url: str) -> RedisBreaker:
    """This process's breaker for the Redis at ``url``."""
    found = _breakers.get(url)
    if found is None:
        with _breakers_lock:
            found = _breakers.get(url)
            if found is None:
                found = _breakers[url] = RedisBreaker(url)
    return found


def on_return(callback: Callable[[RedisBreaker], Any]) -> None:
    """Run ``callback(breaker)`` after any Redis of this process is back (idempotent)."""
    if callback not in _on_return:
        _on_return.append(callback)


def reset_breakers() -> None:
    """Forget every breaker (tests): stops the probing threads."""
    with _breakers_lock:
        breakers = list(_breakers.values())
        _breakers.clear()
    for breaker in breakers:
        breaker.stop()


def _after_fork_in_child() -> None:
    # A forked child (a Celery pool worker) has no probing thread: start afresh.
    _breakers.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)
