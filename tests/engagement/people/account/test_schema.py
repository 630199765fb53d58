"""Every endpoint of this part is in the OpenAPI schema under its operation id."""

from __future__ import annotations

import pytest

OPERATIONS = {
    ("/api/v1/me/", "get"): "me_retrieve",
    ("/api/v1/me/", "patch"): "me_update",
    ("/api/v1/me/", "delete"): "me_delete",
    ("/api/v1/me/data/", "get"): "me_data_export",
    ("/api/v1/me/notifications/", "get"): "me_notifications_list",
    ("/api/v1/me/notifications/{notification_id}/read/", "post"): "me_notifications_read",
    ("/api/v1/me/notifications/read-all/", "post"): "me_notifications_read_all",
    ("/api/v1/me/notification-preferences/", "get"): "me_notification_preferences_retrieve",
    ("/api/v1/me/notification-preferences/", "put"): "me_notification_preferences_update",
    ("/api/v1/rounds/{slug}/projects/{project_id}/implementation/", "get"): (
        "rounds_projects_implementation_retrieve"
    ),
    ("/api/v1/rounds/{slug}/projects/{project_id}/implementation/", "patch"): (
        "rounds_projects_implementation_update"
    ),
    ("/api/v1/rounds/{slug}/projects/{project_id}/implementation/updates/", "post"): (
        "rounds_projects_implementation_updates_create"
    ),
    ("/api/v1/rounds/{slug}/projects/{project_id}/follow/", "post"): "rounds_projects_follow",
    ("/api/v1/rounds/{slug}/projects/{project_id}/follow/", "delete"): "rounds_projects_unfollow",
    ("/api/v1/rounds/{slug}/statistics/", "get"): "rounds_statistics",
    ("/api/v1/rounds/{slug}/statistics/staff/", "get"): "rounds_statistics_staff",
}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_every_endpoint_is_documented_with_its_operation_id(schema):
    documented = {
        (path, method): schema["paths"].get(path, {}).get(method, {}).get("operationId")
        for path, method in OPERATIONS
    }
    assert documented == OPERATIONS


def test_the_inbox_page_documents_the_unread_count(schema):
    page = schema["components"]["schemas"]["PaginatedNotificationOutputList"]
    assert "unread" in page["required"]
    assert page["properties"]["unread"]["type"] == "integer"
