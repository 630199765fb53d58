"""Presence: how many sockets watch a topic, across processes, for topic kinds that ask for
it (``register_topic_kind(..., presence=True)``). A join or a leave marks the topic dirty so
watchers see the new number; a process that dies without a goodbye drops out on expiry;
other topics pay nothing."""

from __future__ import annotations

import asyncio
import json

import pytest
import redis
from asgiref.sync import sync_to_async
from django.conf import settings

from engagement.realtime import broadcast
from engagement.realtime.protocol import register_topic_kind
from tests.realtime import Live, receive_until

TOPIC = "presencetest:room1:room"


def _snapshot(key: str) -> dict:
    return {"room": key, "presence": broadcast.topic_presence(f"presencetest:{key}:room")}


register_topic_kind(
    "presencetest", "room", authorize=lambda key, user: None, snapshot=_snapshot, presence=True
)
register_topic_kind(
    "presencetest", "plain", authorize=lambda key, user: None, snapshot=lambda key: {"k": key}
)


def presence_of(topic: str):
    # A plain thread (no database: the test has none), as snapshots read it.
    return sync_to_async(broadcast.topic_presence, thread_sensitive=False)(topic)


def _presence(frame: dict) -> int | None:
    if frame["type"] == "snapshot":
        return frame["payload"]["state"]["presence"]
    if frame["type"] == "room":
        return frame["payload"]["presence"]
    return None


async def test_topics_without_presence_cost_nothing():
    instance = broadcast.Broadcaster()
    await instance.start()
    sent: list = []

    async def send(message):
        sent.append(message)

    try:
        seq = await instance.subscribe("presencetest:x:plain", send)
        # No dirty mark for a join: the seq is unchanged and nothing is pushed.
        assert await instance.current_seq("presencetest:x:plain") == seq
        await asyncio.sleep(0.2)
        assert sent == []
        assert not broadcast.tracks_presence("presencetest:x:plain")
        assert broadcast.tracks_presence(TOPIC)
    finally:
        await instance.close()


@pytest.mark.django_db(transaction=True)
async def test_joining_and_leaving_push_the_new_count():
    first = await Live.open()
    subscribed = await first.subscribe(TOPIC)
    assert subscribed["type"] == "subscribed"
    frames = await receive_until(first, lambda f: _presence(f) == 1)
    assert _presence(frames[-1]) == 1

    second = await Live.open()
    await second.subscribe(TOPIC)
    await receive_until(second, lambda f: _presence(f) == 2)
    await receive_until(first, lambda f: _presence(f) == 2)
    assert await presence_of(TOPIC) == 2

    await second.close()
    await receive_until(first, lambda f: _presence(f) == 1)
    assert await presence_of(TOPIC) == 1
    await first.close()


@pytest.mark.django_db(transaction=True)
async def test_the_join_bumps_seq_so_the_snapshot_label_is_new():
    first = await Live.open()
    subscribed = await first.subscribe(TOPIC)
    seq = subscribed["payload"]["seq"]
    second = await Live.open()
    again = await second.subscribe(TOPIC)
    assert again["payload"]["seq"] > seq
    await first.close()
    await second.close()


@pytest.mark.redis
async def test_counts_of_two_processes_add_up_and_a_clean_close_takes_its_own_away():
    one = broadcast.Broadcaster(redis_url=settings.REDIS_URL)
    other = broadcast.Broadcaster(redis_url=settings.REDIS_URL)
    await one.start()
    await other.start()
    pushed: asyncio.Queue[dict] = asyncio.Queue()

    async def silent(message):
        pass

    try:
        await one.subscribe(TOPIC, pushed.put)
        await other.subscribe(TOPIC, silent)

        async def other_watcher(message):
            pass

        await other.subscribe(TOPIC, other_watcher)
        assert await presence_of(TOPIC) == 3
        # The other process's joins reached the first one's socket as pushes.
        deadline = asyncio.get_running_loop().time() + 3
        while True:
            frame = json.loads((await asyncio.wait_for(pushed.get(), timeout=3))["text"])
            if frame["payload"]["presence"] == 3:
                break
            assert asyncio.get_running_loop().time() < deadline
        client = redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)
        fields = client.hgetall(broadcast.presence_key(TOPIC))
        assert sorted(v.split(":")[0] for v in fields.values()) == ["1", "2"]
        assert set(fields) == {one.process_id, other.process_id}
        assert 0 < client.pttl(broadcast.presence_key(TOPIC)) <= broadcast.PRESENCE_TTL_MS

        other.unsubscribe(TOPIC, silent)
        await asyncio.sleep(0.1)
        assert await presence_of(TOPIC) == 2
        await other.close()
        assert await presence_of(TOPIC) == 1
    finally:
        await one.close()
        await other.close()
    assert await presence_of(TOPIC) == 0


@pytest.mark.redis
async def test_a_dead_process_drops_out_once_its_count_expires():
    client = redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)
    key = broadcast.presence_key(TOPIC)
    client.delete(key)
    seconds, micros = client.time()
    now_ms = seconds * 1000 + micros // 1000
    client.hset(key, mapping={"dead:1:x": f"7:{now_ms - 1}", "alive:2:y": f"2:{now_ms + 60_000}"})
    assert await presence_of(TOPIC) == 2
    assert set(client.hgetall(key)) == {"alive:2:y"}  # the expired field is gone
    client.delete(key)


@pytest.mark.redis
async def test_the_refresh_keeps_counts_alive(monkeypatch):
    monkeypatch.setattr(broadcast, "PRESENCE_TTL_MS", 300)
    monkeypatch.setattr(broadcast, "PRESENCE_REFRESH_SECONDS", 0.1)
    one = broadcast.Broadcaster(redis_url=settings.REDIS_URL)
    await one.start()

    async def watcher(message):
        pass

    try:
        await one.subscribe(TOPIC, watcher)
        await asyncio.sleep(0.8)  # well past the TTL: only the refresh keeps it
        assert await presence_of(TOPIC) == 1
    finally:
        await one.close()


async def test_without_redis_the_count_is_this_process(settings):
    settings.REDIS_URL = ""
    assert await presence_of("presencetest:nobody:room") == 0


# --- the seq for synchronous readers (HTTP views answering a state pages keep live) --------


@pytest.mark.django_db(transaction=True)
async def test_topic_seq_is_the_seq_subscribers_are_told():
    topic = "presencetest:seq:plain"
    before = await sync_to_async(broadcast.topic_seq, thread_sensitive=False)(topic)
    live = await Live.open()
    subscribed = await live.subscribe(topic)
    assert subscribed["payload"]["seq"] == before
    await sync_to_async(broadcast.mark_dirty, thread_sensitive=False)(topic)
    after = await sync_to_async(broadcast.topic_seq, thread_sensitive=False)(topic)
    assert after == before + 1
    await live.close()
