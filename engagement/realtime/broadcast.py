"""Process-local fan-out of live topics (docs/realtime.md, "Process layout").

One :class:`Broadcaster` per ASGI process (per event loop). With ``REDIS_URL`` it holds ONE
Redis pattern subscription to the "dirty" messages of every topic; without Redis, dirtiness
is delivered in-process. For a dirty topic with local subscribers it recomputes the state at
most every ``KOPA_LIVE_MIN_INTERVAL_MS``, encodes ONE frame and writes it to every local
socket. The channel layer is not used for per-socket broadcast (DESIGN.md §6).

``seq`` is per topic: every dirty mark increments it (in Redis with ``INCR``, so every
process agrees on it; in-process otherwise). A pushed frame carries the newest ``seq`` seen
before its state was read, so its state includes at least every change up to that ``seq``.
``seq`` only grows, also across Redis restarts that lose every key: a counter Redis does not
have starts from Redis's clock in microseconds (docs/realtime.md, "`seq` only grows").
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import redis
import redis.asyncio
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import transaction

from config.redis_breaker import REDIS_DOWN, RedisBreaker, breaker_for, on_return, timeout_seconds
from engagement.realtime.protocol import encode, topic_kind

logger = logging.getLogger(__name__)

# A subscriber is the socket's raw ASGI send: it gets one shared, pre-built message
# ``{"type": "websocket.send", "text": frame}`` — no per-socket wrapper, dict or encoding.
Send = Callable[[dict[str, Any]], Awaitable[None]]


def ws_message(frame: str) -> dict[str, Any]:
    return {"type": "websocket.send", "text": frame}


# --- the cheapest write: one pre-framed websocket message for every socket -----------------
#
# A server's text frame is the same bytes for every socket (servers do not mask), so under
# uvicorn's sans-I/O websocket protocol the broadcaster writes those bytes straight to each
# socket's transport (~µs) instead of going through the ASGI send and the protocol's frame
# builder and compressor per socket. Uncompressed messages stay valid when a client
# negotiated permessage-deflate (RFC 7692: compression is per message). Anything else — a
# different server, a socket not plainly open — falls back to the ASGI send.

RawWrite = Callable[[bytes], bool]


def websocket_text_frame(text: str) -> bytes:
    payload = text.encode("utf-8")
    length = len(payload)
    if length < 126:
        head = bytes((0x81, length))
    elif length < 65536:
        head = bytes((0x81, 126)) + length.to_bytes(2, "big")
    else:
        head = bytes((0x81, 127)) + length.to_bytes(8, "big")
    return head + payload


def raw_writer(send: Any) -> RawWrite | None:
    """A direct writer for the socket behind ``send`` (the ASGI send a consumer got), or
    None when that is not uvicorn's sans-I/O websocket protocol."""
    # Imported here: only uvicorn's websocket processes have this protocol; WSGI workers and
    # other ASGI servers never load it.
    try:
        from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
        from websockets.protocol import State
    except ImportError:  # another server
        return None
    target = send
    for _ in range(4):  # through channels' session wrapper(s) to the server's own send
        owner = getattr(target, "__self__", None)
        if isinstance(owner, WebSocketsSansIOProtocol):
            break
        target = getattr(owner, "real_send", None)
        if target is None:
            return None
    else:
        return None
    protocol = owner

    def write(data: bytes) -> bool:
        transport = protocol.transport
        if (
            protocol.close_sent
            or transport is None
            or transport.is_closing()
            or protocol.conn.state is not State.OPEN
        ):
            return False
        transport.write(data)
        return True

    return write


def _prefix() -> str:
    prefix = settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("prefix", "kopa")
    return f"{prefix}:live"


def dirty_channel(topic: str) -> str:
    return f"{_prefix()}:dirty:{topic}"


def seq_key(topic: str) -> str:
    return f"{_prefix()}:seq:{topic}"


