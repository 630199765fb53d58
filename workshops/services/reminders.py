"""Reminders a day and an hour before a workshop, each sent once.

Beat runs :func:`send_due_reminders` every minute. Each registration is claimed before it
is notified: its ``reminded_day_at`` (or ``reminded_hour_at``) is set by an ``UPDATE …
WHERE … IS NULL`` on rows locked with ``SKIP LOCKED``, in the same transaction that writes
the notifications. A second run (or a concurrent one) finds nothing left to claim, so a
reminder is never sent twice; if the transaction fails, the claim rolls back with it and
the next run sends it.

Windows: the day reminder for workshops starting in more than an hour and at most a day;
the hour reminder for those starting within the hour. Nothing is sent for a workshop that
has started (a late run stays quiet), for one that is not published, or to people without
a confirmed place.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from workshops import notifications
from workshops.models import Registration, RegistrationStatus, Workshop, WorkshopStatus

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
# Claimed and notified per transaction, so one run never holds a huge lock.
BATCH = 500


def _claim(field: str, start_after: datetime, start_by: datetime, now: datetime) -> list[int]:
    """Mark due registrations reminded (``field``) and return their ids."""
    due = Registration.objects.filter(
        status=RegistrationStatus.CONFIRMED,
        workshop__status=WorkshopStatus.PUBLISHED,
        workshop__starts_at__gt=start_after,
        workshop__starts_at__lte=start_by,
        **{f"{field}__isnull": True},
    )
    ids = list(
        due.select_for_update(skip_locked=True, of=("self",))
        .order_by("pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    if not ids:
        return []
    # The rows are locked by this transaction; the IS NULL condition is kept anyway, so a
    # database without row locks (SQLite, one writer at a time) claims each row once too.
    Registration.objects.filter(pk__in=ids, **{f"{field}__isnull": True}).update(**{field: now})
    return ids


def _notify(event: str, registration_ids: list[int]) -> None:
    people: dict[int, list] = defaultdict(list)
    for registration in Registration.objects.filter(pk__in=registration_ids).select_related("user"):
        people[registration.workshop_id].append(registration.user)
    for workshop in Workshop.objects.filter(pk__in=people).select_related("organisation"):
        notifications.tell(event, workshop, people[workshop.pk])


def _send(field: str, event: str, start_after: datetime, start_by: datetime, now: datetime) -> int:
    sent = 0
    while True:
        with transaction.atomic():
            ids = _claim(field, start_after, start_by, now)
            if ids:
                _notify(event, ids)
        sent += len(ids)
        if len(ids) < BATCH:
            return sent


def send_due_reminders(*, now: datetime | None = None) -> dict[str, int]:
    """Send the reminders due at ``now``; returns how many of each were sent."""
    now = now or timezone.now()
    hour = _send("reminded_hour_at", notifications.REMINDER_HOUR, now, now + HOUR, now)
    day = _send("reminded_day_at", notifications.REMINDER_DAY, now + HOUR, now + DAY, now)
    return {"day": day, "hour": hour}
