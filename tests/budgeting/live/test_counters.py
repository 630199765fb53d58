"""The live turnout counters read only what is new, yet always equal a fresh count.

Casts, changes and withdrawals (which leave nothing in the participation table to read) in a
round where people vote in several district budgets, plus ids that commit out of order.
Vote counts are not kept here: tests/budgeting/services/test_ballot_box.py.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext

from budgeting.live.counts import LiveCounters
from budgeting.models import DistrictBudget, Participation
from budgeting.selectors import rounds as selectors
from budgeting.services import voting
from tests import factories

pytestmark = [pytest.mark.django_db(transaction=True)]


def assert_equals_a_fresh_count(counters: LiveCounters, budget_round) -> None:
    counts = counters.counts(budget_round)
    assert counts.turnout() == selectors.turnout(budget_round)
    timeline_total = sum(point["ballots"] for point in counts.timeline_points())
    assert timeline_total == Participation.objects.filter(round=budget_round).count()


@pytest.fixture
def budget_round(riga):
    return factories.district_voting_round(
        organisation=riga,
        slug="riga-counters",
        ballot_changes_allowed=True,
        secret_ballot=False,
        one_district_per_voter=False,
    )


def cast(voter, budget_round, key: str, projects: list[str]) -> None:
    voting.ballot_cast(
        voter=voter,
        budget_round=budget_round,
        district_budget=DistrictBudget.objects.get(round=budget_round, key=key),
        projects=projects,
    )


def withdraw(voter, budget_round, key: str) -> None:
    voting.ballot_withdraw(
        voter=voter,
        budget_round=budget_round,
        district_budget=DistrictBudget.objects.get(round=budget_round, key=key),
    )


def test_casts_changes_and_withdrawals_equal_a_fresh_count(riga, budget_round):
    counters = LiveCounters()
    voters = [factories.eligible_voter(riga) for _ in range(6)]
    cast(voters[0], budget_round, "city", ["city-1"])  # before the counters first load
    assert_equals_a_fresh_count(counters, budget_round)

    for voter in voters[1:]:
        cast(voter, budget_round, "city", ["city-1", "city-2"])
    for voter in voters[:3]:
        cast(voter, budget_round, "north", ["north-1"])  # the same people, a second budget
    assert_equals_a_fresh_count(counters, budget_round)
    assert counters.counts(budget_round).voters == 6

    cast(voters[1], budget_round, "city", ["city-2"])  # a change
    cast(voters[1], budget_round, "city", ["city-1"])  # and back again
    cast(voters[2], budget_round, "north", ["north-2"])
    assert_equals_a_fresh_count(counters, budget_round)

    withdraw(voters[0], budget_round, "city")  # still voted in north: still a voter
    assert_equals_a_fresh_count(counters, budget_round)
    assert counters.counts(budget_round).voters == 6
    withdraw(voters[0], budget_round, "north")  # no ballot left: one voter fewer
    withdraw(voters[5], budget_round, "city")
    assert_equals_a_fresh_count(counters, budget_round)
    assert counters.counts(budget_round).voters == 4

    # Changed and withdrawn before this process ever read the ballot.
    late = factories.eligible_voter(riga)
    cast(late, budget_round, "south", ["south-1"])
    cast(late, budget_round, "south", ["south-2"])
    cast(voters[5], budget_round, "city", ["city-2"])  # votes again after withdrawing
    other = factories.eligible_voter(riga)
    cast(other, budget_round, "south", ["south-1"])
    withdraw(other, budget_round, "south")
    assert_equals_a_fresh_count(counters, budget_round)

    # A second process that loads the round only now agrees.
    assert LiveCounters().counts(budget_round).turnout() == counters.counts(budget_round).turnout()


def test_an_update_reads_only_what_is_new(riga, budget_round):
    counters = LiveCounters()
    voters = [factories.eligible_voter(riga) for _ in range(40)]
    counters.counts(budget_round)
    for voter in voters[:20]:
        cast(voter, budget_round, "city", ["city-1"])
    with CaptureQueriesContext(connection) as few:
        counters.counts(budget_round)
    for voter in voters[20:]:
        cast(voter, budget_round, "city", ["city-1"])
    with CaptureQueriesContext(connection) as more:
        counters.counts(budget_round)
    # Same statements whatever the number of ballots, and never a COUNT of the tables.
    assert len(few.captured_queries) == len(more.captured_queries) <= 12
    assert not any("COUNT(" in q["sql"].upper() for q in more.captured_queries)
    assert counters.counts(budget_round).turnout()["districts"]["city"]["total"] == 40


def test_a_lower_id_committed_after_a_higher_one_is_still_counted(budget_round):
    """Ids are taken before commit: a transaction may commit after a later one."""
    counters = LiveCounters()
    city = DistrictBudget.objects.get(round=budget_round, key="city")

    def voted(participation_id: int) -> None:
        Participation.objects.create(
            id=participation_id,
            round=budget_round,
            district_budget=city,
            voter_key=f"ref:{participation_id}",
            channel="paper",
        )

    def city_total() -> int:
        return counters.counts(budget_round).turnout()["districts"]["city"]["total"]

    counters.counts(budget_round)
    # Ids a little above what the tables ever held (ids are not reused), in this order:
    top = (Participation.objects.aggregate(top=Max("id"))["top"] or 0) + 100
    voted(top)
    assert city_total() == 1
    voted(top - 10)
    assert city_total() == 2
    voted(top - 90)
    # Every id skipped over is looked up again until it appears (or expires, rolled back).
    assert city_total() == 3
    assert counters.counts(budget_round).voters == 3


@pytest.mark.django_db  # inside the test's transaction: no snapshot of its own to read in
def test_inside_a_transaction_the_counts_are_counted_afresh_and_kept_nowhere(riga):
    budget_round = factories.voting_round(organisation=riga, slug="riga-atomic")
    cast(factories.eligible_voter(riga), budget_round, "city", ["p1", "p2"])
    counters = LiveCounters()
    assert_equals_a_fresh_count(counters, budget_round)
    assert counters._rounds == {}
