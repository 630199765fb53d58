"""The in-app inbox and the preferences over HTTP: only ever one's own."""

from __future__ import annotations

import pytest
from django.utils import timezone

from engagement.notifications.models import Notification, NotificationPreference
from tests import factories

pytestmark = pytest.mark.django_db

LIST = "/api/v1/me/notifications/"
READ_ALL = "/api/v1/me/notifications/read-all/"
PREFERENCES = "/api/v1/me/notification-preferences/"


def read_url(notification: Notification) -> str:
    return f"/api/v1/me/notifications/{notification.pk}/read/"


@pytest.fixture
def mine(resident):
    return [factories.NotificationFactory(recipient=resident) for _ in range(3)]


@pytest.fixture
def theirs(db):
    return factories.NotificationFactory(recipient=factories.UserFactory())


# --- refusals first -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", LIST), ("post", READ_ALL), ("get", PREFERENCES), ("put", PREFERENCES)],
)
def test_anonymous_is_refused(client, method, url):
    response = getattr(client, method)(url, {}, content_type="application/json")
    assert response.status_code == 403


def test_someone_elses_notification_cannot_be_read_or_marked(client, resident, mine, theirs):
    client.force_login(resident)
    response = client.post(read_url(theirs))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    ids = [row["id"] for row in client.get(LIST).json()["results"]]
    assert theirs.pk not in ids


def test_read_all_leaves_other_peoples_notifications_alone(client, resident, mine, theirs):
    client.force_login(resident)
    response = client.post(READ_ALL)
    assert response.status_code == 200
    assert response.json() == {"marked": 3, "unread": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert not Notification.objects.filter(recipient=resident, read_at__isnull=True).exists()


def test_unknown_group_and_digest_are_refused(client, resident):
    client.force_login(resident)
    response = client.put(
        PREFERENCES,
        {"email_digest": "weekly", "groups": [{"group": "gossip", "email": True}]},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error_codes"]["email_digest"] == ["invalid_choice"]
    assert not NotificationPreference.objects.filter(user=resident).exists()


def test_e_mail_only_notifications_are_not_listed(client, resident):
    factories.NotificationFactory(recipient=resident, in_app=False)
    client.force_login(resident)
    body = client.get(LIST).json()
    assert body["count"] == 0
    assert body["unread"] == 0


# --- what works ---------------------------------------------------------------------------------


def test_inbox_lists_newest_first_with_the_unread_count(client, resident, mine):
    mine[0].read_at = timezone.now()
    mine[0].save()
    client.force_login(resident)
    body = client.get(LIST).json()
    assert body["count"] == 3
    assert body["unread"] == 2
    assert [row["id"] for row in body["results"]] == [n.pk for n in reversed(mine)]
    row = body["results"][0]
    assert row["event"] == "idea.status_changed"
    assert row["group"] == "my_ideas"
    assert row["unread"] is True
    assert row["context"] == {"title": "Benches on the square"}
    assert row["target"] == {"type": "engagement.user", "id": resident.pk}
    assert set(row) >= {"created_at", "read_at", "actor"}


def test_unread_filter_and_pagination(client, resident, mine):
    mine[1].read_at = timezone.now()
    mine[1].save()
    client.force_login(resident)
    body = client.get(LIST, {"unread": "true", "limit": 1}).json()
    assert body["count"] == 2
    assert len(body["results"]) == 1
    assert body["next"]


def test_the_actor_is_shown_by_display_name_never_by_e_mail(client, resident):
    shy = factories.UserFactory(display_name="", email="shy@example.org")
    factories.NotificationFactory(recipient=resident, actor=shy)
    client.force_login(resident)
    response = client.get(LIST)
    assert response.json()["results"][0]["actor"] is None
    assert b"shy@example.org" not in response.content


def test_marking_read_is_idempotent(client, resident, mine):
    client.force_login(resident)
    first = client.post(read_url(mine[0])).json()
    second = client.post(read_url(mine[0])).json()
    assert first["unread"] is False
    assert first["read_at"] == second["read_at"]
    assert client.get(LIST).json()["unread"] == 2


def test_preferences_have_defaults_and_change_partially(client, resident):
    client.force_login(resident)
    defaults = client.get(PREFERENCES).json()
    assert defaults["email_digest"] == "immediate"
    assert {g["group"]: (g["in_app"], g["email"]) for g in defaults["groups"]} == {
        "my_ideas": (True, True),
        "discussion": (True, False),
        "moderation": (True, True),
        "projects": (True, True),
        "workshops": (True, True),
    }
    response = client.put(
        PREFERENCES,
        {"groups": [{"group": "projects", "email": False}]},
        content_type="application/json",
    )
    assert response.status_code == 200
    groups = {g["group"]: (g["in_app"], g["email"]) for g in response.json()["groups"]}
    assert groups["projects"] == (True, False)
    assert groups["my_ideas"] == (True, True)
    stored = NotificationPreference.objects.get(user=resident)
    assert stored.groups == {"projects": {"email": False}}
    response = client.put(PREFERENCES, {"email_digest": "none"}, content_type="application/json")
    assert response.json()["email_digest"] == "none"
    stored.refresh_from_db()
    assert stored.groups == {"projects": {"email": False}}
