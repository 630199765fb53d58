"""Plain data types shared by every outcome rule.

Amounts are integers in *minor units* (cents, grosze, fillér …) so that every comparison the
rules make is exact; ``Instance.unit`` says how many minor units make one currency unit, which
is the step the Add1 completion of Equal Shares raises each voter's share by.

Ballots refer to projects by their *index* into ``Instance.project_ids``: rules work on arrays,
and an index is what a database import or a ``.pb`` reader has at hand anyway.  Use
:meth:`Profile.from_ids` to build a profile from project-id lists and :meth:`Profile.from_arrays`
to stream flat ``(ballot, project, points)`` rows (e.g. straight from the database) into one.

Nothing here imports Django: the tally package must run in a worker, a notebook or a test
without settings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Literal, get_args

import numpy as np

Kind = Literal["approval", "cumulative", "ordinal", "choose-1"]
KINDS: tuple[str, ...] = get_args(Kind)

ReasonCode = Literal[
    "selected",
    "not_affordable",
    "supporters_exhausted",
    "no_support",
    "completion_add1",
    "completion_greedy",
]
"""Why a project is (not) funded — a stable, machine-readable code the results page translates."""


@dataclass(frozen=True)
class Instance:
    """What is being decided: a budget and the projects with their costs (minor units).

    ``unit`` is the number of minor units in one currency unit (100 for a ``.pb`` file read by
    :func:`budgeting.pabulib.to_tally_input`): Add1 raises each voter's share by ``unit`` at a
    time, exactly as pabutools raises it by 1 currency unit.
    """

    budget: int
    project_ids: tuple[str, ...]
    costs: tuple[int, ...]
    unit: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "project_ids", tuple(str(p) for p in self.project_ids))
        object.__setattr__(self, "costs", tuple(int(c) for c in self.costs))
        if len(self.project_ids) != len(self.costs):
            raise ValueError(
                f"{len(self.project_ids)} project ids but {len(self.costs)} costs were given"
            )
        if len(set(self.project_ids)) != len(self.project_ids):
            raise ValueError("project ids must be unique")
        if isinstance(self.budget, bool) or int(self.budget) != self.budget or self.budget < 0:
            raise ValueError(f"budget must be a non-negative integer, got {self.budget!r}")
        object.__setattr__(self, "budget", int(self.budget))
        if any(c < 0 for c in self.costs):
            raise ValueError("project costs must be non-negative")
        if int(self.unit) != self.unit or self.unit < 1:
            raise ValueError(f"unit must be a positive integer, got {self.unit!r}")
        object.__setattr__(self, "unit", int(self.unit))

    @property
    def num_projects(self) -> int:
        return len(self.project_ids)

    def index_of(self) -> dict[str, int]:
        """Map project id -> index (a fresh dict; cheap for the sizes PB rounds have)."""
        return {p: i for i, p in enumerate(self.project_ids)}


@dataclass(frozen=True, eq=False)
class Profile:
    """The ballots.  Each ballot is a tuple of project indices (ordinal: best first).

    ``points`` is parallel to ``ballots`` for cumulative ballots and ``None`` otherwise.  A
    project repeated inside one ballot is read as pabutools reads it: approval/choose-1 count it
    once, cumulative keeps the last points, ordinal keeps its first (best) position.  Empty ballots
    are kept on purpose: Equal Shares gives every voter an equal share of the budget, including
    those who approved nothing.

    Profiles compare by identity (``eq=False``): comparing 78,000 ballots element-wise by
    accident would be slow, and rules cache their array form on the object.
    """

    kind: Kind
    ballots: tuple[tuple[int, ...], ...]
    points: tuple[tuple[int, ...], ...] | None = None
    _cache: dict[Any, Any] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown ballot kind {self.kind!r}; expected one of {KINDS}")
        if not isinstance(self.ballots, tuple):
            object.__setattr__(self, "ballots", tuple(tuple(b) for b in self.ballots))
        if self.kind == "cumulative":
            if self.points is None:
                raise ValueError("cumulative ballots need points")
            if not isinstance(self.points, tuple):
                object.__setattr__(self, "points", tuple(tuple(p) for p in self.points))
            if len(self.points) != len(self.ballots):
                raise ValueError(f"{len(self.ballots)} ballots but {len(self.points)} points lists")
        elif self.points is not None:
            raise ValueError(f"{self.kind} ballots carry no points")

    @property
    def num_voters(self) -> int:
        return len(self.ballots)

    @classmethod
    def from_ids(
        cls,
        kind: Kind,
        instance: Instance,
        ballots: Iterable[Sequence[str]],
        points: Iterable[Sequence[int]] | None = None,
    ) -> Profile:
        """Build a profile from ballots that name projects by id (raises on unknown ids)."""
        index = instance.index_of()
        try:
            idx_ballots = tuple(tuple(index[p] for p in b) for b in ballots)
        except KeyError as exc:
            raise ValueError(f"ballot references unknown project {exc.args[0]!r}") from None
        pts = None if points is None else tuple(tuple(int(x) for x in p) for p in points)
        return cls(kind, idx_ballots, pts)

    @classmethod
    def from_arrays(
        cls,
        kind: Kind,
        ballot_ids: Sequence[int] | np.ndarray,
        project_index: Sequence[int] | np.ndarray,
        points: Sequence[int] | np.ndarray | None = None,
        *,
        num_voters: int | None = None,
    ) -> Profile:
        """Build a profile from flat rows ``(ballot_id, project_index[, points])``.

        This is the shape a database query or a bulk importer produces: one row per
        (ballot, project) pair, in any ballot order.  ``ballot_ids`` are arbitrary integers
        (database primary keys do); rows of one ballot keep their relative order, which is the
        preference order for ordinal ballots (so order the query by ``ballot_id, rank``).  For
        ordinal ballots ``points`` may instead carry the rank of each row (lower = better);
        rows are then sorted by it within each ballot.  ``num_voters`` counts ballots that have
        no rows at all (empty ballots still receive an equal share in Equal Shares); it
        defaults to the number of distinct ``ballot_ids``.

        The array form is also cached on the profile, so rules skip re-deriving it.
        """
        return _profile_from_arrays(
            cls, kind, ballot_ids, project_index, points, num_voters=num_voters
        )


def to_jsonable(value: Any) -> Any:
    """Convert params to plain JSON types (tuples -> lists, numpy scalars -> Python)."""
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


@dataclass(frozen=True)
class Explanation:
    """Why one project is funded or not, in a form both people and programs can read.

    ``reason`` is a stable code (see :data:`ReasonCode`); ``step`` is the round of the rule in
    which the decision was made (1-based; for greedy rules the project's place in the ranking);
    ``params`` carries the figures a results page needs (amounts in minor units).
    """

    project_id: str
    selected: bool
    reason: ReasonCode
    step: int | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "project_id": self.project_id,
            "selected": self.selected,
            "reason": self.reason,
            "step": self.step,
            "params": to_jsonable(self.params),
        }

    def message(self) -> str:
        """A short English sentence (the results page translates from ``reason`` instead)."""
        p = self.params
        if self.reason == "selected":
            return f"funded at step {self.step}"
        if self.reason == "completion_add1":
            return f"funded at step {self.step} once voters' shares were raised (Add1)"
        if self.reason == "completion_greedy":
            return f"funded from the leftover budget at step {self.step}"
        if self.reason == "not_affordable":
            return f"ran out of budget at step {self.step}"
        if self.reason == "no_support":
            if p.get("zero_cost") and p.get("support"):
                return "it costs nothing, which Equal Shares' cost satisfaction counts as no gain"
            return "nobody voted for it"
        spent = ", ".join(s["project_id"] for s in p.get("spent_on", ())[:3])
        if spent:
            return f"its supporters' shares were spent on {spent}"
        return "its supporters' shares together were smaller than its cost"


_NATURAL = re.compile(r"(\d+)")


def natural_key(project_id: str) -> tuple[Any, ...]:
    """Sort key putting ``2`` before ``11`` (the order reference.csv and pabulib use)."""
    parts = _NATURAL.split(project_id)
    return tuple((0, int(s), s) if s.isdigit() else (1, 0, s) for s in parts)


@dataclass(frozen=True)
class Outcome:
    """The result of one rule on one round.

    ``selected`` lists the funded project ids in natural id order (``2`` before ``11``, as in
    reference.csv); ``selection_order`` lists them in the order the rule picked them.
    ``spent`` and ``budget`` are in minor units.
    """

    rule: str
    selected: tuple[str, ...]
    spent: int
    budget: int
    explanations: Mapping[str, Explanation]
    selection_order: tuple[str, ...] = ()
    tie_break: str = "lexicographic"
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "selected": list(self.selected),
            "selection_order": list(self.selection_order),
            "spent": self.spent,
            "budget": self.budget,
            "tie_break": self.tie_break,
            "details": to_jsonable(self.details),
            "explanations": {k: e.to_dict() for k, e in self.explanations.items()},
        }


def _profile_from_arrays(
    cls: type[Profile],
    kind: Kind,
    ballot_ids: Sequence[int] | np.ndarray,
    project_index: Sequence[int] | np.ndarray,
    points: Sequence[int] | np.ndarray | None,
    *,
    num_voters: int | None,
) -> Profile:
    """Implementation of :meth:`Profile.from_arrays` (see there)."""
    bid = np.asarray(ballot_ids, dtype=np.int64).reshape(-1)
    proj = np.asarray(project_index, dtype=np.int64).reshape(-1)
    if len(bid) != len(proj):
        raise ValueError(f"{len(bid)} ballot ids but {len(proj)} project indices")
    pts = None if points is None else np.asarray(points, dtype=np.int64).reshape(-1)
    if pts is not None and len(pts) != len(proj):
        raise ValueError(f"{len(proj)} rows but {len(pts)} points")
    if kind == "cumulative" and pts is None:
        raise ValueError("cumulative ballots need points")
    uniq, voter = np.unique(bid, return_inverse=True)
    voter = voter.reshape(-1).astype(np.int64)
    n_listed = len(uniq)
    if num_voters is None:
        num_voters = n_listed
    if num_voters < n_listed:
        raise ValueError(f"num_voters={num_voters} but {n_listed} distinct ballot ids")
    # group rows by voter, keeping row order (or rank order for ordinal rows with points)
    if kind == "ordinal" and pts is not None:
        order = np.lexsort((np.arange(len(proj)), pts, voter))
    else:
        order = np.argsort(voter, kind="stable")
    voter, proj = voter[order], proj[order]
    if pts is not None:
        pts = pts[order]
    ballot_pts = pts if kind == "cumulative" else None
    # materialise the tuples the dataclass carries (empty ballots come last)
    bounds = np.flatnonzero(np.r_[True, voter[1:] != voter[:-1]]) if len(voter) else []
    proj_list = proj.tolist()
    edges = [*list(map(int, bounds)), len(proj_list)]
    ballots: list[tuple[int, ...]] = [tuple(proj_list[a:b]) for a, b in pairwise(edges)]
    ballots.extend([()] * (num_voters - n_listed))
    points_t: tuple[tuple[int, ...], ...] | None = None
    if ballot_pts is not None:
        pl = ballot_pts.tolist()
        plist: list[tuple[int, ...]] = [tuple(pl[a:b]) for a, b in pairwise(edges)]
        plist.extend([()] * (num_voters - n_listed))
        points_t = tuple(plist)
    profile = cls(kind, tuple(ballots), points_t)
    profile._cache[("rows",)] = (voter, proj, ballot_pts)
    return profile
