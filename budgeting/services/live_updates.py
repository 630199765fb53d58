"""What budgeting's services announce to live topics, after their transaction commits.

The topics' names and the moments they change live here, below the services that write;
what a topic shows (its snapshot) and who may watch it are in ``budgeting.live.topics``.
"""

from __future__ import annotations

from budgeting.models import BudgetRound, Phase
from engagement.realtime.broadcast import publish_on_commit


def round_turnout_topic(slug: str) -> str:
    return f"round:{slug}:turnout"


def votes_topic(slug: str) -> str:
    return f"round:{slug}:votes"


def results_topic(slug: str) -> str:
    return f"round:{slug}:results"


def dashboard_topic(slug: str) -> str:
    return f"round:{slug}:dashboard"


def publish_results(budget_round: BudgetRound) -> None:
    """Call from services when the round's published results change."""
    publish_on_commit(results_topic(budget_round.slug), votes_topic(budget_round.slug))


def publish_ballots_changed(budget_round: BudgetRound) -> None:
    """After a ballot was cast, changed or withdrawn (online or paper): turnout, counts and
    the staff dashboard — one message for all three."""
    slug = budget_round.slug
    publish_on_commit(round_turnout_topic(slug), votes_topic(slug), dashboard_topic(slug))


def publish_paper_progress(budget_round: BudgetRound) -> None:
    """After a paper entry that counted nothing (yet): the dashboard's paper progress."""
    publish_on_commit(dashboard_topic(budget_round.slug))


def publish_dashboards_of(organisation_id: int) -> None:
    """A count on the organisation's dashboards moved (``engagement.dashboards``): the
    dashboards of its rounds that are not closed."""
    slugs = (
        BudgetRound.objects.filter(organisation_id=organisation_id)
        .exclude(phase=Phase.CLOSED)
        .values_list("slug", flat=True)
    )
    topics = [dashboard_topic(slug) for slug in slugs]
    if topics:
        publish_on_commit(*topics)
