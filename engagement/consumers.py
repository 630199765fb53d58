"""Websocket consumers. Thin: decode a frame, call a service or selector, answer."""

from __future__ import annotations

import time
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from engagement.realtime import PROTOCOL_VERSION, ErrorCode, FrameError, decode, encode, error_frame


class LiveConsumer(AsyncWebsocketConsumer):
    """The live connection of one browser tab.

    Sends ``hello`` on connect and answers ``ping``. Subscriptions to live topics
    (rounds, ideas, staff dashboards) are dispatched from here as features add them.
    Inbound frames are limited in size and rate per connection.
    """

    async def connect(self) -> None:
        self._window_start = time.monotonic()
        self._frames_in_window = 0
        await self.accept()
        user = self.scope.get("user")
        authenticated = bool(user is not None and user.is_authenticated)
        await self.send(
            encode(
                "hello",
                {
                    "protocol": PROTOCOL_VERSION,
                    "authenticated": authenticated,
                    "user": user.pk if authenticated else None,
                },
            )
        )

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
        await self.send(
            error_frame(
                ErrorCode.UNKNOWN_TYPE,
                f"Unknown frame type {frame['type']!r}.",
                in_response=frame_id,
            )
        )
