"""Paper ballots: two officers enter each sheet independently; it counts once they agree.

A sheet's voter is identified by the account with the given email if there is one (so an
online voter cannot also be counted on paper, and vice versa) or by a keyed hash of the
reference (email or identity number) the officer read from the sheet.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budgeting import phases
from budgeting.models import (
    BudgetRound,
    Channel,
    DistrictBudget,
    PaperBallotEntry,
    PaperBallotSheet,
    PaperSheetStatus,
    Participation,
)
from budgeting.phases import Action
from budgeting.services import ballot_box
from budgeting.services import live_updates as live
from budgeting.services.voting import (
    ballot_check,
    participation_insert,
    seal_valid_ballot,
    voter_key_for_reference,
    voter_key_for_user,
)
from engagement.people import permissions
from engagement.people.models import User


def paper_voter_key(reference: str) -> str:
    reference = reference.strip()
    if not reference:
        raise ValidationError(
            {
                "voter_reference": ValidationError(
                    _("Copy the voter's email or identity number from the sheet."), code="required"
                )
            }
        )
    user_id = (
        User.objects.filter(email__iexact=reference).values_list("pk", flat=True).first()
        if "@" in reference
        else None
    )
    return voter_key_for_user(user_id) if user_id else voter_key_for_reference(reference)


def require_officer(officer: Any, budget_round: BudgetRound) -> None:
    if not permissions.can_enter_paper_ballots(officer, budget_round.organisation):
        raise PermissionDenied(_("Only officers of this organisation can enter paper ballots."))


@transaction.atomic
def paper_entry_submit(
    *,
    officer: Any,
    budget_round: BudgetRound,
    district_budget: DistrictBudget,
    serial: str,
    voter_reference: str,
    projects: list[str],
    points: list[int] | None = None,
) -> PaperBallotSheet:
    """Record one officer's reading of a sheet and count it when two readings agree."""
    require_officer(officer, budget_round)
    if not phases.allows(budget_round.phase, Action.ENTER_PAPER):
        raise ValidationError(
            {
                "phase": ValidationError(
                    _("Paper ballots are entered during voting and tallying."), code="wrong_phase"
                )
            }
        )
    if district_budget.round_id != budget_round.pk:
        raise ValidationError(
            {"district": ValidationError(_("Not a district of this round."), code="wrong_round")}
        )
    serial = serial.strip()
    if not serial:
        raise ValidationError(
            {"serial": ValidationError(_("Enter the sheet's serial number."), code="required")}
        )
    valid = ballot_check(budget_round, district_budget, projects, points)
    voter_key = paper_voter_key(voter_reference)

    sheet, _created = PaperBallotSheet.objects.select_for_update().get_or_create(
        district_budget=district_budget, serial=serial, defaults={"voter_key": voter_key}
    )
    if sheet.status in (PaperSheetStatus.COUNTED, PaperSheetStatus.DUPLICATE_VOTER):
        raise ValidationError(
            {
                "serial": ValidationError(
                    _("This sheet has already been decided."), code="sheet_decided"
                )
            }
        )
    try:
        with transaction.atomic():
            PaperBallotEntry.objects.create(
                sheet=sheet,
                entered_by=officer,
                voter_key=voter_key,
                sealed_ballot=seal_valid_ballot(budget_round, district_budget, valid),
            )
    except IntegrityError:
        raise ValidationError(
            {
                "serial": ValidationError(
                    _("You already entered this sheet; another officer must enter it too."),
                    code="same_officer",
                )
            }
        ) from None
    live.publish_paper_progress(budget_round)

    entries = list(sheet.entries.order_by("created_at"))
    if len(entries) < 2:
        return sheet
    readings = [(e.voter_key, paper_entry_choices(e)) for e in entries]
    agreeing = [reading for reading in readings[:-1] if reading == readings[-1]]
    if not agreeing:
        sheet.status = PaperSheetStatus.CONFLICT
        sheet.save(update_fields=["status"])
        return sheet
    _count_sheet(budget_round, district_budget, sheet, valid, voter_key)
    return sheet


def _count_sheet(budget_round, district_budget, sheet, valid, voter_key) -> None:  # type: ignore[no-untyped-def]
    participation_id = participation_insert(
        budget_round=budget_round,
        district_budget=district_budget,
        voter_id=int(voter_key.split(":", 1)[1]) if voter_key.startswith("user:") else None,
        voter_key=voter_key,
        channel=Channel.PAPER,
        seal="",
        sealed_ballot=seal_valid_ballot(budget_round, district_budget, valid),
    )
    sheet.voter_key = voter_key
    sheet.resolved_at = timezone.now()
    if participation_id is None:
        sheet.status = PaperSheetStatus.DUPLICATE_VOTER
    else:
        sheet.status = PaperSheetStatus.COUNTED
        live.publish_ballots_changed(budget_round)
    sheet.save(update_fields=["status", "voter_key", "resolved_at"])


def paper_entry_choices(entry: PaperBallotEntry) -> tuple[tuple[int, ...], tuple[int, ...] | None]:
    """What an officer read on a sheet (project primary keys, points), for comparing the
    readings and showing disagreeing ones to officers; nothing once the box is opened."""
    if entry.sealed_ballot is None:
        return (), None
    content = ballot_box.unseal(entry.sheet.district_budget, entry.sealed_ballot)
    return content.projects, content.points


def paper_progress(budget_round: BudgetRound) -> dict[str, int]:
    """Sheets by status, and paper ballots counted, for the staff dashboard."""
    counts = dict.fromkeys(PaperSheetStatus.values, 0)
    for status in PaperBallotSheet.objects.filter(district_budget__round=budget_round).values_list(
        "status", flat=True
    ):
        counts[status] += 1
    counts["paper_ballots"] = Participation.objects.filter(
        round=budget_round, channel=Channel.PAPER
    ).count()
    return counts
