"""The live topics of budget rounds are tested through the real ASGI application, each test
with a fresh broadcaster, fresh counters and a short push interval (tests/realtime.py)."""

from __future__ import annotations

from tests.realtime import fresh_broadcaster, fresh_counters, quick_interval  # noqa: F401
