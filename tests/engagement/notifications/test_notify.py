"""``notify``: who gets a notification, through which channel, and when e-mail is queued."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from engagement.notifications.models import EmailDelivery, Notification, NotificationPreference
from engagement.notifications.services import notify
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(db):
    """Any model instance will do as a target; a district stands in for an idea."""
    return factories.DistrictFactory(name="Harbour", slug="harbour")


def _recipients(event: str = "idea.status_changed") -> list[int]:
    return list(
        Notification.objects.filter(event=event)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
    )


# --- refusals and silence first ---------------------------------------------------------------


def test_the_actor_is_never_notified_of_their_own_action(
    target, django_capture_on_commit_callbacks
):
    actor, other = factories.UserFactory(), factories.UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notify("idea.status_changed", recipients=[actor, other], target=target, actor=actor)
    assert _recipients() == [other.pk]
    assert [m.to for m in mail.outbox] == [[other.email]]


def test_each_person_is_notified_once(target, django_capture_on_commit_callbacks):
    person = factories.UserFactory()
    same_person_again = type(person).objects.get(pk=person.pk)
    with django_capture_on_commit_callbacks(execute=True):
        notify("idea.status_changed", recipients=[person, same_person_again, person], target=target)
    assert _recipients() == [person.pk]
    assert len(mail.outbox) == 1


def test_inactive_accounts_and_none_are_skipped(target):
    inactive = factories.UserFactory(is_active=False)
    notify("idea.status_changed", recipients=[inactive, None], target=target)
    assert not Notification.objects.exists()


def test_an_unknown_event_is_a_programming_error(target):
    with pytest.raises(ValueError, match="Unknown notification event"):
        notify("idea.exploded", recipients=[factories.UserFactory()], target=target)
    assert not Notification.objects.exists()


def test_nothing_is_sent_before_the_transaction_commits(target, django_capture_on_commit_callbacks):
    person = factories.UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify("idea.status_changed", recipients=[person], target=target, context={"title": "X"})
        assert mail.outbox == []
    assert mail.outbox == []  # still nothing: the commit has not happened
    assert len(callbacks) == 1
    assert not EmailDelivery.objects.exists()
    callbacks[0]()  # the commit
    assert [m.to for m in mail.outbox] == [[person.email]]


def test_a_rolled_back_write_notifies_nobody(target, django_capture_on_commit_callbacks):
    person = factories.UserFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notify("idea.status_changed", recipients=[person], target=target)
                raise RuntimeError("the service failed after notifying")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


# --- preferences --------------------------------------------------------------------------------


def test_switching_a_group_off_stops_both_channels(target, django_capture_on_commit_callbacks):
    quiet = factories.UserFactory()
    NotificationPreference.objects.create(
        user=quiet, groups={"my_ideas": {"in_app": False, "email": False}}
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify("idea.status_changed", recipients=[quiet], target=target)
        notify("project.implementation_updated", recipients=[quiet], target=target)
    assert list(Notification.objects.values_list("event", flat=True)) == [
        "project.implementation_updated"
    ]
    assert len(mail.outbox) == 1


def test_email_only_is_e_mailed_but_not_listed(target, django_capture_on_commit_callbacks):
    person = factories.UserFactory()
    NotificationPreference.objects.create(
        user=person, groups={"my_ideas": {"in_app": False, "email": True}}
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify("idea.status_changed", recipients=[person], target=target)
    notification = Notification.objects.get()
    assert notification.in_app is False
    assert len(mail.outbox) == 1


def test_digest_none_means_no_e_mail_but_still_in_app(target, django_capture_on_commit_callbacks):
    person = factories.UserFactory()
    NotificationPreference.objects.create(user=person, email_digest="none")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify("idea.status_changed", recipients=[person], target=target)
    assert Notification.objects.get().in_app is True
    assert callbacks == []
    assert mail.outbox == []


def test_discussion_is_in_app_only_by_default(target, django_capture_on_commit_callbacks):
    person = factories.UserFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify("idea.commented", recipients=[person], target=target)
    assert Notification.objects.get().in_app is True
    assert callbacks == []
    assert mail.outbox == []


def test_moderation_notices_are_always_listed(target):
    author = factories.UserFactory()
    NotificationPreference.objects.create(
        user=author, groups={"moderation": {"in_app": False, "email": False}}
    )
    notify("content.hidden", recipients=[author], target=target, context={"note": "Off-topic"})
    notification = Notification.objects.get()
    assert notification.in_app is True
    assert notification.context == {"note": "Off-topic"}


def test_e_mails_switched_off_for_the_install(target, settings, django_capture_on_commit_callbacks):
    settings.KOPA_NOTIFICATION_EMAILS = False
    person = factories.UserFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify("idea.status_changed", recipients=[person], target=target)
    assert Notification.objects.filter(recipient=person, in_app=True).exists()
    assert callbacks == []
    assert mail.outbox == []


def test_one_query_for_preferences_whatever_the_number_of_recipients(
    target, django_assert_max_num_queries
):
    people = [factories.UserFactory() for _ in range(30)]
    with django_assert_max_num_queries(4):
        notify("project.implementation_updated", recipients=people, target=target)
    assert Notification.objects.count() == 30
