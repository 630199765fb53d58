"""The ideas feature's models: processes, ideas and their discussion, moderation."""

from engagement.ideas.models.ideas import Comment, Follow, Idea, IdeaImage, IdeaStatus, Support
from engagement.ideas.models.moderation import (
    ModerationAction,
    ModerationLog,
    Report,
    ReportReason,
    ReportStatus,
)
from engagement.ideas.models.processes import CollectionPhase, ParticipatoryProcess, ProcessKind

__all__ = [
    "CollectionPhase",
    "Comment",
    "Follow",
    "Idea",
    "IdeaImage",
    "IdeaStatus",
    "ModerationAction",
    "ModerationLog",
    "ParticipatoryProcess",
    "ProcessKind",
    "Report",
    "ReportReason",
    "ReportStatus",
    "Support",
]
