"""Registration answers are kept only until 30 days after the workshop.

Accessibility and dietary needs may say much about a person's health or beliefs; they are
needed to organise the visit and nothing else. :func:`delete_expired_answers` (run hourly by
beat) blanks them and records when, so it is visible that they went and no row is touched
twice. Registrations themselves (who came) stay until the account is deleted.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from workshops.models import Registration

KEEP_ANSWERS_FOR = timedelta(days=30)


@transaction.atomic
def delete_expired_answers(*, now: datetime | None = None) -> int:
    """Blank the answers of registrations to workshops that ended more than 30 days before
    ``now``; returns how many registrations changed."""
    now = now or timezone.now()
    return Registration.objects.filter(
        workshop__ends_at__lt=now - KEEP_ANSWERS_FOR, answers_deleted_at__isnull=True
    ).update(accessibility_needs="", dietary_needs="", answers_deleted_at=now)
