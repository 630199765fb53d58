"""The round's projects on the staff pages: the list per budget, adding a project while
projects may be edited, and correcting one (the wording always, the rest before voting)."""

from __future__ import annotations

import re

import pytest

from budgeting.models import BudgetRound, Project
from tests import factories

pytestmark = pytest.mark.django_db


def projects_url(budget_round: BudgetRound) -> str:
    return f"/staff/rounds/{budget_round.slug}/projects/"


def edit_url(project: Project) -> str:
    return f"/staff/projects/{project.pk}/edit/"


@pytest.fixture
def review_round(riga):
    """Rīga in review: city-wide p1 (from an idea), p2 rejected; North with n1 proposed."""
    budget_round = factories.BudgetRoundFactory(
        organisation=riga, slug="riga-2027", title="Rīga 2027", phase="review"
    )
    city = factories.DistrictBudgetFactory(round=budget_round, budget=100_000_00)
    north = factories.DistrictBudgetFactory(
        round=budget_round, key="north", name="North", budget=50_000_00, position=1
    )
    tree = factories.ProjectFactory(
        district_budget=city, external_id="p1", title="Tree alley", cost=40_000_00
    )
    factories.ProjectFactory(
        district_budget=city,
        external_id="p2",
        title="Fountain",
        cost=9_999_50,
        status="rejected",
        public_reason="Not city land.",
    )
    factories.ProjectFactory(
        district_budget=north, external_id="n1", title="Skate park", status="proposed"
    )
    factories.IdeaFactory(
        process__organisation=riga, project=tree, status="accepted", title="More trees, please"
    )
    return budget_round


