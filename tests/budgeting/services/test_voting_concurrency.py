"""One person, one ballot under concurrency (PostgreSQL only).

Many threads cast for the same voter at the same instant; the unique constraints and
``INSERT … ON CONFLICT DO NOTHING`` must leave exactly one participation and one ballot,
and every other call must end cleanly: "already voted", or a change where changes are
allowed. Each thread uses its own database connection and closes it.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from budgeting.models import Ballot, Participation
from budgeting.services import voting
from budgeting.services.voting import AlreadyVoted
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 50


def race(calls) -> list[object]:
    """Run every call at the same instant, each in its own thread; return outcomes in order.

    An outcome is the call's return value, or the exception it raised.
    """
    barrier = threading.Barrier(len(calls), timeout=60)

    def run(call):
        try:
            barrier.wait()
            return call()
        except Exception as error:  # recorded and asserted on by the test
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def caster(voter, budget_round, key, projects):
    district_budget = budget_round.districts.get(key=key)

    def call():
        return voting.ballot_cast(
            voter=voter,
            budget_round=budget_round,
            district_budget=district_budget,
            projects=projects,
        )

    return call


def kinds(outcomes) -> Counter:
    def kind(outcome):
        if isinstance(outcome, AlreadyVoted):
            return f"AlreadyVoted:{outcome.code}"
        if isinstance(outcome, voting.CastReceipt):
            return "changed" if outcome.changed else "cast"
        return f"unexpected {type(outcome).__name__}: {outcome}"

    return Counter(kind(o) for o in outcomes)


def test_changes_not_allowed_exactly_one_ballot_and_clean_refusals():
    budget_round = factories.voting_round(ballot_changes_allowed=False)
    voter = factories.UserFactory()
    outcomes = race([caster(voter, budget_round, "city", ["p1", "p2"])] * THREADS)
    assert kinds(outcomes) == {"cast": 1, "AlreadyVoted:already_voted": THREADS - 1}
    assert Participation.objects.filter(voter=voter).count() == 1
    assert len(factories.ballots_in_box()) == 1
    [receipt] = [o for o in outcomes if isinstance(o, voting.CastReceipt)]
    assert voting.receipt_check(budget_round=budget_round, code=receipt.receipt)["counted"]


def test_changes_allowed_exactly_one_ballot_holding_the_last_change():
    budget_round = factories.voting_round(ballot_changes_allowed=True, secret_ballot=False)
    voter = factories.UserFactory()
    choices = [["p1"], ["p2"], ["p3"], ["p1", "p3"], ["p2", "p3"]]
    calls = [caster(voter, budget_round, "city", choices[i % len(choices)]) for i in range(THREADS)]
    outcomes = race(calls)
    assert kinds(outcomes) == {"cast": 1, "changed": THREADS - 1}
    assert Participation.objects.filter(voter=voter).count() == 1
    [ballot] = factories.ballots_in_box()
    # The surviving ballot is whole (one of the submitted choices) and the one receipt
    # among all the answers that is still counted is the one of the last change.
    pks = dict(budget_round.projects.values_list("external_id", "pk"))
    assert ballot.projects in [tuple(pks[p] for p in choice) for choice in choices]
    still_counted = [
        o.receipt
        for o in outcomes
        if voting.receipt_check(budget_round=budget_round, code=o.receipt)["counted"]
    ]
    assert len(still_counted) == 1
    assert Participation.objects.get().ballot_seal == voting.receipt_seal(still_counted[0])


def test_secret_round_changes_without_a_receipt_are_refused_cleanly():
    budget_round = factories.voting_round(ballot_changes_allowed=True, secret_ballot=True)
    voter = factories.UserFactory()
    outcomes = race([caster(voter, budget_round, "city", ["p1"])] * THREADS)
    receipts = [o for o in outcomes if isinstance(o, voting.CastReceipt)]
    refusals = [
        o for o in outcomes if isinstance(o, ValidationError) and o.error_dict.get("receipt")
    ]
    assert len(receipts) == 1
    assert not receipts[0].changed
    assert len(refusals) == THREADS - 1
    assert {e.code for r in refusals for e in r.error_dict["receipt"]} == {"receipt_required"}
    assert Participation.objects.filter(voter=voter).count() == 1
    assert len(factories.ballots_in_box()) == 1
    assert not Ballot.objects.exists()
    assert voting.receipt_check(budget_round=budget_round, code=receipts[0].receipt)["counted"]


@pytest.mark.parametrize("changes_allowed", [False, True])
def test_one_district_per_voter_holds_across_two_districts(changes_allowed):
    budget_round = factories.district_voting_round(
        citywide=None,
        one_district_per_voter=True,
        ballot_changes_allowed=changes_allowed,
        secret_ballot=False,
    )
    voter = factories.UserFactory()
    calls = [
        caster(voter, budget_round, key, [f"{key}-1"])
        for key in ("north", "south") * (THREADS // 2)
    ]
    outcomes = race(calls)
    assert Participation.objects.filter(voter=voter).count() == 1
    assert len(factories.ballots_in_box()) == 1
    winner = Participation.objects.get().district_budget.key
    outcome_kinds = kinds(outcomes)
    same_district = THREADS // 2 - 1
    expected = {"cast": 1, "AlreadyVoted:voted_in_other_district": THREADS // 2}
    if changes_allowed:
        expected["changed"] = same_district
    else:
        expected["AlreadyVoted:already_voted"] = same_district
    assert outcome_kinds == expected
    assert len(factories.ballots_in_box(district=winner)) == 1


def test_many_voters_at_once_each_get_exactly_one_ballot():
    budget_round = factories.voting_round(ballot_changes_allowed=False)
    voters = [factories.UserFactory() for _ in range(10)]
    calls = [caster(v, budget_round, "city", ["p1"]) for v in voters for _ in range(5)]
    outcomes = race(calls)
    assert kinds(outcomes) == {"cast": 10, "AlreadyVoted:already_voted": 40}
    assert Participation.objects.count() == len(factories.ballots_in_box()) == 10
    assert set(Participation.objects.values_list("voter", flat=True)) == {v.pk for v in voters}
