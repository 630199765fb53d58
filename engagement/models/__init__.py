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
