"""The OpenAPI schema documents every budgeting endpoint; error bodies keep their shapes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from rest_framework import serializers

from engagement.http.api import api_exception_handler

BUDGETING_OPERATIONS = {
    ("/api/v1/rounds/", "get"): "rounds_list",
    ("/api/v1/rounds/", "post"): "rounds_create",
    ("/api/v1/rounds/{slug}/", "get"): "rounds_retrieve",
    ("/api/v1/rounds/{slug}/", "patch"): "rounds_update",
    ("/api/v1/rounds/{slug}/phase/", "post"): "rounds_phase_advance",
    ("/api/v1/rounds/{slug}/schedule/", "put"): "rounds_schedule_set",
    ("/api/v1/rounds/{slug}/projects/", "get"): "rounds_projects_list",
    ("/api/v1/rounds/{slug}/projects/", "post"): "rounds_projects_create",
    ("/api/v1/rounds/{slug}/projects/{project_id}/", "get"): "rounds_projects_retrieve",
    ("/api/v1/rounds/{slug}/projects/{project_id}/", "patch"): "rounds_projects_update",
    ("/api/v1/rounds/{slug}/projects/{project_id}/review/", "post"): "rounds_projects_review",
    ("/api/v1/rounds/{slug}/ballot/", "get"): "ballot_retrieve",
    ("/api/v1/rounds/{slug}/ballot/", "put"): "ballot_cast",
    ("/api/v1/rounds/{slug}/ballot/withdraw/", "post"): "ballot_withdraw",
    ("/api/v1/rounds/{slug}/receipt/", "post"): "receipt_check",
    ("/api/v1/rounds/{slug}/turnout/", "get"): "rounds_turnout",
    ("/api/v1/rounds/{slug}/results/", "get"): "rounds_results",
    ("/api/v1/rounds/{slug}/results.{fmt}", "get"): "rounds_results_export",
    ("/api/v1/rounds/{slug}/ballots.pb", "get"): "rounds_ballots_export",
    ("/api/v1/rounds/{slug}/statistics/", "get"): "rounds_statistics",
    ("/api/v1/rounds/{slug}/statistics/staff/", "get"): "rounds_statistics_staff",
    ("/api/v1/rounds/{slug}/projects/{project_id}/follow/", "post"): "rounds_projects_follow",
    ("/api/v1/rounds/{slug}/projects/{project_id}/follow/", "delete"): "rounds_projects_unfollow",
    (
        "/api/v1/rounds/{slug}/projects/{project_id}/implementation/",
        "get",
    ): "rounds_projects_implementation_retrieve",
    (
        "/api/v1/rounds/{slug}/projects/{project_id}/implementation/",
        "patch",
    ): "rounds_projects_implementation_update",
    (
        "/api/v1/rounds/{slug}/projects/{project_id}/implementation/updates/",
        "post",
    ): "rounds_projects_implementation_updates_create",
    ("/api/v1/rounds/{slug}/tally/", "get"): "rounds_tally_preview",
    ("/api/v1/rounds/{slug}/tally/", "post"): "rounds_tally_run",
    ("/api/v1/rounds/{slug}/publish/", "post"): "rounds_results_publish",
    ("/api/v1/rounds/{slug}/paper-ballots/", "post"): "rounds_paper_ballots_enter",
    (
        "/api/v1/rounds/{slug}/paper-ballots/progress/",
        "get",
    ): "rounds_paper_ballots_progress",
}
HTTP_METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def test_every_budgeting_endpoint_is_documented_with_its_operation_id(schema):
    documented = {
        (path, method): op.get("operationId")
        for path, method, op in operations(schema)
        if "/rounds/" in path
    }
    assert documented == BUDGETING_OPERATIONS


def test_every_operation_has_a_unique_operation_id(schema):
    ids = [op.get("operationId") for _path, _method, op in operations(schema)]
    assert all(ids), [(p, m) for p, m, op in operations(schema) if not op.get("operationId")]
    assert len(ids) == len(set(ids))


def test_lists_are_paginated_and_filterable(schema):
    def query_params(path):
        return {
            p["name"]
            for p in schema["paths"][path]["get"].get("parameters", [])
            if p["in"] == "query"
        }

    assert query_params("/api/v1/rounds/") == {"limit", "offset", "organisation", "phase"}
    assert query_params("/api/v1/rounds/{slug}/projects/") == {
        "limit",
        "offset",
        "district",
        "status",
        "category",
        "q",
    }
    listed = schema["paths"]["/api/v1/rounds/"]["get"]["responses"]["200"]["content"]
    assert listed["application/json"]["schema"]["$ref"].endswith("PaginatedRoundOutputList")


def test_money_is_documented_as_minor_units_and_decimal_strings(schema):
    project = schema["components"]["schemas"]["ProjectOutput"]["properties"]
    assert project["cost"]["type"] == "integer"
    assert (project["cost_display"]["type"], project["cost_display"]["format"]) == (
        "string",
        "decimal",
    )
    created = schema["components"]["schemas"]["ProjectCreateInput"]["properties"]["cost"]
    text, whole = created["oneOf"]
    assert (text["type"], text["format"]) == ("string", "decimal")
    assert (whole["type"], whole["minimum"]) == ("integer", 0)


def test_ballot_errors_are_documented(schema):
    cast = schema["paths"]["/api/v1/rounds/{slug}/ballot/"]["put"]["responses"]
    assert {"200", "201", "400", "403", "404", "409", "429"} <= set(cast)


class TestErrorShapes:
    """``engagement.http.api``: codes next to messages only where a view asks for them."""

    class PlainView:
        pass

    class CodedView:
        error_codes_in_body = True

    def test_views_without_codes_keep_the_plain_shape(self):
        error = ValidationError({"role": ValidationError("Last admin.", code="last_admin")})
        response = api_exception_handler(error, {"view": self.PlainView()})
        assert response.status_code == 400
        assert response.data == {"role": ["Last admin."]}

    def test_service_errors_carry_their_codes(self):
        error = ValidationError(
            {
                "projects": [
                    ValidationError("Too many.", code="too_many_projects"),
                    ValidationError("Unknown.", code="unknown_project"),
                ],
                "phase": ValidationError("Closed.", code="voting_closed"),
            }
        )
        response = api_exception_handler(error, {"view": self.CodedView()})
        assert response.data == {
            "projects": ["Too many.", "Unknown."],
            "phase": ["Closed."],
            "error_codes": {
                "projects": ["too_many_projects", "unknown_project"],
                "phase": ["voting_closed"],
            },
        }

    def test_errors_without_a_code_are_invalid(self):
        response = api_exception_handler(ValidationError("Nope."), {"view": self.CodedView()})
        assert response.data == {
            "non_field_errors": ["Nope."],
            "error_codes": {"non_field_errors": ["invalid"]},
        }

    def test_serializer_errors_carry_drf_codes(self):
        error = serializers.ValidationError({"district": ["Required."]}, code="required")
        response = api_exception_handler(error, {"view": self.CodedView()})
        assert response.data == {
            "district": ["Required."],
            "error_codes": {"district": ["required"]},
        }
        listed = api_exception_handler(
            serializers.ValidationError(["Bad."], code="bad"), {"view": self.CodedView()}
        )
        assert listed.data == {
            "non_field_errors": ["Bad."],
            "error_codes": {"non_field_errors": ["bad"]},
        }

    def test_engagement_endpoints_answer_as_before(self, client, riga, riga_admin):
        client.force_login(riga_admin)
        response = client.delete(
            "/api/v1/organisations/riga/memberships/",
            {"email": riga_admin.email, "role": "administrator"},
            content_type="application/json",
        )
        assert response.status_code == 400
        assert "error_codes" not in response.json()
        assert "role" in response.json()
