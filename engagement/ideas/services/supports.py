"""Supports and follows: one row per person and idea, inserted without races.

Supporting is part of the discussion (while the phase allows it, on submitted or
under-review ideas); following — hearing about status changes and new comments — is
possible in every phase. Authors and commenters follow an idea by writing on it
(:func:`follow_quietly`).
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from engagement.ideas import live
from engagement.ideas import permissions as rules
from engagement.ideas.models import Follow, Idea, IdeaStatus, Support
from engagement.ideas.services.checks import (
    error,
    require_discussion,
    require_signed_in,
    require_visible,
)
from engagement.people.models import User


def _insert_ignoring_duplicate(model: type, idea: Idea, user: Any) -> bool:
    """``INSERT … ON CONFLICT DO NOTHING``: True if this call created the row."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (idea_id, user_id, created_at) VALUES (%s, %s, %s)"
            " ON CONFLICT DO NOTHING RETURNING id",
            [idea.pk, user.pk, timezone.now()],
        )
        return cursor.fetchone() is not None


def follow_quietly(idea: Idea, user: Any) -> bool:
    """``user`` follows ``idea`` (no checks: they just wrote on it). True if new."""
    return _insert_ignoring_duplicate(Follow, idea, user)


def followers(idea: Idea) -> list[User]:
    """Who follows the idea (active accounts)."""
    return list(User.objects.filter(idea_follows__idea=idea, is_active=True))


def _require_supportable(idea: Idea) -> None:
    if idea.status not in rules.SUPPORTABLE_STATUSES:
        raise error(
            "status",
            _("Ideas that are %(status)s cannot be supported."),
            "not_supportable",
            status=IdeaStatus(idea.status).label,
        )


def support_add(*, user: Any, idea: Idea) -> bool:
    """Support an idea, once per person. True if this call added the support.

    Race-free: the unique constraint decides, in one statement without exceptions, so
    concurrent clicks leave exactly one support.
    """
    require_discussion(user, idea)
    _require_supportable(idea)
    added = _insert_ignoring_duplicate(Support, idea, user)
    if added:
        live.publish_counts(idea.pk)
    return added


def support_remove(*, user: Any, idea: Idea) -> bool:
    """Take one's support back while supporting is possible. True if there was one."""
    require_discussion(user, idea)
    _require_supportable(idea)
    deleted, _rows = Support.objects.filter(idea=idea, user=user).delete()
    if deleted:
        live.publish_counts(idea.pk)
    return bool(deleted)


def follow_add(*, user: Any, idea: Idea) -> bool:
    """Hear about status changes and new comments. Possible in every phase."""
    require_signed_in(user)
    require_visible(user, idea)
    return follow_quietly(idea, user)


def follow_remove(*, user: Any, idea: Idea) -> bool:
    require_signed_in(user)
    require_visible(user, idea)
    deleted, _rows = Follow.objects.filter(idea=idea, user=user).delete()
    return bool(deleted)
