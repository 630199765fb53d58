"""Telling people what happened: in-app notifications and e-mail.

Services of other packages call :func:`notify` inside their own transaction. It writes one
``Notification`` per recipient (never to the actor, each person once), honouring each
recipient's preferences, and queues one e-mail task per notification **after commit**, so
nothing is sent during a request and nothing is sent for a write that rolled back.

The e-mail task calls :func:`notification_email_send`, which is idempotent: the
``EmailDelivery`` row (unique per notification) is locked while sending and marked sent,
so a task that runs twice sends once.

Events and the preference group each belongs to are listed in :data:`EVENTS`; an unknown
event is a programming error and raises ``ValueError``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from engagement.notifications.models import (
    EmailDelivery,
    EmailDigest,
    EventGroup,
    Notification,
    NotificationPreference,
)

if TYPE_CHECKING:
    from engagement.people.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EventSpec:
    group: str
    subject: Promise
    # Moderation notices are always listed in the app: authors must be told.
    in_app_required: bool = False


EVENTS: dict[str, EventSpec] = {
    "idea.status_changed": EventSpec(EventGroup.MY_IDEAS, _("New status for the idea “%(title)s”")),
    "idea.merged": EventSpec(EventGroup.MY_IDEAS, _("The idea “%(title)s” was merged")),
    "idea.commented": EventSpec(EventGroup.DISCUSSION, _("New comment on “%(title)s”")),
    "comment.replied": EventSpec(EventGroup.DISCUSSION, _("New reply to your comment")),
    "content.hidden": EventSpec(
        EventGroup.MODERATION, _("A moderator hid your contribution"), in_app_required=True
    ),
    "content.restored": EventSpec(
        EventGroup.MODERATION, _("A moderator restored your contribution"), in_app_required=True
    ),
    "project.implementation_updated": EventSpec(EventGroup.PROJECTS, _("News about “%(title)s”")),
}

# What a person gets when they never changed a preference.
DEFAULT_CHANNELS: dict[str, dict[str, bool]] = {
    EventGroup.MY_IDEAS: {"in_app": True, "email": True},
    EventGroup.DISCUSSION: {"in_app": True, "email": False},
    EventGroup.MODERATION: {"in_app": True, "email": True},
    EventGroup.PROJECTS: {"in_app": True, "email": True},
}

_BULK_BATCH = 500


# --- Preferences -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Channels:
    in_app: bool
    email: bool


def channels_for(preference: NotificationPreference | None, event: str) -> Channels:
    """Where ``event`` reaches a person with ``preference`` (``None``: the defaults)."""
    spec = EVENTS[event]
    chosen = {**DEFAULT_CHANNELS[spec.group]}
    if preference is not None:
        chosen.update(preference.groups.get(spec.group, {}))
    email = chosen["email"] and (preference is None or preference.email_digest != EmailDigest.NONE)
    return Channels(in_app=chosen["in_app"] or spec.in_app_required, email=email)


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
    from engagement.notifications.tasks import send_notification_email

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


# --- E-mail ----------------------------------------------------------------------------------


def _target_title(notification: Notification) -> str:
    title = notification.context.get("title")
    if title:
        return str(title)
    target = notification.target if notification.content_type_id else None
    return str(target) if target is not None else ""


def _target_url(notification: Notification) -> str:
    path = notification.context.get("url")
    if not path:
        target = notification.target if notification.content_type_id else None
        get_url = getattr(target, "get_absolute_url", None)
        path = get_url() if callable(get_url) else ""
    if not path:
        return ""
    return path if str(path).startswith(("http://", "https://")) else settings.SITE_URL + str(path)


def email_language(recipient: Any) -> str:
    """The recipient's language, else the default language of their organisation."""
    known = {code for code, _name in settings.LANGUAGES}
    if recipient.language in known:
        return recipient.language
    residence = recipient.residences.select_related("organisation").order_by("pk").first()
    if residence is not None and residence.organisation.languages:
        first = residence.organisation.languages[0]
        if first in known:
            return first
    return settings.LANGUAGE_CODE


def _status_label(event: str, status: Any) -> str:
    """The status in a context, in the language active now (stored as a code)."""
    if not status:
        return ""
    if event == "project.implementation_updated":
        from budgeting.models import ImplementationStatus as choices
    else:
        from engagement.ideas.models import IdeaStatus as choices  # type: ignore[assignment]
    try:
        return str(choices(status).label)
    except ValueError:
        return str(status)


def render_email(notification: Notification) -> EmailMultiAlternatives:
    """The localised message for ``notification``: plain text, and the same as HTML."""
    recipient = notification.recipient
    spec = EVENTS[notification.event]
    template = "engagement/email/" + notification.event.replace(".", "_") + ".txt"
    language = email_language(recipient)
    with translation.override(language):
        title = _target_title(notification)
        stored = dict(notification.context)
        status_label = _status_label(notification.event, stored.get("status"))
        subject = " ".join(str(spec.subject % {"title": title}).split())
        target = notification.target if notification.content_type_id else None
        context = {
            "recipient": recipient,
            "is_author": target is not None and getattr(target, "author_id", None) == recipient.pk,
            "actor_name": notification.actor.display_name if notification.actor_id else "",
            "title": title,
            "url": _target_url(notification),
            "context": {**stored, "status_label": status_label},
            # The notification settings page (frontend:notification_settings), not the API.
            "preferences_url": settings.SITE_URL + "/account/notifications/settings/",
            "site_url": settings.SITE_URL,
            "subject": subject,
        }
        body = render_to_string(template, context).strip() + "\n"
        html = render_to_string("engagement/email/_base.html", {**context, "body": body})
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={"Content-Language": language, "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message


def notification_email_send(*, notification_id: int) -> bool:
    """Send the e-mail of one notification, once. Returns whether it was sent now.

    Safe to run twice and concurrently: the delivery row is locked while sending and
    marked sent in the same transaction. A notification deleted meanwhile (account
    deleted), an inactive recipient or a recipient who since turned e-mail off gets
    nothing. A sending error propagates (the task retries it) after recording the attempt.
    """
    if not Notification.objects.filter(pk=notification_id).exists():
        return False
    EmailDelivery.objects.get_or_create(notification_id=notification_id)
    try:
        with transaction.atomic():
            delivery = (
                EmailDelivery.objects.select_for_update()
                .filter(notification_id=notification_id)
                .first()
            )
            if delivery is None or delivery.sent_at is not None:
                return False
            notification = Notification.objects.select_related("recipient", "actor").get(
                pk=notification_id
            )
            recipient = notification.recipient
            preference = NotificationPreference.objects.filter(user=recipient).first()
            wanted = (
                settings.KOPA_NOTIFICATION_EMAILS
                and recipient.is_active
                and bool(recipient.email)
                and notification.event in EVENTS
                and channels_for(preference, notification.event).email
            )
            if not wanted:
                delivery.last_error = "skipped: e-mail no longer wanted"
                delivery.save(update_fields=["last_error"])
                return False
            render_email(notification).send(fail_silently=False)
            delivery.sent_at = timezone.now()
            delivery.attempts += 1
            delivery.last_error = ""
            delivery.save(update_fields=["sent_at", "attempts", "last_error"])
            return True
    except Exception as exc:
        EmailDelivery.objects.filter(notification_id=notification_id, sent_at__isnull=True).update(
            attempts=models.F("attempts") + 1, last_error=repr(exc)[:500]
        )
        logger.warning("E-mail for notification %s failed: %r", notification_id, exc)
        raise
