"""Who may open which staff page: the role predicates, per organisation."""

from __future__ import annotations

import pytest

from engagement.people.models import Role
from tests import factories

pytestmark = pytest.mark.django_db

ROUND_ADMIN_PAGES = ["settings/", "districts/", "phase/", "tally/", "publish/"]
ROUND_STAFF_PAGES = ["", "statistics/"]


@pytest.fixture
def people(riga, gdansk, resident, riga_admin, riga_moderator, riga_reviewer, riga_officer):
    return {
        "administrator": riga_admin,
        "moderator": riga_moderator,
        "reviewer": riga_reviewer,
        "officer": riga_officer,
        "other organisation": factories.staff(gdansk, Role.ADMINISTRATOR),
        "resident": resident,
    }


def test_anonymous_visitors_are_sent_to_the_login_page(signed_in, riga, riga_round):
    client = signed_in(None)
    pages = ["/staff/", "/staff/o/riga/", "/staff/o/riga/rounds/new/"] + [
        f"/staff/rounds/riga-2026/{tail}" for tail in ROUND_ADMIN_PAGES + ROUND_STAFF_PAGES
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith("/accounts/login/?next="), page


@pytest.mark.parametrize("tail", ROUND_STAFF_PAGES)
def test_round_overview_pages_are_for_every_staff_role_of_the_organisation(
    signed_in, people, riga_round, tail
):
    for who in ("administrator", "moderator", "reviewer", "officer"):
        response = signed_in(people[who]).get(f"/staff/rounds/riga-2026/{tail}")
        assert response.status_code == 200, who
        assert "Rīga 2026" in response.content.decode()
    for who in ("other organisation", "resident"):
        response = signed_in(people[who]).get(f"/staff/rounds/riga-2026/{tail}")
        assert response.status_code == 403, who
        assert "Rīga 2026" not in response.content.decode()


@pytest.mark.parametrize("tail", ROUND_ADMIN_PAGES)
def test_running_the_round_is_for_its_administrators_only(signed_in, people, riga_round, tail):
    admin = signed_in(people["administrator"])
    assert admin.get(f"/staff/rounds/riga-2026/{tail}").status_code == 200
    for who in ("moderator", "reviewer", "officer", "other organisation", "resident"):
        response = signed_in(people[who]).get(f"/staff/rounds/riga-2026/{tail}")
        assert response.status_code == 403, (who, tail)


@pytest.mark.parametrize("tail", ROUND_ADMIN_PAGES)
def test_other_organisations_cannot_post_either(signed_in, people, riga_round, tail):
    response = signed_in(people["other organisation"]).post(
        f"/staff/rounds/riga-2026/{tail}", {"to": "tallying", "confirm": "on", "title": "Hacked"}
    )
    assert response.status_code == 403
    riga_round.refresh_from_db()
    assert (riga_round.phase, riga_round.title) == ("voting", "Rīga 2026")


def test_organisation_pages(signed_in, people, riga, riga_round):
    for who in ("administrator", "moderator", "reviewer", "officer"):
        assert signed_in(people[who]).get("/staff/o/riga/").status_code == 200, who
    for who in ("other organisation", "resident"):
        assert signed_in(people[who]).get("/staff/o/riga/").status_code == 403, who
    assert signed_in(people["administrator"]).get("/staff/o/riga/rounds/new/").status_code == 200
    for who in ("moderator", "reviewer", "officer", "other organisation", "resident"):
        assert signed_in(people[who]).get("/staff/o/riga/rounds/new/").status_code == 403, who


def test_staff_home_is_for_staff(signed_in, people, riga_round):
    assert signed_in(people["resident"]).get("/staff/").status_code == 403
    html = signed_in(people["moderator"]).get("/staff/").content.decode()
    assert "Rīga 2026" in html
    html = signed_in(people["other organisation"]).get("/staff/").content.decode()
    assert "Rīga 2026" not in html


def test_unknown_round_or_organisation_is_404(signed_in, riga_admin):
    client = signed_in(riga_admin)
    assert client.get("/staff/rounds/nowhere/").status_code == 404
    assert client.get("/staff/o/atlantis/").status_code == 404


def test_platform_operators_may_open_every_organisation(signed_in, platform_admin, riga_round):
    client = signed_in(platform_admin)
    assert client.get("/staff/").status_code == 200
    assert client.get("/staff/rounds/riga-2026/settings/").status_code == 200
