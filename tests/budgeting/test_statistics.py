"""A round's participation statistics never expose a person: small groups are suppressed,
and so are the groups that would let a small one be recomputed from a total."""

from __future__ import annotations

import pytest

from budgeting import statistics
from budgeting.models import Participation
from engagement.statistics import THRESHOLD
from tests.budgeting import round_statistics

# The shared round and the uncached statistics (autouse), as this module's fixtures.
city = round_statistics.city
statistics_uncached = round_statistics.statistics_uncached


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
    # residents 30 / 12 / 3 / 0: the 3 and the empty "unknown" row give no cover together,
    # so Old Town's 12 residents are hidden, and its 12 voters with them (else "12 voters of
    # fewer than 5 residents")
    assert rows["old-town"]["residents"] == {"count": None, "suppressed": True}
    assert rows["old-town"]["voters"] == {"count": None, "suppressed": True}
    assert rows["pine-hills"]["voters"] == {"count": None, "suppressed": True}
    # no resident has an unknown district ("fewer than 5"): its 9 voters are hidden too
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
    # 42 of 44 are parents: the 2 who are not would be the total minus the group
    assert targets["parent"] == {"count": None, "suppressed": True}
    assert targets["young"] == {"count": None, "suppressed": True}
    channels = {row["key"]: row["ballots"] for row in body["ballots_by_channel"]["groups"]}
    # 2 paper ballots: hidden, and online with them (else 44 - 42 = 2)
    assert channels == {
        "online": {"count": None, "suppressed": True},
        "paper": {"count": None, "suppressed": True},
    }


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


# --- leaks the suppression closes ---------------------------------------------------------


def _town(riga, plan):
    """A results round in Rīga; ``plan`` is (district slug or None, residents, voters);
    voters of a None district vote on paper without an account."""
    from budgeting.models import DistrictBudget
    from engagement.people.models import District
    from tests import factories

    budget_round = factories.results_round(organisation=riga, slug="town-2026")
    city_budget = DistrictBudget.objects.get(round=budget_round, key="city")
    for slug, residents, voters in plan:
        district = (
            District.objects.create(organisation=riga, slug=slug, name=slug.title())
            if slug
            else None
        )
        for n in range(max(residents, voters)):
            if slug is None:
                Participation.objects.create(
                    round=budget_round,
                    district_budget=city_budget,
                    voter_key=f"paper:{n}",
                    channel="paper",
                )
                continue
            person = factories.eligible_voter(riga, district=district)
            if n < voters:
                Participation.objects.create(
                    round=budget_round,
                    district_budget=city_budget,
                    voter=person,
                    voter_key=f"user:{person.pk}",
                    channel="online",
                )
    return budget_round


@pytest.mark.django_db
def test_no_district_shows_more_voters_than_its_hidden_residents(client, riga):
    # Residents 30 / 6 / 2: the 2 are hidden, and with them the 6 (complementary). The 6
    # voters of the 6-resident district must not stand beside "fewer than 5" residents.
    _town(riga, [("harbour", 30, 20), ("dunes", 6, 6), ("pines", 2, 2), (None, 0, 5)])
    rows = _rows(client.get("/api/v1/rounds/town-2026/statistics/").json()["by_district"])
    assert rows["dunes"]["residents"] == {"count": None, "suppressed": True}
    assert rows["dunes"]["voters"] == {"count": None, "suppressed": True}
    assert rows["dunes"]["turnout"] == {"percent": None, "suppressed": True}
    for row in rows.values():
        if row["residents"]["suppressed"]:
            assert row["voters"]["suppressed"], row


@pytest.mark.django_db
def test_a_hidden_district_is_not_the_total_minus_the_shown_ones(client, riga):
    # The demo city: six residents in each of four districts, none of unknown district.
    # Hiding one district's residents beside the (always empty) "unknown" row gave it away:
    # 24 - 6 - 6 - 6 = 6.
    _town(riga, [("harbour", 6, 5), ("old-town", 6, 4), ("pine-hills", 6, 5), ("riverside", 6, 5)])
    table = client.get("/api/v1/rounds/town-2026/statistics/").json()["by_district"]
    rows = _rows(table)
    assert table["residents_total"]["count"] == 24
    hidden_districts = [
        key for key, row in rows.items() if row["residents"]["suppressed"] and key != "unknown"
    ]
    assert len(hidden_districts) >= 2, hidden_districts
    shown = sum(row["residents"]["count"] or 0 for row in rows.values())
    assert 24 - shown >= THRESHOLD


@pytest.mark.django_db
def test_a_target_group_of_nearly_everyone_is_hidden(client, city, riga_moderator):
    # 42 of the 44 voters are parents: showing 42 tells that 2 voters are not.
    client.force_login(riga_moderator)
    body = client.get("/api/v1/rounds/riga-2026/statistics/staff/").json()
    targets = {row["key"]: row["voters"] for row in body["by_target_group"]}
    assert body["voters"]["count"] == 44
    assert targets["parent"] == {"count": None, "suppressed": True}
