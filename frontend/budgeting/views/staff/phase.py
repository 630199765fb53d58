"""A round's phase and schedule: moving to the next phase (confirmed) and planning starts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from budgeting import phases
from budgeting.models import BudgetRound, Phase
from budgeting.services import rounds
from engagement.people import permissions
from frontend.budgeting.forms.staff.design import PhaseForm, ScheduleForm
from frontend.budgeting.views.staff.common import (
    IRREVERSIBLE,
    PHASE_EFFECTS,
    round_context,
    round_page,
)
from frontend.service_errors import add_service_errors


@round_page(permissions.can_manage_organisation)
def staff_round_phase(request: HttpRequest, budget_round: BudgetRound) -> HttpResponse:
    """The current phase, the moves allowed next (with a confirm step), and the schedule."""
    return _phase_page(request, budget_round)


def _schedule_initial(budget_round: BudgetRound) -> dict[str, datetime]:
    return {
        entry.phase: timezone.localtime(entry.starts_at)
        for entry in budget_round.schedule.all()
        if entry.done_at is None
    }


def _phase_page(request: HttpRequest, budget_round: BudgetRound) -> HttpResponse:
    status = 200
    phase_form = PhaseForm(budget_round=budget_round)
    schedule_form = ScheduleForm(budget_round=budget_round, initial=_schedule_initial(budget_round))
    target = request.GET.get("to", "")
    if request.method == "POST" and request.POST.get("action") == "schedule":
        schedule_form = ScheduleForm(
            request.POST, budget_round=budget_round, initial=_schedule_initial(budget_round)
        )
        if schedule_form.is_valid() and _save_schedule(request, schedule_form, budget_round):
            messages.success(request, _("The schedule was saved."))
            return redirect("frontend:staff_round_phase", budget_round.slug)
        status = 400
    elif request.method == "POST":
        phase_form = PhaseForm(request.POST, budget_round=budget_round)
        target = request.POST.get("to", "")
        if phase_form.is_valid():
            try:
                rounds.phase_advance(
                    actor=request.user,
                    budget_round=budget_round,
                    to_phase=phase_form.cleaned_data["to"],
                )
            except ValidationError as exc:
                add_service_errors(phase_form, exc, {"phase": "to"})
            else:
                messages.success(
                    request,
                    _("The round is now in the %(phase)s phase.")
                    % {"phase": budget_round.get_phase_display()},
                )
                return redirect("frontend:staff_round_phase", budget_round.slug)
        status = 400
    labels = dict(Phase.choices)
    allowed = phases.TRANSITIONS.get(budget_round.phase, ())
    confirm = None
    if target in allowed:
        confirm = {
            "phase": target,
            "label": labels[target],
            "effect": PHASE_EFFECTS[target],
            "irreversible": target in IRREVERSIBLE,
        }
    current_index = phases.ORDER.index(budget_round.phase)
    timeline = [
        {
            "phase": p,
            "label": labels[p],
            "current": p == budget_round.phase,
            "done": i < current_index,
        }
        for i, p in enumerate(phases.ORDER)
    ]
    schedule_rows = [
        {"field": schedule_form[p], "effect": PHASE_EFFECTS[p]} for p in schedule_form.phases
    ]
    done = [e for e in budget_round.schedule.all() if e.done_at is not None]
    return render(
        request,
        "frontend/staff/phase.html",
        round_context(
            request,
            budget_round,
            "staff_round_phase",
            page_title=_("Phase and schedule"),
            phase_form=phase_form,
            schedule_form=schedule_form,
            schedule_rows=schedule_rows,
            schedule_done=done,
            next_phases=[
                {
                    "phase": p,
                    "label": labels[p],
                    "effect": PHASE_EFFECTS[p],
                    "irreversible": p in IRREVERSIBLE,
                }
                for p in allowed
            ],
            current_effect=PHASE_EFFECTS[budget_round.phase],
            confirm=confirm,
            timeline=timeline,
            time_zone=budget_round.organisation.time_zone,
        ),
        status=status,
    )


def _save_schedule(request: HttpRequest, form: Any, budget_round: BudgetRound) -> bool:
    try:
        for phase in form.changed_data:
            rounds.phase_schedule_set(
                actor=request.user,
                budget_round=budget_round,
                phase=phase,
                starts_at=form.cleaned_data[phase],
            )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    return True
