"""E-mail for notifications: the localised message, and sending it exactly once.

:func:`notification_email_send` is idempotent: the ``EmailDelivery`` row (unique per
notification) is locked while sending and marked sent, so a task that runs twice sends
once.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from engagement.notifications.events import EVENTS, channels_for, status_label
from engagement.notifications.models import EmailDelivery, Notification, NotificationPreference

logger = logging.getLogger(__name__)


def target_title(notification: Notification) -> str:
    title = notification.context.get("title")
    if title:
        return str(title)
    target = notification.target if notification.content_type_id else None
    return str(target) if target is not None else ""


def target_url(notification: Notification) -> str:
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


def render_email(notification: Notification) -> EmailMultiAlternatives:
    """The localised message for ``notification``: plain text, and the same as HTML."""
    recipient = notification.recipient
    spec = EVENTS[notification.event]
    template = "engagement/email/" + notification.event.replace(".", "_") + ".txt"
    language = email_language(recipient)
    with translation.override(language):
        title = target_title(notification)
        stored = dict(notification.context)
        status_text = status_label(notification.event, stored.get("status"))
        subject = " ".join(str(spec.subject % {"title": title}).split())
        target = notification.target if notification.content_type_id else None
        context = {
            "recipient": recipient,
            "is_author": target is not None and getattr(target, "author_id", None) == recipient.pk,
            "actor_name": notification.actor.display_name if notification.actor_id else "",
            "title": title,
            "url": target_url(notification),
            "context": {**stored, "status_label": status_text},
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
