"""The schema lists what each operation can answer, and what a valid body is.

``engagement.http.api_schema.ApiSchema`` adds the errors every operation can give (400 for bodies
and query parameters, 403 for writes and for operations that need an account, 404 where
the path names something, 429 where it is rate-limited), each with its body; and states
in request bodies what the serializers check: free text without NUL and not blank, which
fields go together.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

METHODS = {"get", "put", "post", "patch", "delete"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return response.json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_every_operation_lists_the_errors_it_can_answer(schema):
    missing = []
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        parameters = operation.get("parameters", [])
        expected = set()
        if "requestBody" in operation or any(p["in"] == "query" for p in parameters):
            expected.add("400")
        if method != "get" or {} not in operation.get("security", [{}]):
            expected.add("403")
        if "{" in path:
            expected.add("404")
        if not expected <= set(responses):
            missing.append((method, path, sorted(expected - set(responses))))
        for code, response in responses.items():
            if code >= "400" and "content" not in response:
                missing.append((method, path, code, "no body"))
    assert missing == []


def test_error_bodies_are_described(schema):
    components = schema["components"]["schemas"]
    assert components["Error"]["required"] == ["detail"]
    list_ideas = schema["paths"]["/api/v1/processes/{slug}/ideas/"]["get"]["responses"]
    assert list_ideas["400"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "FieldErrors"
    )
    assert list_ideas["404"]["content"]["application/json"]["schema"]["$ref"].endswith("Error")


def test_rate_limited_operations_say_so(schema):
    limited = {
        (path, method)
        for path, method, operation in operations(schema)
        if "429" in operation["responses"]
    }
    assert {
        ("/api/v1/rounds/{slug}/receipt/", "post"),
        ("/api/v1/ideas/{idea_id}/comments/", "post"),
        ("/api/v1/comments/{comment_id}/", "delete"),
        ("/api/v1/reports/", "post"),
        ("/api/v1/me/data/", "get"),
        ("/api/v1/me/", "delete"),
    } <= limited
    assert ("/api/v1/ideas/{idea_id}/comments/", "get") not in limited


def test_writes_are_created_with_the_status_they_answer(schema):
    grant = schema["paths"]["/api/v1/organisations/{slug}/memberships/"]
    assert "201" in grant["post"]["responses"]
    revoke = grant["delete"]
    assert "204" in revoke["responses"]
    assert revoke["requestBody"]["required"] is True
    delete_me = schema["paths"]["/api/v1/me/"]["delete"]
    assert "password" in _body_schema(schema, delete_me)["required"]


def _body_schema(schema, operation):
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_request_bodies_are_json_except_where_files_are_taken(schema):
    media = {
        (path, method): set(operation["requestBody"]["content"])
        for path, method, operation in operations(schema)
        if "requestBody" in operation
    }
    uploads = {
        ("/api/v1/ideas/{idea_id}/images/", "post"): {"multipart/form-data"},
        ("/api/v1/workshops/{workshop_id}/photos/", "post"): {"multipart/form-data"},
        ("/api/v1/rounds/{slug}/projects/{project_id}/implementation/updates/", "post"): {
            "application/json",
            "multipart/form-data",
        },
    }
    for key, types in media.items():
        assert types == uploads.get(key, {"application/json"}), key


def test_free_text_says_no_nul_and_not_blank(schema):
    comment = schema["components"]["schemas"]["IdeaCommentInput"]["properties"]["body"]
    assert comment["minLength"] == 1
    assert re.search(comment["pattern"], "Agreed.")
    for refused in ("", "   ", "a\x00b"):
        assert not re.search(comment["pattern"], refused)
    note = schema["components"]["schemas"]["ModerationInput"]["properties"]["note"]
    assert re.search(note["pattern"], "")
    assert not re.search(note["pattern"], "\x00")


def test_fields_that_go_together_are_stated(schema):
    components = schema["components"]["schemas"]
    idea_or_comment = components["ModerationInput"]["oneOf"]
    assert [variant["required"] for variant in idea_or_comment] == [["idea"], ["comment"]]
    kinds = components["ProcessCreateInput"]["oneOf"]
    assert [(v["properties"]["kind"]["enum"], v["required"]) for v in kinds] == [
        (["budget"], ["round"]),
        (["ideas"], ["title"]),
    ]
    money = components["RoundCreateInput"]["anyOf"]
    assert [variant["required"] for variant in money] == [["citywide_budget"], ["district_budgets"]]


def test_optional_query_parameters_may_be_empty(schema):
    parameters = schema["paths"]["/api/v1/rounds/"]["get"]["parameters"]
    assert all(p.get("allowEmptyValue") for p in parameters if not p.get("required"))


def test_every_view_is_described_without_guessing(tmp_path):
    """drf-spectacular warns when it has to guess a view's serializer (and may drop what it
    cannot guess): the schema builds with no warning and no error."""
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert (tmp_path / "schema.yml").stat().st_size > 10_000
