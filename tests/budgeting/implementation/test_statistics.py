"""Participation statistics never expose a person: small groups are suppressed, and so are
the groups that would let a small one be recomputed from a total."""

from __future__ import annotations

import itertools
import random

import pytest
from django.utils import timezone

from budgeting import statistics
from budgeting.models import DistrictBudget, Participation
from engagement.ideas.models import Idea, ParticipatoryProcess
from engagement.people.models import District, ResidentProfile
from engagement.statistics import THRESHOLD, age_band, suppress_cells, suppress_partition
from tests import factories

# --- the pure rules (no database) ---------------------------------------------------------------


def _recoverable(cells: dict[str, int], shown: dict[str, int | None], total: int | None) -> bool:
    """Can some hidden cell be recomputed exactly from what is shown?"""
    hidden = [k for k, v in shown.items() if v is None]
    if total is None or not hidden:
        return False
    return len(hidden) == 1 or sum(cells[k] for k in hidden) < THRESHOLD


def test_small_groups_are_hidden_and_zero_counts_too():
    shown, total = suppress_partition({"a": 20, "b": 12, "c": 3, "d": 0})
    assert shown == {"a": 20, "b": None, "c": None, "d": None}
    assert total == 35


def test_a_single_hidden_group_takes_the_smallest_other_with_it():
    cells = {"a": 20, "b": 12, "c": 3, "unknown": 7}
    shown, total = suppress_partition(cells)
    assert shown == {"a": 20, "b": 12, "c": None, "unknown": None}
    assert total == 42
    # total minus the shown ones gives 10: the 3 cannot be told apart from the 7
    assert total - 20 - 12 == 10


def test_hidden_groups_that_add_up_to_a_small_number_take_more_with_them():
    shown, total = suppress_partition({"a": 30, "b": 9, "c": 1, "d": 2})
    assert shown == {"a": 30, "b": None, "c": None, "d": None}
    assert total == 42


def test_a_small_total_hides_everything():
    assert suppress_partition({"a": 2, "b": 2}) == ({"a": None, "b": None}, None)
    assert suppress_partition({}) == ({}, None)


def test_nothing_is_hidden_when_every_group_is_big_enough():
    assert suppress_partition({"a": 5, "b": 6}) == ({"a": 5, "b": 6}, 11)


def test_no_hidden_group_is_ever_recoverable_from_the_total():
    rng = random.Random(4)
    for _ in range(3000):
        cells = {
            f"g{i}": rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 15, 40]) for i in range(rng.randint(1, 6))
        }
        shown, total = suppress_partition(cells)
        assert all(v is None or v >= THRESHOLD for v in shown.values())
        assert all(shown[k] in (None, cells[k]) for k in cells)
        assert not _recoverable(cells, shown, total), cells


def test_overlapping_groups_hide_small_cells_only():
    assert suppress_cells({"young": 4, "elderly": 7, "migrant": 0}) == {
        "young": None,
        "elderly": 7,
        "migrant": None,
    }


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (16, "under_26"),
        (25, "under_26"),
        (26, "26_40"),
        (40, "26_40"),
        (41, "41_64"),
        (64, "41_64"),
        (65, "65_plus"),
        (99, "65_plus"),
    ],
)
def test_age_bands(age, band):
    assert age_band(2026 - age, 2026) == band
    assert age_band(None, 2026) == "unknown"


# --- a round's statistics -----------------------------------------------------------------------


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


def _rows(table: dict) -> dict[str, dict]:
    return {row["key"]: row for row in table["groups"]}


@pytest.mark.django_db
def test_public_statistics_suppress_small_districts_and_their_complement(client, city):
    response = client.get("/api/v1/rounds/riga-2026/statistics/")
    assert response.status_code == 200
    body = response.json()
    assert body["voters"] == {"count": 44, "suppressed": False}
    by_district = body["by_district"]
    rows = _rows(by_district)
    assert rows["harbour"]["voters"] == {"count": 20, "suppressed": False}
    assert rows["old-town"]["voters"] == {"count": 12, "suppressed": False}
    assert rows["pine-hills"]["voters"] == {"count": None, "suppressed": True}
    # complementary: unknown (9) is hidden too, so 44 - 20 - 12 = 12 does not give 3
    assert rows["unknown"]["voters"] == {"count": None, "suppressed": True}
    assert by_district["voters_total"] == {"count": 44, "suppressed": False}
    assert rows["harbour"]["residents"]["count"] == 30
    assert rows["harbour"]["turnout"] == {"percent": 66.7, "suppressed": False}
    assert rows["pine-hills"]["turnout"] == {"percent": None, "suppressed": True}
    shown = sum(r["voters"]["count"] or 0 for r in rows.values())
    hidden_keys = [k for k, r in rows.items() if r["voters"]["suppressed"]]
    assert len(hidden_keys) >= 2
    assert 44 - shown >= THRESHOLD


