"""Two ASGI processes on one Redis: a dirty mark published by one reaches the other."""

from __future__ import annotations

import asyncio

import pytest
from django.conf import settings

from budgeting.services import voting
from engagement.realtime import broadcast
from tests import factories
from tests.realtime import run

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_round(riga):
    return factories.voting_round(organisation=riga, slug="riga-cross")


TOPIC = "round:riga-cross:turnout"


async def test_dirty_published_by_one_process_reaches_a_subscriber_of_another(live_round, riga):
    voter = await run(factories.eligible_voter)(riga)
    one = broadcast.Broadcaster(redis_url=settings.REDIS_URL)
    other = broadcast.Broadcaster(redis_url=settings.REDIS_URL)
    await one.start()
    await other.start()
    received: asyncio.Queue[dict] = asyncio.Queue()
    try:
        seq = await other.subscribe(TOPIC, received.put)
        await one.publish_dirty(TOPIC)
        frame = (await asyncio.wait_for(received.get(), timeout=1))["text"]
        assert frame.startswith(f'{{"type":"turnout","seq":{seq + 1},')
        assert '"voters":0' in frame

        # A ballot cast "in" the first process: the service only publishes a dirty mark.
        await run(voting.ballot_cast)(
            voter=voter,
            budget_round=live_round,
            district_budget=await run(live_round.districts.get)(key="city"),
            projects=["p1"],
        )
        frame = (await asyncio.wait_for(received.get(), timeout=1))["text"]
        assert frame.startswith(f'{{"type":"turnout","seq":{seq + 2},')
        assert '"voters":1' in frame
        assert one.subscriber_count(TOPIC) == 0
    finally:
        await one.close()
        await other.close()
