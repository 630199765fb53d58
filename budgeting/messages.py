"""Translated, human messages for the stable codes of ballot validation and eligibility."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

BALLOT_MESSAGES = {
    "empty_ballot": _("Choose at least one project."),
    "too_few_projects": _("Choose at least %(minimum)s projects (you chose %(count)s)."),
    "too_many_projects": _("Choose at most %(maximum)s projects (you chose %(count)s)."),
    "unknown_project": _("There is no project %(project)s in this round."),
    "wrong_district": _("Project %(project)s belongs to another district's ballot."),
    "not_on_ballot": _("Project %(project)s is not on the ballot."),
    "duplicate_project": _("Project %(project)s is chosen twice."),
    "duplicate_rank": _("Project %(project)s is ranked twice."),
    "over_budget": _(
        "Your choices cost %(total)s, which is %(over_by)s over the budget of %(budget)s."
    ),
    "under_min_spend": _("Your choices must cost at least %(minimum)s (they cost %(total)s)."),
    "points_required": _("Give points to the projects you choose."),
    "points_not_allowed": _("This ballot does not use points."),
    "points_length_mismatch": _("Give exactly one number of points per chosen project."),
    "points_not_positive": _("Points must be whole numbers above zero."),
    "over_points_budget": _("You gave %(total)s points; you have %(maximum)s."),
    "over_project_points_cap": _("A project can get at most %(maximum)s points."),
}

ELIGIBILITY_MESSAGES = {
    "not_signed_in": _("Sign in to vote."),
    "email_not_verified": _("Confirm your email address before voting."),
    "age_unknown": _("This vote has a minimum age; add your birth year to your profile."),
    "too_young": _("You are below the minimum age for this vote."),
    "residence_unknown": _("This district's vote is for its residents; set your district."),
    "not_resident": _("This district's vote is for its residents only."),
}


RECEIPT_FORMAT_MESSAGE = _(
    "A receipt code has 16 letters and digits, written in groups of four like "
    "ABCD-EFGH-JKLM-NPQR. Check the code and try again."
)


def ballot_message(code: str, params: dict[str, Any] | None = None) -> str:
    template = BALLOT_MESSAGES.get(code, code)
    return str(template) % (params or {}) if params else str(template)


def eligibility_message(code: str) -> str:
    return str(ELIGIBILITY_MESSAGES.get(code, code))
