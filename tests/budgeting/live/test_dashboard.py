"""The staff dashboard of a round: staff of its organisation only; pushed by the services
that change turnout, paper entry, moderation and review."""

from __future__ import annotations

import pytest

from budgeting.services import paper, voting
from engagement.ideas.services import ideas, moderation
from engagement.people.models import Role
from tests import factories
from tests.realtime import Live, cookie_of, run

pytestmark = [pytest.mark.django_db(transaction=True)]

TOPIC = "round:riga-dash:dashboard"


@pytest.fixture
def live_round(riga):
    return factories.voting_round(organisation=riga, slug="riga-dash")


async def next_matching(live: Live, check) -> dict:
    """Updates carry the whole state; wait for the one showing the change."""
    for _ in range(10):
        frame = await live.receive(timeout=2)
        if frame["type"] == "dashboard" and check(frame["payload"]):
            return frame["payload"]
    raise AssertionError("no update showed the change")


async def test_refused_to_anonymous_residents_and_staff_of_another_organisation(
    client, live_round, resident, gdansk_admin
):
    for user in (None, resident, gdansk_admin):
        headers = [await run(cookie_of)(client, user)] if user else []
        live = await Live.open(*headers)
        error = await live.subscribe(TOPIC, id="d")
        assert error["type"] == "error"
        assert error["payload"] == {"code": 4003, "message": f"You may not watch {TOPIC!r}."}
        assert error["in_response"] == "d"
        assert await live.nothing(0.2)  # and no snapshot
        await live.close()


async def test_staff_see_turnout_paper_moderation_and_review_change_live(client, live_round, riga):
    officers = [await run(factories.staff)(riga, Role.OFFICER) for _ in range(2)]
    moderator = await run(factories.staff)(riga, Role.MODERATOR)
    voter = await run(factories.eligible_voter)(riga)
    reporter = await run(factories.eligible_voter)(riga)
    collection = await run(factories.IdeaCollectionFactory)(organisation=riga, slug="square")
    idea = await run(factories.IdeaFactory)(process=collection, title="A fountain")

    live = await Live.open(await run(cookie_of)(client, officers[0]))
    assert (await live.subscribe(TOPIC))["type"] == "subscribed"
    state = (await live.receive())["payload"]["state"]
    assert state == {
        "round": "riga-dash",
        "voters": 0,
        "districts": {"city": {"total": 0, "online": 0, "paper": 0, "imported": 0}},
        "timeline": [],
        "paper": {"sheets": 0, "agreed": 0, "disputed": 0, "awaiting_second_entry": 0},
        "moderation_queue": 0,
        "open_surveys": 0,
        "upcoming_workshops": 0,
        "review_queue": 1,
    }

    await run(voting.ballot_cast)(
        voter=voter,
        budget_round=live_round,
        district_budget=await run(live_round.districts.get)(key="city"),
        projects=["p1"],
    )
    state = await next_matching(live, lambda s: s["voters"] == 1)
    assert state["districts"]["city"]["online"] == 1
    assert [point["ballots"] for point in state["timeline"]] == [1]

    def enter(officer) -> None:
        paper.paper_entry_submit(
            officer=officer,
            budget_round=live_round,
            district_budget=live_round.districts.get(key="city"),
            serial="S-7",
            voter_reference="Anna Paper 7",
            projects=["p2"],
        )

    await run(enter)(officers[0])
    state = await next_matching(live, lambda s: s["paper"]["sheets"] == 1)
    assert state["paper"] == {"sheets": 1, "agreed": 0, "disputed": 0, "awaiting_second_entry": 1}
    await run(enter)(officers[1])
    state = await next_matching(live, lambda s: s["paper"]["agreed"] == 1)
    assert state["voters"] == 2
    assert state["districts"]["city"]["paper"] == 1

    await run(moderation.report_create)(reporter=reporter, reason="spam", idea=idea)
    state = await next_matching(live, lambda s: s["moderation_queue"] == 1)
    await run(moderation.reports_dismiss)(actor=moderator, idea=idea)
    state = await next_matching(live, lambda s: s["moderation_queue"] == 0)

    author = await run(lambda: idea.author)()
    await run(ideas.idea_withdraw)(actor=author, idea=idea)  # leaves the review queue
    state = await next_matching(live, lambda s: s["review_queue"] == 0)
    await live.close()


async def test_a_platform_administrator_may_watch(client, live_round, platform_admin):
    live = await Live.open(await run(cookie_of)(client, platform_admin))
    assert (await live.subscribe(TOPIC))["type"] == "subscribed"
    assert (await live.receive())["type"] == "snapshot"
    await live.close()