@pytest.mark.django_db
def test_public_statistics_by_age_group(client, city):
    rows = _rows(client.get("/api/v1/rounds/riga-2026/statistics/").json()["by_age_group"])
    # 42 account voters cycle through four bands: 11, 11, 10, 10; 2 paper voters unknown.
    assert rows["under_26"]["voters"]["count"] == 11
    assert rows["65_plus"]["voters"]["count"] == 10
    assert rows["unknown"]["voters"] == {"count": None, "suppressed": True}
    assert rows["41_64"]["voters"] == {"count": None, "suppressed": True}  # complement


@pytest.mark.django_db
def test_no_individual_leaks_into_the_answer(client, city):
    content = client.get("/api/v1/rounds/riga-2026/statistics/").content.decode()
    assert "@" not in content
    assert "user:" not in content
    assert "paper:" not in content


@pytest.mark.django_db
def test_the_public_sees_no_breakdown_during_voting(client, city):
    city.phase = "voting"
    city.save()
    body = client.get("/api/v1/rounds/riga-2026/statistics/").json()
    assert body["by_district"] is None
    assert body["by_age_group"] is None
    assert body["breakdowns_public"] is False
    assert "by_target_group" not in body


@pytest.mark.django_db
def test_staff_statistics_are_for_the_organisations_staff_only(
    client, city, resident, gdansk_admin, riga_moderator
):
    url = "/api/v1/rounds/riga-2026/statistics/staff/"
    assert client.get(url).status_code == 403
    client.force_login(resident)
    assert client.get(url).status_code == 403
    client.force_login(gdansk_admin)
    assert client.get(url).status_code == 403
    client.force_login(riga_moderator)
    city.phase = "voting"
    city.save()
    body = client.get(url).json()
    assert _rows(body["by_district"])["pine-hills"]["voters"]["suppressed"] is True
    targets = {row["key"]: row["voters"] for row in body["by_target_group"]}
    assert targets["parent"] == {"count": 42, "suppressed": False}
    assert targets["young"] == {"count": None, "suppressed": True}
    channels = {row["key"]: row["ballots"] for row in body["ballots_by_channel"]["groups"]}
    # 2 paper ballots: hidden, and online with them (else 44 - 42 = 2)
    assert channels == {
        "online": {"count": None, "suppressed": True},
        "paper": {"count": None, "suppressed": True},
    }


@pytest.mark.django_db
def test_contributions_count_public_ideas_and_suppress_small_numbers(city, riga):
    process = ParticipatoryProcess.objects.create(
        organisation=riga, slug="riga-ideas", title="Ideas", kind="budget", budget_round=city
    )
    now = timezone.now()
    authors = [factories.UserFactory() for _ in range(6)]
    for author in authors:
        Idea.objects.create(
            process=process,
            author=author,
            title="Idea",
            description="<p>x</p>",
            status="submitted",
            submitted_at=now,
        )
    Idea.objects.create(process=process, author=authors[0], title="Draft", description="d")
    Idea.objects.create(
        process=process,
        author=factories.UserFactory(),
        title="Hidden",
        description="h",
        status="submitted",
        submitted_at=now,
        hidden=True,
    )
    answer = statistics.round_statistics(city)["contributions"]
    assert answer["ideas"] == {"count": 6, "suppressed": False}
    assert answer["comments"] == {"count": None, "suppressed": True}  # 0
    assert answer["contributors"] == {"count": 6, "suppressed": False}
    assert answer["by_district"]["people_total"] == {"count": 6, "suppressed": False}
    # Nobody lives in a known district: the zeros are hidden, and so is "unknown" (6),
    # else the total would show the hidden cells hold no one.
    assert all(r["people"]["suppressed"] for r in answer["by_district"]["groups"])


@pytest.mark.django_db
def test_answers_are_cached_briefly_per_round_and_phase(client, city, monkeypatch):
    from django.core.cache.backends.locmem import LocMemCache

    monkeypatch.setattr(statistics, "CACHE_SECONDS", 60)
    monkeypatch.setattr(statistics, "cache", LocMemCache("statistics-tests", {}))
    first = client.get("/api/v1/rounds/riga-2026/statistics/").json()
    Participation.objects.filter(round=city).delete()
    assert client.get("/api/v1/rounds/riga-2026/statistics/").json() == first
    city.phase = "implementation"
    city.save()
    assert client.get("/api/v1/rounds/riga-2026/statistics/").json()["voters"]["count"] is None
