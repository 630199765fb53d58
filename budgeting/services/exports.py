"""Published results as CSV and JSON for researchers and the public.

Only published results are exported; vote counts only where the round makes them public;
nothing about who voted.
"""

from __future__ import annotations

from typing import Any

from budgeting.models import BudgetRound, Project
from budgeting.selectors import rounds as selectors
from engagement.http.spreadsheets import csv_text
from engagement.money import from_minor


def results_rows(budget_round: BudgetRound) -> list[dict[str, Any]]:
    """One row per project on the ballot of every published district result."""
    results = selectors.published_results(budget_round)
    counts_public = selectors.counts_are_public(budget_round)
    projects = {
        external_id: (title, cost)
        for external_id, title, cost in Project.objects.filter(round=budget_round).values_list(
            "external_id", "title", "cost"
        )
    }
    currency = budget_round.currency
    rows = []
    for result in results:
        order = {pid: n for n, pid in enumerate(result.selected, start=1)}
        for project_id, explanation in sorted(
            result.explanations.items(),
            key=lambda item: (item[0] not in order, order.get(item[0], 0), item[0]),
        ):
            rows.append(
                {
                    "district": result.district_budget.key,
                    "project_id": project_id,
                    "title": projects.get(project_id, ("", 0))[0],
                    "cost": str(from_minor(projects.get(project_id, ("", 0))[1], currency)),
                    "currency": currency,
                    "support": result.support.get(project_id) if counts_public else None,
                    "selected": project_id in order,
                    "selection_step": order.get(project_id),
                    "reason": explanation.get("reason"),
                    "rule": result.rule,
                    "tie_break": result.tie_break,
                }
            )
    return rows


def results_json(budget_round: BudgetRound) -> dict[str, Any]:
    results = selectors.published_results(budget_round)
    currency = budget_round.currency
    return {
        "round": budget_round.slug,
        "title": budget_round.title,
        "organisation": budget_round.organisation.slug,
        "currency": currency,
        "rule": budget_round.outcome_rule,
        "published": bool(results),
        "districts": [
            {
                "district": r.district_budget.key,
                "name": r.district_budget.name,
                "budget": str(from_minor(r.budget, currency)),
                "spent": str(from_minor(r.spent, currency)),
                "ballots": r.ballot_count,
                "selected": r.selected,
                "published_at": r.published_at.isoformat() if r.published_at else None,
            }
            for r in results
        ],
        "projects": results_rows(budget_round),
    }


CSV_COLUMNS = (
    "district",
    "project_id",
    "title",
    "cost",
    "currency",
    "support",
    "selected",
    "selection_step",
    "reason",
    "rule",
    "tie_break",
)


def results_csv(budget_round: BudgetRound) -> str:
    # Project titles are free text: the shared writer keeps them from running as formulas.
    return csv_text(
        CSV_COLUMNS, ([row[k] for k in CSV_COLUMNS] for row in results_rows(budget_round))
    )
