"""No actor, no write: services refuse ``actor=None``; the system acts as ``SYSTEM``."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from budgeting.models import BudgetRound, DistrictBudget, Project, TallyResult
from budgeting.services import implementation, results, rounds, voting
from budgeting.services.pabulib_io import pabulib_import
from engagement.people.permissions import SYSTEM
from tests import factories
from tests.budgeting.pabulib.support import election, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def tallying_round(riga, riga_admin):
    budget_round = factories.voting_round(organisation=riga)
    for choice in (["p1"], ["p1", "p3"], ["p2"]):
        voting.ballot_cast(
            voter=factories.UserFactory(),
            budget_round=budget_round,
            district_budget=budget_round.districts.get(),
            projects=choice,
        )
    rounds.phase_advance(actor=riga_admin, budget_round=budget_round, to_phase="tallying")
    return budget_round


def _create(actor, organisation):
    return rounds.round_create(
        actor=actor,
        organisation=organisation,
        title="Budget 2028",
        slug="budget-2028",
        citywide_budget=100_000_00,
    )


def test_round_create_without_an_actor_is_refused(riga):
    with pytest.raises(PermissionDenied):
        _create(None, riga)
    assert not BudgetRound.objects.filter(slug="budget-2028").exists()


def test_round_create_by_the_system_makes_the_round_and_its_budget(riga):
    budget_round = _create(SYSTEM, riga)
    assert budget_round.phase == "draft"
    assert list(budget_round.districts.values_list("key", flat=True)) == ["city"]


def test_district_budget_and_project_without_an_actor_are_refused(riga):
    budget_round = _create(SYSTEM, riga)
    with pytest.raises(PermissionDenied):
        rounds.district_budget_create(
            actor=None, budget_round=budget_round, key="north", name="North", budget=1_000_00
        )
    with pytest.raises(PermissionDenied):
        rounds.project_create(
            actor=None,
            budget_round=budget_round,
            district_budget=budget_round.districts.get(),
            external_id="p1",
            title="Benches",
            cost=1_000_00,
        )
    assert DistrictBudget.objects.filter(round=budget_round).count() == 1
    assert not Project.objects.filter(round=budget_round).exists()


def test_phase_advance_without_an_actor_is_refused(riga):
    budget_round = factories.BudgetRoundFactory(organisation=riga, phase="draft")
    with pytest.raises(PermissionDenied):
        rounds.phase_advance(actor=None, budget_round=budget_round, to_phase="information")
    budget_round.refresh_from_db()
    assert budget_round.phase == "draft"


def test_phase_advance_by_the_system_moves_the_round(riga):
    budget_round = factories.BudgetRoundFactory(organisation=riga, phase="draft")
    rounds.phase_advance(actor=SYSTEM, budget_round=budget_round, to_phase="information")
    budget_round.refresh_from_db()
    assert budget_round.phase == "information"


def test_the_system_keeps_to_the_phases(riga):
    """The system holds every role, not every moment: no projects once voting is open."""
    budget_round = factories.voting_round(organisation=riga)
    with pytest.raises(ValidationError) as error:
        rounds.project_create(
            actor=SYSTEM,
            budget_round=budget_round,
            district_budget=budget_round.districts.get(),
            external_id="p9",
            title="Late",
            cost=1_000_00,
        )
    assert error.value.error_dict["phase"][0].code == "wrong_phase"


def test_tally_and_publication_without_an_actor_are_refused(tallying_round):
    with pytest.raises(PermissionDenied):
        results.tally_run(actor=None, budget_round=tallying_round)
    with pytest.raises(PermissionDenied):
        results.results_publish(actor=None, budget_round=tallying_round)
    assert not TallyResult.objects.exists()
    assert set(tallying_round.projects.values_list("status", flat=True)) == {"on_ballot"}


def test_publication_by_the_system(tallying_round):
    [result] = results.results_publish(actor=SYSTEM, budget_round=tallying_round)
    assert result.published_at is not None


def test_implementation_report_without_an_actor_is_refused_and_the_system_is_nobody(riga):
    budget_round = factories.results_round(organisation=riga)
    project = budget_round.projects.get(external_id="p1")
    with pytest.raises(PermissionDenied):
        implementation.implementation_update_post(actor=None, project=project, text="<p>Hi</p>")
    assert not project.implementation_updates.exists()
    update = implementation.implementation_update_post(
        actor=SYSTEM, project=project, text="<p>Started.</p>"
    )
    assert update.author is None


def test_pabulib_import_without_an_actor_or_into_another_organisation_is_refused(
    tmp_path, riga, gdansk_admin
):
    with pytest.raises(PermissionDenied):
        pabulib_import(write(tmp_path, election()), actor=None)
    with pytest.raises(PermissionDenied):
        pabulib_import(write(tmp_path, election()), actor=gdansk_admin, organisation=riga)
    assert not BudgetRound.objects.exists()
    report = pabulib_import(write(tmp_path, election()), actor=SYSTEM, organisation=riga)
    assert report.budget_round.organisation == riga
