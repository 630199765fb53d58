"""Personas and rounds for the staff pages."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests import factories


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Statistics and tally-pending flags are cached; every test starts clean.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def signed_in(client):
    """``signed_in(user)`` -> the test client signed in as ``user`` (``None``: anonymous)."""

    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def riga_round(riga):
    """Rīga's round in voting: city-wide 100 000 EUR, projects p1..p4."""
    return factories.voting_round(organisation=riga, slug="riga-2026", title="Rīga 2026")


def draft_round(organisation, **settings):
    budget_round = factories.BudgetRoundFactory(
        organisation=organisation, slug=settings.pop("slug", "riga-draft"), **settings
    )
    factories.DistrictBudgetFactory(round=budget_round, budget=50_000_00)
    return budget_round
