"""Translated, human messages for the stable codes of budgeting: ballot validation,
eligibility and second ballots. The one mapping from code to message, for the API and the
pages alike."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from budgeting.ballots import BallotError
from engagement.money import format_money
from engagement.people import eligibility

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

# Codes whose params are amounts of money, shown in the round's currency.
MONEY_CODES = frozenset({"over_budget", "under_min_spend"})

# Why a second ballot is refused (``budgeting.services.voting.ballot_conflict``).
CONFLICT_MESSAGES = {
    "already_voted": _("You have already voted in this district."),
    "voted_in_other_district": _("You have already voted in another district of this round."),
    "voted_on_paper": _("Your paper ballot for this district has already been counted."),
}

RECEIPT_FORMAT_MESSAGE = _(
    "A receipt code has 16 letters and digits, written in groups of four like "
    "ABCD-EFGH-JKLM-NPQR. Check the code and try again."
)
RECEIPT_REQUIRED_MESSAGE = _("This is a secret ballot: give your receipt code to change it.")


def ballot_message(code: str, params: dict[str, Any] | None = None) -> str:
    """The message of a ballot rule's code; ``params`` as in :func:`ballot_validation_error`
    (a page may name the project by its title instead of its id)."""
    template = BALLOT_MESSAGES.get(code, code)
    return str(template) % (params or {}) if params else str(template)


def ballot_validation_error(errors: list[BallotError], currency: str) -> ValidationError:
    """The rules' errors as field-level messages (``projects``, ``points``), each with its
    code and its params (amounts already written in ``currency``)."""
    by_field: dict[str, list[ValidationError]] = {}
    for error in errors:
        params = dict(error.params)
        if error.code in MONEY_CODES:
            params = {k: format_money(v, currency) for k, v in params.items()}
        by_field.setdefault(error.field, []).append(
            ValidationError(ballot_message(error.code, params), code=error.code, params=params)
        )
    return ValidationError(by_field)


def eligibility_message(code: str) -> str:
    """Why a person may not vote (worded once, in ``engagement.people.eligibility``)."""
    return eligibility.eligibility_message(code, eligibility.VOTE)


def eligibility_reasons(codes: Iterable[str]) -> list[dict[str, str]]:
    """Why a person may not vote, as the API and the pages list it: code and message."""
    return eligibility.eligibility_reasons(codes, eligibility.VOTE)


def conflict_message(code: str) -> str:
    """Why a second ballot is refused (``already_voted`` for a code it does not know)."""
    return str(CONFLICT_MESSAGES.get(code, CONFLICT_MESSAGES["already_voted"]))
