"""The optional needs-assessment phase: residents say what their neighbourhood needs (in the
round's linked survey) after the information phase and before proposals open."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from budgeting.models import BudgetRound, Phase, PhaseSchedule
from budgeting.services import rounds
from engagement.people.permissions import SYSTEM
from tests import factories

pytestmark = pytest.mark.django_db


def round_in(phase: str, organisation) -> BudgetRound:
    budget_round = factories.BudgetRoundFactory(organisation=organisation, phase=phase)
    factories.DistrictBudgetFactory(round=budget_round)
    return budget_round


def stored_phase(budget_round: BudgetRound) -> str:
    return BudgetRound.objects.values_list("phase", flat=True).get(pk=budget_round.pk)


def error_codes(error: ValidationError) -> dict[str, list[str | None]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


class TestRefused:
    @pytest.mark.parametrize("current", ["proposals", "review", "voting", "closed"])
    def test_going_back_to_it_once_proposals_opened(self, riga, riga_admin, current):
        budget_round = round_in(current, riga)
        with pytest.raises(ValidationError) as error:
            rounds.phase_advance(
                actor=riga_admin, budget_round=budget_round, to_phase="needs_assessment"
            )
        assert error_codes(error.value) == {"phase": ["invalid_transition"]}
        assert stored_phase(budget_round) == current

    def test_skipping_from_it_past_voting(self, riga, riga_admin):
        budget_round = round_in("needs_assessment", riga)
        with pytest.raises(ValidationError):
            rounds.phase_advance(actor=riga_admin, budget_round=budget_round, to_phase="tallying")
        assert stored_phase(budget_round) == "needs_assessment"

    def test_the_database_still_refuses_unknown_phases(self, riga):
        budget_round = round_in("draft", riga)
        with pytest.raises(IntegrityError), transaction.atomic():
            BudgetRound.objects.filter(pk=budget_round.pk).update(phase="needs")


class TestMoves:
    @pytest.mark.parametrize("current", ["draft", "information"])
    def test_into_it_from_draft_or_information(self, riga, riga_admin, current):
        budget_round = round_in(current, riga)
        rounds.phase_advance(
            actor=riga_admin, budget_round=budget_round, to_phase=Phase.NEEDS_ASSESSMENT
        )
        assert stored_phase(budget_round) == "needs_assessment"
        assert budget_round.get_phase_display() == "Needs assessment"

    def test_on_to_proposals(self, riga, riga_admin):
        budget_round = round_in("needs_assessment", riga)
        rounds.phase_advance(actor=riga_admin, budget_round=budget_round, to_phase="proposals")
        assert stored_phase(budget_round) == "proposals"

    def test_the_round_can_still_be_configured_during_it(self, riga, riga_admin):
        budget_round = round_in("needs_assessment", riga)
        rounds.round_update(actor=riga_admin, budget_round=budget_round, min_projects=2)
        assert BudgetRound.objects.get(pk=budget_round.pk).min_projects == 2


class TestScheduled:
    def test_the_schedule_accepts_it(self, riga, riga_admin):
        budget_round = round_in("information", riga)
        starts = timezone.now() + timedelta(days=2)
        rounds.phase_schedule_set(
            actor=riga_admin, budget_round=budget_round, phase="needs_assessment", starts_at=starts
        )
        assert PhaseSchedule.objects.get(round=budget_round).phase == "needs_assessment"

    def test_the_scheduler_moves_into_it_then_on_to_proposals(self, riga):
        now = timezone.now()
        budget_round = round_in("information", riga)
        for phase, hours_ago in (("needs_assessment", 3), ("proposals", 1)):
            PhaseSchedule.objects.create(
                round=budget_round, phase=phase, starts_at=now - timedelta(hours=hours_ago)
            )
        assert rounds.scheduled_phases_run(now=now) == [
            (budget_round.slug, "needs_assessment"),
            (budget_round.slug, "proposals"),
        ]
        assert stored_phase(budget_round) == "proposals"
        assert rounds.scheduled_phases_run(now=now) == []

    def test_the_system_actor_may_move_into_it(self, riga):
        budget_round = round_in("draft", riga)
        rounds.phase_advance(actor=SYSTEM, budget_round=budget_round, to_phase="needs_assessment")
        assert stored_phase(budget_round) == "needs_assessment"
