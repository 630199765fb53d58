"""Reads for budget rounds: what a visitor may see, turnout, counts and results."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from budgeting.models import (
    BudgetRound,
    Channel,
    DistrictBudget,
    Participation,
    Phase,
    Project,
    ProjectStatus,
    TallyResult,
)
from engagement.people import permissions

# Projects the public sees: everything but ideas still waiting for review.
PUBLIC_PROJECT_STATUSES = [s for s in ProjectStatus.values if s != ProjectStatus.PROPOSED]


def rounds_visible_to(user: Any) -> QuerySet[BudgetRound]:
    """Every round past draft, plus drafts of organisations where ``user`` is staff."""
    rounds = BudgetRound.objects.select_related("organisation")
    staff_of = permissions.staff_organisation_ids(user)
    if staff_of is None:
        return rounds
    return rounds.filter(~Q(phase=Phase.DRAFT) | Q(organisation_id__in=staff_of))


def round_is_visible(user: Any, budget_round: BudgetRound) -> bool:
    return budget_round.phase != Phase.DRAFT or permissions.is_staff_of(
        user, budget_round.organisation_id
    )


def projects_visible_to(user: Any, budget_round: BudgetRound) -> QuerySet[Project]:
    projects = Project.objects.filter(round=budget_round).select_related("district_budget")
    if permissions.is_staff_of(user, budget_round.organisation_id):
        return projects
    return projects.filter(status__in=PUBLIC_PROJECT_STATUSES)


def turnout(budget_round: BudgetRound) -> dict[str, Any]:
    """Voters per district budget and channel (never who)."""
    rows = (
        Participation.objects.filter(round=budget_round)
        .values("district_budget__key", "channel")
        .annotate(n=Count("id"))
    )
    districts: dict[str, dict[str, int]] = {
        key: {"total": 0, **dict.fromkeys(Channel.values, 0)}
        for key in DistrictBudget.objects.filter(round=budget_round).values_list("key", flat=True)
    }
    for row in rows:
        entry = districts[row["district_budget__key"]]
        entry[row["channel"]] += row["n"]
        entry["total"] += row["n"]
    voters = Participation.objects.filter(round=budget_round).values("voter_key").distinct().count()
    return {"voters": voters, "districts": districts}


def counts_are_public(budget_round: BudgetRound) -> bool:
    """Vote counts show during voting only if the round says so; always once results are
    published (publication may precede the move to the results phase)."""
    if budget_round.phase in (Phase.RESULTS, Phase.IMPLEMENTATION, Phase.EVALUATION, Phase.CLOSED):
        return True
    if budget_round.live_counts_public and budget_round.phase in (Phase.VOTING, Phase.TALLYING):
        return True
    return (
        budget_round.phase == Phase.TALLYING
        and TallyResult.objects.filter(
            district_budget__round=budget_round, published_at__isnull=False
        ).exists()
    )


def published_results(budget_round: BudgetRound) -> list[TallyResult]:
    return list(
        TallyResult.objects.filter(district_budget__round=budget_round, published_at__isnull=False)
        .select_related("district_budget")
        .order_by("district_budget__position", "district_budget__key")
    )


def latest_results(budget_round: BudgetRound, rule: str | None = None) -> list[TallyResult]:
    """The newest run per district (staff preview), optionally of one rule."""
    results = TallyResult.objects.filter(district_budget__round=budget_round).select_related(
        "district_budget"
    )
    if rule:
        results = results.filter(rule=rule)
    newest: dict[int, TallyResult] = {}
    for result in results.order_by("-computed_at"):
        newest.setdefault(result.district_budget_id, result)
    return sorted(
        newest.values(), key=lambda r: (r.district_budget.position, r.district_budget.key)
    )
