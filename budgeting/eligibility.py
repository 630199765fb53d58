"""Who may vote in a district budget. Pure: facts in, reason codes out. No Django imports."""

from __future__ import annotations

from dataclasses import dataclass

REASONS = (
    "not_signed_in",
    "email_not_verified",
    "age_unknown",
    "too_young",
    "residence_unknown",
    "not_resident",
)


@dataclass(frozen=True)
class EligibilityRules:
    min_age: int | None
    residence_required: bool
    verified_email_required: bool


@dataclass(frozen=True)
class VoterFacts:
    signed_in: bool
    email_verified: bool
    birth_year: int | None
    residence_district_id: int | None


def ineligibility(
    rules: EligibilityRules, voter: VoterFacts, *, district_id: int | None, year: int
) -> list[str]:
    """Reasons the voter may not vote for ``district_id`` (``None``: city-wide) in ``year``.

    Only the birth year is stored, so age is the age reached during the voting year:
    someone turning 16 in the year of the vote may vote when the limit is 16.
    """
    if not voter.signed_in:
        return ["not_signed_in"]
    reasons = []
    if rules.verified_email_required and not voter.email_verified:
        reasons.append("email_not_verified")
    if rules.min_age is not None:
        if voter.birth_year is None:
            reasons.append("age_unknown")
        elif year - voter.birth_year < rules.min_age:
            reasons.append("too_young")
    if rules.residence_required and district_id is not None:
        if voter.residence_district_id is None:
            reasons.append("residence_unknown")
        elif voter.residence_district_id != district_id:
            reasons.append("not_resident")
    return reasons
