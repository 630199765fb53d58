"""What caches may keep: API answers, staff and account pages, the ballot and the receipt
check, and every page seen signed in are ``no-store``; the deliberately public answers say
``public`` with a lifetime; public pages seen signed out are left as their views say."""

from __future__ import annotations

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {d.strip().lower() for d in response.get("Cache-Control", "").split(",") if d.strip()}


def never_stored(response) -> bool:
    found = directives(response)
    return "no-store" in found and "public" not in found


@pytest.fixture
def voting(riga):
    return factories.voting_round(organisation=riga, slug="riga-2027")


@pytest.fixture
def signed_in(client, resident):
    client.force_login(resident)
    return client


class TestApi:
    def test_a_public_list_read_signed_out(self, client, voting):
        response = client.get("/api/v1/rounds/")
        assert response.status_code == 200
        assert never_stored(response), response.get("Cache-Control")

    def test_my_account(self, signed_in):
        response = signed_in.get("/api/v1/me/")
        assert response.status_code == 200
        assert response.json()["email"] == "resident@example.org"
        assert never_stored(response), response.get("Cache-Control")

    def test_my_ballot(self, signed_in, voting):
        response = signed_in.get(f"/api/v1/rounds/{voting.slug}/ballot/")
        assert never_stored(response), (response.status_code, response.get("Cache-Control"))

    def test_errors_too(self, client):
        response = client.get("/api/v1/rounds/no-such-round/")
        assert response.status_code == 404
        assert never_stored(response)

    def test_the_schema_is_the_one_public_answer(self, signed_in):
        response = signed_in.get("/api/schema/")
        assert response.status_code == 200
        assert directives(response) == {"public", "max-age=300"}


class TestStaffPages:
    def test_a_staff_page_for_staff(self, client, riga_admin, voting):
        client.force_login(riga_admin)
        response = client.get(f"/staff/rounds/{voting.slug}/")
        assert response.status_code == 200
        assert voting.title in response.content.decode()
        assert never_stored(response), response.get("Cache-Control")

    def test_the_redirect_to_sign_in(self, client):
        response = client.get("/staff/")
        assert response.status_code == 302
        assert never_stored(response)


class TestPersonalPages:
    def test_account(self, signed_in):
        response = signed_in.get("/account/")
        assert response.status_code == 200
        assert never_stored(response)

    def test_sign_in_page(self, client):
        response = client.get("/accounts/login/")
        assert response.status_code == 200
        assert never_stored(response)

    def test_ballot(self, signed_in, voting):
        response = signed_in.get(f"/rounds/{voting.slug}/vote/city/")
        assert response.status_code == 200
        assert never_stored(response), response.get("Cache-Control")

    def test_receipt_check_even_signed_out(self, client, voting):
        response = client.get(f"/rounds/{voting.slug}/receipt/")
        assert response.status_code == 200
        assert never_stored(response), response.get("Cache-Control")

    def test_a_public_page_seen_signed_in(self, signed_in, voting):
        response = signed_in.get(f"/rounds/{voting.slug}/")
        assert response.status_code == 200
        assert never_stored(response), response.get("Cache-Control")


class TestPublic:
    def test_a_public_page_seen_signed_out_is_left_alone(self, client, voting):
        response = client.get(f"/rounds/{voting.slug}/")
        assert response.status_code == 200
        assert "no-store" not in directives(response)

    def test_the_brand_stylesheet_is_public_even_signed_in(self, signed_in, riga):
        response = signed_in.get(f"/brand/{riga.slug}.css")
        assert response.status_code == 200
        assert directives(response) == {"public", "max-age=3600"}
