"""Budget rounds over HTTP: what visitors see, and how staff design and move a round."""

from __future__ import annotations

import pytest

from budgeting.models import BudgetRound, DistrictBudget, PhaseSchedule
from engagement.people.models import District
from tests import factories
from tests.budgeting.api.util import round_in, url

pytestmark = pytest.mark.django_db

ROUND_FIELDS = {
    "slug",
    "title",
    "organisation",
    "phase",
    "phase_changed_at",
    "currency",
    "ballot_format",
    "min_projects",
    "max_projects",
    "knapsack",
    "min_spend_percent",
    "points_budget",
    "max_points_per_project",
    "max_rank",
    "outcome_rule",
    "tie_break",
    "lottery_seed",
    "secret_ballot",
    "live_counts_public",
    "ballot_changes_allowed",
    "one_district_per_voter",
    "min_age",
    "residence_required",
    "verified_email_required",
}


def slugs(response):
    return [r["slug"] for r in response.json()["results"]]


class TestList:
    def test_drafts_are_hidden_from_visitors_and_other_organisations(
        self, as_user, riga, gdansk, resident, gdansk_admin
    ):
        round_in("draft", organisation=riga, slug="riga-draft")
        factories.voting_round(organisation=riga, slug="riga-vote")
        for user in (None, resident, gdansk_admin):
            assert slugs(as_user(user).get("/api/v1/rounds/")) == ["riga-vote"]

    def test_staff_of_the_organisation_also_see_its_drafts(self, as_user, riga, riga_moderator):
        round_in("draft", organisation=riga, slug="riga-draft")
        factories.voting_round(organisation=riga, slug="riga-vote")
        listed = as_user(riga_moderator).get("/api/v1/rounds/")
        assert sorted(slugs(listed)) == ["riga-draft", "riga-vote"]

    def test_each_round_carries_its_settings(self, as_user, riga):
        factories.voting_round(
            organisation=riga, slug="riga-2026", title="Rīga 2026", knapsack=True, min_age=16
        )
        body = as_user(None).get("/api/v1/rounds/").json()
        assert body["count"] == 1
        row = body["results"][0]
        assert set(row) == ROUND_FIELDS
        assert row["slug"] == "riga-2026"
        assert row["title"] == "Rīga 2026"
        assert row["organisation"] == "riga"
        assert (row["phase"], row["currency"]) == ("voting", "EUR")
        assert (row["ballot_format"], row["knapsack"], row["min_projects"]) == ("approval", True, 1)
        assert (row["outcome_rule"], row["tie_break"]) == ("greedy", "project-id")
        assert (row["secret_ballot"], row["live_counts_public"]) == (True, False)
        assert (row["ballot_changes_allowed"], row["one_district_per_voter"]) == (True, False)
        assert (row["min_age"], row["residence_required"], row["verified_email_required"]) == (
            16,
            False,
            False,
        )

    def test_filter_by_organisation_and_phase(self, as_user, riga, gdansk):
        factories.voting_round(organisation=riga, slug="riga-vote")
        round_in("results", organisation=riga, slug="riga-old")
        factories.voting_round(organisation=gdansk, slug="gdansk-vote")
        client = as_user(None)
        assert sorted(slugs(client.get("/api/v1/rounds/", {"organisation": "riga"}))) == [
            "riga-old",
            "riga-vote",
        ]
        assert sorted(slugs(client.get("/api/v1/rounds/", {"phase": "voting"}))) == [
            "gdansk-vote",
            "riga-vote",
        ]
        assert slugs(
            client.get("/api/v1/rounds/", {"organisation": "riga", "phase": "results"})
        ) == ["riga-old"]
        refused = client.get("/api/v1/rounds/", {"phase": "someday"})
        assert refused.status_code == 400
        assert "phase" in refused.json()

    def test_is_paginated(self, as_user, riga):
        for n in range(3):
            factories.voting_round(organisation=riga, slug=f"r{n}")
        body = as_user(None).get("/api/v1/rounds/", {"limit": 2}).json()
        assert body["count"] == 3
        assert len(body["results"]) == 2
        assert "offset=2" in body["next"]


