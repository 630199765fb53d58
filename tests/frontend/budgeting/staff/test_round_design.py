"""Designing a round on the staff pages: what is entered is what is stored, bad input is
refused field by field (as the API refuses it), and voting locks what decides the count."""

from __future__ import annotations

import pytest

from budgeting.models import BudgetRound, DistrictBudget
from engagement.people.models import District
from tests import factories
from tests.frontend.budgeting.staff.conftest import draft_round

pytestmark = pytest.mark.django_db

CREATE = "/staff/o/riga/rounds/new/"


def round_form(**changes):
    data = {
        "title": "Participatory budget 2027",
        "slug": "riga-2027",
        "description": "Ideas for the river banks.",
        "citywide_budget": "250000.50",
        "ballot_format": "approval",
        "min_projects": "1",
        "max_projects": "5",
        "knapsack": "on",
        "outcome_rule": "equal-shares",
        "tie_break": "lottery",
        "lottery_seed": "20270301",
        "secret_ballot": "on",
        "ballot_changes_allowed": "on",
        "min_age": "16",
        "residence_required": "on",
        "title_pl": "Budżet obywatelski 2027",
        "description_pl": "Pomysły na brzegi rzeki.",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


class TestCreate:
    def test_the_form_explains_each_choice_in_plain_words(self, signed_in, riga_admin):
        html = signed_in(riga_admin).get(CREATE).content.decode()
        assert "<h1>New budget round</h1>" in html
        assert "Voters tick the projects they support." in html
        assert "Each voter gets an equal share of the budget" in html
        assert "Publish it before voting starts." in html
        assert 'data-show-for-format="cumulative"' in html  # JS hides what does not apply
        assert "Cumulative ballots only" in html  # ... and says so without JS
        assert 'name="title_pl"' in html
        assert 'lang="pl"' in html

    def test_creation_stores_exactly_what_was_entered(self, signed_in, riga, riga_admin):
        north = District.objects.create(organisation=riga, slug="north", name="North")
        client = signed_in(riga_admin)
        response = client.post(CREATE, round_form(district_north="40000"))
        assert response.status_code == 302
        assert response["Location"] == "/staff/rounds/riga-2027/"
        created = BudgetRound.objects.get(slug="riga-2027")
        assert (created.organisation, created.phase, created.currency) == (riga, "draft", "EUR")
        assert created.title == "Participatory budget 2027"
        assert created.description == "Ideas for the river banks."
        assert created.translations == {
            "pl": {"title": "Budżet obywatelski 2027", "description": "Pomysły na brzegi rzeki."}
        }
        assert (created.ballot_format, created.min_projects, created.max_projects) == (
            "approval",
            1,
            5,
        )
        assert created.knapsack is True
        assert (created.outcome_rule, created.tie_break, created.lottery_seed) == (
            "equal-shares",
            "lottery",
            20270301,
        )
        assert (created.secret_ballot, created.ballot_changes_allowed) == (True, True)
        assert (created.live_counts_public, created.one_district_per_voter) == (False, False)
        assert (created.min_age, created.residence_required) == (16, True)
        assert created.verified_email_required is False  # unticked box
        budgets = list(created.districts.order_by("position").values_list("key", "budget"))
        assert budgets == [("city", 250_000_50), ("north", 40_000_00)]
        assert DistrictBudget.objects.get(round=created, key="north").district == north
        page = client.get(response["Location"]).content.decode()
        assert "The round “Participatory budget 2027” was created as a draft." in page

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            (
                {"citywide_budget": "100.505"},
                "citywide_budget",
                "EUR amounts have at most 2 decimals.",
            ),
            (
                {"citywide_budget": "lots"},
                "citywide_budget",
                "Enter an amount such as 12500.00 (digits, optionally a decimal point).",
            ),
            (
                {"citywide_budget": ""},
                "citywide_budget",
                "Give a city-wide budget or at least one district budget.",
            ),
            (
                {"ballot_format": "cumulative", "knapsack": None, "max_projects": ""},
                "points_budget",
                "Cumulative ballots need a number of points.",
            ),
            (
                {"tie_break": "lottery", "lottery_seed": ""},
                "lottery_seed",
                "A lottery tie-break needs a published seed.",
            ),
            (
                {"max_projects": "0"},
                "max_projects",
                "Use at least 1, or leave empty for no limit.",
            ),
            (
                {"min_projects": "3", "max_projects": "2"},
                "max_projects",
                "The maximum cannot be below the minimum of 3.",
            ),
            ({"min_age": "130"}, "min_age", "Ensure this value is less than or equal to 120."),
            (
                {"ballot_format": "ordinal", "knapsack": "on", "max_rank": "3"},
                "knapsack",
                "Only approval ballots can be limited by cost.",
            ),
        ],
    )
    def test_bad_input_is_refused_with_the_message_at_the_field(
        self, signed_in, riga, riga_admin, changes, field, message
    ):
        response = signed_in(riga_admin).post(CREATE, round_form(**changes))
        assert response.status_code == 400
        html = response.content.decode()
        assert "error-summary" in html
        assert f'id="id_{field}-error">{message}' in html
        assert 'aria-invalid="true"' in html
        assert 'value="Participatory budget 2027"' in html  # what was typed is kept
        assert not BudgetRound.objects.exists()

    def test_every_bad_amount_is_named_at_once(self, signed_in, riga, riga_admin):
        District.objects.create(organisation=riga, slug="north", name="North")
        response = signed_in(riga_admin).post(
            CREATE, round_form(citywide_budget="lots", district_north="1.234")
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert (
            'id="id_citywide_budget-error">'
            "Enter an amount such as 12500.00 (digits, optionally a decimal point)." in html
        )
        assert "EUR amounts have at most 2 decimals." in html
        assert not BudgetRound.objects.exists()

    def test_a_taken_address_is_refused(self, signed_in, riga, riga_admin):
        draft_round(riga, slug="riga-2027")
        response = signed_in(riga_admin).post(CREATE, round_form())
        assert response.status_code == 400
        assert "Budget round with this Slug already exists." in response.content.decode()
        assert BudgetRound.objects.count() == 1


class TestSettings:
    def test_settings_show_what_is_stored(self, signed_in, riga, riga_admin):
        draft_round(riga, title="Old title", max_rank=None, translations={"de": {"title": "Alt"}})
        html = signed_in(riga_admin).get("/staff/rounds/riga-draft/settings/").content.decode()
        assert 'value="Old title"' in html
        assert 'value="Alt"' in html
        assert "Some settings are locked." not in html

    def test_a_draft_round_changes_and_keeps_other_languages(self, signed_in, riga, riga_admin):
        budget_round = draft_round(riga)
        budget_round.translations = {"lv": {"title": "Vecais"}}
        budget_round.save()
        response = signed_in(riga_admin).post(
            "/staff/rounds/riga-draft/settings/",
            round_form(
                slug=None,
                citywide_budget=None,
                ballot_format="cumulative",
                knapsack=None,
                max_projects="",
                points_budget="10",
                max_points_per_project="4",
                title_de="Bürgerhaushalt",
            ),
        )
        assert response.status_code == 302
        budget_round.refresh_from_db()
        assert (budget_round.ballot_format, budget_round.points_budget) == ("cumulative", 10)
        assert budget_round.max_points_per_project == 4
        assert budget_round.translations["de"] == {"title": "Bürgerhaushalt"}
        assert budget_round.translations["pl"]["title"] == "Budżet obywatelski 2027"
        # Latvian is Rīga's default language, so the page has no field for it: kept as is.
        assert budget_round.translations["lv"] == {"title": "Vecais"}

    def test_bad_limits_change_nothing(self, signed_in, riga, riga_admin):
        budget_round = draft_round(riga, title="Kept")
        response = signed_in(riga_admin).post(
            "/staff/rounds/riga-draft/settings/",
            round_form(
                slug=None,
                citywide_budget=None,
                title="Changed",
                ballot_format="choose-1",
                knapsack=None,
                min_projects="2",
                max_projects="",
            ),
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert (
            'id="id_min_projects-error">A ballot of this format holds at most 1 projects.' in html
        )
        budget_round.refresh_from_db()
        assert (budget_round.title, budget_round.ballot_format) == ("Kept", "approval")

    def test_in_voting_the_counting_settings_are_read_only_with_the_reason(
        self, signed_in, riga_admin, riga_round
    ):
        html = signed_in(riga_admin).get("/staff/rounds/riga-2026/settings/").content.decode()
        assert "Some settings are locked." in html
        assert "The round is in the Voting phase." in html
        assert 'name="ballot_format" value="approval"' in html
        assert html.count("disabled") >= 10
        assert 'name="title" value="Rīga 2026" maxlength="200" required id="id_title"' in html

    def test_in_voting_wording_may_still_be_corrected(self, signed_in, riga_admin, riga_round):
        response = signed_in(riga_admin).post(
            "/staff/rounds/riga-2026/settings/",
            {"title": "Rīga 2026 (corrected)", "description": "", "title_pl": "Ryga 2026"},
        )
        assert response.status_code == 302
        riga_round.refresh_from_db()
        assert riga_round.title == "Rīga 2026 (corrected)"
        assert riga_round.translations == {"pl": {"title": "Ryga 2026"}}
        assert riga_round.ballot_format == "approval"

    def test_in_voting_a_locked_setting_sent_anyway_is_refused(
        self, signed_in, riga_admin, riga_round
    ):
        response = signed_in(riga_admin).post(
            "/staff/rounds/riga-2026/settings/",
            {"title": "Rīga 2026", "ballot_format": "cumulative", "points_budget": "10"},
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert 'id="id_ballot_format-error">The round is in the Voting phase.' in html
        riga_round.refresh_from_db()
        assert (riga_round.ballot_format, riga_round.points_budget) == ("approval", None)


class TestDistricts:
    def test_budgets_are_listed_with_their_total(self, signed_in, riga, riga_admin):
        factories.district_voting_round(organisation=riga, slug="split", citywide=100_000_00)
        html = signed_in(riga_admin).get("/staff/rounds/split/districts/").content.decode()
        assert "North" in html
        assert "South" in html
        assert "200,000.00 EUR" in html  # city-wide 100 000 plus two districts of 50 000
        assert "Add the budget" not in html  # voting: locked
        assert "The round is in the Voting phase." in html

    def test_add_edit_and_remove_before_voting(self, signed_in, riga, riga_admin):
        budget_round = draft_round(riga)
        District.objects.create(organisation=riga, slug="centrs", name="Centrs")
        client = signed_in(riga_admin)
        added = client.post(
            "/staff/rounds/riga-draft/districts/",
            {"action": "add", "district": "centrs", "name": "", "budget": "12000.5"},
        )
        assert added.status_code == 302
        centrs = budget_round.districts.get(key="centrs")
        assert (centrs.name, centrs.budget, centrs.district.slug) == ("Centrs", 12_000_50, "centrs")
        edited = client.post(
            "/staff/rounds/riga-draft/districts/",
            {
                "action": "edit",
                "budget_id": centrs.pk,
                f"budget-{centrs.pk}-name": "Old Town",
                f"budget-{centrs.pk}-budget": "15000",
            },
        )
        assert edited.status_code == 302
        centrs.refresh_from_db()
        assert (centrs.name, centrs.budget) == ("Old Town", 15_000_00)
        removed = client.post(
            "/staff/rounds/riga-draft/districts/", {"action": "remove", "budget_id": centrs.pk}
        )
        assert removed.status_code == 302
        assert not budget_round.districts.filter(key="centrs").exists()

    def test_a_bad_amount_is_refused_at_the_field(self, signed_in, riga, riga_admin):
        budget_round = draft_round(riga)
        city = budget_round.districts.get()
        response = signed_in(riga_admin).post(
            "/staff/rounds/riga-draft/districts/",
            {
                "action": "edit",
                "budget_id": city.pk,
                f"budget-{city.pk}-name": "City",
                f"budget-{city.pk}-budget": "10.001",
            },
        )
        assert response.status_code == 400
        assert "EUR amounts have at most 2 decimals." in response.content.decode()
        city.refresh_from_db()
        assert (city.name, city.budget) == ("City-wide", 50_000_00)

    def test_in_voting_the_services_refuse_changes(self, signed_in, riga_admin, riga_round):
        city = riga_round.districts.get()
        response = signed_in(riga_admin).post(
            "/staff/rounds/riga-2026/districts/",
            {
                "action": "edit",
                "budget_id": city.pk,
                f"budget-{city.pk}-name": "City",
                f"budget-{city.pk}-budget": "1",
            },
        )
        assert response.status_code == 400
        assert "Not possible in the Voting phase." in response.content.decode()
        city.refresh_from_db()
        assert city.budget == 100_000_00


def test_a_budget_with_projects_cannot_be_removed(signed_in, riga, riga_admin):
    budget_round = draft_round(riga)
    District.objects.create(organisation=riga, slug="centrs", name="Centrs")
    client = signed_in(riga_admin)
    client.post(
        "/staff/rounds/riga-draft/districts/",
        {"action": "add", "district": "centrs", "name": "", "budget": "100"},
    )
    centrs = budget_round.districts.get(key="centrs")
    factories.ProjectFactory(district_budget=centrs, status="proposed")
    html = client.get("/staff/rounds/riga-draft/districts/").content.decode()
    assert "A budget with projects cannot be removed." in html
    response = client.post(
        "/staff/rounds/riga-draft/districts/", {"action": "remove", "budget_id": centrs.pk}
    )
    assert response.status_code == 400
    assert "Move or remove its projects first." in response.content.decode()
    assert budget_round.districts.filter(key="centrs").exists()
