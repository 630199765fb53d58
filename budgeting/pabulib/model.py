"""Data classes for a pabulib election (the ``.pb`` file format, https://pabulib.org/format)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

VOTE_TYPES: tuple[str, ...] = ("approval", "choose-1", "cumulative", "ordinal", "scoring")
"""Vote types pabulib defines.  ``scoring`` is read and written, but no Kopa rule tallies it."""

POINTS_VOTE_TYPES: frozenset[str] = frozenset({"cumulative", "scoring"})
"""Vote types whose ``points`` column is part of the ballot (elsewhere it is an extra column)."""

REQUIRED_META_KEYS: tuple[str, ...] = (
    "description",
    "country",
    "unit",
    "instance",
    "num_projects",
    "num_votes",
    "budget",
    "vote_type",
    "rule",
    "date_begin",
    "date_end",
    "currency",
)
"""META keys a file must have.

These twelve are present in every one of the 25 shared real elections (checked key by key) and
listed as always present by the format; nothing weaker is seen in practice, so the reader
rejects a file missing any of them by default.  ``read_pabulib(..., strict_meta=False)`` only
insists on :data:`ESSENTIAL_META_KEYS` for sources that are known to be sloppier.  Unknown
META keys and extra columns are kept verbatim.  Declared ``num_projects``/``num_votes`` and
project ``votes`` that differ from the rows are refused, since a cut file looks exactly like
that, unless the caller accepts the mismatch (``accept_count_mismatch=True``; project ``votes``
off by 1 to 3 from a recount are known in published files); each accepted mismatch is reported
in ``PabulibElection.warnings``.
"""

ESSENTIAL_META_KEYS: tuple[str, ...] = ("budget", "vote_type")
"""The keys without which a file cannot be tallied at all."""

# Bounds on what a file may declare or hold.  The 89 shared real elections reach 175 projects,
# 78,082 ballots, a budget of 10^9 (forints) and 10 points; each bound is far above that, and
# a value past it is refused rather than stored or tallied.
MAX_PROJECTS = 10_000
"""Projects in one file: 57 times the largest real file (175), 20 times the 500-project round
the page targets are measured on, and inside the small-integer ballot limits of a round."""

MAX_VOTES = 1_000_000
"""Ballots in one file: the 1M-ballot round of the design's results target, 12.8 times the
largest real file (78,082), and about 30 s of import at the measured speed (the import
target)."""

MAX_AMOUNT = 10**12
"""A budget or cost in currency units: 1,000 times the largest real budget; in minor units
(10^14) even the sum of MAX_PROJECTS such costs fits a 64-bit integer."""

MAX_POINTS = 1_000_000
"""Points one voter gives one project (cumulative, scoring); real files give at most 10."""

MAX_META_KEYS = 1_000
"""META rows (real files have at most 21)."""


@dataclass(frozen=True, slots=True)
class PabulibProject:
    """One row of PROJECTS.  ``fields`` holds the other columns by name (``None`` = missing)."""

    project_id: str
    cost: Decimal
    categories: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    fields: dict[str, str | None] = field(default_factory=dict)

    @property
    def name(self) -> str | None:
        return self.fields.get("name")

    @property
    def votes(self) -> int | None:
        """The declared number of votes, if given and a whole number from 0 to MAX_VOTES."""
        return whole_number(self.fields.get("votes"), 0, MAX_VOTES)

    @property
    def selected(self) -> int | None:
        """The file's own outcome: 1 funded, 0 not, 2/3 special funds (None if absent)."""
        return whole_number(self.fields.get("selected"), -1_000, 1_000)


@dataclass(frozen=True, slots=True)
class PabulibVote:
    """One row of VOTES: the projects in ballot order, points for cumulative/scoring ballots.

    A project named twice in a ballot is already resolved the way pabutools resolves it:
    approval/choose-1 and ordinal keep the first mention, cumulative/scoring keep the position of
    the first mention with the last points given.
    """

    voter_id: str
    projects: tuple[str, ...]
    points: tuple[int, ...] | None = None
    extra: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class PabulibElection:
    """A whole ``.pb`` file.  ``meta`` keeps every META value as written (stripped)."""

    meta: dict[str, str]
    projects: tuple[PabulibProject, ...]
    votes: tuple[PabulibVote, ...]
    project_columns: tuple[str, ...] = ("project_id", "cost")
    vote_columns: tuple[str, ...] = ("voter_id", "vote")
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def vote_type(self) -> str:
        return self.meta["vote_type"]

    @property
    def budget(self) -> Decimal:
        return parse_amount(self.meta["budget"])

    @property
    def currency(self) -> str | None:
        return self.meta.get("currency")

    def project(self, project_id: str) -> PabulibProject:
        for p in self.projects:
            if p.project_id == project_id:
                return p
        raise KeyError(project_id)


def whole_number(text: str | None, low: int, high: int) -> int | None:
    """``text`` as an int if it is a whole number from ``low`` to ``high``, else None.

    The range is checked before ``int()``, which would build a billion-digit number from
    ``1e999999999``.
    """
    if text is None:
        return None
    try:
        value = Decimal(text)
        if not value.is_finite() or not low <= value <= high:
            return None
        if value != value.to_integral_value():
            return None
    except ArithmeticError:
        return None
    return int(value)


def parse_amount(text: str) -> Decimal:
    """A cost or budget as an exact Decimal (``10000.0``, ``1,5`` as pabutools reads it).

    Raises ``ValueError`` for text that is not a finite number.
    """
    s = text.strip().replace(",", ".")
    try:
        value = Decimal(s)
    except ArithmeticError:
        raise ValueError(f"not a number: {text!r}") from None
    if not value.is_finite():
        raise ValueError(f"not a finite number: {text!r}")
    return value