def project_form(**changes):
    data = {
        "title": "Tree alley on the embankment",
        "description": "Forty lindens.",
        "district": "city",
        "cost": "41000.50",
        "categories": "green, mobility",
        "targets": "seniors",
        "latitude": "56.949600",
        "longitude": "24.105200",
        "title_pl": "Aleja drzew",
        "description_pl": "Czterdzieści lip.",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


class TestList:
    def test_projects_per_budget_with_status_cost_idea_and_edit(
        self, signed_in, review_round, riga_admin
    ):
        response = signed_in(riga_admin).get(projects_url(review_round))
        assert response.status_code == 200
        html = response.content.decode()
        assert "<h1>Projects</h1>" in html
        assert 'aria-current="page">Projects</a>' in html  # the round's sub-navigation
        city, north = html.index(">City-wide <"), html.index(">North <")
        assert city < html.index("Tree alley") < html.index("Fountain") < north
        assert north < html.index("Skate park")
        assert "Rejected" in html
        assert "Proposed" in html
        assert "On the ballot" in html
        assert "40,000.00 EUR" in html
        assert "9,999.50 EUR" in html
        assert "49,999.50 EUR" in html  # total cost of the city-wide projects
        assert "More trees, please" in html
        tree = Project.objects.get(external_id="p1")
        assert f'href="{edit_url(tree)}"' in html
        assert "Add a project" in html

    def test_no_adding_once_voting_opened(self, signed_in, riga_admin, riga_round):
        html = signed_in(riga_admin).get(projects_url(riga_round)).content.decode()
        assert "Add a project" not in html
        assert "The round is in the Voting phase." in html
        assert html.count(">Edit<") == 4  # wording can still be corrected

    def test_query_count_does_not_grow_with_projects(
        self, signed_in, review_round, riga_admin, django_assert_max_num_queries
    ):
        client = signed_in(riga_admin)
        client.get(projects_url(review_round))  # warm the session and caches
        city = review_round.districts.get(key="city")
        for number in range(30):
            project = factories.ProjectFactory(district_budget=city, external_id=f"x{number}")
            if number % 3 == 0:
                factories.IdeaFactory(
                    process__organisation=review_round.organisation,
                    project=project,
                    status="accepted",
                )
        with django_assert_max_num_queries(12):
            response = client.get(projects_url(review_round))
        assert response.content.decode().count(">Edit<") == 33


class TestAdd:
    def test_administrator_adds_a_project(self, signed_in, review_round, riga_admin):
        response = signed_in(riga_admin).post(
            projects_url(review_round), project_form(id="n2", district="north")
        )
        assert response.status_code == 302
        assert response["Location"] == projects_url(review_round)
        project = Project.objects.get(round=review_round, external_id="n2")
        assert (project.title, project.cost, project.district_budget.key) == (
            "Tree alley on the embankment",
            41_000_50,
            "north",
        )
        assert (project.categories, project.targets) == (["green", "mobility"], ["seniors"])
        assert project.translations == {
            "pl": {"title": "Aleja drzew", "description": "Czterdzieści lip."}
        }
        assert project.status == "proposed"

    def test_bad_input_is_refused_field_by_field(self, signed_in, review_round, riga_admin):
        response = signed_in(riga_admin).post(
            projects_url(review_round), project_form(id="p1", cost="12.345")
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert 'class="error-summary"' in html
        assert "EUR amounts have at most 2 decimals." in html
        assert 'value="Tree alley on the embankment"' in html  # nothing typed is lost
        assert not Project.objects.filter(title="Tree alley on the embankment").exists()

    def test_a_duplicate_id_is_refused(self, signed_in, review_round, riga_admin):
        response = signed_in(riga_admin).post(projects_url(review_round), project_form(id="p1"))
        assert response.status_code == 400
        html = response.content.decode()
        assert "Project with this Round and Project id already exists." in html
        assert Project.objects.filter(round=review_round, external_id="p1").count() == 1

    def test_not_once_voting_opened(self, signed_in, riga_admin, riga_round):
        response = signed_in(riga_admin).post(projects_url(riga_round), project_form(id="p9"))
        assert response.status_code == 302
        assert not Project.objects.filter(external_id="p9").exists()


class TestEdit:
    def test_the_form_shows_the_project_and_its_idea(self, signed_in, review_round, riga_admin):
        tree = Project.objects.get(external_id="p1")
        html = signed_in(riga_admin).get(edit_url(tree)).content.decode()
        assert "Edit “Tree alley”" in html
        assert 'value="40000.00"' in html
        assert "More trees, please" in html
        assert 'name="title_pl"' in html
        assert 'lang="pl"' in html
        assert 'name="title_lv"' not in html  # Rīga's default language is the base text
        assert "disabled" not in html.split('class="staff-form"', 1)[-1]

    def test_edit_persists_and_keeps_the_idea(self, signed_in, review_round, riga_admin):
        tree = Project.objects.get(external_id="p1")
        client = signed_in(riga_admin)
        response = client.post(edit_url(tree), project_form(district="north"))
        assert response.status_code == 302
        assert response["Location"] == projects_url(review_round)
        tree.refresh_from_db()
        assert (tree.title, tree.description, tree.cost) == (
            "Tree alley on the embankment",
            "Forty lindens.",
            41_000_50,
        )
        assert tree.district_budget.key == "north"
        assert (tree.categories, tree.targets) == (["green", "mobility"], ["seniors"])
        assert str(tree.latitude) == "56.949600"
        assert tree.translations == {
            "pl": {"title": "Aleja drzew", "description": "Czterdzieści lip."}
        }
        assert tree.idea.title == "More trees, please"
        listing = client.get(projects_url(review_round)).content.decode()
        assert "“Tree alley on the embankment” was saved." in listing

    def test_bad_input_is_400_with_the_message_and_nothing_changed(
        self, signed_in, review_round, riga_admin
    ):
        tree = Project.objects.get(external_id="p1")
        response = signed_in(riga_admin).post(
            edit_url(tree), project_form(title="", cost="lots", latitude="91")
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert 'class="error-summary"' in html
        assert "This field is required." in html
        assert "Ensure this value is less than or equal to 90." in html
        tree.refresh_from_db()
        assert (tree.title, tree.cost) == ("Tree alley", 40_000_00)

    def test_a_bad_cost_is_the_api_message(self, signed_in, review_round, riga_admin):
        tree = Project.objects.get(external_id="p1")
        response = signed_in(riga_admin).post(edit_url(tree), project_form(cost="12,5"))
        assert response.status_code == 400
        assert "Enter an amount such as 12500.00" in response.content.decode()
        tree.refresh_from_db()
        assert tree.cost == 40_000_00

    def test_during_voting_locked_fields_are_read_only_with_the_reason(
        self, signed_in, riga_admin, riga_round
    ):
        project = riga_round.projects.get(external_id="p1")
        html = signed_in(riga_admin).get(edit_url(project)).content.decode()
        assert "Some fields are locked." in html
        assert "The round is in the Voting phase." in html
        controls = re.findall(
            r"<(?:input|select|textarea)[^>]*>", html.split('class="staff-form"', 1)[-1]
        )
        disabled = {re.search(r'name="(\w+)"', c).group(1) for c in controls if " disabled" in c}
        assert disabled == {"district", "cost", "categories", "targets", "latitude", "longitude"}

    def test_during_voting_a_locked_change_is_refused_and_nothing_changes(
        self, signed_in, riga_admin, riga_round
    ):
        project = riga_round.projects.get(external_id="p1")
        response = signed_in(riga_admin).post(
            edit_url(project), project_form(title="New title", cost="1.00")
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert 'class="error-summary"' in html
        assert "This cannot change in the Voting phase." in html
        project.refresh_from_db()
        assert project.cost == 40_000_00
        assert project.title != "New title"

    def test_during_voting_the_translation_is_saved_and_shown_to_readers(
        self, signed_in, client, riga_admin, riga_round
    ):
        project = riga_round.projects.get(external_id="p1")
        data = {"title": "Tree alley", "title_pl": "Aleja drzew", "description_pl": "Lipy."}
        response = signed_in(riga_admin).post(edit_url(project), data)
        assert response.status_code == 302
        project.refresh_from_db()
        assert project.title == "Tree alley"
        assert project.translations == {"pl": {"title": "Aleja drzew", "description": "Lipy."}}
        assert project.cost == 40_000_00

        client.logout()
        public = client.get(
            f"/rounds/{riga_round.slug}/projects/{project.pk}/", HTTP_ACCEPT_LANGUAGE="pl"
        )
        assert public.status_code == 200
        assert "Aleja drzew" in public.content.decode()
        english = client.get(
            f"/rounds/{riga_round.slug}/projects/{project.pk}/", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert "Aleja drzew" not in english.content.decode()
        assert "Tree alley" in english.content.decode()


class TestAccess:
    @pytest.mark.parametrize("page", ["list", "edit"])
    def test_anonymous_visitors_are_sent_to_sign_in(self, signed_in, review_round, page):
        target = (
            projects_url(review_round)
            if page == "list"
            else edit_url(Project.objects.get(external_id="p1"))
        )
        response = signed_in(None).get(target)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    @pytest.mark.parametrize("persona", ["riga_moderator", "riga_reviewer", "gdansk_admin"])
    def test_only_administrators_of_the_organisation(
        self, request, signed_in, review_round, persona
    ):
        user = request.getfixturevalue(persona)
        tree = Project.objects.get(external_id="p1")
        client = signed_in(user)
        assert client.get(projects_url(review_round)).status_code == 403
        assert client.get(edit_url(tree)).status_code == 403
        response = client.post(edit_url(tree), project_form())
        assert response.status_code == 403
        response = client.post(projects_url(review_round), project_form(id="zz"))
        assert response.status_code == 403
        tree.refresh_from_db()
        assert tree.title == "Tree alley"
        assert not Project.objects.filter(external_id="zz").exists()

    def test_unknown_project_or_round_is_404(self, signed_in, riga_admin):
        client = signed_in(riga_admin)
        assert client.get("/staff/projects/999999/edit/").status_code == 404
        assert client.get("/staff/rounds/nope/projects/").status_code == 404

    def test_the_tab_is_for_administrators(
        self, signed_in, review_round, riga_admin, riga_moderator
    ):
        dashboard = f"/staff/rounds/{review_round.slug}/"
        assert projects_url(review_round) in signed_in(riga_admin).get(dashboard).content.decode()
        moderator_html = signed_in(riga_moderator).get(dashboard).content.decode()
        assert projects_url(review_round) not in moderator_html
