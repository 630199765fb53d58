"""Websocket consumers. Thin: decode a frame, call a service or selector, answer."""

from __future__ import annotations

import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from engagement.realtime.broadcast import get_broadcaster, raw_writer
from engagement.realtime.protocol import (
    PROTOCOL_VERSION,
    ErrorCode,
    FrameError,
    TopicForbidden,
    TopicNotFound,
    decode,
    encode,
    error_frame,
    topic_kind,
)

AUTHORIZE_CACHE_SECONDS = 1.0
_authorized: dict[tuple[str, Any], tuple[float, Exception | None]] = {}


def forget_authorizations() -> None:
    """Drop cached subscribe decisions (tests)."""
    _authorized.clear()


class LiveConsumer(AsyncWebsocketConsumer):
    """The live connection of one browser tab.

    Sends ``hello`` on connect and answers ``ping``, ``subscribe`` and ``unsubscribe``.
    Live topics (``round:<slug>:turnout``, ...) are pushed by this process's broadcaster
    (engagement/realtime/broadcast.py). Inbound frames are limited in size and rate per connection,
    subscriptions in number (``KOPA_WS_MAX_SUBSCRIPTIONS``).
    """

    # No channel-layer inbox per socket: with Redis that is one blocking BZPOPMIN per socket
    # (10,000 sockets, 10,000 Redis clients polling), while pushes come from the process's
    # one broadcaster subscription (DESIGN.md §6). An unconfigured alias means "no layer".
    channel_layer_alias = "kopa-live-no-layer"

    async def connect(self) -> None:
        self._window_start = time.monotonic()
        self._frames_in_window = 0
        self._topics: set[str] = set()
        await self.accept()
        user = self.scope.get("user")
        authenticated = bool(user is not None and user.is_authenticated)
        hello = encode(
            "hello",
            {
                "protocol": PROTOCOL_VERSION,
                "authenticated": authenticated,
                "user": user.pk if authenticated else None,
            },
        )
        try:
            await self.send(hello)
        except RuntimeError:
            # The client went away during the handshake (common in a reconnect storm):
            # uvicorn then refuses sends; the disconnect follows.
            return

    async def disconnect(self, code: int) -> None:
        topics = getattr(self, "_topics", set())
        if topics:
            broadcaster = await get_broadcaster()
            for topic in topics:
                broadcaster.unsubscribe(topic, self.base_send)
            topics.clear()

    def _over_rate(self) -> bool:
        now = time.monotonic()
        if now - self._window_start >= 60:
            self._window_start, self._frames_in_window = now, 0
        self._frames_in_window += 1
        return self._frames_in_window > settings.KOPA_WS_MAX_FRAMES_PER_MINUTE

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self._over_rate():
            await self.send(error_frame(ErrorCode.RATE_LIMITED, "Too many frames; slow down."))
            await self.close(code=int(ErrorCode.RATE_LIMITED))
            return
        try:
            frame = decode(text_data, max_bytes=settings.KOPA_WS_MAX_FRAME_BYTES)
        except FrameError as error:
            await self.send(error_frame(error.code, error.message))
            return
        await self.dispatch_frame(frame)

    async def dispatch_frame(self, frame: dict[str, Any]) -> None:
        frame_id = frame.get("id")
        if frame["type"] == "ping":
            await self.send(encode("pong", {}, in_response=frame_id))
            return
        if frame["type"] == "subscribe":
            await self._subscribe(frame)
            return
        if frame["type"] == "unsubscribe":
            await self._unsubscribe(frame)
            return
        await self.send(
            error_frame(
                ErrorCode.UNKNOWN_TYPE,
                f"Unknown frame type {frame['type']!r}.",
                in_response=frame_id,
            )
        )

    async def _subscribe(self, frame: dict[str, Any]) -> None:
        frame_id = frame.get("id")
        topic, since = frame.get("topic"), frame.get("since")
        if not isinstance(topic, str) or not topic:
            await self.send(
                error_frame(ErrorCode.MALFORMED, '"topic" must be a string.', in_response=frame_id)
            )
            return
        if not isinstance(since, int) or isinstance(since, bool) or since < 0:
            since = None  # a "since" nobody could have been given: send the state
        resolved = topic_kind(topic)
        if resolved is None:
            await self.send(
                error_frame(ErrorCode.NOT_FOUND, f"No topic {topic!r}.", in_response=frame_id)
            )
            return
        if topic not in self._topics and len(self._topics) >= settings.KOPA_WS_MAX_SUBSCRIPTIONS:
            await self.send(
                error_frame(
                    ErrorCode.RATE_LIMITED,
                    f"At most {settings.KOPA_WS_MAX_SUBSCRIPTIONS} subscriptions per connection.",
                    in_response=frame_id,
                )
            )
            return
        kind, key = resolved
        try:
            await self._authorize(kind, key, topic)
        except TopicNotFound:
            await self.send(
                error_frame(ErrorCode.NOT_FOUND, f"No topic {topic!r}.", in_response=frame_id)
            )
            return
        except TopicForbidden:
            await self.send(
                error_frame(
                    ErrorCode.FORBIDDEN, f"You may not watch {topic!r}.", in_response=frame_id
                )
            )
            return
        broadcaster = await get_broadcaster()
        if not hasattr(self, "_raw"):
            self._raw = raw_writer(self.base_send)
        seq = await broadcaster.subscribe(topic, self.base_send, self._raw)
        if since is not None and since > seq:
            # Ahead of what this process knows: it may have missed an announcement.
            seq = await broadcaster.current_seq(topic, refresh=True)
        self._topics.add(topic)
        await self.send(encode("subscribed", {"topic": topic, "seq": seq}, in_response=frame_id))
        if not broadcaster.healthy:
            # The snapshot below is right, but updates wait until Redis is back.
            await self.send(encode("status", {"live": False}))
        elif since == seq:
            # Only the current seq proves nothing was missed: seq only grows and never labels
            # two states, so a seq ahead, from before a restart or malformed gets the state,
            # and so does every resubscription while this process's feed is lost.
            return
        seq, state = await broadcaster.snapshot(topic)
        await self.send(encode("snapshot", {"topic": topic, "state": state}, seq=seq))

    async def _authorize(self, kind: Any, key: str, topic: str) -> None:
        """``kind.authorize`` in a worker thread; its answer for the same user and topic is
        reused for ``AUTHORIZE_CACHE_SECONDS`` (the round lookups behind it are cached as
        long), so a reconnect storm of anonymous pages costs one check per topic."""
        user = self.scope.get("user")
        who = user.pk if user is not None and user.is_authenticated else None
        cache_key = (topic, who)
        now = time.monotonic()
        hit = _authorized.get(cache_key)
        if hit is not None and now - hit[0] < AUTHORIZE_CACHE_SECONDS:
            if hit[1] is not None:
                raise hit[1]
            return
        error: Exception | None = None
        try:
            await database_sync_to_async(kind.authorize)(key, user)
        except (TopicNotFound, TopicForbidden) as refused:
            error = refused
        if len(_authorized) > 10_000:
            _authorized.clear()
        _authorized[cache_key] = (now, error)
        if error is not None:
            raise error

    async def _unsubscribe(self, frame: dict[str, Any]) -> None:
        frame_id = frame.get("id")
        topic = frame.get("topic")
        if not isinstance(topic, str) or not topic:
            await self.send(
                error_frame(ErrorCode.MALFORMED, '"topic" must be a string.', in_response=frame_id)
            )
            return
        if topic in self._topics:
            self._topics.discard(topic)
            (await get_broadcaster()).unsubscribe(topic, self.base_send)
        await self.send(encode("unsubscribed", {"topic": topic}, in_response=frame_id))
