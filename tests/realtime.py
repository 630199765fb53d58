"""What the live tests share: one browser tab's socket through the real ASGI application,
signing in, casting a ballot, and the fixtures that give each test a fresh broadcaster, fresh
counters and a short push interval (docs/realtime.md).

The fixtures are autouse: a folder's ``conftest.py`` (or a test module) that imports them
applies them to its tests."""

from __future__ import annotations

import json
import time

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from budgeting.live import topics as live_topics
from budgeting.live.counts import counters
from budgeting.services import voting
from config.asgi import application
from engagement.realtime import broadcast
from engagement.realtime.consumer import forget_authorizations

GOOD_ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@pytest.fixture(autouse=True)
async def fresh_broadcaster():
    """Each test's event loop gets its own broadcaster, closed afterwards."""
    await broadcast.reset_broadcaster()
    yield
    await broadcast.reset_broadcaster()


@pytest.fixture(autouse=True)
def fresh_counters():
    """Test databases are emptied between tests (ids may start again): counters too."""
    counters.reset()
    live_topics._round_cache.clear()
    forget_authorizations()
    yield
    counters.reset()
    live_topics._round_cache.clear()
    forget_authorizations()


@pytest.fixture(autouse=True)
def quick_interval(settings):
    """Pushes are spaced 100 ms apart, so tests wait for them briefly."""
    settings.KOPA_LIVE_MIN_INTERVAL_MS = 100


def cookie_of(client, user) -> tuple[bytes, bytes]:
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


class Live:
    """One browser tab's live socket."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator

    @classmethod
    async def open(cls, *headers: tuple[bytes, bytes]) -> Live:
        communicator = WebsocketCommunicator(
            application, "/ws/live/", headers=[GOOD_ORIGIN, *headers]
        )
        connected, _ = await communicator.connect()
        assert connected
        assert (await communicator.receive_json_from())["type"] == "hello"
        return cls(communicator)

    async def send(self, frame: dict | str) -> None:
        text = frame if isinstance(frame, str) else json.dumps(frame)
        await self.communicator.send_to(text_data=text)

    async def receive(self, timeout: float = 1) -> dict:
        return await self.communicator.receive_json_from(timeout=timeout)

    async def nothing(self, timeout: float = 0.4) -> bool:
        return await self.communicator.receive_nothing(timeout=timeout)

    async def subscribe(self, topic: str, *, since: int | None = None, id: str = "s1") -> dict:
        frame: dict = {"type": "subscribe", "id": id, "topic": topic}
        if since is not None:
            frame["since"] = since
        await self.send(frame)
        return await self.receive()

    async def close(self) -> None:
        await self.communicator.disconnect()


run = database_sync_to_async


def cast(voter, budget_round) -> None:
    """One online ballot (project p1) in the round's city-wide budget, through the service."""
    voting.ballot_cast(
        voter=voter,
        budget_round=budget_round,
        district_budget=budget_round.districts.get(key="city"),
        projects=["p1"],
    )


async def receive_until(live: Live, check, timeout: float = 8.0) -> list[dict]:
    """The frames ``live`` receives up to the first that passes ``check`` (included)."""
    frames = []
    deadline = time.monotonic() + timeout
    while True:
        frame = await live.receive(timeout=max(0.1, deadline - time.monotonic()))
        frames.append(frame)
        if check(frame):
            return frames
