"""Support and comment counts of an idea update live; drafts and hidden ideas do not exist."""

from __future__ import annotations

import pytest

from engagement.ideas.services import discussion, supports
from tests import factories
from tests.realtime import (  # noqa: F401 (autouse fixtures, for this module's tests only)
    Live,
    fresh_broadcaster,
    fresh_counters,
    quick_interval,
    run,
)

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def idea(riga):
    collection = factories.IdeaCollectionFactory(organisation=riga, slug="seaside")
    return factories.IdeaFactory(process=collection, title="Benches by the sea")


@pytest.fixture
def neighbours(riga):
    return [factories.eligible_voter(riga) for _ in range(3)]


@pytest.fixture
def draft(riga):
    collection = factories.IdeaCollectionFactory(organisation=riga, slug="quiet")
    return factories.IdeaFactory(process=collection, status="draft", submitted_at=None)


async def test_supports_and_comments_are_pushed(idea, neighbours):
    live = await Live.open()
    topic = f"idea:{idea.pk}:counts"
    await live.subscribe(topic)
    snapshot = await live.receive()
    assert snapshot["payload"]["state"] == {"idea": idea.pk, "supports": 0, "comments": 0}

    await run(supports.support_add)(user=neighbours[0], idea=idea)
    update = await live.receive()
    assert update["type"] == "counts"
    assert update["payload"] == {"idea": idea.pk, "supports": 1, "comments": 0}

    await run(discussion.comment_create)(author=neighbours[1], idea=idea, body="<p>Yes!</p>")
    update = await live.receive()
    assert update["payload"] == {"idea": idea.pk, "supports": 1, "comments": 1}

    # Supporting twice changes nothing and pushes nothing.
    await run(supports.support_add)(user=neighbours[0], idea=idea)
    assert await live.nothing(0.4)
    await live.close()


async def test_a_draft_is_no_topic_for_others(draft):
    live = await Live.open()
    refused = await live.subscribe(f"idea:{draft.pk}:counts")
    assert refused["type"] == "error"
    assert refused["payload"]["code"] == 4004
    refused = await live.subscribe("idea:not-a-number:counts", id="s2")
    assert refused["payload"]["code"] == 4004
    await live.close()
