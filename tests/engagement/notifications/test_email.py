"""The e-mail task: sends once however often it runs, retries mail-server failures only,
and writes in the recipient's language."""

from __future__ import annotations

import smtplib
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from engagement.ideas.models import Idea, ParticipatoryProcess
from engagement.notifications import tasks
from engagement.notifications.models import EmailDelivery, NotificationPreference
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def retries_in_place():
    """Eager tasks retry in place only when failures are not propagated (as on a worker)."""
    from config.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


@pytest.fixture
def notification(db):
    recipient = factories.UserFactory(email="ana@example.org", display_name="Ana", language="en")
    return factories.NotificationFactory(
        recipient=recipient,
        event="idea.status_changed",
        context={"title": "Benches & shade <on> the square", "status": "accepted"},
    )


def test_running_the_task_twice_sends_once(notification):
    assert tasks.send_notification_email.delay(notification.pk).get() is True
    assert tasks.send_notification_email.delay(notification.pk).get() is False
    assert len(mail.outbox) == 1
    delivery = EmailDelivery.objects.get(notification=notification)
    assert delivery.sent_at is not None
    assert delivery.attempts == 1


def test_the_delivery_row_is_unique_per_notification(notification):
    from django.db import IntegrityError, transaction

    EmailDelivery.objects.create(notification=notification)
    with pytest.raises(IntegrityError), transaction.atomic():
        EmailDelivery.objects.create(notification=notification)


def test_a_deleted_notification_sends_nothing(notification):
    notification_id = notification.pk
    notification.recipient.delete()
    assert tasks.send_notification_email.delay(notification_id).get() is False
    assert mail.outbox == []


def test_e_mail_turned_off_since_the_event_sends_nothing(notification):
    NotificationPreference.objects.create(user=notification.recipient, email_digest="none")
    assert tasks.send_notification_email.delay(notification.pk).get() is False
    assert mail.outbox == []
    assert EmailDelivery.objects.get(notification=notification).sent_at is None


def test_a_mail_server_failure_is_retried_until_it_works(notification, retries_in_place):
    real_send = EmailMultiAlternatives.send
    failures = iter([smtplib.SMTPServerDisconnected("gone"), ConnectionRefusedError("refused")])

    def flaky_send(self, *args, **kwargs):
        error = next(failures, None)
        if error is not None:
            raise error
        return real_send(self, *args, **kwargs)

    with mock.patch.object(EmailMultiAlternatives, "send", flaky_send):
        result = tasks.send_notification_email.apply(args=[notification.pk])
    assert result.get() is True
    assert len(mail.outbox) == 1
    delivery = EmailDelivery.objects.get(notification=notification)
    assert delivery.sent_at is not None
    assert delivery.attempts == 3  # two failures, one success


def test_a_mail_server_that_stays_down_gives_up_after_max_retries(notification, retries_in_place):
    with mock.patch.object(
        EmailMultiAlternatives, "send", side_effect=smtplib.SMTPServerDisconnected("down")
    ) as send:
        result = tasks.send_notification_email.apply(args=[notification.pk])
    assert result.failed()
    assert isinstance(result.result, smtplib.SMTPServerDisconnected)
    retries = tasks.send_notification_email.max_retries
    assert send.call_count == retries + 1
    delivery = EmailDelivery.objects.get(notification=notification)
    assert delivery.sent_at is None
    assert delivery.attempts == retries + 1
    assert "SMTPServerDisconnected" in delivery.last_error
    assert mail.outbox == []


def test_a_bug_is_not_retried(notification, retries_in_place):
    with mock.patch(
        "engagement.notifications.email.render_email", side_effect=KeyError("template bug")
    ) as render:
        result = tasks.send_notification_email.apply(args=[notification.pk])
    assert result.failed()
    assert render.call_count == 1
    assert EmailDelivery.objects.get(notification=notification).attempts == 1


def test_the_task_is_configured_for_retries_with_backoff():
    task = tasks.send_notification_email
    assert smtplib.SMTPException in task.autoretry_for
    assert task.retry_backoff
    assert task.max_retries >= 3
    assert task.acks_late is True


def test_the_message_is_plain_text_with_an_html_twin_and_not_double_escaped(notification):
    tasks.send_notification_email.delay(notification.pk)
    message = mail.outbox[0]
    assert message.subject == "New status for the idea “Benches & shade <on> the square”"
    assert "Hello Ana," in message.body
    assert "Benches & shade <on> the square" in message.body
    assert "Accepted" in message.body  # the status label, not the code
    assert "&amp;" not in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Benches &amp; shade &lt;on&gt; the square" in html
    assert "<on>" not in html
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


@pytest.mark.parametrize("language", ["pl", "de"])
def test_written_in_the_recipients_language(notification, language):
    notification.recipient.language = language
    notification.recipient.save()
    tasks.send_notification_email.delay(notification.pk)
    message = mail.outbox[0]
    assert message.extra_headers["Content-Language"] == language
    assert f'<html lang="{language}">' in message.alternatives[0][0]


def test_without_a_language_the_organisations_default_is_used(notification):
    recipient = notification.recipient
    recipient.language = ""
    recipient.save()
    gdansk = factories.OrganisationFactory(slug="gdansk", languages=["pl", "en"])
    factories.residence(recipient, gdansk)
    tasks.send_notification_email.delay(notification.pk)
    assert mail.outbox[0].extra_headers["Content-Language"] == "pl"


@pytest.mark.parametrize(
    "event",
    [
        "idea.status_changed",
        "idea.merged",
        "idea.commented",
        "comment.replied",
        "content.hidden",
        "content.restored",
        "project.implementation_updated",
    ],
)
def test_every_event_has_a_template(event):
    notification = factories.NotificationFactory(
        event=event, context={"title": "Night buses", "note": "Spam", "status": "in_progress"}
    )
    NotificationPreference.objects.create(
        user=notification.recipient, groups={"discussion": {"email": True}}
    )
    assert tasks.send_notification_email.delay(notification.pk).get() is True
    body = mail.outbox[0].body
    assert "{%" not in body
    assert "{{" not in body
    assert "/account/notifications/settings/" in body


def test_a_failing_send_after_commit_never_breaks_the_write(
    notification, django_capture_on_commit_callbacks
):
    from engagement.notifications.services import notify

    person = factories.UserFactory()
    with (
        mock.patch.object(
            EmailMultiAlternatives, "send", side_effect=smtplib.SMTPServerDisconnected("down")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify("idea.merged", recipients=[person], target=notification)
    # The callback failed (logged); the notification is stored and can be sent later.
    assert person.notifications.get().email_delivery.sent_at is None
    assert mail.outbox == []


def test_the_author_and_a_follower_read_different_sentences(riga):
    author, follower = factories.UserFactory(), factories.UserFactory()
    process = ParticipatoryProcess.objects.create(
        organisation=riga, slug="waterfront", title="Waterfront", kind="ideas"
    )
    idea = Idea.objects.create(
        process=process, author=author, title="Swings", description="<p>Swings</p>"
    )
    for person in (author, follower):
        notification = factories.NotificationFactory(
            recipient=person,
            event="idea.status_changed",
            content_type=ContentType.objects.get_for_model(idea),
            object_id=idea.pk,
            context={"title": "Swings", "status": "accepted", "public_reason": "Good & cheap"},
        )
        tasks.send_notification_email.delay(notification.pk)
    to_author, to_follower = mail.outbox
    assert "Your idea “Swings” has a new status: Accepted." in to_author.body
    assert "The idea “Swings” that you follow has a new status: Accepted." in to_follower.body
    assert "Good & cheap" in to_author.body