# --- seq: per topic, only growing ---------------------------------------------------------
#
# Redis here keeps nothing on disk, so after a restart every counter is gone and a plain INCR
# would start again from 1 — below what pages already saw. A counter Redis does not have
# therefore starts from Redis's clock in microseconds (~1.8e15 in 2027, below 2**53 until
# 2255, so exact in JavaScript and in Lua's doubles): later than every seq handed out before
# the restart unless a topic changed more than once per microsecond of its life. Processes
# that saw a higher seq raise the counter above it (ARGV "least", docs/realtime.md).

_BUMP_AND_ANNOUNCE = """
local n = #KEYS
for i, key in ipairs(KEYS) do
  local seq = redis.call('INCR', key)
  if seq == 1 then
    local now = redis.call('TIME')
    seq = tonumber(now[1]) * 1000000 + tonumber(now[2])
    redis.call('SET', key, string.format('%.0f', seq))
  end
  local least = tonumber(ARGV[n + i])
  if least ~= nil and seq < least then
    seq = least
    redis.call('SET', key, string.format('%.0f', seq))
  end
  redis.call('PUBLISH', ARGV[i], string.format('%.0f', seq))
end
return n
"""

_CURRENT_SEQ = """
local seq = redis.call('GET', KEYS[1])
if not seq then
  local now = redis.call('TIME')
  seq = string.format('%.0f', tonumber(now[1]) * 1000000 + tonumber(now[2]))
  redis.call('SET', KEYS[1], seq)
end
return seq
"""


def seq_floor() -> int:
    """Where a counter starts in-process (no Redis): this process's clock in microseconds, so
    a restarted process does not count again from 1."""
    return time.time_ns() // 1000


# --- presence: how many sockets watch a topic, across processes -----------------------------
#
# Only for topic kinds registered with ``presence=True`` (a workshop board shows "n people
# here"); other topics cost nothing extra. With Redis each process keeps its own count of a
# topic's local sockets in the hash ``<prefix>:live:presence:<topic>`` (field = the process,
# value = "count:expires_at_ms" by Redis's clock), rewritten every
# ``PRESENCE_REFRESH_SECONDS``; a process that died without saying goodbye stops refreshing
# and its count is left out once expired. Redis 7.0 has no per-field expiry, hence the time
# in the value (readers drop expired fields) plus an expiry on the whole hash. A join or
# leave rewrites the process's count and bumps and announces the topic's seq in the same
# script, so every process pushes the new number. Without Redis the count is the in-process
# broadcasters'.

PRESENCE_TTL_MS = 30_000
PRESENCE_REFRESH_SECONDS = 10.0


def presence_key(topic: str) -> str:
    return f"{_prefix()}:presence:{topic}"


# KEYS: presence hash, seq key. ARGV: field, count, ttl ms, dirty channel ('' = no announce).
# Returns the topic's new seq (as text: exact beyond Lua's integers), or '' without announce.
_PRESENCE_SET = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local ttl = tonumber(ARGV[3])
if tonumber(ARGV[2]) > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. string.format('%.0f', ms + ttl))
  redis.call('PEXPIRE', KEYS[1], ttl)
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
if ARGV[4] == '' then
  return ''
end
local seq = redis.call('INCR', KEYS[2])
if seq == 1 then
  seq = tonumber(now[1]) * 1000000 + tonumber(now[2])
  redis.call('SET', KEYS[2], string.format('%.0f', seq))
end
redis.call('PUBLISH', ARGV[4], string.format('%.0f', seq))
return string.format('%.0f', seq)
"""

# KEYS: presence hashes. ARGV: field, ttl ms, then one count per key.
_PRESENCE_REFRESH = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local ttl = tonumber(ARGV[2])
for i, key in ipairs(KEYS) do
  redis.call('HSET', key, ARGV[1], ARGV[2 + i] .. ':' .. string.format('%.0f', ms + ttl))
  redis.call('PEXPIRE', key, ttl)
end
return #KEYS
"""

