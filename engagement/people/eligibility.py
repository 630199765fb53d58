"""Who may take part: a round's vote, a survey. Pure rules — facts in, reason codes out —
and the one wording of each reason per activity (the API and the pages say the same)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

REASONS = (
    "not_signed_in",
    "email_not_verified",
    "age_unknown",
    "too_young",
    "residence_unknown",
    "not_resident",
)

# What is being refused: the same reason reads differently for a vote and for a survey.
VOTE = "vote"
SURVEY = "survey"

MESSAGES = {
    VOTE: {
        "not_signed_in": _("Sign in to vote."),
        "email_not_verified": _("Confirm your email address before voting."),
        "age_unknown": _("This vote has a minimum age; add your birth year to your profile."),
        "too_young": _("You are below the minimum age for this vote."),
        "residence_unknown": _("This district's vote is for its residents; set your district."),
        "not_resident": _("This district's vote is for its residents only."),
    },
    SURVEY: {
        "not_signed_in": _("Sign in to answer this survey."),
        "email_not_verified": _("Confirm your email address before answering this survey."),
        "age_unknown": _("This survey has a minimum age; add your birth year to your profile."),
        "too_young": _("You are below the minimum age for this survey."),
        "residence_unknown": _("This survey is for residents; add where you live to your profile."),
        "not_resident": _("This survey is for residents; add where you live to your profile."),
    },
}


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
    # Lives in the organisation (a residence, with or without a district).
    resident: bool = False


def _personal(rules: EligibilityRules, voter: VoterFacts, year: int) -> list[str]:
    reasons = []
    if rules.verified_email_required and not voter.email_verified:
        reasons.append("email_not_verified")
    if rules.min_age is not None:
        if voter.birth_year is None:
            reasons.append("age_unknown")
        elif year - voter.birth_year < rules.min_age:
            reasons.append("too_young")
    return reasons


def ineligibility(
    rules: EligibilityRules, voter: VoterFacts, *, district_id: int | None, year: int
) -> list[str]:
    """Reasons the voter may not vote for ``district_id`` (``None``: city-wide) in ``year``.

    Only the birth year is stored, so age is the age reached during the voting year:
    someone turning 16 in the year of the vote may vote when the limit is 16.
    """
    if not voter.signed_in:
        return ["not_signed_in"]
    reasons = _personal(rules, voter, year)
    if rules.residence_required and district_id is not None:
        if voter.residence_district_id is None:
            reasons.append("residence_unknown")
        elif voter.residence_district_id != district_id:
            reasons.append("not_resident")
    return reasons


def organisation_ineligibility(
    rules: EligibilityRules, person: VoterFacts, *, year: int
) -> list[str]:
    """Reasons ``person`` may not take part in something of the whole organisation (a
    survey) in ``year``: residence means living anywhere in it, district or not."""
    if not person.signed_in:
        return ["not_signed_in"]
    reasons = _personal(rules, person, year)
    if rules.residence_required and not (
        person.resident or person.residence_district_id is not None
    ):
        reasons.append("not_resident")
    return reasons


def eligibility_message(code: str, activity: str) -> str:
    """The wording of ``code`` for ``activity`` (:data:`VOTE`, :data:`SURVEY`)."""
    return str(MESSAGES[activity].get(code, code))


def eligibility_reasons(codes: Iterable[str], activity: str) -> list[dict[str, str]]:
    """Why a person may not take part, as the API and the pages list it: code and message."""
    return [{"code": code, "message": eligibility_message(code, activity)} for code in codes]
