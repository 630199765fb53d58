"""Live topic of an idea (docs/realtime.md): ``idea:<id>:counts`` — supports and comments."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from engagement.ideas import selectors
from engagement.ideas.models import Comment, Idea, Support
from engagement.realtime.broadcast import publish_on_commit
from engagement.realtime.protocol import TopicNotFound, register_topic_kind


def counts_topic(idea_id: int) -> str:
    return f"idea:{idea_id}:counts"


def _idea_id(key: str) -> int:
    if not key.isdigit():
        raise TopicNotFound(key)
    return int(key)


def authorize_idea(key: str, user: Any) -> None:
    """Whoever may see the idea; drafts and hidden ideas do not exist for others (404)."""
    try:
        selectors.visible_idea(user, _idea_id(key), details=False)
    except Http404:
        raise TopicNotFound(key) from None


def counts_snapshot(key: str) -> dict[str, Any]:
    idea_id = _idea_id(key)
    if not Idea.objects.filter(pk=idea_id).exists():
        raise TopicNotFound(key)
    return {
        "idea": idea_id,
        "supports": Support.objects.filter(idea_id=idea_id).count(),
        # As lists count them: comments shown to everyone.
        "comments": Comment.objects.filter(
            idea_id=idea_id, hidden=False, deleted_at__isnull=True
        ).count(),
    }


def publish_counts(idea_id: int) -> None:
    """Call from services after supports or visible comments of the idea changed."""
    publish_on_commit(counts_topic(idea_id))


def register() -> None:
    register_topic_kind("idea", "counts", authorize=authorize_idea, snapshot=counts_snapshot)