# KEYS: presence hash. The sum of the fresh counts; expired fields are removed.
_PRESENCE_COUNT = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local entries = redis.call('HGETALL', KEYS[1])
local total = 0
for i = 1, #entries, 2 do
  local count, expires = string.match(entries[i + 1], '^(%d+):(%d+)$')
  if count == nil or tonumber(expires) <= ms then
    redis.call('HDEL', KEYS[1], entries[i])
  else
    total = total + tonumber(count)
  end
end
return total
"""


def tracks_presence(topic: str) -> bool:
    resolved = topic_kind(topic)
    return resolved is not None and resolved[0].presence


def topic_presence(topic: str) -> int:
    """How many sockets watch ``topic`` now, across every ASGI process (synchronous: read
    by snapshots in a worker thread, and by HTTP views). Never raises: while Redis is away it
    answers what this process sees."""
    if settings.REDIS_URL:
        breaker = breaker_for(settings.REDIS_URL)
        if breaker.closed:
            try:
                return int(breaker.script(_PRESENCE_COUNT)(keys=[presence_key(topic)]))
            except REDIS_DOWN as error:
                breaker.trip(error)
            except redis.RedisError:
                logger.exception("live: could not read the presence of %s", topic)
    with _lock:
        instances = list(_started)
    return sum(instance.subscriber_count(topic) for instance in instances)


def topic_seq(topic: str) -> int:
    """The topic's current ``seq`` for synchronous readers (an HTTP view that returns a state
    the page then keeps live): read it BEFORE reading the state, so the state includes at least
    every change up to it, as a pushed frame's does. 0 while Redis is away (a seq nobody was
    given: the page's ``since`` then gets a snapshot)."""
    if settings.REDIS_URL:
        breaker = breaker_for(settings.REDIS_URL)
        if breaker.closed:
            try:
                return int(breaker.script(_CURRENT_SEQ)(keys=[seq_key(topic)]))
            except REDIS_DOWN as error:
                breaker.trip(error)
            except redis.RedisError:
                logger.exception("live: could not read the seq of %s", topic)
        return 0
    with _lock:
        return _local_seq.setdefault(topic, seq_floor())


# --- The publishing side (synchronous: services, after commit) ------------------------------

_lock = threading.Lock()
_local_seq: dict[str, int] = {}
_instances: set[Broadcaster] = set()
# Every started broadcaster of this process (with or without Redis): presence without Redis.
_started: set[Broadcaster] = set()

# Topics whose dirty mark was skipped while Redis was away: announced when it is back, so
# pages watching them catch up although nothing else changes (bounded: a page that misses one
# still resyncs on reconnect).
_skipped: set[str] = set()
MAX_SKIPPED_TOPICS = 10_000


def mark_dirty(*topics: str) -> None:
    """Tell every ASGI process that ``topics`` changed. Never raises: the change is committed
    and a missed push only delays the next update (clients resync with ``since``). While
    Redis is away (``config.redis_breaker``) the mark is skipped without touching Redis and
    made when it is back."""
    if settings.REDIS_URL:
        breaker = breaker_for(settings.REDIS_URL)
        if breaker.closed:
            try:
                # One round trip: bump each topic's seq and announce it.
                breaker.script(_BUMP_AND_ANNOUNCE)(
                    keys=[seq_key(t) for t in topics], args=[dirty_channel(t) for t in topics]
                )
                return
            except REDIS_DOWN as error:
                breaker.trip(error)
            except redis.RedisError:
                logger.exception("live: could not mark %s dirty", topics)
                return
        with _lock:
            if len(_skipped) < MAX_SKIPPED_TOPICS:
                _skipped.update(topics)
        return
    with _lock:
        bumped = []
        for topic in topics:
            new_seq = _local_seq[topic] = (_local_seq.get(topic) or seq_floor()) + 1
            bumped.append((topic, new_seq))
        instances = list(_instances)
    for instance in instances:
        for topic, new_seq in bumped:
            instance.notify_threadsafe(topic, new_seq)


