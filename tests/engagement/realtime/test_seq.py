"""``seq`` only grows and names one state (docs/realtime.md, "`seq` only grows"), also when
the counters are lost — a Redis restart (Redis keeps nothing on disk) or a restarted process
— and a resubscription skips the snapshot only when its ``since`` is the current ``seq``."""

from __future__ import annotations

import contextlib

import pytest
import redis

from engagement.realtime import broadcast
from tests import factories
from tests.realtime import Live, cast, receive_until, run

pytestmark = [pytest.mark.django_db(transaction=True)]

TOPIC = "round:riga-seq:turnout"


@pytest.fixture
def seq_round(riga):
    return factories.voting_round(organisation=riga, slug="riga-seq")


@pytest.fixture
def voters(riga):
    return [factories.eligible_voter(riga) for _ in range(8)]


def lose_the_counter(topic: str) -> None:
    """What a restart does to the topic's counter: Redis forgets its keys; a process
    without Redis forgets its memory."""
    from django.conf import settings

    if settings.REDIS_URL:
        client = redis.Redis.from_url(settings.REDIS_URL)
        client.delete(broadcast.seq_key(topic))
        client.close()
    else:
        broadcast._local_seq.pop(topic, None)


def state_of(frame: dict) -> dict:
    return frame["payload"]["state"] if frame["type"] == "snapshot" else frame["payload"]


def assert_seq_only_grows_and_names_one_state(frames: list[dict]) -> None:
    labelled = [f for f in frames if f["type"] in ("snapshot", "turnout")]
    seqs = [f["seq"] for f in labelled]
    assert seqs == sorted(seqs), f"seq went backwards: {seqs}"
    states: dict[int, dict] = {}
    for frame in labelled:
        seen = states.setdefault(frame["seq"], state_of(frame))
        assert seen == state_of(frame), f"seq {frame['seq']} labels two states"


def voters_are(n: int):
    return lambda f: f["type"] in ("snapshot", "turnout") and state_of(f)["voters"] == n


# --- which "since" gets a snapshot -----------------------------------------------------------


async def test_a_since_ahead_of_the_current_seq_gets_a_snapshot(seq_round, voters):
    live = await Live.open()
    current = (await live.subscribe(TOPIC))["payload"]["seq"]
    await live.receive()
    await live.close()

    ahead = await Live.open()
    subscribed = await ahead.subscribe(TOPIC, since=current + 1000)
    assert subscribed["payload"]["seq"] == current
    snapshot = await ahead.receive()
    assert snapshot["type"] == "snapshot"
    assert snapshot["seq"] == current
    assert snapshot["payload"]["state"]["voters"] == 0
    await ahead.close()


@pytest.mark.parametrize("since", ["3", -1, True, 1.5, [1], {"seq": 1}])
async def test_a_malformed_since_gets_a_snapshot(seq_round, since):
    live = await Live.open()
    await live.send({"type": "subscribe", "id": "m", "topic": TOPIC, "since": since})
    subscribed = await live.receive()
    assert subscribed["type"] == "subscribed"
    assert subscribed["in_response"] == "m"
    snapshot = await live.receive()
    assert snapshot["type"] == "snapshot"
    assert snapshot["seq"] == subscribed["payload"]["seq"]
    assert snapshot["payload"]["state"]["voters"] == 0
    await live.close()


async def test_a_since_from_before_a_restart_gets_a_snapshot(seq_round, voters):
    await run(lose_the_counter)(TOPIC)  # a fresh start: nothing counted yet
    live = await Live.open()
    await live.subscribe(TOPIC)
    await live.receive()
    await run(cast)(voters[0], seq_round)
    last_seen = (await receive_until(live, voters_are(1)))[-1]["seq"]
    await live.close()

    # The counters are lost (Redis restarted, or the process did) and voting goes on.
    await run(lose_the_counter)(TOPIC)
    await broadcast.reset_broadcaster()
    await run(cast)(voters[1], seq_round)

    again = await Live.open()
    subscribed = await again.subscribe(TOPIC, since=last_seen)
    assert subscribed["payload"]["seq"] > last_seen
    snapshot = await again.receive()
    assert snapshot["type"] == "snapshot"
    assert snapshot["payload"]["state"]["voters"] == 2
    await again.close()


@pytest.mark.redis
async def test_a_since_ahead_of_a_restarted_counter_gets_a_snapshot(seq_round, voters):
    """Redis lost the counter while this process kept the highest seq it had seen."""
    live = await Live.open()
    await live.subscribe(TOPIC)
    frames = [await live.receive()]
    for number, voter in enumerate(voters[:3], start=1):
        await run(cast)(voter, seq_round)
        frames += await receive_until(live, voters_are(number))
    last_seen = frames[-1]["seq"]

    await run(lose_the_counter)(TOPIC)
    await run(cast)(voters[3], seq_round)
    frames += await receive_until(live, voters_are(4))
    assert_seq_only_grows_and_names_one_state(frames)

    late = await Live.open()
    subscribed = await late.subscribe(TOPIC, since=last_seen)
    assert subscribed["payload"]["seq"] > last_seen
    snapshot = await late.receive()
    assert snapshot["type"] == "snapshot"
    assert snapshot["payload"]["state"]["voters"] == 4
    await live.close()
    await late.close()


# --- a real Redis restart ---------------------------------------------------------------------


@pytest.mark.redis
async def test_seq_only_grows_and_names_one_state_across_a_redis_restart(
    own_redis, seq_round, voters, settings
):
    settings.REDIS_URL = own_redis.url()
    settings.KOPA_REDIS_RETRY_SECONDS = 0.3
    await broadcast.reset_broadcaster()
    try:
        live = await Live.open()
        await live.subscribe(TOPIC)
        frames = [await live.receive()]
        for number, voter in enumerate(voters[:3], start=1):
            await run(cast)(voter, seq_round)
            frames += await receive_until(live, voters_are(number))

        await run(own_redis.stop)()  # nothing on disk: every counter is lost
        frames += await receive_until(live, lambda f: f["type"] == "status")
        assert frames[-1]["payload"] == {"live": False}
        for voter in voters[3:5]:
            await run(cast)(voter, seq_round)  # stored; the live mark waits for Redis
        await run(own_redis.start)()

        frames += await receive_until(live, voters_are(5))
        for number, voter in enumerate(voters[5:], start=6):
            await run(cast)(voter, seq_round)
            frames += await receive_until(live, voters_are(number))

        assert {"type": "status", "seq": 0, "payload": {"live": True}} in frames
        assert_seq_only_grows_and_names_one_state(frames)
        # A page that saw the last frame before the restart resubscribes: it gets the state.
        before_restart = max(
            f["seq"] for f in frames if f.get("type") == "turnout" and state_of(f)["voters"] == 3
        )
        late = await Live.open()
        await late.subscribe(TOPIC, since=before_restart)
        snapshot = await late.receive()
        assert snapshot["type"] == "snapshot"
        assert snapshot["payload"]["state"]["voters"] == len(voters)
        await late.close()
        await live.close()
    finally:
        with contextlib.suppress(Exception):
            await broadcast.reset_broadcaster()
