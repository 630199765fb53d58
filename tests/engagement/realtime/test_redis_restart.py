"""A real Redis that goes away and comes back while sockets are open.

Redis is reached through a TCP proxy run by the test, which drops every connection and
refuses new ones (the machine's Redis is shared: it is never stopped). While it is away
ballots are stored as fast as ever, pages are told updates are paused ("reconnecting"),
new pages still get a correct snapshot; when it returns every watched topic is pushed
afresh and live updates go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from urllib.parse import urlsplit, urlunsplit

import pytest

from budgeting.models import Participation
from config.redis_breaker import breaker_for
from engagement.realtime import broadcast
from tests import factories
from tests.realtime import Live, cast, receive_until, run

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

TOPIC = "round:riga-flaky:turnout"


class TcpProxy:
    """127.0.0.1:<port> -> target, with a switch that drops everything."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        with contextlib.suppress(Exception):
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers.update((writer, up_writer))
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def up(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def down(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            with contextlib.suppress(Exception):
                writer.transport.abort()
        self._writers.clear()
        await self._server.wait_closed()


@pytest.fixture
def flaky_round(riga):
    return factories.voting_round(organisation=riga, slug="riga-flaky")


async def test_voting_goes_on_while_redis_is_away_and_live_views_resync(
    flaky_round, riga, settings
):
    real = urlsplit(settings.REDIS_URL)
    proxy = TcpProxy(real.hostname or "127.0.0.1", real.port or 6379)
    await proxy.up()
    netloc = f"127.0.0.1:{proxy.port}"
    settings.REDIS_URL = urlunsplit((real.scheme, netloc, real.path, real.query, ""))
    settings.KOPA_REDIS_RETRY_SECONDS = 0.5
    breaker = breaker_for(settings.REDIS_URL)
    voters = [await run(factories.eligible_voter)(riga) for _ in range(6)]
    try:
        live = await Live.open()
        await live.subscribe(TOPIC)
        assert (await live.receive())["payload"]["state"]["voters"] == 0
        await run(cast)(voters[0], flaky_round)
        assert (await live.receive(timeout=3))["payload"]["voters"] == 1

        await proxy.down()
        status = await live.receive(timeout=5)
        assert status == {"type": "status", "seq": 0, "payload": {"live": False}}

        started = time.monotonic()
        for voter in voters[1:4]:
            await run(cast)(voter, flaky_round)
        assert time.monotonic() - started < 2.0  # at most one short Redis timeout
        assert await run(Participation.objects.filter(round=flaky_round).count)() == 4

        # A page opened now gets the truth from the database, and is told to wait.
        late = await Live.open()
        assert (await late.subscribe(TOPIC))["type"] == "subscribed"
        assert (await late.receive())["payload"] == {"live": False}
        assert (await late.receive())["payload"]["state"]["voters"] == 4

        await proxy.up()
        for page in (live, late):
            await receive_until(
                page, lambda f: f == {"type": "status", "seq": 0, "payload": {"live": True}}
            )
        pushed = (await receive_until(live, lambda f: f["type"] == "turnout"))[-1]
        assert pushed["payload"]["voters"] == 4  # resynced: what was cast while away

        while not breaker.closed:  # the publisher has seen Redis back
            await asyncio.sleep(0.1)
        await run(cast)(voters[4], flaky_round)
        for page in (live, late):
            frame = (
                await receive_until(
                    page, lambda f: f["type"] == "turnout" and f["payload"]["voters"] == 5
                )
            )[-1]
            assert frame["payload"]["districts"]["city"]["online"] == 5
        await live.close()
        await late.close()
    finally:
        await broadcast.reset_broadcaster()
        with contextlib.suppress(Exception):
            await proxy.down()
