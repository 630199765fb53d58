"""Processes: creating, configuring and moving them; dates switch phases by themselves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from engagement.ideas import permissions as rules
from engagement.ideas import selectors
from engagement.ideas.models import ParticipatoryProcess
from engagement.ideas.services import ideas, processes
from engagement.people.permissions import SYSTEM
from tests import factories
from tests.engagement.ideas.util import codes

pytestmark = pytest.mark.django_db


def collection(actor, organisation, **fields):
    values = {"slug": "parks", "title": "Parks", **fields}
    return processes.process_create(actor=actor, organisation=organisation, kind="ideas", **values)


class TestCreateRefuses:
    def test_administrators_of_another_organisation(self, riga, gdansk_admin):
        with pytest.raises(PermissionDenied):
            collection(gdansk_admin, riga)
        assert not ParticipatoryProcess.objects.exists()

    def test_nobody(self, riga):
        # The platform acts as SYSTEM; leaving the actor out is no way round the check.
        with pytest.raises(PermissionDenied):
            collection(None, riga)
        assert not ParticipatoryProcess.objects.exists()

    @pytest.mark.parametrize("role", ["moderator", "reviewer", "officer"])
    def test_staff_who_are_not_administrators(self, riga, role):
        with pytest.raises(PermissionDenied):
            collection(factories.staff(riga, role), riga)

    def test_dates_out_of_order(self, riga, riga_admin):
        now = timezone.now()
        with pytest.raises(ValidationError) as caught:
            collection(riga_admin, riga, collecting_from=now, reviewing_from=now - timedelta(1))
        assert codes(caught.value) == {"reviewing_from": ["dates_out_of_order"]}

    def test_a_round_of_another_organisation(self, riga, gdansk, riga_admin):
        elsewhere = factories.BudgetRoundFactory(organisation=gdansk)
        with pytest.raises(ValidationError) as caught:
            processes.process_create(
                actor=SYSTEM, organisation=riga, kind="budget", slug="b", budget_round=elsewhere
            )
        assert codes(caught.value) == {"budget_round": ["wrong_organisation"]}

    def test_a_second_process_for_the_same_round(self, riga):
        process = factories.budget_process(organisation=riga)
        with pytest.raises(ValidationError) as caught:
            processes.process_create(
                actor=SYSTEM,
                organisation=riga,
                kind="budget",
                slug="again",
                budget_round=process.budget_round,
            )
        assert "budget_round" in codes(caught.value)

    def test_a_budget_process_without_a_round_or_with_dates(self, riga):
        with pytest.raises(ValidationError) as caught:
            processes.process_create(
                actor=SYSTEM, organisation=riga, kind="budget", slug="b", title="B"
            )
        assert codes(caught.value) == {"budget_round": ["required"]}
        budget_round = factories.BudgetRoundFactory(organisation=riga)
        with pytest.raises(ValidationError) as caught:
            processes.process_create(
                actor=SYSTEM, organisation=riga, kind="budget", slug="b",
                budget_round=budget_round, closes_at=timezone.now(),
            )  # fmt: skip
        assert codes(caught.value) == {"collecting_from": ["not_allowed"]}

    def test_duplicate_categories(self, riga, riga_admin):
        with pytest.raises(ValidationError) as caught:
            collection(riga_admin, riga, categories=["Trees", "trees"])
        assert codes(caught.value) == {"categories": ["duplicate_category"]}


def test_a_budget_process_takes_the_round_title(riga):
    budget_round = factories.BudgetRoundFactory(organisation=riga, title="Rīga 2028")
    process = processes.process_create(
        actor=SYSTEM, organisation=riga, kind="budget", slug="riga-2028", budget_round=budget_round
    )
    assert (process.title, process.currency) == ("Rīga 2028", "EUR")


def test_categories_in_use_cannot_be_removed(riga_admin, idea):
    factories.IdeaFactory(process=idea.process, category="play")
    with pytest.raises(ValidationError) as caught:
        processes.process_update(actor=riga_admin, process=idea.process, categories=["green"])
    assert codes(caught.value) == {"categories": ["category_in_use"]}
    processes.process_update(
        actor=riga_admin, process=idea.process, categories=["play", "new"], title="Sea <b>front</b>"
    )
    stored = ParticipatoryProcess.objects.get(pk=idea.process_id)
    assert (stored.categories, stored.title) == (["play", "new"], "Sea front")


def test_moving_a_collection_on_needs_someone(riga, riga_admin):
    process = collection(riga_admin, riga)
    with pytest.raises(PermissionDenied):
        processes.process_phase_advance(actor=None, process=process, to_phase="collecting")
    processes.process_phase_advance(actor=SYSTEM, process=process, to_phase="collecting")
    assert rules.current_phase(process) == "collecting"


def test_a_budget_process_follows_its_round(riga, riga_admin):
    process = factories.budget_process(organisation=riga, phase="proposals")
    with pytest.raises(ValidationError) as caught:
        processes.process_phase_advance(actor=riga_admin, process=process, to_phase="closed")
    assert codes(caught.value) == {"phase": ["follows_round"]}
    assert rules.current_phase(process) == "proposals"


def test_the_start_date_opens_a_collection_for_everyone(as_user, riga, riga_admin):
    process = collection(riga_admin, riga, collecting_from=timezone.now() + timedelta(hours=1))
    assert as_user().get("/api/v1/processes/parks/").status_code == 404
    ParticipatoryProcess.objects.filter(pk=process.pk).update(
        collecting_from=timezone.now() - timedelta(seconds=1)
    )
    answer = as_user().get("/api/v1/processes/parks/")
    assert (answer.status_code, answer.json()["phase"]) == (200, "collecting")
    assert [p.slug for p in selectors.processes_visible_to(None)] == ["parks"]
    created = as_user(factories.UserFactory()).post(
        "/api/v1/processes/parks/ideas/", {"title": "Swings", "description": "<p>For all</p>"}
    )
    assert created.status_code == 201


def test_the_review_date_closes_submission(riga, riga_admin, author):
    process = collection(
        riga_admin, riga,
        collecting_from=timezone.now() - timedelta(days=2),
        reviewing_from=timezone.now() - timedelta(seconds=1),
    )  # fmt: skip
    assert rules.current_phase(process) == "reviewing"
    with pytest.raises(ValidationError) as caught:
        ideas.idea_create(author=author, process=process, title="Late", description="x")
    assert codes(caught.value) == {"phase": ["wrong_phase"]}
