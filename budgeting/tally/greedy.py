"""Greedy by support: the rule most cities use.

Projects are ranked by support (approvals; total points; ``len(ballot) - rank`` points for
ordinal ballots), ties broken by the round's tie-break, and funded in that order; a project
that no longer fits is skipped and the next one is tried.

This is pabutools' ``greedy_utilitarian_welfare`` with an additive satisfaction whose value per
unit of cost is the support (``Cost_Sat`` for approval ballots), including its corner cases:

* projects nobody supports come last (support per cost 0) and are still funded if they fit;
* so do projects that cost nothing: the satisfaction pabutools measures is "support x cost",
  which is 0 for them, so they rank with the unsupported ones (they always fit, so they are
  always funded — only their place in ``selection_order`` depends on this).

All arithmetic is on Python integers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from budgeting.tally.types import Explanation, Instance


@dataclass(frozen=True)
class GreedyResult:
    """Selection order plus one explanation per project considered."""

    selection_order: tuple[int, ...]
    spent: int
    explanations: dict[int, Explanation]


def greedy_ranking(
    costs: Sequence[int], support: Sequence[int], rank: Sequence[int], exclude: Iterable[int] = ()
) -> list[int]:
    """Projects in the order greedy considers them (best first)."""
    skip = set(exclude)

    def key(j: int) -> tuple[int, int, int]:
        if support[j] > 0 and costs[j] > 0:
            return (0, -support[j], rank[j])
        return (1, 0, rank[j])

    return sorted((j for j in range(len(costs)) if j not in skip), key=key)


def greedy_select(
    instance: Instance,
    support: Sequence[int],
    rank: Sequence[int],
    initial: Sequence[int] = (),
    *,
    completion: bool = False,
) -> GreedyResult:
    """Run greedy, optionally on top of an ``initial`` selection (the leftover-budget step).

    With ``completion=True`` the projects it adds are explained as ``completion_greedy``.
    """
    costs = instance.costs
    ids = instance.project_ids
    remaining = instance.budget - sum(costs[j] for j in initial)
    order: list[int] = []
    explanations: dict[int, Explanation] = {}
    for position, j in enumerate(greedy_ranking(costs, support, rank, initial), start=1):
        params = {"support": support[j], "cost": costs[j], "remaining": remaining}
        if costs[j] <= remaining:
            order.append(j)
            remaining -= costs[j]
            explanations[j] = Explanation(
                ids[j],
                True,
                "completion_greedy" if completion else "selected",
                position,
                {**params, "order": len(order) + len(initial)},
            )
        else:
            explanations[j] = Explanation(ids[j], False, "not_affordable", position, params)
    spent = instance.budget - remaining
    return GreedyResult(tuple(order), spent, explanations)
