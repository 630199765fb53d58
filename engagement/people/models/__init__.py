"""People and the organisations they act for: accounts, residence, staff roles."""

from engagement.people.models.organisations import (
    COUNTRIES,
    District,
    Membership,
    Organisation,
    Residence,
    Role,
)
from engagement.people.models.users import ResidentProfile, TargetGroup, User

__all__ = [
    "COUNTRIES",
    "District",
    "Membership",
    "Organisation",
    "Residence",
    "ResidentProfile",
    "Role",
    "TargetGroup",
    "User",
]
