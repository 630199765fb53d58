"""Live topics of budget rounds (docs/realtime.md): ``round:<slug>:turnout``."""

from __future__ import annotations

from typing import Any

from budgeting import selectors
from budgeting.models import BudgetRound
from engagement.realtime import (
    TopicForbidden,
    TopicNotFound,
    publish_on_commit,
    register_topic_kind,
    round_turnout_topic,
)


def _round(slug: str) -> BudgetRound:
    budget_round = BudgetRound.objects.filter(slug=slug).first()
    if budget_round is None:
        raise TopicNotFound(slug)
    return budget_round


def authorize_round(slug: str, user: Any) -> None:
    """Anyone may watch a round they may see: draft rounds are for its organisation's staff."""
    if not selectors.round_is_visible(user, _round(slug)):
        raise TopicForbidden(slug)


def turnout_snapshot(slug: str) -> dict[str, Any]:
    # Reads the turnout afresh; the broadcaster calls this at most once per coalescing
    # interval per process, never per vote. Incremental counters come next (DESIGN.md §6).
    return {"round": slug, **selectors.turnout(_round(slug))}


def publish_turnout(budget_round: BudgetRound) -> None:
    """Call from services after any change to participations of ``budget_round``."""
    publish_on_commit(round_turnout_topic(budget_round.slug))


def register() -> None:
    register_topic_kind("round", "turnout", authorize=authorize_round, snapshot=turnout_snapshot)
