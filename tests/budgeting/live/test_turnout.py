"""Live turnout of a round: subscribe, snapshot, coalesced updates after commit, resync."""

from __future__ import annotations

import pytest
from django.db import transaction

from budgeting.services import paper, voting
from engagement.people.models import Role
from tests import factories
from tests.realtime import Live, cast, cookie_of, run

pytestmark = [pytest.mark.django_db(transaction=True)]


class Boom(Exception):
    pass


def cast_then_roll_back(voter, budget_round) -> None:
    try:
        with transaction.atomic():
            cast(voter, budget_round)
            raise Boom
    except Boom:
        pass


@pytest.fixture
def live_round(riga):
    return factories.voting_round(organisation=riga, slug="riga-live")


@pytest.fixture
def voters(riga):
    return [factories.eligible_voter(riga) for _ in range(20)]


TOPIC = "round:riga-live:turnout"


async def test_subscribe_answers_subscribed_then_a_snapshot(live_round):
    live = await Live.open()
    subscribed = await live.subscribe(TOPIC, id="a")
    assert subscribed == {
        "type": "subscribed",
        "seq": 0,
        "payload": {"topic": TOPIC, "seq": subscribed["payload"]["seq"]},
        "in_response": "a",
    }
    snapshot = await live.receive()
    assert snapshot["type"] == "snapshot"
    assert snapshot["seq"] == subscribed["payload"]["seq"]
    assert snapshot["payload"] == {
        "topic": TOPIC,
        "state": {
            "round": "riga-live",
            "voters": 0,
            "districts": {"city": {"total": 0, "online": 0, "paper": 0, "imported": 0}},
        },
    }
    assert await live.nothing()
    await live.close()


async def test_committed_ballot_pushes_an_update_and_a_rolled_back_one_none(live_round, voters):
    live = await Live.open()
    seq = (await live.subscribe(TOPIC))["payload"]["seq"]
    await live.receive()  # snapshot

    await run(cast_then_roll_back)(voters[0], live_round)
    assert await live.nothing(0.5)

    await run(cast)(voters[1], live_round)
    update = await live.receive()
    assert update["type"] == "turnout"
    assert update["seq"] > seq
    assert update["payload"] == {
        "round": "riga-live",
        "voters": 1,
        "districts": {"city": {"total": 1, "online": 1, "paper": 0, "imported": 0}},
    }
    await live.close()


async def test_withdrawn_ballot_pushes_an_update(riga, voters):
    budget_round = await run(factories.voting_round)(
        organisation=riga, slug="riga-live", ballot_changes_allowed=True, secret_ballot=False
    )
    await run(cast)(voters[0], budget_round)
    live = await Live.open()
    await live.subscribe(TOPIC)
    assert (await live.receive())["payload"]["state"]["voters"] == 1
    city = await run(budget_round.districts.get)(key="city")
    await run(voting.ballot_withdraw)(
        voter=voters[0], budget_round=budget_round, district_budget=city
    )
    assert (await live.receive())["payload"]["voters"] == 0
    await live.close()


async def test_a_burst_of_ballots_is_coalesced_into_a_few_updates(live_round, voters, settings):
    settings.KOPA_LIVE_MIN_INTERVAL_MS = 250
    live = await Live.open()
    await live.subscribe(TOPIC)
    await live.receive()  # snapshot

    def burst() -> None:
        for voter in voters:
            cast(voter, live_round)

    await run(burst)()
    updates = []
    while not updates or updates[-1]["payload"]["voters"] < 20:
        updates.append(await live.receive(timeout=1))
    assert all(frame["type"] == "turnout" for frame in updates)
    assert len(updates) <= 6, len(updates)
    assert updates[-1]["payload"]["districts"]["city"] == {
        "total": 20,
        "online": 20,
        "paper": 0,
        "imported": 0,
    }
    assert [u["seq"] for u in updates] == sorted({u["seq"] for u in updates})
    assert await live.nothing(0.4)  # and nothing after the final state
    await live.close()


async def test_resync_with_a_stale_since_gets_a_snapshot_with_the_current_none(live_round, voters):
    live = await Live.open()
    old = (await live.subscribe(TOPIC))["payload"]["seq"]
    await live.receive()
    await run(cast)(voters[0], live_round)
    current = (await live.receive())["seq"]
    await live.close()

    # Reconnect having missed nothing: no snapshot.
    again = await Live.open()
    subscribed = await again.subscribe(TOPIC, since=current)
    assert subscribed["payload"]["seq"] == current
    assert await again.nothing()
    await again.close()

    # Reconnect having missed an update: a snapshot with the current state.
    stale = await Live.open()
    subscribed = await stale.subscribe(TOPIC, since=old)
    assert subscribed["payload"]["seq"] == current
    snapshot = await stale.receive()
    assert snapshot["type"] == "snapshot"
    assert snapshot["seq"] == current
    assert snapshot["payload"]["state"]["voters"] == 1
    await stale.close()


