"""The needs-assessment phase over the API: offered, moved into, scheduled, filtered by."""

from __future__ import annotations

import pytest

from budgeting.models import BudgetRound
from tests.budgeting.api.util import round_in, url

pytestmark = pytest.mark.django_db


def test_moving_back_into_it_from_proposals_is_a_field_error(as_user, riga, riga_admin):
    budget_round = round_in("proposals", organisation=riga)
    response = as_user(riga_admin).post(url(budget_round, "phase/"), {"to": "needs_assessment"})
    assert response.status_code == 400
    assert response.json()["error_codes"] == {"phase": ["invalid_transition"]}
    assert BudgetRound.objects.get(pk=budget_round.pk).phase == "proposals"


def test_administrator_moves_the_round_into_it(as_user, riga, riga_admin):
    budget_round = round_in("information", organisation=riga)
    response = as_user(riga_admin).post(url(budget_round, "phase/"), {"to": "needs_assessment"})
    assert response.status_code == 200
    assert response.json()["phase"] == "needs_assessment"
    assert BudgetRound.objects.get(pk=budget_round.pk).phase == "needs_assessment"


def test_it_can_be_scheduled(as_user, riga, riga_admin):
    budget_round = round_in("information", organisation=riga)
    response = as_user(riga_admin).put(
        url(budget_round, "schedule/"),
        {"phase": "needs_assessment", "starts_at": "2030-03-01T08:00:00Z"},
    )
    assert response.status_code == 200
    assert [r["phase"] for r in response.json()] == ["needs_assessment"]


def test_the_schema_offers_it(as_user, riga_admin):
    schema = as_user(riga_admin).get("/api/schema/?format=json").content.decode()
    assert "needs_assessment" in schema
