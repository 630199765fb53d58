"""What the statistics tests of a round share: a round whose voters are known by district and
age (``city``), and statistics computed afresh in every test (``statistics_uncached``, autouse
where imported)."""

from __future__ import annotations

import itertools

import pytest
from django.utils import timezone

from budgeting import statistics
from budgeting.models import DistrictBudget, Participation
from engagement.people.models import District, ResidentProfile
from tests import factories


@pytest.fixture(autouse=True)
def statistics_uncached(monkeypatch):
    """Statistics are cached by round id, and ids repeat across tests: no cache here."""
    monkeypatch.setattr(statistics, "CACHE_SECONDS", 0)


@pytest.fixture
def city(riga):
    """Voters by district of residence: harbour 20, old-town 12, pine-hills 3, unknown 7."""
    budget_round = factories.results_round(organisation=riga, slug="riga-2026")
    city_budget = DistrictBudget.objects.get(round=budget_round, key="city")
    districts = {
        slug: District.objects.create(organisation=riga, slug=slug, name=slug.title())
        for slug in ("harbour", "old-town", "pine-hills")
    }
    year = timezone.now().year
    birth_years = itertools.cycle([year - 20, year - 30, year - 50, year - 70])
    plan = [("harbour", 20), ("old-town", 12), ("pine-hills", 3), (None, 7)]
    for slug, voters in plan:
        for _n in range(voters):
            person = factories.UserFactory()
            ResidentProfile.objects.create(
                user=person, birth_year=next(birth_years), target_groups=["parent"]
            )
            if slug is not None:
                factories.residence(person, riga, districts[slug])
            Participation.objects.create(
                round=budget_round,
                district_budget=city_budget,
                voter=person,
                voter_key=f"user:{person.pk}",
                channel="online",
            )
    # Residents who did not vote: 10 more in harbour.
    for _n in range(10):
        factories.residence(factories.UserFactory(), riga, districts["harbour"])
    # Two paper voters without an account: district and age unknown.
    for n in range(2):
        Participation.objects.create(
            round=budget_round,
            district_budget=city_budget,
            voter_key=f"paper:{n}",
            channel="paper",
        )
    return budget_round
