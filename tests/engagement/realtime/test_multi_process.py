"""Two real ASGI server processes (uvicorn) on one PostgreSQL and one Redis: a ballot cast
over HTTP through one updates a websocket subscriber connected to the other."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests import factories

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_listening(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    import socket
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"uvicorn did not listen on {port}")


@pytest.fixture
def two_servers(transactional_db):
    """Two uvicorn processes serving config.asgi on the test database."""
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "KOPA_CHANNEL_PREFIX": settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"],
            "KOPA_LOG_LEVEL": "WARNING",
        }
    )
    processes, ports = [], []
    try:
        # Both of uvicorn's websocket protocols: the sans-I/O one gets the broadcaster's
        # direct pre-framed writes, the other the plain ASGI send.
        for ws_impl in ("websockets-sansio", "websockets"):
            port = _free_port()
            process = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "uvicorn"),
                    "config.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--ws",
                    ws_impl,
                    "--lifespan",
                    "off",
                    "--no-access-log",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )
            processes.append(process)
            ports.append(port)
        for port, process in zip(ports, processes, strict=True):
            _wait_listening(port, process)
        yield ports
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def cast_over_http(port: int, cookie: str, csrf: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/rounds/riga-multi/ballot/",
        data=json.dumps({"district": "city", "projects": ["p1", "p2"]}).encode(),
        method="PUT",
        headers={
            "Content-Type": "application/json",
            "Cookie": f"{cookie}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "Origin": f"http://127.0.0.1:{port}",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def test_a_ballot_cast_through_one_process_reaches_a_subscriber_of_the_other(
    two_servers, riga, client
):
    import websockets.asyncio.client

    factories.voting_round(organisation=riga, slug="riga-multi")
    voter = factories.eligible_voter(riga)
    client.force_login(voter)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    sansio, legacy = two_servers
    topic = "round:riga-multi:turnout"

    async def watch(port: int, ready: asyncio.Event, out: list) -> None:
        async with websockets.asyncio.client.connect(
            f"ws://127.0.0.1:{port}/ws/live/", origin=f"http://127.0.0.1:{port}"
        ) as socket:
            assert json.loads(await socket.recv())["type"] == "hello"
            await socket.send(json.dumps({"type": "subscribe", "id": 1, "topic": topic}))
            assert json.loads(await socket.recv())["type"] == "subscribed"
            snapshot = json.loads(await socket.recv())
            assert snapshot["payload"]["state"]["voters"] == 0
            ready.set()
            out.append(json.loads(await asyncio.wait_for(socket.recv(), timeout=10)))

    async def scenario() -> list[dict]:
        updates: list[dict] = []
        readies = [asyncio.Event(), asyncio.Event()]
        watchers = [
            asyncio.create_task(watch(port, ready, updates))
            for port, ready in zip((legacy, sansio), readies, strict=True)
        ]
        for ready in readies:
            await asyncio.wait_for(ready.wait(), timeout=10)
        # Cast through the sans-I/O server; the subscriber on the other server hears it.
        status = await asyncio.to_thread(cast_over_http, sansio, cookie, "a" * 32)
        assert status == 201
        await asyncio.gather(*watchers)
        return updates

    updates = asyncio.run(scenario())
    assert len(updates) == 2  # a subscriber on each process
    for update in updates:
        assert update["type"] == "turnout"
        assert update["topic"] == topic
        assert update["payload"]["voters"] == 1
        assert update["payload"]["districts"]["city"]["online"] == 1
