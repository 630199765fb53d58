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
