"""Organisation, membership and "me" endpoints over HTTP."""

import pytest

from engagement.people.models import Membership, ResidentProfile, Role

pytestmark = pytest.mark.django_db


def test_organisations_are_listed_publicly(client, riga, gdansk):
    response = client.get("/api/v1/organisations/")
    assert response.status_code == 200
    rows = response.json()["results"] if "results" in response.json() else response.json()
    assert [(r["slug"], r["country_name"], r["currency"]) for r in rows] == [
        ("gdansk", "Poland", "PLN"),
        ("riga", "Latvia", "EUR"),
    ]


def test_organisation_detail_includes_districts(client, riga):
    riga.districts.create(name="Centrs", slug="centrs")
    body = client.get("/api/v1/organisations/riga/").json()
    assert body["is_capital"] is True
    assert body["districts"] == [{"slug": "centrs", "name": "Centrs"}]


def test_unknown_organisation_is_404(client):
    assert client.get("/api/v1/organisations/atlantis/").status_code == 404


class TestMembershipsEndpoint:
    url = "/api/v1/organisations/riga/memberships/"

    def test_anonymous_is_refused(self, client, riga):
        assert client.get(self.url).status_code == 403

    def test_resident_does_not_learn_who_is_staff(self, client, riga, riga_admin, resident):
        client.force_login(resident)
        assert client.get(self.url).status_code == 404

    def test_staff_of_another_organisation_sees_nothing(self, client, riga, gdansk_admin):
        client.force_login(gdansk_admin)
        assert client.get(self.url).status_code == 404
        response = client.post(
            self.url,
            {"email": gdansk_admin.email, "role": "administrator"},
            content_type="application/json",
        )
        assert response.status_code == 404
        assert not Membership.objects.filter(organisation=riga, user=gdansk_admin).exists()

    def test_administrator_lists_and_grants(self, client, riga_admin, resident):
        client.force_login(riga_admin)
        response = client.post(
            self.url,
            {"email": "RESIDENT@example.org", "role": "reviewer"},
            content_type="application/json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["role"] == "reviewer"
        listed = client.get(self.url).json()
        assert {(m["email"], m["role"]) for m in listed} == {
            ("admin@riga.example", "administrator"),
            ("resident@example.org", "reviewer"),
        }

    def test_moderator_may_look_but_not_grant(self, client, riga_moderator, resident):
        client.force_login(riga_moderator)
        assert client.get(self.url).status_code == 200
        response = client.post(
            self.url,
            {"email": resident.email, "role": "administrator"},
            content_type="application/json",
        )
        assert response.status_code == 403
        assert not Membership.objects.filter(user=resident).exists()

    def test_bad_input_gets_field_errors(self, client, riga_admin):
        client.force_login(riga_admin)
        response = client.post(
            self.url, {"email": "not-an-email", "role": "mayor"}, content_type="application/json"
        )
        assert response.status_code == 400
        assert set(response.json()) == {"email", "role"}
        response = client.post(
            self.url,
            {"email": "nobody@example.org", "role": "officer"},
            content_type="application/json",
        )
        assert response.status_code == 400
        assert "email" in response.json()

    def test_removing_the_last_administrator_is_a_400(self, client, riga_admin):
        client.force_login(riga_admin)
        response = client.delete(
            self.url,
            {"email": riga_admin.email, "role": "administrator"},
            content_type="application/json",
        )
        assert response.status_code == 400
        assert "role" in response.json()
        assert Membership.objects.filter(user=riga_admin, role=Role.ADMINISTRATOR).exists()


class TestMe:
    def test_requires_login(self, client):
        assert client.get("/api/v1/me/").status_code == 403

    def test_shows_roles_per_organisation(self, client, riga_moderator):
        client.force_login(riga_moderator)
        body = client.get("/api/v1/me/").json()
        assert body["email"] == "moderator@riga.example"
        assert body["staff_roles"] == [
            {"organisation": "riga", "name": "Rīga", "roles": ["moderator"]}
        ]
        assert body["profile"] is None

    def test_updates_profile_partially(self, client, resident):
        client.force_login(resident)
        response = client.patch(
            "/api/v1/me/",
            {"profile": {"birth_year": 1960, "target_groups": ["elderly"]}},
            content_type="application/json",
        )
        assert response.status_code == 200, response.json()
        response = client.patch(
            "/api/v1/me/", {"profile": {"birth_year": 1961}}, content_type="application/json"
        )
        assert response.json()["profile"] == {"birth_year": 1961, "target_groups": ["elderly"]}

    def test_bad_profile_is_a_field_error_and_keeps_stored_data(self, client, resident):
        client.force_login(resident)
        client.patch(
            "/api/v1/me/", {"profile": {"birth_year": 1960}}, content_type="application/json"
        )
        response = client.patch(
            "/api/v1/me/",
            {"profile": {"birth_year": 3000, "target_groups": ["astronaut"]}},
            content_type="application/json",
        )
        assert response.status_code == 400
        assert set(response.json()["profile"]) >= {"target_groups"}
        assert ResidentProfile.objects.get(user=resident).birth_year == 1960


def test_openapi_schema_documents_the_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/organisations/" in schema["paths"]
    assert "/api/v1/me/" in schema["paths"]


def test_api_docs_page_is_served_without_a_cdn(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    assert "cdn.jsdelivr" not in html
    assert "unpkg.com" not in html
