"""Rounds in the states the public pages show, built through the real services."""

from __future__ import annotations

import pytest

from budgeting.services import results, rounds, voting
from tests import factories

# p1..p4 cost 40,000 / 30,000 / 20,000 / 50,000 EUR of a 100,000 EUR budget (voting_round).
BALLOTS = [["p1", "p4"], ["p1", "p4"], ["p1", "p2"], ["p3"]]


def cast_all(budget_round, ballots, *, district: str = "city") -> None:
    for projects in ballots:
        voting.ballot_cast(
            voter=factories.UserFactory(),
            budget_round=budget_round,
            district_budget=budget_round.districts.get(key=district),
            projects=projects,
        )


def publish(budget_round, admin, ballots=BALLOTS):
    """Cast ``ballots``, close voting, tally and publish: what a city does."""
    cast_all(budget_round, ballots)
    rounds.phase_advance(actor=admin, budget_round=budget_round, to_phase="tallying")
    budget_round.refresh_from_db()
    results.results_publish(actor=admin, budget_round=budget_round)
    budget_round.refresh_from_db()
    return budget_round


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Update photos are written to a temporary media folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def published_round(riga, riga_admin):
    """A greedy round, four ballots, results published (still in the tallying phase)."""
    budget_round = factories.voting_round(organisation=riga, title="Rīga decides 2026")
    return publish(budget_round, riga_admin)
