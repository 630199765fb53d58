"""Paper ballots over HTTP: double entry by two officers, and the progress dashboard."""

from __future__ import annotations

import pytest

from budgeting.models import PaperBallotSheet, Participation
from tests import factories
from tests.budgeting.api.util import round_in, url

pytestmark = pytest.mark.django_db

SHEET = {
    "district": "city",
    "serial": "R-0001",
    "voter_reference": "LV-010190-12345",
    "projects": ["p1", "p3"],
}


@pytest.fixture
def budget_round(riga):
    return factories.voting_round(organisation=riga)


def enter(as_user, officer, budget_round, **changes):
    return as_user(officer).post(url(budget_round, "paper-ballots/"), {**SHEET, **changes})


class TestEntryRefused:
    def test_reviewers_may_not_enter_sheets(self, as_user, budget_round, riga_reviewer):
        response = enter(as_user, riga_reviewer, budget_round)
        assert response.status_code == 403
        assert response.json()["detail"] == (
            "Only officers of this organisation can enter paper ballots."
        )
        assert not PaperBallotSheet.objects.exists()

    def test_not_before_voting(self, as_user, riga, riga_officer):
        draft = round_in("review", organisation=riga)
        response = enter(as_user, riga_officer, draft)
        assert response.status_code == 400
        assert response.json()["error_codes"] == {"phase": ["wrong_phase"]}

    def test_invalid_ballot_uses_the_same_codes_as_online(self, as_user, riga, riga_officer):
        budget_round = factories.voting_round(organisation=riga, knapsack=True)
        response = enter(as_user, riga_officer, budget_round, projects=["p1", "p2", "p4"])
        assert response.status_code == 400
        assert response.json()["error_codes"] == {"projects": ["over_budget"]}
        assert not PaperBallotSheet.objects.exists()

    def test_blank_serial_and_reference_are_field_errors(self, as_user, budget_round, riga_officer):
        response = enter(as_user, riga_officer, budget_round, serial="", voter_reference=" ")
        assert response.status_code == 400
        assert response.json()["error_codes"] == {"serial": ["blank"], "voter_reference": ["blank"]}

    def test_one_officer_cannot_enter_a_sheet_twice(self, as_user, budget_round, riga_officer):
        enter(as_user, riga_officer, budget_round)
        response = enter(as_user, riga_officer, budget_round)
        assert response.status_code == 400
        assert response.json()["error_codes"] == {"serial": ["same_officer"]}


class TestDoubleEntry:
    def test_counts_once_two_officers_agree(
        self, as_user, budget_round, riga_officer, second_officer
    ):
        first = enter(as_user, riga_officer, budget_round)
        assert first.status_code == 201
        assert first.json() == {
            "serial": "R-0001",
            "district": "city",
            "status": "awaiting_second",
            "entries": 1,
        }
        assert not factories.ballots_in_box()
        second = enter(as_user, second_officer, budget_round)
        assert second.json() == {
            "serial": "R-0001",
            "district": "city",
            "status": "counted",
            "entries": 2,
        }
        assert [p.channel for p in Participation.objects.all()] == ["paper"]
        assert len(factories.ballots_in_box()) == 1
        assert Participation.objects.get().channel == "paper"

    def test_disagreeing_entries_are_a_conflict(
        self, as_user, budget_round, riga_officer, second_officer
    ):
        enter(as_user, riga_officer, budget_round)
        response = enter(as_user, second_officer, budget_round, projects=["p1"])
        assert response.json()["status"] == "conflict"
        assert not factories.ballots_in_box()

    def test_a_voter_who_voted_online_is_not_counted_twice(
        self, as_user, budget_round, riga_officer, second_officer, resident
    ):
        as_user(resident).put(
            url(budget_round, "ballot/"), {"district": "city", "projects": ["p2"]}
        )
        enter(as_user, riga_officer, budget_round, voter_reference=resident.email)
        response = enter(as_user, second_officer, budget_round, voter_reference=resident.email)
        assert response.json()["status"] == "duplicate_voter"
        assert len(factories.ballots_in_box()) == 1

    def test_decided_sheet_cannot_be_entered_again(
        self, as_user, budget_round, riga_officer, second_officer, riga_admin
    ):
        enter(as_user, riga_officer, budget_round)
        enter(as_user, second_officer, budget_round)
        response = enter(as_user, riga_admin, budget_round)
        assert response.status_code == 400
        assert response.json()["error_codes"] == {"serial": ["sheet_decided"]}


class TestProgress:
    def test_officers_follow_sheets_by_status(
        self, as_user, budget_round, riga_officer, second_officer
    ):
        enter(as_user, riga_officer, budget_round)
        enter(as_user, second_officer, budget_round)
        enter(as_user, riga_officer, budget_round, serial="R-0002")
        enter(as_user, riga_officer, budget_round, serial="R-0003")
        enter(as_user, second_officer, budget_round, serial="R-0003", projects=["p2"])
        response = as_user(riga_officer).get(url(budget_round, "paper-ballots/progress/"))
        assert response.status_code == 200
        assert response.json() == {
            "awaiting_second": 1,
            "counted": 1,
            "conflict": 1,
            "duplicate_voter": 0,
            "paper_ballots": 1,
        }
