"""Scheduled tasks: reminders a day and an hour before, each sent once however often the
task runs; registration answers deleted 30 days after the workshop."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from config.celery import app
from engagement.notifications.models import Notification
from tests import factories
from tests.workshops.factories import RegistrationFactory, WorkshopFactory
from workshops import tasks
from workshops.models import Registration, RegistrationStatus, WorkshopStatus

pytestmark = pytest.mark.django_db


def starting_in(delta: timedelta, **fields):
    start = timezone.now() + delta
    return WorkshopFactory(starts_at=start, ends_at=start + timedelta(hours=2), **fields)


@pytest.fixture
def celery_eager():
    """The e-mail tasks run in-process, also when REDIS_URL points at a broker."""
    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


def sent(event: str) -> list[int]:
    return sorted(Notification.objects.filter(event=event).values_list("recipient_id", flat=True))


# --- nothing sent --------------------------------------------------------------------------


def test_no_reminders_for_the_waiting_cancelled_drafts_or_started():
    soon = starting_in(timedelta(hours=5))
    RegistrationFactory(workshop=soon, status=RegistrationStatus.WAITLISTED)
    RegistrationFactory(workshop=soon, status=RegistrationStatus.CANCELLED)
    RegistrationFactory(workshop=starting_in(timedelta(hours=5), status=WorkshopStatus.DRAFT))
    RegistrationFactory(workshop=starting_in(timedelta(hours=5), status=WorkshopStatus.CANCELLED))
    RegistrationFactory(workshop=starting_in(-timedelta(minutes=5)))  # started: too late
    RegistrationFactory(workshop=starting_in(timedelta(days=2)))  # not yet
    assert tasks.send_reminders.apply().get() == {"day": 0, "hour": 0}
    assert not Notification.objects.exists()


# --- sent once -----------------------------------------------------------------------------


def test_day_and_hour_reminders_each_sent_once_when_the_task_runs_twice(
    settings, django_capture_on_commit_callbacks, celery_eager
):
    settings.KOPA_NOTIFICATION_EMAILS = True
    tomorrow = starting_in(timedelta(hours=20))
    soon = starting_in(timedelta(minutes=40))
    day_people = [RegistrationFactory(workshop=tomorrow).user for _ in range(3)]
    hour_person = RegistrationFactory(workshop=soon).user

    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.send_reminders.apply().get()
    with django_capture_on_commit_callbacks(execute=True):
        second = tasks.send_reminders.apply().get()

    assert first == {"day": 3, "hour": 1}
    assert second == {"day": 0, "hour": 0}
    assert sent("workshop.reminder_day") == sorted(p.pk for p in day_people)
    assert sent("workshop.reminder_hour") == [hour_person.pk]
    assert Registration.objects.filter(reminded_day_at__isnull=False).count() == 3
    # One e-mail per notification, with the time in the organisation's zone.
    assert len(mail.outbox) == 4
    hour_mail = next(m for m in mail.outbox if m.to == [hour_person.email])
    assert soon.title in hour_mail.subject
    assert "EET" in hour_mail.body or "EEST" in hour_mail.body


def test_the_hour_reminder_follows_the_day_reminder():
    workshop = starting_in(timedelta(hours=20))
    person = RegistrationFactory(workshop=workshop).user
    tasks.send_reminders.apply().get()
    later = timezone.now() + timedelta(hours=19, minutes=30)
    from workshops.services import reminders

    assert reminders.send_due_reminders(now=later) == {"day": 0, "hour": 1}
    assert reminders.send_due_reminders(now=later) == {"day": 0, "hour": 0}
    assert sent("workshop.reminder_day") == [person.pk]
    assert sent("workshop.reminder_hour") == [person.pk]


# --- retention -----------------------------------------------------------------------------


def test_answers_deleted_thirty_days_after_the_workshop_and_not_before():
    now = timezone.now()
    old = WorkshopFactory(starts_at=now - timedelta(days=32), ends_at=now - timedelta(days=31))
    recent = WorkshopFactory(starts_at=now - timedelta(days=29), ends_at=now - timedelta(days=28))
    expired = RegistrationFactory(
        workshop=old, accessibility_needs="Wheelchair", dietary_needs="Vegan", attended=True
    )
    kept = RegistrationFactory(workshop=recent, accessibility_needs="Hearing loop")

    assert tasks.delete_expired_answers.apply().get() == 1
    assert tasks.delete_expired_answers.apply().get() == 0

    expired.refresh_from_db()
    kept.refresh_from_db()
    assert (expired.accessibility_needs, expired.dietary_needs) == ("", "")
    assert expired.answers_deleted_at is not None
    assert expired.attended is True  # who came stays
    assert kept.accessibility_needs == "Hearing loop"
    assert kept.answers_deleted_at is None


def test_task_names_are_the_beat_schedule_names(settings):
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {tasks.send_reminders.name, tasks.delete_expired_answers.name} <= names
    assert factories  # the shared factories module is importable alongside