class TestDetail:
    def test_unknown_and_draft_rounds_are_404_to_visitors(self, as_user, riga, resident):
        draft = round_in("draft", organisation=riga)
        assert as_user(None).get("/api/v1/rounds/nowhere/").status_code == 404
        for user in (None, resident):
            response = as_user(user).get(url(draft))
            assert response.status_code == 404
            assert response.json() == {"detail": "Not found."}

    def test_shows_district_budgets_in_minor_units_and_as_decimals(self, as_user, riga):
        budget_round = factories.district_voting_round(
            organisation=riga, citywide=1_250_000_50, district_budget=500_000_00
        )
        body = as_user(None).get(url(budget_round)).json()
        assert set(body) >= ROUND_FIELDS | {"description", "districts", "schedule"}
        assert body["districts"] == [
            {
                "key": "city",
                "name": "City-wide",
                "district": None,
                "budget": 125000050,
                "budget_display": "1250000.50",
            },
            {
                "key": "north",
                "name": "North",
                "district": "north",
                "budget": 50000000,
                "budget_display": "500000.00",
            },
            {
                "key": "south",
                "name": "South",
                "district": "south",
                "budget": 50000000,
                "budget_display": "500000.00",
            },
        ]
        assert (body["total_budget"], body["total_budget_display"]) == (225000050, "2250000.50")

    def test_shows_the_phase_schedule(self, as_user, riga):
        budget_round = factories.voting_round(organisation=riga)
        PhaseSchedule.objects.create(
            round=budget_round, phase="tallying", starts_at="2026-06-01T10:00:00Z"
        )
        body = as_user(None).get(url(budget_round)).json()
        assert body["schedule"] == [
            {"phase": "tallying", "starts_at": "2026-06-01T10:00:00Z", "done_at": None}
        ]