async def test_unsubscribed_socket_gets_no_more_updates(live_round, voters):
    live = await Live.open()
    await live.subscribe(TOPIC)
    await live.receive()
    await live.send({"type": "unsubscribe", "id": 7, "topic": TOPIC})
    assert await live.receive() == {
        "type": "unsubscribed",
        "seq": 0,
        "payload": {"topic": TOPIC},
        "in_response": 7,
    }
    await run(cast)(voters[0], live_round)
    assert await live.nothing(0.5)
    await live.close()


async def test_draft_round_is_refused_to_residents_and_other_organisations(
    client, riga, resident, gdansk_admin
):
    await run(factories.BudgetRoundFactory)(organisation=riga, slug="riga-draft")
    riga_staff = await run(factories.staff)(riga, Role.MODERATOR)
    topic = "round:riga-draft:turnout"
    for user in (None, resident, gdansk_admin):
        headers = [await run(cookie_of)(client, user)] if user else []
        live = await Live.open(*headers)
        error = await live.subscribe(topic, id="d")
        assert error["type"] == "error"
        assert error["payload"]["code"] == 4003
        assert error["in_response"] == "d"
        await live.close()
    live = await Live.open(await run(cookie_of)(client, riga_staff))
    assert (await live.subscribe(topic))["type"] == "subscribed"
    assert (await live.receive())["type"] == "snapshot"
    await live.close()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"type": "subscribe", "id": 1}, 4000),
        ({"type": "subscribe", "id": 1, "topic": 5}, 4000),
        ({"type": "unsubscribe", "id": 1}, 4000),
        ({"type": "subscribe", "id": 1, "topic": "round:no-such-round:turnout"}, 4004),
        ({"type": "subscribe", "id": 1, "topic": "round:riga-live:weather"}, 4004),
        ({"type": "subscribe", "id": 1, "topic": "round::turnout"}, 4004),
        ({"type": "subscribe", "id": 1, "topic": "nonsense"}, 4004),
    ],
)
async def test_malformed_subscribe_frames_get_error_frames(live_round, frame, code):
    live = await Live.open()
    await live.send(frame)
    error = await live.receive()
    assert error["type"] == "error"
    assert error["payload"]["code"] == code
    assert error["in_response"] == 1
    await live.send({"type": "ping"})
    assert (await live.receive())["type"] == "pong"
    await live.close()


async def test_too_many_subscriptions_are_refused(riga, settings):
    settings.KOPA_WS_MAX_SUBSCRIPTIONS = 2
    for slug in ("a", "b", "c"):
        await run(factories.voting_round)(organisation=riga, slug=slug)
    live = await Live.open()
    for slug in ("a", "b"):
        assert (await live.subscribe(f"round:{slug}:turnout"))["type"] == "subscribed"
        await live.receive()
    # Subscribing again to a topic already held does not count twice.
    assert (await live.subscribe("round:a:turnout"))["type"] == "subscribed"
    await live.receive()
    error = await live.subscribe("round:c:turnout", id="third")
    assert error["payload"]["code"] == 4029
    assert error["in_response"] == "third"
    await live.send({"type": "unsubscribe", "topic": "round:b:turnout"})
    assert (await live.receive())["type"] == "unsubscribed"
    assert (await live.subscribe("round:c:turnout"))["type"] == "subscribed"
    await live.close()


async def test_a_counted_paper_sheet_pushes_an_update_and_a_single_entry_none(live_round, riga):
    officers = [await run(factories.staff)(riga, Role.OFFICER) for _ in range(2)]

    def enter(officer) -> None:
        paper.paper_entry_submit(
            officer=officer,
            budget_round=live_round,
            district_budget=live_round.districts.get(key="city"),
            serial="S-001",
            voter_reference="Vilis Paper 123",
            projects=["p1"],
        )

    live = await Live.open()
    await live.subscribe(TOPIC)
    await live.receive()
    await run(enter)(officers[0])
    assert await live.nothing(0.4)  # one reading counts nothing
    await run(enter)(officers[1])
    update = await live.receive()
    assert update["payload"]["districts"]["city"]["paper"] == 1
    await live.close()
