"""One project over HTTP: reading it, and administrators correcting it with PATCH."""

from __future__ import annotations

import pytest

from budgeting.models import Project
from tests import factories
from tests.budgeting.api.util import round_in, url

pytestmark = pytest.mark.django_db


def path(budget_round, project_id: str = "p1") -> str:
    return url(budget_round, f"projects/{project_id}/")


@pytest.fixture
def review_round(riga):
    """In review: p1..p4 (on the ballot already), a proposal p5 awaiting review, North."""
    budget_round = round_in("review", organisation=riga, slug="riga-2026")
    city = budget_round.districts.get(key="city")
    factories.DistrictBudgetFactory(round=budget_round, key="north", name="North", position=1)
    factories.ProjectFactory(
        district_budget=city, external_id="p5", title="Skate park", status="proposed"
    )
    return budget_round


class TestRead:
    def test_anyone_reads_a_public_project(self, as_user, review_round):
        response = as_user(None).get(path(review_round))
        assert response.status_code == 200
        body = response.json()
        project = Project.objects.get(round=review_round, external_id="p1")
        assert body["id"] == "p1"
        assert body["title"] == project.title
        assert (body["cost"], body["cost_display"], body["district"]) == (
            40_000_00,
            "40000.00",
            "city",
        )
        assert body["idea"] is None
        assert body["support"] is None

    def test_a_proposal_awaiting_review_is_found_by_staff_only(
        self, as_user, review_round, resident, gdansk_admin, riga_moderator
    ):
        for visitor in (None, resident, gdansk_admin):
            assert as_user(visitor).get(path(review_round, "p5")).status_code == 404
        response = as_user(riga_moderator).get(path(review_round, "p5"))
        assert (response.status_code, response.json()["title"]) == (200, "Skate park")

    def test_unknown_project_and_draft_rounds_are_404(self, as_user, review_round, riga, resident):
        assert as_user(resident).get(path(review_round, "zz")).status_code == 404
        draft = round_in("draft", organisation=riga, slug="riga-draft")
        assert as_user(resident).get(path(draft)).status_code == 404

    def test_shows_the_idea_it_came_from(self, as_user, review_round, riga):
        project = Project.objects.get(round=review_round, external_id="p1")
        idea = factories.IdeaFactory(
            process__organisation=riga, project=project, status="accepted", title="More trees"
        )
        body = as_user(None).get(path(review_round)).json()
        assert body["idea"] == {"id": idea.pk, "title": "More trees", "process": idea.process.slug}


class TestUpdate:
    def test_administrator_corrects_everything_before_voting(
        self, as_user, review_round, riga_admin
    ):
        response = as_user(riga_admin).patch(
            path(review_round),
            {
                "title": "Tree alley",
                "translations": {"pl": {"title": "Aleja drzew"}},
                "cost": "12500.50",
                "district": "north",
                "categories": ["green"],
                "targets": ["seniors"],
                "latitude": "56.9496",
                "longitude": 24.1052,
            },
        )
        assert response.status_code == 200, response.json()
        body = response.json()
        assert (body["title"], body["cost"], body["cost_display"]) == (
            "Tree alley",
            12_500_50,
            "12500.50",
        )
        assert (body["district"], body["categories"], body["targets"]) == (
            "north",
            ["green"],
            ["seniors"],
        )
        assert (body["latitude"], body["longitude"]) == (56.9496, 24.1052)
        assert body["translations"] == {"pl": {"title": "Aleja drzew"}}
        stored = Project.objects.get(round=review_round, external_id="p1")
        assert (stored.title, stored.cost, stored.district_budget.key) == (
            "Tree alley",
            12_500_50,
            "north",
        )

    def test_only_the_fields_sent_change(self, as_user, review_round, riga_admin):
        before = Project.objects.get(round=review_round, external_id="p1")
        response = as_user(riga_admin).patch(path(review_round), {"description": "Forty lindens."})
        assert response.status_code == 200
        stored = Project.objects.get(pk=before.pk)
        assert stored.description == "Forty lindens."
        assert (stored.title, stored.cost, stored.translations, stored.categories) == (
            before.title,
            before.cost,
            {},
            [],
        )

    def test_during_voting_the_wording_may_change_but_not_the_cost(self, as_user, riga, riga_admin):
        budget_round = round_in("voting", organisation=riga)
        client = as_user(riga_admin)
        response = client.patch(path(budget_round), {"title": "Renamed", "cost": "1.00"})
        assert response.status_code == 400
        assert response.json() == {
            "cost": ["This cannot change in the Voting phase."],
            "error_codes": {"cost": ["locked_in_phase"]},
        }
        stored = Project.objects.get(round=budget_round, external_id="p1")
        assert stored.cost == 40_000_00
        assert stored.title != "Renamed"

        response = client.patch(path(budget_round), {"title": "Renamed", "cost": "40000"})
        assert response.status_code == 200  # the cost sent unchanged is no change
        assert Project.objects.get(pk=stored.pk).title == "Renamed"

    @pytest.mark.parametrize(
        ("body", "field", "code"),
        [
            ({"cost": "12.345"}, "cost", "too_many_decimals"),
            ({"cost": "-5"}, "cost", "invalid"),
            ({"district": "moon"}, "district", "unknown_district"),
            ({"translations": {"xx": {"title": "?"}}}, "translations", "invalid_translations"),
            ({"title": ""}, "title", "blank"),
            ({"latitude": 91}, "latitude", "max_value"),
        ],
    )
    def test_bad_input_is_a_field_error(self, as_user, review_round, riga_admin, body, field, code):
        before = Project.objects.get(round=review_round, external_id="p1")
        response = as_user(riga_admin).patch(path(review_round), body)
        assert response.status_code == 400
        assert response.json()["error_codes"] == {field: [code]}
        assert response.json()[field]
        after = Project.objects.get(pk=before.pk)
        assert (after.title, after.cost, after.translations) == (before.title, before.cost, {})

    def test_other_roles_and_organisations_are_forbidden(
        self, as_user, review_round, riga_moderator, riga_reviewer, gdansk_admin, resident
    ):
        for user in (riga_moderator, riga_reviewer, gdansk_admin, resident):
            response = as_user(user).patch(path(review_round), {"title": "Mine"})
            assert response.status_code == 403
            assert response.json()["detail"] == (
                "Only administrators of this organisation can do this."
            )
        assert as_user(None).patch(path(review_round), {"title": "Mine"}).status_code == 403
        assert not Project.objects.filter(title="Mine").exists()

    def test_unknown_or_hidden_project_is_404(self, as_user, review_round, riga_admin, resident):
        assert (
            as_user(riga_admin).patch(path(review_round, "zz"), {"title": "X"}).status_code == 404
        )
        # A proposal awaiting review does not exist for residents.
        assert as_user(resident).patch(path(review_round, "p5"), {"title": "X"}).status_code == 404
        assert Project.objects.get(external_id="p5").title == "Skate park"

    def test_a_project_from_an_idea_stays_linked(self, as_user, review_round, riga, riga_admin):
        project = Project.objects.get(round=review_round, external_id="p1")
        idea = factories.IdeaFactory(process__organisation=riga, project=project, status="accepted")
        body = as_user(riga_admin).patch(path(review_round), {"cost": "100"}).json()
        assert body["idea"]["id"] == idea.pk
        idea.refresh_from_db()
        assert idea.project_id == project.pk
