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
insists on :data:`ESSENTIAL_META_KEYS` for sources that are known to be sloppier.  The reader is
lenient where real files are: declared ``num_projects``/``num_votes`` and project ``votes``
that differ from a recount are kept as written (they differ by 1 to 3 in some files) and reported
in ``PabulibElection.warnings``; unknown META keys and extra columns are kept verbatim.
"""

ESSENTIAL_META_KEYS: tuple[str, ...] = ("budget", "vote_type")
"""The keys without which a file cannot be tallied at all."""


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
        """The declared number of votes, if given and numeric."""
        v = self.fields.get("votes")
        try:
            return None if v is None else int(Decimal(v))
        except ArithmeticError:
            return None

    @property
    def selected(self) -> int | None:
        """The file's own outcome: 1 funded, 0 not, 2/3 special funds (None if absent)."""
        v = self.fields.get("selected")
        try:
            return None if v is None else int(Decimal(v))
        except ArithmeticError:
            return None


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
