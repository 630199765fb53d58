"""Celery tasks of the workshop feature: no arguments in, one service call, safe to run
twice (and concurrently)."""

from __future__ import annotations

from celery import shared_task

from workshops.services import reminders, retention


@shared_task
def send_reminders() -> dict[str, int]:
    """Beat runs this every minute: reminders a day and an hour before, each sent once."""
    return reminders.send_due_reminders()


@shared_task
def delete_expired_answers() -> int:
    """Beat runs this hourly: registration answers go 30 days after the workshop."""
    return retention.delete_expired_answers()
