"""Celery tasks: an id in, one service call, safe to run twice."""

from __future__ import annotations

import smtplib
import socket

from celery import shared_task
from django.conf import settings

from engagement.notifications.email import notification_email_send

# Errors worth another try: the mail server or the network, not a bug in a template.
RETRY_ON = (smtplib.SMTPException, ConnectionError, socket.timeout, TimeoutError, OSError)


@shared_task(
    # The name it was first registered under: messages already queued keep finding it.
    name="engagement.tasks.send_notification_email",
    acks_late=True,
    autoretry_for=RETRY_ON,
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=settings.KOPA_NOTIFICATION_EMAIL_MAX_RETRIES,
)
def send_notification_email(notification_id: int) -> bool:
    """E-mail one notification (idempotent: a notification already e-mailed is skipped)."""
    return notification_email_send(notification_id=notification_id)
