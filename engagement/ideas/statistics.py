"""Contribution statistics of a process: ideas, comments, supports and the people behind them.

Suppressed by the kernel's rules (``engagement.statistics``); a round's statistics include
those of its idea phase through :func:`contributions_of_round` (registered at start-up).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from budgeting.ports import BudgetRound
from engagement.ideas.models import Comment, Idea, IdeaStatus, ParticipatoryProcess, Support
from engagement.statistics import (
    THRESHOLD,
    contributions_answer,
    organisation_districts,
    people_groups,
)


def contribution_counts(process: Any, year: int) -> dict[str, Any]:
    """Public ideas, their visible comments and supports in ``process``, and the people
    behind them (distinct authors and supporters) by district and age band. Drafts, hidden
    and deleted content are not counted."""
    ideas = Idea.objects.filter(process=process, hidden=False, submitted_at__isnull=False).exclude(
        status=IdeaStatus.DRAFT
    )
    comments = Comment.objects.filter(idea__in=ideas, hidden=False, deleted_at__isnull=True)
    supports = Support.objects.filter(idea__in=ideas)
    people: set[int] = set()
    for rows in (
        ideas.exclude(author=None).values_list("author_id", flat=True),
        comments.exclude(author=None).values_list("author_id", flat=True),
        supports.values_list("user_id", flat=True),
    ):
        people.update(rows)
    by_district, by_age = people_groups(people, process.organisation_id, year)
    return {
        "ideas": ideas.count(),
        "comments": comments.count(),
        "supports": supports.count(),
        "contributors_by_district": by_district,
        "contributors_by_age": by_age,
    }


def contributions_of_round(linked: Any, year: int) -> dict[str, Any] | None:
    """Counts of the idea phase of a budget round (``None`` for anything else)."""
    if not isinstance(linked, BudgetRound):
        return None
    process = ParticipatoryProcess.objects.filter(budget_round=linked).first()
    return contribution_counts(process, year) if process is not None else None


def process_statistics(process: Any) -> dict[str, Any]:
    """Suppressed contribution statistics of a participatory process (ideas, comments,
    supports and the people behind them) — for idea collections without a round."""
    organisation = process.organisation
    year = timezone.localtime(timezone.now(), ZoneInfo(organisation.time_zone)).year
    districts = organisation_districts(process.organisation_id)
    return {
        "process": process.slug,
        "threshold": THRESHOLD,
        "reference_year": year,
        "contributions": contributions_answer(contribution_counts(process, year), districts),
    }
