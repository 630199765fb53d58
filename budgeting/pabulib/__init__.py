"""Pure reader and writer for pabulib ``.pb`` files (no Django)."""

from budgeting.pabulib.convert import MINOR_UNITS, to_minor_units, to_tally_input
from budgeting.pabulib.model import (
    ESSENTIAL_META_KEYS,
    MAX_AMOUNT,
    MAX_POINTS,
    MAX_PROJECTS,
    MAX_VOTES,
    REQUIRED_META_KEYS,
    VOTE_TYPES,
    PabulibElection,
    PabulibProject,
    PabulibVote,
    parse_amount,
)
from budgeting.pabulib.reader import (
    MetaRecord,
    PabulibCountMismatch,
    PabulibFormatError,
    PabulibStream,
    ProjectRecord,
    Record,
    SectionRecord,
    VoteRecord,
    iter_pabulib,
    read_pabulib,
)
from budgeting.pabulib.writer import dumps_pabulib, write_pabulib

__all__ = [
    "ESSENTIAL_META_KEYS",
    "MAX_AMOUNT",
    "MAX_POINTS",
    "MAX_PROJECTS",
    "MAX_VOTES",
    "MINOR_UNITS",
    "REQUIRED_META_KEYS",
    "VOTE_TYPES",
    "MetaRecord",
    "PabulibCountMismatch",
    "PabulibElection",
    "PabulibFormatError",
    "PabulibProject",
    "PabulibStream",
    "PabulibVote",
    "ProjectRecord",
    "Record",
    "SectionRecord",
    "VoteRecord",
    "dumps_pabulib",
    "iter_pabulib",
    "parse_amount",
    "read_pabulib",
    "to_minor_units",
    "to_tally_input",
    "write_pabulib",
]
