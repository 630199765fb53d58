"""Ballot validation: one pure function, stable error codes. No Django imports.

The API and the pages turn the codes into translated, field-level messages
(``budgeting.messages``); paper-ballot entry and imports use the same function, so a
ballot is valid or not whichever way it arrives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Format = Literal["approval", "cumulative", "ordinal", "choose-1"]

# Every code validate_ballot can return.
ERROR_CODES = (
    "empty_ballot",
    "too_few_projects",
    "too_many_projects",
    "unknown_project",
    "wrong_district",
    "not_on_ballot",
    "duplicate_project",
    "duplicate_rank",
    "over_budget",
    "under_min_spend",
    "points_required",
    "points_not_allowed",
    "points_length_mismatch",
    "points_not_positive",
    "over_points_budget",
    "over_project_points_cap",
)


@dataclass(frozen=True)
class BallotRules:
    """The limits of one district budget's ballot, in minor units and counts."""

    format: Format
    budget: int
    min_projects: int = 1
    max_projects: int | None = None
    knapsack: bool = False
    min_spend: int | None = None
    points_budget: int | None = None
    max_points_per_project: int | None = None
    max_rank: int | None = None

    @property
    def effective_max_projects(self) -> int | None:
        if self.format == "choose-1":
            return 1
        limits = [n for n in (self.max_projects, self.max_rank) if n]
        if self.format == "ordinal" and limits:
            return min(limits)
        return self.max_projects


@dataclass(frozen=True)
class BallotProject:
    """What validation needs to know of a project offered in a round."""

    cost: int
    district_key: str
    on_ballot: bool = True
    pk: int | None = None  # the storage key, opaque to validation


@dataclass(frozen=True)
class BallotError:
    code: str
    field: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ValidBallot:
    """A ballot that passed: project ids in ballot order, and points if cumulative."""

    projects: tuple[str, ...]
    points: tuple[int, ...] | None
    total_cost: int


def validate_ballot(
    rules: BallotRules,
    district_key: str,
    offered: Mapping[str, BallotProject],
    projects: Sequence[str],
    points: Sequence[int] | None = None,
) -> ValidBallot | list[BallotError]:
    """Check a ballot for ``district_key`` against ``rules``.

    ``offered`` maps project ids of the whole round to their facts; ``projects`` are in
    ballot order (preference order for rankings). Returns the normalised ballot, or every
    error found (not just the first) so a form can mark all fields at once.
    """
    errors: list[BallotError] = []
    if not projects:
        return [BallotError("empty_ballot", "projects")]

    seen: set[str] = set()
    for position, project_id in enumerate(projects):
        if project_id in seen:
            code = "duplicate_rank" if rules.format == "ordinal" else "duplicate_project"
            errors.append(
                BallotError(code, "projects", {"project": project_id, "position": position})
            )
            continue
        seen.add(project_id)
        project = offered.get(project_id)
        if project is None:
            errors.append(BallotError("unknown_project", "projects", {"project": project_id}))
        elif project.district_key != district_key:
            errors.append(
                BallotError(
                    "wrong_district",
                    "projects",
                    {"project": project_id, "district": project.district_key},
                )
            )
        elif not project.on_ballot:
            errors.append(BallotError("not_on_ballot", "projects", {"project": project_id}))

    count = len(projects)
    maximum = rules.effective_max_projects
    if count < rules.min_projects:
        errors.append(
            BallotError(
                "too_few_projects", "projects", {"minimum": rules.min_projects, "count": count}
            )
        )
    if maximum is not None and count > maximum:
        errors.append(
            BallotError("too_many_projects", "projects", {"maximum": maximum, "count": count})
        )

    errors.extend(_check_points(rules, projects, points))

    if errors:
        return errors

    total_cost = sum(offered[p].cost for p in projects)
    if rules.format == "approval":
        if rules.knapsack and total_cost > rules.budget:
            errors.append(
                BallotError(
                    "over_budget",
                    "projects",
                    {
                        "total": total_cost,
                        "budget": rules.budget,
                        "over_by": total_cost - rules.budget,
                    },
                )
            )
        if rules.min_spend is not None and total_cost < rules.min_spend:
            errors.append(
                BallotError(
                    "under_min_spend", "projects", {"total": total_cost, "minimum": rules.min_spend}
                )
            )
    if errors:
        return errors
    return ValidBallot(
        projects=tuple(projects),
        points=tuple(points) if rules.format == "cumulative" and points is not None else None,
        total_cost=total_cost,
    )


def _check_points(
    rules: BallotRules, projects: Sequence[str], points: Sequence[int] | None
) -> list[BallotError]:
    if rules.format != "cumulative":
        return [] if points is None else [BallotError("points_not_allowed", "points")]
    if points is None:
        return [BallotError("points_required", "points")]
    if len(points) != len(projects):
        return [
            BallotError(
                "points_length_mismatch",
                "points",
                {"projects": len(projects), "points": len(points)},
            )
        ]
    errors = []
    for position, value in enumerate(points):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            errors.append(BallotError("points_not_positive", "points", {"position": position}))
        elif rules.max_points_per_project is not None and value > rules.max_points_per_project:
            errors.append(
                BallotError(
                    "over_project_points_cap",
                    "points",
                    {"position": position, "maximum": rules.max_points_per_project},
                )
            )
    if errors:
        return errors
    total = sum(points)
    if rules.points_budget is not None and total > rules.points_budget:
        errors.append(
            BallotError(
                "over_points_budget", "points", {"total": total, "maximum": rules.points_budget}
            )
        )
    return errors


def ballot_support(
    ballot_format: str, projects: Sequence[Any], points: Sequence[int] | None
) -> list[tuple[Any, int]]:
    """(project, support) of one ballot: its points (cumulative), ``length - rank`` (ordinal:
    3/2/1 for a ranking of three), otherwise one per project named."""
    if ballot_format == "cumulative" and points is not None:
        return list(zip(projects, points, strict=True))
    if ballot_format == "ordinal":
        return [(project, len(projects) - rank) for rank, project in enumerate(projects)]
    return [(project, 1) for project in dict.fromkeys(projects)]
