"""Live vote counts: only while the round's counts are public, and never anything secret.

They move by whole batches of ``KOPA_BALLOT_BATCH`` ballots (tests/budgeting/
test_ballot_secrecy.py); these tests push with a batch of one to follow every step.
"""

from __future__ import annotations

import pytest

from budgeting.services import voting
from engagement.people.models import Role
from tests import factories
from tests.realtime import Live, cookie_of, run

pytestmark = [pytest.mark.django_db(transaction=True)]

TOPIC = "round:riga-open:votes"


@pytest.fixture(autouse=True)
def _batches_of_one(settings):
    settings.KOPA_BALLOT_BATCH = 1


@pytest.fixture
def public_round(riga):
    return factories.voting_round(
        organisation=riga,
        slug="riga-open",
        live_counts_public=True,
        secret_ballot=True,
        ballot_changes_allowed=True,
    )


def cast(voter, budget_round, projects, receipt=None):
    return voting.ballot_cast(
        voter=voter,
        budget_round=budget_round,
        district_budget=budget_round.districts.get(key="city"),
        projects=projects,
        receipt=receipt,
    )


def fresh(budget_round) -> dict:
    support: dict[str, int] = {}
    ballots = factories.ballots_in_box(budget_round)
    for ballot in ballots:
        for pk in ballot.projects:
            support[str(pk)] = support.get(str(pk), 0) + 1
    return {"round": budget_round.slug, "ballots": len(ballots), "projects": support}


async def test_counts_are_pushed_and_equal_the_database_after_casts_and_changes(public_round, riga):
    pks = {p.external_id: str(p.pk) async for p in public_round.projects.all()}
    voters = [await run(factories.eligible_voter)(riga) for _ in range(3)]
    live = await Live.open()
    await live.subscribe(TOPIC)
    snapshot = await live.receive()
    assert snapshot["payload"]["state"] == {"round": "riga-open", "ballots": 0, "projects": {}}

    receipt = (await run(cast)(voters[0], public_round, ["p1", "p2"])).receipt
    update = await live.receive()
    assert update["type"] == "votes"
    assert update["topic"] == TOPIC
    assert update["payload"] == {
        "round": "riga-open",
        "ballots": 1,
        "projects": {pks["p1"]: 1, pks["p2"]: 1},
    }
    await run(cast)(voters[1], public_round, ["p1"])
    # A secret ballot changed with its receipt: p2 loses the vote, p3 gains it.
    await run(cast)(voters[0], public_round, ["p1", "p3"], receipt)
    state = None
    while state is None or state["ballots"] < 2 or state["projects"].get(pks["p3"]) != 1:
        state = (await live.receive())["payload"]
    expected = await run(fresh)(public_round)
    assert {k: v for k, v in state["projects"].items() if v} == expected["projects"]
    assert state["ballots"] == expected["ballots"] == 2
    # Nothing but numbers: no voter, no receipt, no time.
    assert set(state) == {"round", "ballots", "projects"}
    await live.close()


async def test_counts_that_are_not_public_are_refused_to_everyone(client, riga, resident):
    await run(factories.voting_round)(organisation=riga, slug="riga-closed")
    admin = await run(factories.staff)(riga, Role.ADMINISTRATOR)
    for user in (None, resident, admin):
        headers = [await run(cookie_of)(client, user)] if user else []
        live = await Live.open(*headers)
        error = await live.subscribe("round:riga-closed:votes", id="v")
        assert error["type"] == "error"
        assert error["payload"]["code"] == 4003
        assert error["in_response"] == "v"
        await live.close()


async def test_counts_are_public_once_results_are_out(riga):
    await run(factories.results_round)(organisation=riga, slug="riga-done")
    live = await Live.open()
    assert (await live.subscribe("round:riga-done:votes"))["type"] == "subscribed"
    snapshot = await live.receive()
    assert snapshot["payload"]["state"] == {"round": "riga-done", "ballots": 0, "projects": {}}
    await live.close()


async def test_turning_live_counts_off_stops_the_numbers(public_round, riga):
    voter = await run(factories.eligible_voter)(riga)
    live = await Live.open()
    await live.subscribe(TOPIC)
    await live.receive()
    public_round.live_counts_public = False
    await run(public_round.save)(update_fields=["live_counts_public"])
    await run(cast)(voter, public_round, ["p1"])
    update = await live.receive()
    assert update["payload"] == {"round": "riga-open", "ballots": None, "projects": {}}
    await live.close()
