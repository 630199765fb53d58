"""What other features may use of budgeting: the one door, so arrows only point in here.

The ideas feature links a process to a round and turns an accepted idea into a ballot
project; it imports this module and nothing else of budgeting. Budgeting never imports a
feature: what it shows of another (the idea a project came from) reaches it through
:func:`register_project_origins`, which that feature calls when it loads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from budgeting.models import BudgetRound, DistrictBudget, Project, ProjectStatus
from budgeting.services import rounds
from engagement.people import permissions

__all__ = [
    "BudgetRound",
    "DistrictBudget",
    "Project",
    "ProjectStatus",
    "project_from_idea",
    "project_origins",
    "register_project_origins",
]

# project ids -> {project id: {"id", "title", "process"}}: where each project came from.
ProjectOrigins = Callable[[list[int]], dict[int, dict[str, Any]]]
_origin_providers: list[ProjectOrigins] = []


def register_project_origins(provider: ProjectOrigins) -> None:
    """A feature that turns its items into projects says how to find an item by project."""
    if provider not in _origin_providers:
        _origin_providers.append(provider)


def project_origins(project_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Project id -> the item it came from (the first provider that knows it)."""
    ids = list(project_ids)
    found: dict[int, dict[str, Any]] = {}
    for provider in _origin_providers:
        for project_id, origin in provider([pk for pk in ids if pk not in found]).items():
            found.setdefault(project_id, origin)
    return found


def project_from_idea(
    *,
    reviewer: Any,
    budget_round: BudgetRound,
    district_budget: DistrictBudget,
    external_id: str,
    title: str,
    cost: int,
    description: str = "",
    categories: list[str] | None = None,
    latitude: Any = None,
    longitude: Any = None,
) -> Project:
    """A feasible ballot project from an idea ``reviewer`` accepted.

    Reviewers are not administrators, who alone create projects by hand: the reviewer's
    right is checked here, then the platform creates the project on their behalf."""
    if not permissions.can_review(reviewer, budget_round.organisation_id):
        raise PermissionDenied(_("Only reviewers of this organisation can review ideas."))
    return rounds.project_create(
        actor=permissions.SYSTEM,
        budget_round=budget_round,
        district_budget=district_budget,
        external_id=external_id,
        title=title,
        cost=cost,
        status=ProjectStatus.FEASIBLE,
        description=description,
        categories=categories or [],
        latitude=latitude,
        longitude=longitude,
    )
