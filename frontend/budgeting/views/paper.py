"""Paper ballots: double entry of each sheet by two officers, disagreements and their
resolution, and sheets whose voter had already voted.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from budgeting import phases
from budgeting.models import (
    BudgetRound,
    DistrictBudget,
    PaperBallotEntry,
    PaperBallotSheet,
    PaperSheetStatus,
    Project,
)
from budgeting.phases import Action as RoundAction
from budgeting.services import paper
from budgeting.services.voting import BALLOT_STATUSES
from engagement.people import permissions
from frontend.budgeting.forms.paper import PaperEntryForm
from frontend.service_errors import add_service_errors
from frontend.staff_access import link, require, signed_in, staff_crumbs

PAPER_LIST_LIMIT = 100


def _officer_round(request: HttpRequest, slug: str) -> BudgetRound:
    budget_round = get_object_or_404(BudgetRound.objects.select_related("organisation"), slug=slug)
    require(
        request,
        permissions.can_enter_paper_ballots(request.user, budget_round.organisation),
        _("Only officers of this organisation can enter paper ballots."),
    )
    return budget_round


SHEET_MESSAGES = {
    PaperSheetStatus.AWAITING_SECOND_ENTRY: (
        messages.SUCCESS,
        gettext_lazy("Sheet %(serial)s saved. It now needs a second entry by another officer."),
    ),
    PaperSheetStatus.COUNTED: (
        messages.SUCCESS,
        gettext_lazy("Sheet %(serial)s counted: both entries agree."),
    ),
    PaperSheetStatus.CONFLICT: (
        messages.WARNING,
        gettext_lazy(
            "Sheet %(serial)s: the entries disagree. It is listed under disagreements for an"
            " officer who has not entered it to resolve."
        ),
    ),
    PaperSheetStatus.DUPLICATE_VOTER: (
        messages.ERROR,
        gettext_lazy(
            "Sheet %(serial)s is not counted: this voter has already voted (online or on"
            " another sheet)."
        ),
    ),
}


@require_http_methods(["GET", "POST"])
def paper_entry(request: HttpRequest, slug: str) -> HttpResponse:
    if (response := signed_in(request)) is not None:
        return response
    budget_round = _officer_round(request, slug)
    organisation = budget_round.organisation
    budgets = list(DistrictBudget.objects.filter(round=budget_round))
    key = request.POST.get("district") or request.GET.get("district")
    district_budget = next((b for b in budgets if b.key == key), budgets[0] if budgets else None)
    entry_open = phases.allows(budget_round.phase, RoundAction.ENTER_PAPER)
    form = None
    status = 200
    if district_budget is not None:
        projects = list(
            Project.objects.filter(
                district_budget=district_budget, status__in=BALLOT_STATUSES
            ).order_by("external_id")
        )
        form_args = {
            "budget_round": budget_round,
            "district_budget": district_budget,
            "projects": projects,
        }
        if request.method == "POST":
            form = PaperEntryForm(request.POST, **form_args)
            if key and key != district_budget.key:
                # Never file a sheet under another ballot than the one the officer saw.
                form.is_valid()
                form.add_error(None, _("This round has no district %(key)s.") % {"key": key})
                sheet = None
            else:
                sheet = _submit_sheet(request, budget_round, district_budget, form)
            if sheet is not None:
                level, text = SHEET_MESSAGES[sheet.status]
                messages.add_message(request, level, text % {"serial": sheet.serial})
                return redirect(
                    reverse("frontend:staff_paper", args=[budget_round.slug])
                    + f"?district={district_budget.key}"
                )
            status = 400
        else:
            serial = request.GET.get("serial", "")
            form = PaperEntryForm(initial={"serial": serial}, **form_args)
            if serial:
                # Coming from a waiting or disputed sheet: the number is there, type the voter.
                form.fields["serial"].widget.attrs.pop("autofocus", None)
                form.fields["voter_reference"].widget.attrs["autofocus"] = True
    progress = paper.paper_progress(budget_round)
    return render(
        request,
        "frontend/staff/queues/paper.html",
        {
            "organisation": organisation,
            "round": budget_round,
            "budgets": budgets,
            "district_budget": district_budget,
            "form": form,
            "entry_open": entry_open,
            "progress": progress,
            "sheet_total": sum(progress[s] for s in PaperSheetStatus.values),
            **_paper_lists(request, budget_round),
            "crumbs": staff_crumbs(
                organisation,
                (budget_round.title, link("staff_round", budget_round.slug)),
                (_("Paper ballots"), None),
            ),
        },
        status=status,
    )


def _submit_sheet(
    request: HttpRequest,
    budget_round: BudgetRound,
    district_budget: DistrictBudget,
    form: PaperEntryForm,
) -> PaperBallotSheet | None:
    if not form.is_valid():
        return None
    projects, points = form.ballot()
    try:
        return paper.paper_entry_submit(
            officer=request.user,
            budget_round=budget_round,
            district_budget=district_budget,
            serial=form.cleaned_data["serial"],
            voter_reference=form.cleaned_data["voter_reference"],
            projects=projects,
            points=points,
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def _paper_lists(request: HttpRequest, budget_round: BudgetRound) -> dict[str, Any]:
    """Sheets awaiting a second entry (for this officer, and by this officer), disagreements
    side by side, and sheets whose voter had already voted."""
    entries = Prefetch(
        "entries", PaperBallotEntry.objects.select_related("entered_by").order_by("created_at")
    )
    sheets = (
        PaperBallotSheet.objects.filter(district_budget__round=budget_round)
        .select_related("district_budget")
        .order_by("created_at", "id")
    )
    awaiting = sheets.filter(status=PaperSheetStatus.AWAITING_SECOND_ENTRY)
    mine = Q(entries__entered_by=request.user)
    for_me = list(awaiting.exclude(mine).prefetch_related(entries)[:PAPER_LIST_LIMIT])
    by_me = list(awaiting.filter(mine).prefetch_related(entries)[:PAPER_LIST_LIMIT])
    conflicts = list(
        sheets.filter(status=PaperSheetStatus.CONFLICT).prefetch_related(entries)[:PAPER_LIST_LIMIT]
    )
    duplicates = list(sheets.filter(status=PaperSheetStatus.DUPLICATE_VOTER)[:PAPER_LIST_LIMIT])
    if conflicts:
        facts = {
            pk: (external_id, title)
            for pk, external_id, title in Project.objects.filter(round=budget_round).values_list(
                "pk", "external_id", "title"
            )
        }
        for sheet in conflicts:
            voters: dict[str, str] = {}
            for entry in sheet.entries.all():
                letter = voters.setdefault(entry.voter_key, chr(ord("A") + len(voters)))
                entry.voter_label = letter
                entry.mine = entry.entered_by_id == request.user.pk
                projects, points = paper.paper_entry_choices(entry)
                entry.choices = [
                    {
                        "id": facts.get(pk, ("?", ""))[0],
                        "title": facts.get(pk, ("?", ""))[1],
                        "points": n,
                    }
                    for pk, n in zip(projects, points or [None] * len(projects), strict=False)
                ]
            sheet.entered_by_me = any(e.mine for e in sheet.entries.all())
    return {
        "awaiting_for_me": for_me,
        "awaiting_by_me": by_me,
        "conflicts": conflicts,
        "duplicates": duplicates,
    }
