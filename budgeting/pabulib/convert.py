"""From a pabulib election to the tally's integer types."""

from __future__ import annotations

from decimal import Decimal

from budgeting.pabulib.model import MAX_AMOUNT, PabulibElection
from budgeting.tally.types import Instance, Kind, Profile

MINOR_UNITS = 100
"""Minor units per currency unit used for ``.pb`` amounts (cents, grosze, fillér)."""

_KINDS: dict[str, Kind] = {
    "approval": "approval",
    "choose-1": "choose-1",
    "cumulative": "cumulative",
    "ordinal": "ordinal",
}


_CENT = Decimal("0.01")


def to_minor_units(amount: Decimal, what: str) -> int:
    """``amount`` (currency units) times 100 as an int; ValueError if that is not whole or
    ``amount`` is beyond ±MAX_AMOUNT.

    The bound comes first: it keeps the rounding below exact (at most 17 digits, well inside
    Decimal's 28) and ``int()`` cheap.
    """
    # comparisons, not abs(): Decimal arithmetic overflows on 1e999999999, comparing does not
    if not amount.is_finite() or not -MAX_AMOUNT <= amount <= MAX_AMOUNT:
        raise ValueError(f"{what} {amount} is more than {MAX_AMOUNT:,}")
    cents = amount.quantize(_CENT)
    if cents != amount:
        raise ValueError(f"{what} {amount} has more than 2 decimals")
    return int(cents * MINOR_UNITS)


def to_tally_input(election: PabulibElection) -> tuple[Instance, Profile]:
    """The election as an :class:`Instance` (amounts in hundredths, ``unit=100``) and a
    :class:`Profile` (ballots as project indices, in file order).

    Scaling by 100 changes no decision of any rule (every rule compares ratios or sums of
    amounts), and ``unit=100`` keeps Add1's step at one currency unit, as in pabutools.
    """
    kind = _KINDS.get(election.vote_type)
    if kind is None:
        raise ValueError(f"vote_type {election.vote_type!r} cannot be tallied")
    ids = tuple(p.project_id for p in election.projects)
    costs = tuple(
        to_minor_units(p.cost, f"cost of project {p.project_id!r}") for p in election.projects
    )
    budget = to_minor_units(election.budget, "budget")
    instance = Instance(budget=budget, project_ids=ids, costs=costs, unit=MINOR_UNITS)
    index = {p: i for i, p in enumerate(ids)}
    ballots = tuple(tuple(index[p] for p in v.projects) for v in election.votes)
    points = None
    if kind == "cumulative":
        points = tuple(v.points or () for v in election.votes)
    return instance, Profile(kind, ballots, points)