class TestCreate:
    body = {
        "organisation": "riga",
        "slug": "riga-2027",
        "title": "Rīga 2027",
        "citywide_budget": "250000.00",
        "district_budgets": [{"district": "centrs", "budget": "50000.50"}],
        "ballot_format": "approval",
        "max_projects": 5,
        "outcome_rule": "equal-shares",
    }

    @pytest.fixture
    def centrs(self, riga):
        return District.objects.create(organisation=riga, slug="centrs", name="Centrs")

    def test_residents_and_other_organisations_cannot_create(
        self, as_user, riga, centrs, resident, riga_moderator, gdansk_admin
    ):
        for user in (resident, riga_moderator, gdansk_admin):
            response = as_user(user).post("/api/v1/rounds/", self.body)
            assert response.status_code == 403
            assert response.json()["detail"] == (
                "Only administrators of this organisation can do this."
            )
        assert not BudgetRound.objects.exists()

    def test_too_many_decimals_is_a_field_error(self, as_user, riga, centrs, riga_admin):
        response = as_user(riga_admin).post(
            "/api/v1/rounds/", {**self.body, "citywide_budget": "100.005"}
        )
        assert response.status_code == 400
        assert response.json() == {
            "citywide_budget": ["EUR amounts have at most 2 decimals."],
            "error_codes": {"citywide_budget": ["too_many_decimals"]},
        }
        assert not BudgetRound.objects.exists()

    @pytest.mark.parametrize("amount", ["-5", "1e3", "12,50", "", "1234567890123456", 12.5])
    def test_amount_must_be_a_plain_decimal_string(self, as_user, riga, centrs, riga_admin, amount):
        response = as_user(riga_admin).post(
            "/api/v1/rounds/", {**self.body, "citywide_budget": amount}
        )
        assert response.status_code == 400
        assert response.json()["error_codes"] == {"citywide_budget": ["invalid"]}

    def test_currency_without_minor_unit_takes_whole_amounts(self, as_user):
        reykjavik = factories.OrganisationFactory(slug="reykjavik", currency="ISK", country="IS")
        admin = factories.staff(reykjavik, "administrator")
        body = {"organisation": "reykjavik", "slug": "rvk", "title": "Betri hverfi"}
        refused = as_user(admin).post("/api/v1/rounds/", {**body, "citywide_budget": "100.5"})
        assert refused.json()["citywide_budget"] == ["ISK amounts have at most 0 decimals."]
        created = as_user(admin).post("/api/v1/rounds/", {**body, "citywide_budget": "450000000"})
        assert created.status_code == 201
        assert created.json()["districts"][0]["budget_display"] == "450000000"

    def test_unknown_organisation_and_district_are_field_errors(
        self, as_user, riga, gdansk, riga_admin
    ):
        District.objects.create(organisation=gdansk, slug="centrs", name="Gdańsk centrs")
        client = as_user(riga_admin)
        response = client.post("/api/v1/rounds/", {**self.body, "organisation": "atlantis"})
        assert response.json()["error_codes"] == {"organisation": ["does_not_exist"]}
        response = client.post("/api/v1/rounds/", self.body)  # centrs is Gdańsk's, not Rīga's
        assert response.status_code == 400
        assert response.json()["error_codes"] == {"district_budgets": ["unknown_district"]}

    def test_a_round_needs_a_budget(self, as_user, riga, riga_admin):
        body = {"organisation": "riga", "slug": "empty", "title": "Empty"}
        response = as_user(riga_admin).post("/api/v1/rounds/", body)
        assert response.status_code == 400
        assert response.json()["error_codes"] == {"citywide_budget": ["no_budget"]}

    def test_city_wide_pot_may_be_a_district_entry_without_district(
        self, as_user, riga, riga_admin
    ):
        body = {
            "organisation": "riga",
            "slug": "pot",
            "title": "Pot",
            "district_budgets": [{"district": None, "budget": "1000"}],
        }
        response = as_user(riga_admin).post("/api/v1/rounds/", body)
        assert response.status_code == 201
        assert [(d["key"], d["budget"]) for d in response.json()["districts"]] == [("city", 100000)]
        twice = as_user(riga_admin).post(
            "/api/v1/rounds/", {**body, "slug": "pot2", "citywide_budget": "5"}
        )
        assert twice.json()["error_codes"] == {"district_budgets": ["duplicate_citywide"]}

    def test_service_rules_come_back_as_field_errors(self, as_user, riga, centrs, riga_admin):
        response = as_user(riga_admin).post(
            "/api/v1/rounds/", {**self.body, "ballot_format": "cumulative", "knapsack": True}
        )
        assert response.status_code == 400
        body = response.json()
        assert body["error_codes"] == {"points_budget": ["required"], "knapsack": ["not_allowed"]}
        assert body["points_budget"] == ["Cumulative ballots need a number of points."]

    def test_slug_is_unique(self, as_user, riga, centrs, riga_admin):
        factories.voting_round(organisation=riga, slug="riga-2027")
        response = as_user(riga_admin).post("/api/v1/rounds/", self.body)
        assert response.status_code == 400
        assert response.json()["error_codes"] == {"slug": ["unique"]}

    def test_administrator_creates_a_draft(self, as_user, riga, centrs, riga_admin):
        response = as_user(riga_admin).post("/api/v1/rounds/", self.body)
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["slug"], body["phase"], body["currency"]) == ("riga-2027", "draft", "EUR")
        assert (body["max_projects"], body["outcome_rule"]) == (5, "equal-shares")
        assert [
            (d["key"], d["district"], d["budget"], d["budget_display"]) for d in body["districts"]
        ] == [
            ("city", None, 25000000, "250000.00"),
            ("centrs", "centrs", 5000050, "50000.50"),
        ]
        assert DistrictBudget.objects.filter(round__slug="riga-2027").count() == 2


class TestConfigure:
    def test_settings_are_frozen_once_voting_starts(self, as_user, riga, riga_admin):
        budget_round = factories.voting_round(organisation=riga)
        response = as_user(riga_admin).patch(url(budget_round), {"max_projects": 2})
        assert response.status_code == 400
        assert response.json() == {
            "phase": ["Not possible in the Voting phase."],
            "error_codes": {"phase": ["wrong_phase"]},
        }
        budget_round.refresh_from_db()
        assert budget_round.max_projects is None

    def test_wording_may_be_corrected_at_any_time(self, as_user, riga, riga_admin):
        budget_round = factories.voting_round(organisation=riga)
        response = as_user(riga_admin).patch(url(budget_round), {"title": "Better title"})
        assert response.status_code == 200
        assert response.json()["title"] == "Better title"

    def test_bad_values_are_field_errors(self, as_user, riga, riga_admin):
        budget_round = round_in("draft", organisation=riga)
        response = as_user(riga_admin).patch(
            url(budget_round), {"min_age": 500, "outcome_rule": "dictator", "tie_break": "lottery"}
        )
        assert response.status_code == 400
        assert response.json()["error_codes"] == {
            "min_age": ["max_value"],
            "outcome_rule": ["invalid_choice"],
        }
        response = as_user(riga_admin).patch(url(budget_round), {"tie_break": "lottery"})
        assert response.json()["error_codes"] == {"lottery_seed": ["required"]}

    def test_administrator_configures_a_draft(self, as_user, riga, riga_admin):
        budget_round = round_in("draft", organisation=riga)
        response = as_user(riga_admin).patch(
            url(budget_round),
            {"ballot_format": "ordinal", "max_rank": 3, "tie_break": "lottery", "lottery_seed": 7},
        )
        assert response.status_code == 200
        body = response.json()
        assert (body["ballot_format"], body["max_rank"]) == ("ordinal", 3)
        assert (body["tie_break"], body["lottery_seed"]) == ("lottery", 7)
        budget_round.refresh_from_db()
        assert budget_round.max_rank == 3


