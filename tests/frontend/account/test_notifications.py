"""The notifications inbox and the notification settings."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from engagement.notifications.models import EmailDigest, Notification, NotificationPreference
from tests import factories

pytestmark = pytest.mark.django_db

INBOX = "/account/notifications/"
SETTINGS = "/account/notifications/settings/"


def notify(recipient, title="Benches on the square", **fields):
    return factories.NotificationFactory(recipient=recipient, context={"title": title}, **fields)


def test_the_inbox_lists_my_notifications_with_their_text(client, resident):
    notify(resident, "Benches on the square")
    factories.NotificationFactory(
        recipient=resident,
        event="idea.commented",
        context={"title": "Trees", "excerpt": "Lovely idea!", "url": "/ideas/7/"},
    )
    notify(factories.UserFactory(), "Someone else's idea")
    client.force_login(resident)
    response = client.get(INBOX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "New status for the idea “Benches on the square”" in html
    assert "New comment on “Trees”" in html
    assert "Lovely idea!" in html
    assert "Someone else" not in html
    assert "2 unread notifications" in html
    assert "Mark all as read" in html


def test_newest_first_and_paginated(client, resident):
    now = timezone.now()
    for number in range(25):
        row = notify(resident, f"Idea {number:02d}")
        Notification.objects.filter(pk=row.pk).update(created_at=now - timedelta(minutes=number))
    client.force_login(resident)
    first = client.get(INBOX).content.decode()
    assert first.index("Idea 00") < first.index("Idea 01")
    assert "Idea 24" not in first
    assert 'rel="next"' in first
    second = client.get(INBOX + "?page=2").content.decode()
    assert "Idea 24" in second
    assert "Idea 00" not in second


def test_unread_only_filter(client, resident):
    notify(resident, "Still new")
    notify(resident, "Already seen", read_at=timezone.now())
    client.force_login(resident)
    html = client.get(INBOX + "?unread=1").content.decode()
    assert "Still new" in html
    assert "Already seen" not in html


def test_mark_one_read(client, resident):
    mine = notify(resident)
    other = notify(resident, "Other")
    client.force_login(resident)
    response = client.post(f"/account/notifications/{mine.pk}/read/", {"next": INBOX})
    assert response.status_code == 302
    assert response["Location"] == INBOX
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.read_at is not None
    assert other.read_at is None
    assert "1 unread notification" in client.get(INBOX).content.decode()


def test_mark_one_read_with_htmx_returns_the_item_and_the_new_count(client, resident):
    mine = notify(resident)
    notify(resident, "Other")
    client.force_login(resident)
    response = client.post(f"/account/notifications/{mine.pk}/read/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith("<li") or html.lstrip().startswith("<li")
    assert f'id="notification-{mine.pk}"' in html
    assert "notification--unread" not in html
    assert json.loads(response["HX-Trigger"]) == {
        "kopa:unread": {"count": 1, "label": "1 unread notification"}
    }


def test_someone_elses_notification_is_404(client, resident):
    theirs = notify(factories.UserFactory())
    client.force_login(resident)
    assert client.post(f"/account/notifications/{theirs.pk}/read/").status_code == 404
    assert client.get(f"/account/notifications/{theirs.pk}/open/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_a_notification_reads_it_and_follows_its_link(client, resident):
    row = factories.NotificationFactory(
        recipient=resident, context={"title": "Trees", "url": "/ideas/7/"}
    )
    client.force_login(resident)
    response = client.get(f"/account/notifications/{row.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/ideas/7/"
    row.refresh_from_db()
    assert row.read_at is not None


def test_a_foreign_link_in_a_notification_is_not_followed(client, resident):
    row = factories.NotificationFactory(
        recipient=resident, context={"title": "Trees", "url": "https://evil.example/x"}
    )
    client.force_login(resident)
    response = client.get(f"/account/notifications/{row.pk}/open/")
    assert response["Location"] == INBOX


def test_mark_all_read(client, resident):
    rows = [notify(resident, f"Idea {n}") for n in range(3)]
    untouched = notify(factories.UserFactory())
    client.force_login(resident)
    response = client.post("/account/notifications/read-all/", follow=True)
    html = response.content.decode()
    assert "3 notifications marked as read." in html
    assert "0 unread notifications" in html
    assert all(Notification.objects.get(pk=r.pk).read_at is not None for r in rows)
    assert Notification.objects.get(pk=untouched.pk).read_at is None


def test_mark_all_read_with_htmx_returns_the_list(client, resident):
    notify(resident)
    client.force_login(resident)
    response = client.post("/account/notifications/read-all/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="notification-inbox"' in html
    assert "0 unread notifications" in html
    assert json.loads(response["HX-Trigger"]) == {
        "kopa:unread": {"count": 0, "label": "0 unread notifications"}
    }


def test_marking_needs_post(client, resident):
    row = notify(resident)
    client.force_login(resident)
    assert client.get(f"/account/notifications/{row.pk}/read/").status_code == 405
    assert client.get("/account/notifications/read-all/").status_code == 405


def test_the_inbox_does_not_query_per_notification(client, resident, django_assert_max_num_queries):
    for _ in range(20):
        # no title in the context: the page falls back to the target object
        factories.NotificationFactory(recipient=resident, context={})
    client.force_login(resident)
    with django_assert_max_num_queries(10):
        assert client.get(INBOX).status_code == 200


def test_inbox_in_polish(client, resident):
    notify(resident)
    client.force_login(resident)
    html = client.get(INBOX, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert '<html lang="pl"' in html


# --- settings --------------------------------------------------------------------------------


def test_settings_show_the_defaults(client, resident):
    client.force_login(resident)
    html = client.get(SETTINGS).content.decode()
    assert "Comments and replies" in html
    assert (
        '<input type="checkbox" name="discussion__in_app" id="id_discussion__in_app" checked>'
        in html
    )
    assert '<input type="checkbox" name="discussion__email" id="id_discussion__email">' in html
    # moderation notices are always listed: the box is ticked and cannot be changed
    assert 'name="moderation__in_app" disabled id="id_moderation__in_app" checked' in html


def test_settings_are_saved(client, resident):
    client.force_login(resident)
    response = client.post(
        SETTINGS,
        {
            "email_digest": "immediate",
            "my_ideas__in_app": "on",
            "discussion__in_app": "on",
            "discussion__email": "on",
            # projects: neither box ticked; moderation in-app cannot be switched off
            "moderation__email": "on",
        },
        follow=True,
    )
    assert "Your notification settings are saved." in response.content.decode()
    preference = NotificationPreference.objects.get(user=resident)
    assert preference.email_digest == EmailDigest.IMMEDIATE
    assert preference.groups["discussion"] == {"in_app": True, "email": True}
    assert preference.groups["my_ideas"] == {"in_app": True, "email": False}
    assert preference.groups["projects"] == {"in_app": False, "email": False}
    assert "in_app" not in preference.groups["moderation"]


def test_no_emails_at_all(client, resident):
    client.force_login(resident)
    client.post(SETTINGS, {"email_digest": "none", "my_ideas__in_app": "on"})
    assert NotificationPreference.objects.get(user=resident).email_digest == EmailDigest.NONE
    html = client.get(SETTINGS).content.decode()
    assert 'value="none" id="id_email_digest_1" required checked' in html


def test_an_unknown_digest_is_400_and_changes_nothing(client, resident):
    client.force_login(resident)
    response = client.post(SETTINGS, {"email_digest": "weekly"})
    assert response.status_code == 400
    assert "Select a valid choice. weekly is not one of the available choices." in (
        response.content.decode()
    )
    assert not NotificationPreference.objects.filter(user=resident).exists()


def test_the_new_count_travels_in_polish_too(client, resident):
    row = notify(resident)
    client.force_login(resident)
    response = client.post(
        f"/account/notifications/{row.pk}/read/", HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="pl"
    )
    header = response["HX-Trigger"]
    assert header.isascii()
    assert json.loads(header)["kopa:unread"]["count"] == 0


def test_notification_emails_link_to_the_settings_page(client, resident):
    from django.conf import settings
    from django.urls import reverse

    from engagement.notifications.email import render_email

    message = render_email(notify(resident))
    assert settings.SITE_URL + reverse("frontend:notification_settings") in message.body
