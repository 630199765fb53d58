"""The workshop feature's models: events with registration, and the live board."""

from workshops.models.board import BoardParticipant, Cluster, DotVote, Note, Prompt
from workshops.models.workshops import (
    AgendaItem,
    BoardStage,
    Registration,
    RegistrationStatus,
    Workshop,
    WorkshopFormat,
    WorkshopPhoto,
    WorkshopStatus,
)

__all__ = [
    "AgendaItem",
    "BoardParticipant",
    "BoardStage",
    "Cluster",
    "DotVote",
    "Note",
    "Prompt",
    "Registration",
    "RegistrationStatus",
    "Workshop",
    "WorkshopFormat",
    "WorkshopPhoto",
    "WorkshopStatus",
]
