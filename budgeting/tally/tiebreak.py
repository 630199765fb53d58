"""Tie-breaking: which of several equally good projects a rule takes first.

A tie-break is turned into a *priority rank* per project (0 = taken first); rules only ever
compare ranks, so every option behaves the same way in every rule.

* ``lexicographic`` (default, pabutools' default): by project id as a string (Python ``str``
  order, i.e. by Unicode code point — so ``"10"`` comes before ``"9"``, exactly as pabutools
  compares ``Project.name``).
* ``cost``: lower cost first, then by id.  pabutools' ``min_cost_tie_breaking`` is this order,
  since it sorts stably by cost a list that is already sorted by id.
* ``lottery``: a seeded, published permutation.  Each project gets the key
  ``sha256(f"{seed}:{project_id}".encode("utf-8")).hexdigest()``; lower key first (ties
  between keys are impossible in practice and fall back to the id).  Anyone can recompute the
  order from the seed with a few lines in any language, which is the point of publishing it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

from budgeting.tally.types import Instance

TieBreakName = Literal["lexicographic", "cost", "lottery"]


@dataclass(frozen=True)
class TieBreak:
    """A tie-breaking setting of a round.  ``seed`` is required for ``lottery``."""

    method: TieBreakName = "lexicographic"
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.method not in ("lexicographic", "cost", "lottery"):
            raise ValueError(f"unknown tie-break {self.method!r}")
        if self.method == "lottery" and self.seed is None:
            raise ValueError("a lottery tie-break needs an integer seed")
        if self.method != "lottery" and self.seed is not None:
            raise ValueError("only the lottery tie-break takes a seed")

    @property
    def label(self) -> str:
        return f"lottery:{self.seed}" if self.method == "lottery" else self.method

    def ranks(self, instance: Instance) -> tuple[int, ...]:
        """Priority rank of each project of ``instance`` (0 = preferred)."""
        ids = instance.project_ids
        if self.method == "lexicographic":
            order = sorted(range(len(ids)), key=lambda i: ids[i])
        elif self.method == "cost":
            order = sorted(range(len(ids)), key=lambda i: (instance.costs[i], ids[i]))
        else:
            keys = [lottery_key(self.seed, p) for p in ids]  # type: ignore[arg-type]
            order = sorted(range(len(ids)), key=lambda i: (keys[i], ids[i]))
        rank = [0] * len(ids)
        for r, i in enumerate(order):
            rank[i] = r
        return tuple(rank)


def lottery_key(seed: int, project_id: str) -> str:
    """The published lottery key of one project (see the module docstring)."""
    return hashlib.sha256(f"{int(seed)}:{project_id}".encode()).hexdigest()


def as_tie_break(value: TieBreak | str | None, seed: int | None = None) -> TieBreak:
    """Accept ``TieBreak``, a name (``"lottery"`` with ``seed``, or ``"lottery:42"``) or None."""
    if value is None:
        return TieBreak()
    if isinstance(value, TieBreak):
        return value
    if value.startswith("lottery:"):
        return TieBreak("lottery", int(value.split(":", 1)[1]))
    if value == "lottery":
        return TieBreak("lottery", seed)
    return TieBreak(value)  # type: ignore[arg-type]
