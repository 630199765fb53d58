"""The OpenAPI schema documents every ideas endpoint with its explicit operation id."""

from __future__ import annotations

import pytest

IDEAS_OPERATIONS = {
    ("/api/v1/processes/", "get"): "processes_list",
    ("/api/v1/processes/", "post"): "processes_create",
    ("/api/v1/processes/{slug}/", "get"): "processes_retrieve",
    ("/api/v1/processes/{slug}/", "patch"): "processes_update",
    ("/api/v1/processes/{slug}/phase/", "post"): "processes_phase_advance",
    ("/api/v1/processes/{slug}/ideas/", "get"): "processes_ideas_list",
    ("/api/v1/processes/{slug}/ideas/", "post"): "processes_ideas_create",
    ("/api/v1/processes/{slug}/ideas/similar/", "get"): "processes_ideas_similar",
    ("/api/v1/processes/{slug}/ideas.csv", "get"): "processes_ideas_export",
    ("/api/v1/ideas/{idea_id}/", "get"): "ideas_retrieve",
    ("/api/v1/ideas/{idea_id}/", "patch"): "ideas_update",
    ("/api/v1/ideas/{idea_id}/submit/", "post"): "ideas_submit",
    ("/api/v1/ideas/{idea_id}/withdraw/", "post"): "ideas_withdraw",
    ("/api/v1/ideas/{idea_id}/images/", "post"): "ideas_images_add",
    ("/api/v1/ideas/{idea_id}/images/{image_id}/", "delete"): "ideas_images_remove",
    ("/api/v1/ideas/{idea_id}/comments/", "get"): "ideas_comments_list",
    ("/api/v1/ideas/{idea_id}/comments/", "post"): "ideas_comments_create",
    ("/api/v1/ideas/{idea_id}/support/", "put"): "ideas_support",
    ("/api/v1/ideas/{idea_id}/support/", "delete"): "ideas_unsupport",
    ("/api/v1/ideas/{idea_id}/follow/", "put"): "ideas_follow",
    ("/api/v1/ideas/{idea_id}/follow/", "delete"): "ideas_unfollow",
    ("/api/v1/ideas/{idea_id}/review/", "post"): "ideas_review",
    ("/api/v1/ideas/{idea_id}/merge/", "post"): "ideas_merge",
    ("/api/v1/comments/{comment_id}/", "patch"): "comments_update",
    ("/api/v1/comments/{comment_id}/", "delete"): "comments_delete",
    ("/api/v1/reports/", "post"): "reports_create",
    ("/api/v1/moderation/queue/", "get"): "moderation_queue",
    ("/api/v1/moderation/log/", "get"): "moderation_log",
    ("/api/v1/moderation/hide/", "post"): "moderation_hide",
    ("/api/v1/moderation/restore/", "post"): "moderation_restore",
    ("/api/v1/moderation/dismiss/", "post"): "moderation_dismiss",
}
PREFIXES = ("/api/v1/processes/", "/api/v1/ideas/", "/api/v1/comments/", "/api/v1/reports/",
            "/api/v1/moderation/")  # fmt: skip
HTTP_METHODS = {"get", "put", "post", "patch", "delete"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_every_ideas_endpoint_is_documented_with_its_operation_id(schema):
    documented = {
        (path, method): operation.get("operationId")
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS and path.startswith(PREFIXES)
    }
    assert documented == IDEAS_OPERATIONS


def test_refusals_are_documented(schema):
    create = schema["paths"]["/api/v1/processes/{slug}/ideas/"]["post"]["responses"]
    assert {"201", "400", "403", "404", "429"} <= set(create)
    support = schema["paths"]["/api/v1/ideas/{idea_id}/support/"]["put"]["responses"]
    assert {"200", "201", "400", "403", "404", "429"} <= set(support)


def test_the_idea_list_is_paginated_filterable_and_sortable(schema):
    parameters = schema["paths"]["/api/v1/processes/{slug}/ideas/"]["get"]["parameters"]
    assert {p["name"] for p in parameters if p["in"] == "query"} == {
        "limit", "offset", "status", "category", "district", "project", "q", "mine", "sort",
    }  # fmt: skip


def test_money_and_images_are_documented(schema):
    components = schema["components"]["schemas"]
    idea = components["IdeaOutput"]["properties"]
    assert idea["estimated_cost"]["type"] == "integer"
    assert idea["estimated_cost_display"]["format"] == "decimal"
    created = components["IdeaCreateInput"]["properties"]["estimated_cost"]
    text, whole = created["oneOf"]
    assert (text["type"], text["format"]) == ("string", "decimal")
    assert (whole["type"], whole["minimum"]) == ("integer", 0)
    upload = schema["paths"]["/api/v1/ideas/{idea_id}/images/"]["post"]["requestBody"]
    assert "multipart/form-data" in upload["content"]
