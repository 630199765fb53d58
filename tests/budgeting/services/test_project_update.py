"""Correcting a project after it was created (no HTTP): who may, what, and when."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from budgeting.models import BudgetRound, Project
from budgeting.services import rounds
from engagement.people.models import Role
from tests import factories

pytestmark = pytest.mark.django_db

EDITING_PHASES = ["draft", "information", "proposals", "review"]
LOCKED_PHASES = ["voting", "tallying", "results", "implementation", "evaluation", "closed"]
LOCKED_CHANGES = {
    "cost": 1,
    "categories": ["sport"],
    "targets": ["children"],
    "latitude": Decimal("56.949600"),
    "longitude": Decimal("24.105200"),
}


def codes(error: ValidationError) -> dict[str, list[str | None]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def round_in(phase: str, organisation) -> BudgetRound:
    """A round in ``phase``: city-wide budget with p1..p4 and a North budget."""
    budget_round = factories.voting_round(organisation=organisation, slug="riga-2026")
    BudgetRound.objects.filter(pk=budget_round.pk).update(phase=phase)
    budget_round.refresh_from_db()
    factories.DistrictBudgetFactory(round=budget_round, key="north", name="North", position=1)
    return budget_round


def p1(budget_round: BudgetRound) -> Project:
    return Project.objects.get(round=budget_round, external_id="p1")


@pytest.mark.parametrize("phase", EDITING_PHASES)
def test_administrator_changes_everything_before_voting(riga, riga_admin, phase):
    budget_round = round_in(phase, riga)
    north = budget_round.districts.get(key="north")
    project = rounds.project_update(
        actor=riga_admin,
        project=p1(budget_round),
        title="Tree alley on Brīvības iela",
        description="Forty lindens.",
        translations={"pl": {"title": "Aleja drzew"}},
        district_budget=north,
        **LOCKED_CHANGES,
    )
    stored = Project.objects.get(pk=project.pk)
    assert stored.title == "Tree alley on Brīvības iela"
    assert stored.description == "Forty lindens."
    assert stored.translations == {"pl": {"title": "Aleja drzew"}}
    assert stored.district_budget == north
    assert (stored.cost, stored.categories, stored.targets) == (1, ["sport"], ["children"])
    assert (stored.latitude, stored.longitude) == (Decimal("56.949600"), Decimal("24.105200"))


@pytest.mark.parametrize("phase", LOCKED_PHASES)
def test_wording_can_be_corrected_in_every_phase(riga, riga_admin, phase):
    budget_round = round_in(phase, riga)
    rounds.project_update(
        actor=riga_admin,
        project=p1(budget_round),
        title="Corrected title",
        description="Corrected text.",
        translations={"lv": {"title": "Labots", "description": "Teksts."}},
    )
    stored = p1(budget_round)
    assert (stored.title, stored.description) == ("Corrected title", "Corrected text.")
    assert stored.translations == {"lv": {"title": "Labots", "description": "Teksts."}}


@pytest.mark.parametrize("phase", LOCKED_PHASES)
@pytest.mark.parametrize("name", [*LOCKED_CHANGES, "district_budget"])
def test_every_other_field_is_locked_from_voting_on(riga, riga_admin, phase, name):
    budget_round = round_in(phase, riga)
    title = p1(budget_round).title
    value = budget_round.districts.get(key="north") if name == "district_budget" else None
    value = value or LOCKED_CHANGES[name]
    with pytest.raises(ValidationError) as refused:
        rounds.project_update(
            actor=riga_admin, project=p1(budget_round), title="Changed too", **{name: value}
        )
    assert codes(refused.value) == {name: ["locked_in_phase"]}
    label = budget_round.get_phase_display()
    assert refused.value.message_dict[name] == [f"This cannot change in the {label} phase."]
    stored = p1(budget_round)
    # Nothing of the refused change is kept, not even the wording sent with it.
    assert (stored.title, stored.cost, stored.district_budget.key) == (title, 40_000_00, "city")
    assert (stored.categories, stored.targets, stored.latitude) == ([], [], None)


def test_several_locked_fields_are_each_named(riga, riga_admin):
    budget_round = round_in("voting", riga)
    with pytest.raises(ValidationError) as refused:
        rounds.project_update(actor=riga_admin, project=p1(budget_round), cost=5, targets=["x"])
    assert codes(refused.value) == {"cost": ["locked_in_phase"], "targets": ["locked_in_phase"]}


def test_a_locked_field_sent_unchanged_is_no_change(riga, riga_admin):
    budget_round = round_in("voting", riga)
    project = p1(budget_round)
    rounds.project_update(
        actor=riga_admin,
        project=project,
        title="Only the title",
        cost=project.cost,
        district_budget=project.district_budget,
        categories=[],
        latitude=None,
    )
    assert p1(budget_round).title == "Only the title"


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.REVIEWER, Role.OFFICER])
def test_only_administrators_of_the_organisation(riga, role):
    budget_round = round_in("review", riga)
    user = factories.staff(riga, role)
    with pytest.raises(PermissionDenied):
        rounds.project_update(actor=user, project=p1(budget_round), title="Mine now")
    assert p1(budget_round).title != "Mine now"


def test_administrators_of_another_organisation_may_not(riga, gdansk_admin):
    budget_round = round_in("review", riga)
    with pytest.raises(PermissionDenied):
        rounds.project_update(actor=gdansk_admin, project=p1(budget_round), title="Gdańsk's")
    assert p1(budget_round).title != "Gdańsk's"


def test_the_district_budget_must_belong_to_the_round(riga, riga_admin):
    budget_round = round_in("review", riga)
    elsewhere = factories.DistrictBudgetFactory(
        round=factories.BudgetRoundFactory(organisation=riga), key="north"
    )
    with pytest.raises(ValidationError) as refused:
        rounds.project_update(actor=riga_admin, project=p1(budget_round), district_budget=elsewhere)
    assert codes(refused.value) == {"district": ["wrong_round"]}
    assert p1(budget_round).district_budget.key == "city"


@pytest.mark.parametrize(
    "translations",
    [
        {"xx": {"title": "?"}},  # not a language Kopa offers
        {"pl": {"cost": "1"}},  # not a translatable field
        {"pl": {"title": 5}},  # not text
        {"pl": "Aleja"},  # not an object of fields
        ["pl"],
    ],
)
def test_translations_are_validated(riga, riga_admin, translations):
    budget_round = round_in("voting", riga)
    with pytest.raises(ValidationError) as refused:
        rounds.project_update(actor=riga_admin, project=p1(budget_round), translations=translations)
    assert set(refused.value.message_dict) == {"translations"}
    assert p1(budget_round).translations == {}


def test_model_rules_still_apply(riga, riga_admin):
    budget_round = round_in("review", riga)
    with pytest.raises(ValidationError) as refused:
        rounds.project_update(actor=riga_admin, project=p1(budget_round), title="", cost=-1)
    assert set(refused.value.message_dict) == {"title", "cost"}


def test_unknown_fields_are_refused(riga, riga_admin):
    budget_round = round_in("review", riga)
    with pytest.raises(ValidationError) as refused:
        rounds.project_update(actor=riga_admin, project=p1(budget_round), status="selected")
    assert set(refused.value.message_dict) == {"status"}
    assert p1(budget_round).status == "on_ballot"


def test_a_project_from_an_idea_stays_linked(riga, riga_admin):
    budget_round = round_in("review", riga)
    project = p1(budget_round)
    idea = factories.IdeaFactory(process__organisation=riga, project=project, status="accepted")
    rounds.project_update(actor=riga_admin, project=project, title="Renamed", cost=123_00)
    idea.refresh_from_db()
    assert idea.project_id == project.pk
    assert Project.objects.get(pk=project.pk).idea == idea
