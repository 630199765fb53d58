"""Results reach live pages the moment staff publish them."""

from __future__ import annotations

import pytest

from budgeting.services import results, rounds, voting
from engagement.people.permissions import SYSTEM
from tests import factories
from tests.realtime import Live, run

pytestmark = [pytest.mark.django_db(transaction=True)]

TOPIC = "round:riga-results:results"


@pytest.fixture
def tallying_round(riga):
    budget_round = factories.voting_round(
        organisation=riga, slug="riga-results", budget=60_000_00, costs=(40_000_00, 30_000_00)
    )
    city = budget_round.districts.get()
    for choice in (["p1"], ["p1"], ["p2"]):
        voting.ballot_cast(
            voter=factories.UserFactory(),
            budget_round=budget_round,
            district_budget=city,
            projects=choice,
        )
    rounds.phase_advance(actor=SYSTEM, budget_round=budget_round, to_phase="tallying")
    return budget_round


async def test_snapshot_says_unpublished_then_publication_is_pushed(tallying_round):
    live = await Live.open()
    await live.subscribe(TOPIC)
    snapshot = await live.receive()
    assert snapshot["payload"]["state"] == {
        "round": "riga-results",
        "published": False,
        "districts": [],
    }

    await run(results.tally_run)(actor=SYSTEM, budget_round=tallying_round)
    assert await live.nothing(0.4)  # a staff preview is not a publication

    await run(results.results_publish)(actor=SYSTEM, budget_round=tallying_round)
    update = await live.receive()
    assert update["type"] == "results"
    (city,) = update["payload"]["districts"]
    assert update["payload"]["published"] is True
    assert (city["district"], city["selected"], city["spent"], city["budget"]) == (
        "city",
        ["p1"],
        40_000_00,
        60_000_00,
    )
    await live.close()


@pytest.fixture
def draft_round(riga):
    return factories.BudgetRoundFactory(organisation=riga, slug="riga-draft", phase="draft")


async def test_results_of_a_draft_round_are_refused_to_residents(draft_round):
    live = await Live.open()
    refused = await live.subscribe("round:riga-draft:results")
    assert refused["type"] == "error"
    assert refused["payload"]["code"] == 4003
    await live.close()
