"""Telling people what happened: in-app notifications and e-mail.

Services of other packages call :func:`notify` inside their own transaction. It writes one
``Notification`` per recipient (never to the actor, each person once), honouring each
recipient's preferences, and queues one e-mail task per notification **after commit**, so
nothing is sent during a request and nothing is sent for a write that rolled back.

The e-mail task calls ``engagement.notifications.email.notification_email_send``, which
sends each e-mail once. Events are registered by the features
(``engagement.notifications.events``); an unknown event raises ``ValueError``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from engagement.notifications.events import DEFAULT_CHANNELS, EVENTS, channels_for
from engagement.notifications.models import (
    EmailDigest,
    EventGroup,
    Notification,
    NotificationPreference,
)
from engagement.notifications.tasks import send_notification_email

if TYPE_CHECKING:
    from engagement.people.models import User

logger = logging.getLogger(__name__)


_BULK_BATCH = 500


# --- Preferences -----------------------------------------------------------------------------


def preferences_get(*, user: Any) -> dict[str, Any]:
    """The effective preferences of ``user``, every group listed."""
    preference = NotificationPreference.objects.filter(user=user).first()
    stored = preference.groups if preference else {}
    return {
        "email_digest": preference.email_digest if preference else EmailDigest.IMMEDIATE,
        "groups": [
            {
                "group": group,
                "label": str(label),
                **{**DEFAULT_CHANNELS[group], **stored.get(group, {})},
                "in_app_required": any(
                    s.in_app_required for s in EVENTS.values() if s.group == group
                ),
            }
            for group, label in EventGroup.choices
        ],
    }


@transaction.atomic
def preferences_update(
    *, user: Any, email_digest: str | None = None, groups: dict[str, dict[str, bool]] | None = None
) -> dict[str, Any]:
    """Change some preferences; groups and channels not given keep their value."""
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(
        user=user
    )
    if email_digest is not None:
        preference.email_digest = email_digest
    merged = {group: dict(choice) for group, choice in preference.groups.items()}
    for group, choice in (groups or {}).items():
        if isinstance(choice, dict):
            merged[group] = {**merged.get(group, {}), **choice}
        else:
            merged[group] = choice  # rejected by full_clean below
    preference.groups = merged
    preference.full_clean(exclude=["user"])
    preference.save()
    return preferences_get(user=user)


# --- Writing notifications -------------------------------------------------------------------


def notify(
    event: str,
    *,
    recipients: Iterable[User],
    target: models.Model,
    actor: User | None = None,
    context: dict | None = None,
) -> None:
    """Record ``event`` about ``target`` for each of ``recipients`` and queue their e-mails.

    Call it inside the transaction of the write it reports. The actor is never notified of
    their own action; each person is notified once; inactive accounts are skipped; people
    who switched both channels off for the event's group get nothing. E-mails are queued
    with ``transaction.on_commit``.
    """
    if event not in EVENTS:
        raise ValueError(f"Unknown notification event {event!r}")
    actor_id = actor.pk if actor is not None else None
    people: dict[int, Any] = {}
    for person in recipients:
        if person is None or person.pk is None or person.pk == actor_id:
            continue
        if not person.is_active:
            continue
        people.setdefault(person.pk, person)
    if not people:
        return
    preferences = {
        p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=list(people))
    }
    content_type = ContentType.objects.get_for_model(target)
    emails_on = settings.KOPA_NOTIFICATION_EMAILS
    rows: list[Notification] = []
    for user_id in sorted(people):
        channels = channels_for(preferences.get(user_id), event)
        email = emails_on and channels.email and bool(people[user_id].email)
        if not channels.in_app and not email:
            continue
        row = Notification(
            recipient_id=user_id,
            event=event,
            content_type=content_type,
            object_id=target.pk,
            actor_id=actor_id,
            context=dict(context or {}),
            in_app=channels.in_app,
        )
        row._kopa_email = email  # type: ignore[attr-defined]
        rows.append(row)
    if not rows:
        return
    created = Notification.objects.bulk_create(rows, batch_size=_BULK_BATCH)
    email_ids = [n.pk for n in created if n._kopa_email]  # type: ignore[attr-defined]
    if email_ids:
        # robust: a broker that is down (or, when eager, a mail server that is) is logged
        # and never turns the committed write into an error.
        transaction.on_commit(lambda: _queue_emails(email_ids), robust=True)


def _queue_emails(notification_ids: list[int]) -> None:
    for notification_id in notification_ids:
        try:
            send_notification_email.delay(notification_id)
        except Exception:  # one failure must not keep the others from being queued
            logger.exception("Could not queue the e-mail of notification %s", notification_id)


# --- In-app list -----------------------------------------------------------------------------


def notifications_for(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    """The in-app inbox of ``user``, newest first."""
    rows = Notification.objects.filter(recipient=user, in_app=True).select_related(
        "actor", "content_type"
    )
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")


def unread_count(*, user: Any) -> int:
    return Notification.objects.filter(recipient=user, in_app=True, read_at__isnull=True).count()


@transaction.atomic
def notification_mark_read(*, user: Any, notification_id: int) -> Notification:
    """Mark one of the user's own notifications read (idempotent).

    Someone else's notification is ``Notification.DoesNotExist``, like a missing one, so
    its existence is not revealed.
    """
    notification = Notification.objects.select_for_update().get(
        pk=notification_id, recipient=user, in_app=True
    )
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: Any) -> int:
    """Mark every unread notification of ``user`` read; returns how many changed."""
    return Notification.objects.filter(recipient=user, in_app=True, read_at__isnull=True).update(
        read_at=timezone.now()
    )
