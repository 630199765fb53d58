"""Helpers shared by the budgeting API tests."""

from __future__ import annotations

from budgeting.models import BudgetRound
from tests import factories


def round_in(phase: str, **settings: object) -> BudgetRound:
    """``factories.voting_round(**settings)`` moved to ``phase`` (projects stay on the ballot)."""
    budget_round = factories.voting_round(**settings)
    BudgetRound.objects.filter(pk=budget_round.pk).update(phase=phase)
    budget_round.refresh_from_db()
    return budget_round


def url(budget_round: BudgetRound, tail: str = "") -> str:
    return f"/api/v1/rounds/{budget_round.slug}/{tail}"