class TestPhaseAndSchedule:
    def test_phase_machine_refuses_skipping_voting(self, as_user, riga, riga_admin):
        budget_round = round_in("review", organisation=riga)
        response = as_user(riga_admin).post(url(budget_round, "phase/"), {"to": "results"})
        assert response.status_code == 400
        assert response.json()["error_codes"] == {"phase": ["invalid_transition"]}
        assert BudgetRound.objects.get(pk=budget_round.pk).phase == "review"

    def test_unknown_phase_is_a_field_error(self, as_user, riga, riga_admin):
        budget_round = round_in("review", organisation=riga)
        response = as_user(riga_admin).post(url(budget_round, "phase/"), {"to": "party"})
        assert response.json()["error_codes"] == {"to": ["invalid_choice"]}

    def test_voting_needs_something_to_vote_on(self, as_user, riga, riga_admin):
        budget_round = round_in("review", organisation=riga, costs=())
        response = as_user(riga_admin).post(url(budget_round, "phase/"), {"to": "voting"})
        assert response.status_code == 400
        assert response.json()["error_codes"] == {"phase": ["empty_ballot"]}

    def test_administrator_moves_the_round(self, as_user, riga, riga_admin):
        budget_round = factories.voting_round(organisation=riga)
        response = as_user(riga_admin).post(url(budget_round, "phase/"), {"to": "tallying"})
        assert response.status_code == 200
        assert response.json()["phase"] == "tallying"
        assert response.json()["phase_changed_at"]
        assert BudgetRound.objects.get(pk=budget_round.pk).phase == "tallying"

    def test_schedule_is_set_and_removed(self, as_user, riga, riga_admin):
        budget_round = factories.voting_round(organisation=riga)
        client = as_user(riga_admin)
        response = client.put(
            url(budget_round, "schedule/"),
            {"phase": "tallying", "starts_at": "2030-05-01T18:00:00Z"},
        )
        assert response.status_code == 200
        assert [(r["phase"], r["done_at"]) for r in response.json()] == [("tallying", None)]
        assert PhaseSchedule.objects.get().starts_at.isoformat() == "2030-05-01T18:00:00+00:00"
        response = client.put(
            url(budget_round, "schedule/"), {"phase": "tallying", "starts_at": None}
        )
        assert response.json() == []
        assert not PhaseSchedule.objects.exists()

    def test_schedule_needs_both_fields(self, as_user, riga, riga_admin):
        budget_round = factories.voting_round(organisation=riga)
        response = as_user(riga_admin).put(url(budget_round, "schedule/"), {"phase": "voting"})
        assert response.status_code == 400
        assert response.json()["error_codes"] == {"starts_at": ["required"]}


def test_list_and_detail_queries_are_bounded(as_user, riga, riga_moderator):
    """No N+1: listing 3 or 30 rounds, or a round with 2 or 20 districts, costs the same."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(riga_moderator)

    def count(path):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    for n in range(3):
        factories.voting_round(organisation=riga, slug=f"a{n}")
    few = count("/api/v1/rounds/")
    for n in range(27):
        factories.voting_round(organisation=riga, slug=f"b{n}")
    assert count("/api/v1/rounds/") == few
    small = factories.district_voting_round(organisation=riga, districts=("n1",))
    large = factories.district_voting_round(
        organisation=riga, districts=tuple(f"d{n}" for n in range(19))
    )
    assert count(url(small)) == count(url(large))
