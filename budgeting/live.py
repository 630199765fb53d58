"""Live topics of budget rounds (docs/realtime.md): ``round:<slug>:turnout`` and
``round:<slug>:results``."""

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


def results_topic(slug: str) -> str:
    return f"round:{slug}:results"


def results_snapshot(slug: str) -> dict[str, Any]:
    """What is published, per district: funded projects, spent and budget (minor units)."""
    published = selectors.published_results(_round(slug))
    return {
        "round": slug,
        "published": bool(published),
        "districts": [
            {
                "district": result.district_budget.key,
                "rule": result.rule,
                "selected": result.selected,
                "spent": result.spent,
                "budget": result.budget,
                "published_at": result.published_at.isoformat() if result.published_at else None,
            }
            for result in published
        ],
    }


def publish_results(budget_round: BudgetRound) -> None:
    """Call from services when the round's published results change."""
    publish_on_commit(results_topic(budget_round.slug))


def register() -> None:
    register_topic_kind("round", "turnout", authorize=authorize_round, snapshot=turnout_snapshot)
    register_topic_kind("round", "results", authorize=authorize_round, snapshot=results_snapshot)
