"""Moderation page: reports grouped by content, hide / restore / dismiss, the log."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from engagement.ideas import selectors
from engagement.ideas.models import Comment, Idea, ModerationLog, Report
from engagement.notifications.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def process(riga):
    return factories.IdeaCollectionFactory(organisation=riga, title="Ideas for the waterfront")


@pytest.fixture
def idea(process):
    return factories.IdeaFactory(
        process=process, title="Buy my boats", description="<p>Cheap boats at boats.example</p>"
    )


@pytest.fixture
def reported(idea):
    """Three people reported the idea: twice as spam, once as off topic."""
    for reason in ("spam", "spam", "off_topic"):
        Report.objects.create(
            organisation=idea.process.organisation,
            reporter=factories.UserFactory(),
            idea=idea,
            reason=reason,
            details="An advert." if reason == "off_topic" else "",
        )
    return idea


@pytest.fixture
def reported_comment(idea):
    comment = factories.CommentFactory(idea=idea, body="<p>You are all fools.</p>")
    Report.objects.create(
        organisation=idea.process.organisation,
        reporter=factories.UserFactory(),
        comment=comment,
        reason="offensive",
    )
    return comment


def url(slug: str = "riga") -> str:
    return reverse("frontend:staff_moderation", args=[slug])


def test_anonymous_visitors_are_sent_to_sign_in(client, riga):
    response = client.get(url())
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("persona", ["resident", "riga_reviewer", "riga_officer", "gdansk_admin"])
def test_people_who_do_not_moderate_here_are_refused(client, reported, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url()).status_code == 403
    response = client.post(
        url(), {"action": "hide", "target": "idea", "target_id": reported.pk, "note": "Spam."}
    )
    assert response.status_code == 403
    assert Idea.objects.get(pk=reported.pk).hidden is False


def test_staff_of_another_organisation_cannot_reach_this_content(client, gdansk, reported):
    moderator = factories.staff(gdansk, "moderator")
    client.force_login(moderator)
    response = client.post(
        url("gdansk"), {"action": "hide", "target": "idea", "target_id": reported.pk, "note": "x"}
    )
    assert response.status_code == 404
    assert Idea.objects.get(pk=reported.pk).hidden is False


@pytest.mark.parametrize("persona", ["riga_moderator", "riga_admin", "platform_admin"])
def test_moderators_see_reports_grouped_by_content(client, reported, persona, request):
    client.force_login(request.getfixturevalue(persona))
    html = client.get(url()).content.decode()
    assert html.count(f'id="report-idea-{reported.pk}"') == 1
    assert "3 reports" in html
    assert "Spam or advertising \u00d7 2" in html
    assert "Off topic \u00d7 1" in html
    assert "Cheap boats at boats.example" in html
    assert "An advert." in html


def test_hide_removes_the_idea_from_public_view_and_logs_it(client, riga_moderator, reported):
    client.force_login(riga_moderator)
    response = client.post(
        url(),
        {"action": "hide", "target": "idea", "target_id": reported.pk, "note": "Advertising."},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hidden, with your public note." in html
    assert "No open reports." in html
    reported.refresh_from_db()
    assert reported.hidden is True
    assert reported.moderation_note == "Advertising."
    entry = ModerationLog.objects.get()
    assert (entry.action, entry.idea, entry.actor, entry.reports_closed) == (
        "hide",
        reported,
        riga_moderator,
        3,
    )
    assert not Report.objects.filter(status="open").exists()
    assert Notification.objects.filter(recipient=reported.author, event="content.hidden").exists()
    # The log below the queue shows the entry, with a way to restore.
    assert "Advertising." in html
    assert f'id="restore-idea-{reported.pk}"' in html
    # Gone for the public: the idea page and the selectors answer "not found".
    client.logout()
    resident = factories.UserFactory()
    with pytest.raises(Http404):
        selectors.visible_idea(resident, reported.pk)
    try:
        detail = reverse("frontend:idea_detail", args=[reported.pk])
    except NoReverseMatch:
        return
    client.force_login(resident)
    assert client.get(detail).status_code == 404


def test_hiding_needs_a_public_note(client, riga_moderator, reported):
    client.force_login(riga_moderator)
    response = client.post(url(), {"action": "hide", "target": "idea", "target_id": reported.pk})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give a public note saying why." in html
    assert f'id="report-idea-{reported.pk}-note-error"' in html
    assert f'<a href="#report-idea-{reported.pk}-note">' in html  # the summary links to it
    assert Idea.objects.get(pk=reported.pk).hidden is False
    assert not ModerationLog.objects.exists()


def test_htmx_hide_swaps_the_row(client, riga_moderator, reported_comment):
    client.force_login(riga_moderator)
    response = client.post(
        url(),
        {
            "action": "hide",
            "target": "comment",
            "target_id": reported_comment.pk,
            "note": "Insults.",
        },
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "Hidden, with your public note." in html
    assert Comment.objects.get(pk=reported_comment.pk).hidden is True
    assert ModerationLog.objects.get().comment == reported_comment
    # The log is refreshed out of band, showing the new entry with a restore form.
    assert '<div id="moderation-log" hx-swap-oob="true">' in html
    assert f'id="restore-comment-{reported_comment.pk}"' in html


def test_htmx_error_returns_the_row_with_its_message(client, riga_moderator, reported):
    client.force_login(riga_moderator)
    response = client.post(
        url(), {"action": "hide", "target": "idea", "target_id": reported.pk}, **HTMX
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert html.startswith('<article class="mod-item panel"')
    assert "Give a public note saying why." in html


def test_restore_shows_the_content_again(client, riga_moderator, reported):
    client.force_login(riga_moderator)
    client.post(
        url(), {"action": "hide", "target": "idea", "target_id": reported.pk, "note": "Spam."}
    )
    response = client.post(
        url(),
        {
            "action": "restore",
            "target": "idea",
            "target_id": reported.pk,
            "note": "Not an advert after all.",
            "region": "log",
        },
        follow=True,
    )
    assert "Shown again." in response.content.decode()
    assert Idea.objects.get(pk=reported.pk).hidden is False
    assert list(ModerationLog.objects.values_list("action", flat=True)) == ["restore", "hide"]
    selectors.visible_idea(factories.UserFactory(), reported.pk)  # public again


def test_restore_from_the_log_needs_a_note_too(client, riga_moderator, reported):
    client.force_login(riga_moderator)
    client.post(
        url(), {"action": "hide", "target": "idea", "target_id": reported.pk, "note": "Spam."}
    )
    response = client.post(
        url(),
        {"action": "restore", "target": "idea", "target_id": reported.pk, "region": "log"},
        **HTMX,
    )
    assert response.status_code == 400
    assert "Give a public note saying why." in response.content.decode()
    assert Idea.objects.get(pk=reported.pk).hidden is True


def test_dismiss_closes_the_reports_and_keeps_the_content(client, riga_moderator, reported):
    client.force_login(riga_moderator)
    response = client.post(
        url(), {"action": "dismiss", "target": "idea", "target_id": reported.pk}, follow=True
    )
    assert "Reports dismissed" in response.content.decode()
    assert Idea.objects.get(pk=reported.pk).hidden is False
    assert set(Report.objects.values_list("status", flat=True)) == {"dismissed"}
    assert ModerationLog.objects.get().action == "dismiss"


def test_dismiss_twice_is_refused_with_the_message(client, riga_moderator, reported):
    client.force_login(riga_moderator)
    client.post(url(), {"action": "dismiss", "target": "idea", "target_id": reported.pk})
    response = client.post(url(), {"action": "dismiss", "target": "idea", "target_id": reported.pk})
    assert response.status_code == 400
    assert "There are no open reports on this." in response.content.decode()
    assert ModerationLog.objects.count() == 1


def test_the_queue_and_log_cost_a_fixed_number_of_queries(
    client, riga_moderator, process, django_assert_max_num_queries
):
    for number in range(12):
        idea = factories.IdeaFactory(process=process, title=f"Reported idea {number}")
        comment = factories.CommentFactory(idea=idea)
        for target in ({"idea": idea}, {"comment": comment}):
            Report.objects.create(
                organisation=process.organisation,
                reporter=factories.UserFactory(),
                reason="spam",
                **target,
            )
    client.force_login(riga_moderator)
    for number in range(6):
        client.post(
            url(),
            {
                "action": "hide",
                "target": "idea",
                "target_id": Idea.objects.get(title=f"Reported idea {number}").pk,
                "note": "Spam.",
            },
        )
    with django_assert_max_num_queries(12):
        response = client.get(url())
    html = response.content.decode()
    assert html.count('class="mod-item panel"') == 18
    assert html.count('class="mod-log__entry"') == 6


def test_moderation_page_speaks_polish(client, riga_moderator, reported):
    client.force_login(riga_moderator)
    response = client.post(
        url(),
        {"action": "bogus", "target": "idea", "target_id": reported.pk},
        HTTP_ACCEPT_LANGUAGE="pl",
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert '<html lang="pl"' in html
    assert "Wybierz poprawną wartość." in html


def test_the_log_is_paginated(client, riga_moderator, process):
    for number in range(27):
        idea = factories.IdeaFactory(process=process, title=f"Idea {number}")
        Report.objects.create(
            organisation=process.organisation,
            reporter=factories.UserFactory(),
            idea=idea,
            reason="spam",
        )
        client.force_login(riga_moderator)
        client.post(url(), {"action": "dismiss", "target": "idea", "target_id": idea.pk})
    html = client.get(url()).content.decode()
    assert html.count('class="mod-log__entry"') == 25
    assert 'rel="next"' in html
    html = client.get(url(), {"page": 2}).content.decode()
    assert html.count('class="mod-log__entry"') == 2


def test_restore_without_javascript_shows_the_message_at_the_entry(
    client, riga_moderator, reported
):
    client.force_login(riga_moderator)
    client.post(
        url(), {"action": "hide", "target": "idea", "target_id": reported.pk, "note": "Spam."}
    )
    response = client.post(
        url(),
        {"action": "restore", "target": "idea", "target_id": reported.pk, "region": "log"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<a href="#restore-idea-{reported.pk}-note">' in html
    assert f'id="restore-idea-{reported.pk}-error"' in html
    assert Idea.objects.get(pk=reported.pk).hidden is True
