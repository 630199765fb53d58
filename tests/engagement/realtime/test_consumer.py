"""The live websocket through the real ASGI application (origin check, session auth)."""

import json

import pytest
from channels.testing import WebsocketCommunicator
from django.test import override_settings

from config.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True)]

GOOD_ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@pytest.fixture
def resident_cookie(client, resident) -> tuple[bytes, bytes]:
    """The session cookie of a signed-in resident, as a browser would send it."""
    client.force_login(resident)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


async def _connect(headers):
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers)
    connected, _subprotocol = await communicator.connect()
    return communicator, connected


async def test_authenticated_socket_is_accepted_and_knows_the_user(resident, resident_cookie):
    communicator, connected = await _connect([GOOD_ORIGIN, resident_cookie])
    assert connected
    hello = await communicator.receive_json_from()
    assert hello == {
        "type": "hello",
        "seq": 0,
        "payload": {"protocol": 1, "authenticated": True, "user": resident.pk},
    }
    await communicator.disconnect()


async def test_anonymous_socket_is_accepted_as_anonymous():
    communicator, connected = await _connect([GOOD_ORIGIN])
    assert connected
    hello = await communicator.receive_json_from()
    assert hello["payload"]["authenticated"] is False
    assert hello["payload"]["user"] is None
    await communicator.disconnect()


@pytest.mark.parametrize(
    "origin", [b"http://evil.example", b"http://127.0.0.1.evil.example", b"null"]
)
async def test_foreign_origin_is_refused(resident_cookie, origin):
    communicator, connected = await _connect([(b"origin", origin), resident_cookie])
    assert not connected
    await communicator.disconnect()


async def test_ping_is_answered_in_response_to_its_id():
    communicator, _ = await _connect([GOOD_ORIGIN])
    await communicator.receive_json_from()
    await communicator.send_to(text_data=json.dumps({"type": "ping", "id": "p1"}))
    assert await communicator.receive_json_from() == {
        "type": "pong",
        "seq": 0,
        "payload": {},
        "in_response": "p1",
    }
    await communicator.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", 4000),
        ("[1, 2]", 4000),
        ('{"no": "type"}', 4000),
        ('{"type": "teleport"}', 4001),
        ('{"type": "ping", "id": {"nested": true}}', 4000),
        ('{"type": "ping", "pad": "' + "x" * 5000 + '"}', 4002),
    ],
)
async def test_malformed_frames_get_an_error_frame_and_the_socket_stays_open(frame, code):
    communicator, _ = await _connect([GOOD_ORIGIN])
    await communicator.receive_json_from()
    await communicator.send_to(text_data=frame)
    error = await communicator.receive_json_from()
    assert error["type"] == "error"
    assert error["payload"]["code"] == code
    await communicator.send_to(text_data='{"type": "ping"}')
    assert (await communicator.receive_json_from())["type"] == "pong"
    await communicator.disconnect()


async def test_flooding_client_is_told_and_disconnected():
    with override_settings(KOPA_WS_MAX_FRAMES_PER_MINUTE=3):
        communicator, _ = await _connect([GOOD_ORIGIN])
        await communicator.receive_json_from()
        for _ in range(3):
            await communicator.send_to(text_data='{"type": "ping"}')
            assert (await communicator.receive_json_from())["type"] == "pong"
        await communicator.send_to(text_data='{"type": "ping"}')
        error = await communicator.receive_json_from()
        assert error["payload"]["code"] == 4029
        assert (await communicator.receive_output())["type"] == "websocket.close"
