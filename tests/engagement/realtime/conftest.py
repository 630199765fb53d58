"""The live path's tests (protocol, broadcaster, consumer) each start with a fresh broadcaster,
fresh counters and a short push interval (tests/realtime.py)."""

from __future__ import annotations

from tests.realtime import fresh_broadcaster, fresh_counters, quick_interval  # noqa: F401
