"""budgeting.ports: the one door other features use, and what they register through it."""

import pytest
from django.core.exceptions import PermissionDenied

from budgeting import ports
from budgeting.models import Project, ProjectStatus
from engagement.people.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_budget():
    return factories.DistrictBudgetFactory(round__phase="review")


def create(reviewer, district_budget, external_id="idea-1"):
    return ports.project_from_idea(
        reviewer=reviewer,
        budget_round=district_budget.round,
        district_budget=district_budget,
        external_id=external_id,
        title="Benches by the river",
        cost=12_000_00,
        categories=["green"],
    )


class TestProjectFromIdea:
    def test_a_reviewer_of_the_organisation_gets_a_feasible_project(self, city_budget):
        reviewer = factories.staff(city_budget.round.organisation, Role.REVIEWER)
        project = create(reviewer, city_budget)
        stored = Project.objects.get(pk=project.pk)
        assert (stored.external_id, stored.title, stored.cost, stored.status) == (
            "idea-1",
            "Benches by the river",
            12_000_00,
            ProjectStatus.FEASIBLE,
        )
        assert stored.district_budget_id == city_budget.pk

    @pytest.mark.parametrize("role", [Role.MODERATOR, Role.OFFICER])
    def test_other_staff_roles_are_refused_and_nothing_is_created(self, city_budget, role):
        someone = factories.staff(city_budget.round.organisation, role)
        with pytest.raises(PermissionDenied):
            create(someone, city_budget)
        assert not Project.objects.filter(round=city_budget.round).exists()

    def test_a_reviewer_of_another_organisation_is_refused(self, city_budget):
        elsewhere = factories.staff(factories.OrganisationFactory(), Role.REVIEWER)
        with pytest.raises(PermissionDenied):
            create(elsewhere, city_budget)

    def test_a_missing_reviewer_is_refused(self, city_budget):
        with pytest.raises(PermissionDenied):
            create(None, city_budget)


class TestProjectOrigins:
    @pytest.fixture(autouse=True)
    def providers(self, monkeypatch):
        monkeypatch.setattr(ports, "_origin_providers", [])

    def test_each_project_takes_its_origin_from_the_first_provider_that_knows_it(self):
        ports.register_project_origins(lambda ids: {pk: {"from": "first"} for pk in ids if pk < 3})
        ports.register_project_origins(lambda ids: {pk: {"from": "second"} for pk in ids})
        assert ports.project_origins([1, 2, 3, 4]) == {
            1: {"from": "first"},
            2: {"from": "first"},
            3: {"from": "second"},
            4: {"from": "second"},
        }

    def test_registering_the_same_provider_twice_asks_it_once(self):
        asked = []

        def provider(ids):
            asked.append(list(ids))
            return {}

        ports.register_project_origins(provider)
        ports.register_project_origins(provider)
        assert ports.project_origins([7]) == {}
        assert asked == [[7]]