def _announce_skipped(breaker: RedisBreaker) -> None:
    """Redis is back: mark dirty what changed while it was away."""
    if breaker.url != settings.REDIS_URL:
        return
    with _lock:
        topics = sorted(_skipped)
        _skipped.clear()
    for start in range(0, len(topics), 100):
        mark_dirty(*topics[start : start + 100])


on_return(_announce_skipped)


# --- The receiving side (one per process / event loop) --------------------------------------


class Broadcaster:
    def __init__(self, *, redis_url: str | None = None) -> None:
        self.redis_url = redis_url
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subscribers: dict[str, set[Send]] = {}
        self._raw: dict[Send, RawWrite] = {}
        self._seq: dict[str, int] = {}
        self._dirty: set[str] = set()
        self._flushers: dict[str, asyncio.Task[None]] = {}
        self._last_flush: dict[str, float] = {}
        self._latest: dict[str, tuple[int, dict[str, Any]]] = {}
        # Topics where a new subscriber got a freshly read snapshot since the last push, so
        # not every socket necessarily holds the last pushed state.
        self._diverged: set[str] = set()
        self._redis: redis.asyncio.Redis | None = None
        # Commands (seq reads and bumps) get short timeouts; the subscription waits.
        self._commands: redis.asyncio.Redis | None = None
        self._scripts: dict[str, Any] = {}
        self._listener: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()
        # False while the Redis subscription is lost: sockets are told (a "status" frame),
        # so pages show "reconnecting" although their own connection is fine.
        self.healthy = True
        # Presence: this process's field in the topics' presence hashes.
        self.process_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._presence_tasks: set[asyncio.Task[Any]] = set()
        self._presence_refresher: asyncio.Task[None] | None = None

    # lifecycle

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        with _lock:
            _started.add(self)
        if self.redis_url:
            self._redis = redis.asyncio.Redis.from_url(
                self.redis_url, decode_responses=True, socket_connect_timeout=timeout_seconds()
            )
            self._commands = redis.asyncio.Redis.from_url(
                self.redis_url,
                decode_responses=True,
                socket_timeout=timeout_seconds(),
                socket_connect_timeout=timeout_seconds(),
            )
            self._listener = asyncio.create_task(self._listen(), context=contextvars.Context())
            self._presence_refresher = asyncio.create_task(
                self._refresh_presence_forever(), context=contextvars.Context()
            )
            # Redis down at start must not refuse websockets: the listener keeps retrying.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._subscribed.wait(), timeout=2)
            self.healthy = self._subscribed.is_set()
        else:
            with _lock:
                _instances.add(self)

    async def close(self) -> None:
        with _lock:
            _instances.discard(self)
            _started.discard(self)
        if self._commands is not None and self.healthy:
            # A clean shutdown takes this process's counts away at once and says so (a crash,
            # or Redis away: on expiry).
            for topic in [t for t in self._subscribers if tracks_presence(t)]:
                with contextlib.suppress(redis.RedisError, OSError):
                    await self._write_presence(topic, 0, announce=True)
        tasks = [
            *self._flushers.values(),
            *self._presence_tasks,
            *([self._listener] if self._listener else []),
            *([self._presence_refresher] if self._presence_refresher else []),
        ]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for client in (self._redis, self._commands):
            if client is not None:
                await client.aclose()
        self._subscribers.clear()

    async def _listen(self) -> None:
        """The process's one Redis subscription; re-subscribes after a lost connection and
        then announces every locally watched topic afresh (messages may have been missed, or
        Redis restarted without its counters)."""
        assert self._redis is not None
        pattern = dirty_channel("*")
        cut = len(dirty_channel(""))
        reconnecting = False
        lost_at = time.monotonic()
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.psubscribe(pattern)
                self._subscribed.set()
                if reconnecting or not self.healthy:
                    await self._resync_after_loss()
                    self.healthy = True
                    await self._tell_everyone(encode("status", {"live": True}))
                    logger.warning(
                        "live: Redis subscription back after %.1f s", time.monotonic() - lost_at
                    )
                async for message in pubsub.listen():
                    if message.get("type") != "pmessage":
                        continue
                    try:
                        seq = int(message["data"])
                    except (TypeError, ValueError):
                        continue
                    self._mark(message["channel"][cut:], seq)
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                raise
            except (redis.RedisError, OSError) as error:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                reconnecting = True
                if self.healthy:  # logged once per outage, not once per retry
                    lost_at = time.monotonic()
                    logger.warning(
                        "live: Redis subscription lost (%s: %s); pages are told updates "
                        "pause; retrying every second",
                        type(error).__name__,
                        error,
                    )
                    self.healthy = False
                    await self._tell_everyone(encode("status", {"live": False}))
                await asyncio.sleep(1)

    async def _resync_after_loss(self) -> None:
        """After a lost subscription: the state of a watched topic may have changed unseen
        (ballots cast while Redis was away) and must not be pushed under a seq that already
        labelled another state, so each is bumped — above every seq this process has seen —
        and announced; the announcement comes back through the subscription and pushes it.
        Counters of unwatched topics are read afresh when next needed."""
        watched = list(self._subscribers)
        self._seq = {topic: self._seq[topic] for topic in watched if topic in self._seq}
        # A restarted Redis lost the presence counts too.
        with contextlib.suppress(redis.RedisError, OSError):
            await self._refresh_presence()
        for start in range(0, len(watched), 100):
            chunk = watched[start : start + 100]
            await self._announce(chunk, least=[self._seq.get(t, 0) + 1 for t in chunk])

    def _script(self, text: str) -> Any:
        assert self._commands is not None
        script = self._scripts.get(text)
        if script is None:
            script = self._scripts[text] = self._commands.register_script(text)
        return script

    async def _announce(self, topics: list[str], least: list[int] | None = None) -> None:
        """Bump and announce ``topics`` (each at least ``least``) — one round trip."""
        script = self._script(_BUMP_AND_ANNOUNCE)
        channels: list[Any] = [dirty_channel(t) for t in topics]
        await script(keys=[seq_key(t) for t in topics], args=channels + (least or []))

    async def _tell_everyone(self, frame: str) -> None:
        """One frame to every local socket (each once, whatever it watches)."""
        sockets = {send for sends in self._subscribers.values() for send in sends}
        message = ws_message(frame)
        for send in sockets:
            with contextlib.suppress(Exception):
                await send(message)

    # the publishing side, for callers already in async code (and tests)

    async def publish_dirty(self, topic: str) -> None:
        if self._commands is not None:
            await self._announce([topic])
        else:
            await database_sync_to_async(mark_dirty, thread_sensitive=False)(topic)

    # dirtiness

    def notify_threadsafe(self, topic: str, seq: int) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # loop closing
            # A clean context: the caller's (a sync_to_async worker thread) must not leak
            # into the flush task, or asgiref sees its thread-sensitive executor as busy.
            loop.call_soon_threadsafe(self._mark, topic, seq, context=contextvars.Context())

    def _mark(self, topic: str, seq: int) -> None:
        known = self._seq.get(topic, 0)
        if seq > known:
            self._seq[topic] = seq
        elif seq < known:
            # A late message: its change was committed before the one behind ``known``, so
            # the state read for ``known`` shows it. (Pushing it labelled ``known`` could
            # label two states alike.)
            return
        if not self._subscribers.get(topic):
            return
        self._dirty.add(topic)
        if topic not in self._flushers:
            self._flushers[topic] = asyncio.create_task(self._flush(topic))

    def _interval(self) -> float:
        return settings.KOPA_LIVE_MIN_INTERVAL_MS / 1000

    async def _flush(self, topic: str) -> None:
        """Push the latest state of ``topic``: at once after a quiet spell, then at most once
        per interval while it keeps changing."""
        loop = asyncio.get_running_loop()
        try:
            while topic in self._dirty and self._subscribers.get(topic):
                wait = self._last_flush.get(topic, float("-inf")) + self._interval() - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._dirty.discard(topic)
                seq = self._seq.get(topic, 0)
                diverged = topic in self._diverged
                self._diverged.discard(topic)
                try:
                    state = await self._compute(topic)
                except Exception:
                    logger.exception("live: snapshot of %s failed", topic)
                    self._last_flush[topic] = loop.time()
                    continue
                previous = self._latest.get(topic)
                self._latest[topic] = (seq, state)
                self._last_flush[topic] = loop.time()
                if not diverged and previous is not None and previous[1] == state:
                    # A late dirty mark for a change the last push already showed: the
                    # sockets have this state; don't send it again.
                    continue
                resolved = topic_kind(topic)
                assert resolved is not None
                # Encoded once: one frame (bytes, and one ASGI message) for every socket.
                text = encode(resolved[0].kind, state, seq=seq, topic=topic)
                message, framed, raws = ws_message(text), websocket_text_frame(text), self._raw
                for send in list(self._subscribers.get(topic, ())):
                    try:
                        raw = raws.get(send)
                        if raw is not None and raw(framed):
                            continue
                        await send(message)
                    except Exception:  # one broken socket must not stop the others
                        logger.debug("live: send to a subscriber of %s failed", topic)
        finally:
            self._flushers.pop(topic, None)

    async def _compute(self, topic: str) -> dict[str, Any]:
        resolved = topic_kind(topic)
        if resolved is None:
            raise LookupError(topic)
        kind, key = resolved
        return await database_sync_to_async(kind.snapshot)(key)

    # subscriptions

    async def current_seq(self, topic: str, *, refresh: bool = False) -> int:
        """The topic's seq as this process knows it; read (or started: a counter nobody has
        starts from the clock) where it is kept on first use, or with ``refresh``."""
        if refresh or topic not in self._seq:
            seq = 0
            if self._commands is not None:
                with contextlib.suppress(redis.RedisError):
                    seq = int(await self._script(_CURRENT_SEQ)(keys=[seq_key(topic)]))
            else:
                with _lock:
                    seq = _local_seq.setdefault(topic, seq_floor())
            self._seq[topic] = max(seq, self._seq.get(topic, 0))
        return self._seq[topic]

    async def subscribe(self, topic: str, send: Send, raw: RawWrite | None = None) -> int:
        """Add a local subscriber; returns the topic's current ``seq``. ``raw`` is the
        socket's direct writer (:func:`raw_writer`), if it has one."""
        seq = await self.current_seq(topic)
        subscribers = self._subscribers.setdefault(topic, set())
        joined = send not in subscribers
        subscribers.add(send)
        if raw is not None:
            self._raw[send] = raw
        if joined and tracks_presence(topic):
            # The seq after the join: the snapshot the subscriber gets next counts it.
            seq = await self._presence_changed(topic) or seq
        return seq

    def unsubscribe(self, topic: str, send: Send) -> None:
        subscribers = self._subscribers.get(topic)
        if subscribers is None:
            return
        left = send in subscribers
        subscribers.discard(send)
        if left and tracks_presence(topic):
            with contextlib.suppress(RuntimeError):  # no running loop (shutting down)
                task = asyncio.get_running_loop().create_task(
                    self._presence_changed(topic), context=contextvars.Context()
                )
                self._presence_tasks.add(task)
                task.add_done_callback(self._presence_tasks.discard)
        if not any(send in others for others in self._subscribers.values()):
            self._raw.pop(send, None)
        if not subscribers:
            del self._subscribers[topic]
            self._dirty.discard(topic)
            self._latest.pop(topic, None)
            self._diverged.discard(topic)

    def subscriber_count(self, topic: str) -> int:
        return len(self._subscribers.get(topic, ()))

    # presence (topic kinds registered with presence=True)

    async def _write_presence(self, topic: str, count: int, *, announce: bool = False) -> int:
        script = self._script(_PRESENCE_SET)
        channel = dirty_channel(topic) if announce else ""
        result = await script(
            keys=[presence_key(topic), seq_key(topic)],
            args=[self.process_id, count, PRESENCE_TTL_MS, channel],
        )
        return int(result) if result else 0

    async def _presence_changed(self, topic: str) -> int | None:
        """A socket joined or left ``topic``: publish this process's new count and mark the
        topic dirty so every process pushes the new presence. Returns the topic's new seq
        (None if Redis failed: the count is refreshed later, pushes resume with the next
        change)."""
        count = self.subscriber_count(topic)
        if self._commands is not None:
            try:
                seq = await self._write_presence(topic, count, announce=True)
            except (redis.RedisError, OSError):
                logger.debug("live: could not write the presence of %s", topic)
                return None
            self._mark(topic, seq)
            return seq
        mark_dirty(topic)  # in-process: no I/O
        await asyncio.sleep(0)  # let the scheduled _mark run: the seq is the bumped one
        return self._seq.get(topic)

    async def _refresh_presence(self) -> None:
        """Rewrite this process's counts of every watched presence topic (keeps them from
        expiring; restores them after a Redis restart)."""
        topics = [t for t, sends in self._subscribers.items() if sends and tracks_presence(t)]
        if not topics or self._commands is None:
            return
        for start in range(0, len(topics), 100):
            chunk = topics[start : start + 100]
            await self._script(_PRESENCE_REFRESH)(
                keys=[presence_key(t) for t in chunk],
                args=[self.process_id, PRESENCE_TTL_MS] + [self.subscriber_count(t) for t in chunk],
            )

    async def _refresh_presence_forever(self) -> None:
        while True:
            await asyncio.sleep(PRESENCE_REFRESH_SECONDS)
            try:
                await self._refresh_presence()
            except (redis.RedisError, OSError):
                logger.debug("live: presence refresh failed; retrying")

    async def snapshot(self, topic: str) -> tuple[int, dict[str, Any]]:
        """The current ``(seq, state)``; reuses the last pushed state when nothing changed."""
        seq = await self.current_seq(topic)
        latest = self._latest.get(topic)
        # While Redis is away seq stands still though ballots go on: always read afresh.
        if latest is not None and latest[0] == seq and topic not in self._dirty and self.healthy:
            return latest
        state = await self._compute(topic)
        self._diverged.add(topic)
        if self.healthy and topic not in self._dirty and seq == self._seq.get(topic, 0):
            # The next subscribers (a reconnect storm) reuse it instead of each reading it.
            self._latest[topic] = (seq, state)
        return seq, state


