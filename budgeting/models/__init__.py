"""The budgeting app's models: rounds and ballots, implementation tracking, live counts."""

from budgeting.models.implementation import (
    ImplementationImage,
    ImplementationStatus,
    ImplementationUpdate,
    ProjectFollow,
    ProjectImplementation,
)
from budgeting.models.live import (
    LiveTally,
    ParticipationRemoval,
    WithdrawnBallot,
)
from budgeting.models.rounds import (
    Ballot,
    BallotFormat,
    BudgetRound,
    Channel,
    DistrictBudget,
    OutcomeRule,
    PaperBallotEntry,
    PaperBallotSheet,
    PaperSheetStatus,
    Participation,
    Phase,
    PhaseSchedule,
    Project,
    ProjectStatus,
    TallyResult,
    TieBreak,
)

__all__ = [
    "Ballot",
    "BallotFormat",
    "BudgetRound",
    "Channel",
    "DistrictBudget",
    "ImplementationImage",
    "ImplementationStatus",
    "ImplementationUpdate",
    "LiveTally",
    "OutcomeRule",
    "PaperBallotEntry",
    "PaperBallotSheet",
    "PaperSheetStatus",
    "Participation",
    "ParticipationRemoval",
    "Phase",
    "PhaseSchedule",
    "Project",
    "ProjectFollow",
    "ProjectImplementation",
    "ProjectStatus",
    "TallyResult",
    "TieBreak",
    "WithdrawnBallot",
]
