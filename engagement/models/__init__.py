from engagement.models.organisations import (
    COUNTRIES,
    CURRENCIES,
    District,
    Membership,
    Organisation,
    Residence,
    Role,
)
from engagement.models.users import ResidentProfile, TargetGroup, User

__all__ = [
    "COUNTRIES",
    "CURRENCIES",
    "District",
    "Membership",
    "Organisation",
    "Residence",
    "ResidentProfile",
    "Role",
    "TargetGroup",
    "User",
]
from engagement.models.notifications import (
    EmailDelivery,
    EmailDigest,
    EventGroup,
    Notification,
    NotificationPreference,
)

__all__ += ["EmailDelivery", "EmailDigest", "EventGroup", "Notification", "NotificationPreference"]
from engagement.models.ideas import (  # noqa: E402
    Comment,
    Follow,
    Idea,
    IdeaImage,
    IdeaStatus,
    Support,
)
from engagement.models.moderation import (  # noqa: E402
    ModerationAction,
    ModerationLog,
    Report,
    ReportReason,
    ReportStatus,
)
from engagement.models.processes import (  # noqa: E402
    CollectionPhase,
    ParticipatoryProcess,
    ProcessKind,
)

__all__ += [
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