_broadcaster: Broadcaster | None = None
_start_lock: asyncio.Lock | None = None


async def get_broadcaster() -> Broadcaster:
    """This process's broadcaster, started on first use (one per event loop)."""
    global _broadcaster, _start_lock
    loop = asyncio.get_running_loop()
    if _broadcaster is not None and _broadcaster._loop is loop:
        return _broadcaster
    if _start_lock is None or getattr(_start_lock, "_kopa_loop", None) is not loop:
        _start_lock = asyncio.Lock()
        _start_lock._kopa_loop = loop  # type: ignore[attr-defined]
    async with _start_lock:
        if _broadcaster is None or _broadcaster._loop is not loop:
            instance = Broadcaster(redis_url=settings.REDIS_URL)
            await instance.start()
            _broadcaster = instance
    return _broadcaster


async def reset_broadcaster() -> None:
    """Close this process's broadcaster (tests; shutdown)."""
    global _broadcaster
    instance, _broadcaster = _broadcaster, None
    if instance is not None:
        await instance.close()


def publish_on_commit(*topics: str) -> None:
    """Mark ``topics`` dirty once the current transaction commits (immediately outside one).

    Called from services, never from views. Rolled-back work publishes nothing. Only a tiny
    "dirty" message travels (one Redis round trip for all the topics); each ASGI process
    recomputes the state itself, coalesced.
    """
    if topics:
        transaction.on_commit(lambda: mark_dirty(*topics))
