"""Live topics of budget rounds (docs/realtime.md): ``round:<slug>:turnout``,
``round:<slug>:votes``, ``round:<slug>:results`` and ``round:<slug>:dashboard``.

Turnout and the dashboard's turnout over time come from the incremental counters
(budgeting/live/counts.py): a push reads only what changed since the last one. Vote counts
move by whole batches of ballots (budgeting/services/ballot_box.py).
"""

from __future__ import annotations

import time
from typing import Any

from django.db.models import Count

from budgeting.live.counts import counters
from budgeting.models import BudgetRound, PaperBallotSheet, PaperSheetStatus, Phase
from budgeting.selectors import rounds as selectors
from budgeting.services import ballot_box
from budgeting.services.live_updates import (
    publish_dashboards_of,
)
from engagement import dashboards
from engagement.people import permissions
from engagement.realtime.protocol import (
    TopicForbidden,
    TopicNotFound,
    register_topic_kind,
)

# A reconnect storm subscribes thousands of sockets at once: the round each one asks for is
# read at most once per this many seconds per process. Phase and visibility changes are
# seen by new subscribers within that time; pushes always read afresh.
ROUND_CACHE_SECONDS = 1.0
_round_cache: dict[str, tuple[float, BudgetRound | None]] = {}


def _round(slug: str, *, cached: bool = False) -> BudgetRound:
    now = time.monotonic()
    hit = _round_cache.get(slug) if cached else None
    if hit is not None and now - hit[0] < ROUND_CACHE_SECONDS:
        budget_round = hit[1]
    else:
        budget_round = BudgetRound.objects.select_related("organisation").filter(slug=slug).first()
        if len(_round_cache) > 1000:
            _round_cache.clear()
        _round_cache[slug] = (now, budget_round)
    if budget_round is None:
        raise TopicNotFound(slug)
    return budget_round


def authorize_round(slug: str, user: Any) -> None:
    """Anyone may watch a round they may see: draft rounds are for its organisation's staff."""
    if not selectors.round_is_visible(user, _round(slug, cached=True)):
        raise TopicForbidden(slug)


def turnout_snapshot(slug: str) -> dict[str, Any]:
    budget_round = _round(slug)
    return {"round": slug, **counters.counts(budget_round).turnout()}


# --- vote counts ----------------------------------------------------------------------------


def authorize_votes(slug: str, user: Any) -> None:
    """Only while the round's counts are public (selectors.counts_are_public) — for staff
    too: the topic is the public view; staff have the tally preview."""
    budget_round = _round(slug, cached=True)
    if not selectors.round_is_visible(user, budget_round):
        raise TopicForbidden(slug)
    if not selectors.counts_are_public(budget_round):
        raise TopicForbidden(slug)


def votes_snapshot(slug: str) -> dict[str, Any]:
    """Ballots and support per project pk. If the counts stopped being public (staff turned
    live counts off), pushes carry no counts at all."""
    budget_round = _round(slug)
    if not selectors.counts_are_public(budget_round):
        return {"round": slug, "ballots": None, "projects": {}}
    return {"round": slug, **ballot_box.public_votes(budget_round)}


# --- results --------------------------------------------------------------------------------


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


# --- staff dashboard ------------------------------------------------------------------------


def authorize_dashboard(slug: str, user: Any) -> None:
    """Staff (any role) of the round's organisation, and platform administrators."""
    if not permissions.is_staff_of(user, _round(slug, cached=True).organisation_id):
        raise TopicForbidden(slug)


def _voting_started(budget_round: BudgetRound) -> Any:
    entry = budget_round.schedule.filter(phase=Phase.VOTING).order_by("starts_at").first()
    return entry.starts_at if entry is not None else None


def dashboard_snapshot(slug: str) -> dict[str, Any]:
    budget_round = _round(slug)
    counts = counters.counts(budget_round)
    sheets = dict.fromkeys(PaperSheetStatus.values, 0)
    # Sheets, reports and ideas waiting: small tables, grouped in the database.
    for status, n in (
        PaperBallotSheet.objects.filter(district_budget__round=budget_round)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    ):
        sheets[status] = n
    return {
        "round": slug,
        **counts.turnout(),
        "timeline": counts.timeline_points(_voting_started(budget_round)),
        "paper": {
            "sheets": sum(sheets.values()),
            "agreed": sheets[PaperSheetStatus.COUNTED],
            "disputed": sheets[PaperSheetStatus.CONFLICT]
            + sheets[PaperSheetStatus.DUPLICATE_VOTER],
            "awaiting_second_entry": sheets[PaperSheetStatus.AWAITING_SECOND_ENTRY],
        },
        # Counts other features add (the ideas' review and moderation queues).
        **dashboards.counts_for(budget_round.organisation_id),
    }


def register() -> None:
    dashboards.register_listener(publish_dashboards_of)
    register_topic_kind("round", "turnout", authorize=authorize_round, snapshot=turnout_snapshot)
    register_topic_kind("round", "votes", authorize=authorize_votes, snapshot=votes_snapshot)
    register_topic_kind("round", "results", authorize=authorize_round, snapshot=results_snapshot)
    register_topic_kind(
        "round", "dashboard", authorize=authorize_dashboard, snapshot=dashboard_snapshot
    )
