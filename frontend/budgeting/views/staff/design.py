"""A round's design: creating it, its settings and its district budgets.

Thin views: the forms read the page, ``budgeting.inputs`` converts and checks what the API
checks too, and the services of ``budgeting.services.rounds`` decide and write.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from budgeting import inputs, phases
from budgeting.models import (
    BallotFormat,
    BudgetRound,
    DistrictBudget,
    OutcomeRule,
    Project,
    TieBreak,
)
from budgeting.phases import Action
from budgeting.services import rounds
from engagement.people import permissions
from engagement.people.models import Organisation
from frontend.budgeting.forms.staff.common import choices_with_help
from frontend.budgeting.forms.staff.design import (
    BALLOT_FORMAT_HELP,
    OUTCOME_RULE_HELP,
    TIE_BREAK_HELP,
    DistrictBudgetAddForm,
    DistrictBudgetEditForm,
    RoundCreateForm,
    RoundForm,
)
from frontend.budgeting.views.staff.common import round_context, round_page
from frontend.service_errors import add_service_errors
from frontend.staff_access import staff_crumbs, staff_page


def _help_lists() -> dict[str, Any]:
    return {
        "format_help": choices_with_help(BallotFormat.choices, BALLOT_FORMAT_HELP),
        "rule_help": choices_with_help(OutcomeRule.choices, OUTCOME_RULE_HELP),
        "tie_help": choices_with_help(TieBreak.choices, TIE_BREAK_HELP),
    }


@staff_page(permissions.can_manage_organisation)
def staff_round_create(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """A new round in draft: its design and budgets, checked as the API checks them."""
    status = 200
    if request.method == "POST":
        form = RoundCreateForm(request.POST, organisation=organisation)
        budget_round = _create_round(request, form) if form.is_valid() else None
        if budget_round is not None:
            messages.success(
                request,
                _("The round “%(title)s” was created as a draft.") % {"title": budget_round.title},
            )
            return redirect("frontend:staff_round", budget_round.slug)
        status = 400
    else:
        form = RoundCreateForm(organisation=organisation)
    return render(
        request,
        "frontend/staff/round_form.html",
        {
            "organisation": organisation,
            "form": form,
            "creating": True,
            "page_title": _("New budget round"),
            "crumbs": staff_crumbs(organisation, (_("New budget round"), None)),
            **_help_lists(),
        },
        status=status,
    )


def _create_round(request: HttpRequest, form: RoundCreateForm) -> BudgetRound | None:
    data = form.create_data()
    try:
        inputs.round_settings(data)
        citywide, pairs = inputs.round_budgets(
            form.organisation, data.pop("citywide_budget", None), data.pop("district_budgets", [])
        )
        return rounds.round_create(
            actor=request.user,
            organisation=form.organisation,
            citywide_budget=citywide,
            district_budgets=pairs,
            **data,
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


@round_page(permissions.can_manage_organisation)
def staff_round_settings(request: HttpRequest, budget_round: BudgetRound) -> HttpResponse:
    """The round's design; settings that decide how votes count lock once voting opens."""
    organisation = budget_round.organisation
    status = 200
    if request.method == "POST":
        form = RoundForm(request.POST, organisation=organisation, budget_round=budget_round)
        if form.is_valid() and _update_round(request, form, budget_round):
            messages.success(request, _("The round's settings were saved."))
            return redirect("frontend:staff_round_settings", budget_round.slug)
        status = 400
        budget_round.refresh_from_db()  # a refused change must not show as saved
    else:
        form = RoundForm(organisation=organisation, budget_round=budget_round)
    return render(
        request,
        "frontend/staff/round_form.html",
        round_context(
            request,
            budget_round,
            "staff_round_settings",
            page_title=_("Settings"),
            form=form,
            creating=False,
            lock_reason=_lock_reason(budget_round) if form.locked else "",
            **_help_lists(),
        ),
        status=status,
    )


def _lock_reason(budget_round: BudgetRound) -> str:
    return _(
        "The round is in the %(phase)s phase. Settings that decide how votes count can only"
        " change before voting opens, so every voter plays by the same rules. Title,"
        " description and translations can still be corrected."
    ) % {"phase": budget_round.get_phase_display()}


def _update_round(request: HttpRequest, form: RoundForm, budget_round: BudgetRound) -> bool:
    data = form.settings_data()
    try:
        inputs.round_settings(data)
        rounds.round_update(actor=request.user, budget_round=budget_round, **data)
    except ValidationError as exc:
        if "phase" in getattr(exc, "error_dict", {}) and form.submitted_locked:
            for name in form.submitted_locked:
                form.add_error(name, _lock_reason(budget_round))
        else:
            add_service_errors(form, exc)
        return False
    return True


@round_page(permissions.can_manage_organisation)
def staff_round_districts(request: HttpRequest, budget_round: BudgetRound) -> HttpResponse:
    """The city-wide pot and district budgets: add, change, remove (before voting)."""
    status = 200
    add_form = DistrictBudgetAddForm(budget_round=budget_round)
    edit_forms = {}
    budgets = list(budget_round.districts.select_related("district").order_by("position", "key"))
    editable = phases.allows(budget_round.phase, Action.CONFIGURE)
    if request.method == "POST":
        action = request.POST.get("action", "")
        target = next((d for d in budgets if str(d.pk) == request.POST.get("budget_id")), None)
        if action == "add":
            add_form = DistrictBudgetAddForm(request.POST, budget_round=budget_round)
            if add_form.is_valid() and _add_budget(request, add_form, budget_round):
                messages.success(request, _("The budget was added."))
                return redirect("frontend:staff_round_districts", budget_round.slug)
        elif action == "edit" and target is not None:
            form = DistrictBudgetEditForm(request.POST, district_budget=target)
            edit_forms[target.pk] = form
            if form.is_valid() and _edit_budget(request, form, target):
                messages.success(request, _("“%(name)s” was saved.") % {"name": target.name})
                return redirect("frontend:staff_round_districts", budget_round.slug)
        elif action == "remove" and target is not None:
            try:
                rounds.district_budget_delete(actor=request.user, district_budget=target)
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("“%(name)s” was removed.") % {"name": target.name})
                return redirect("frontend:staff_round_districts", budget_round.slug)
        status = 400
        budgets = list(
            budget_round.districts.select_related("district").order_by("position", "key")
        )
    project_counts = dict(
        Project.objects.filter(round=budget_round)
        .values_list("district_budget_id")
        .annotate(n=Count("id"))
        .values_list("district_budget_id", "n")
    )
    rows = [
        {
            "budget": d,
            "form": edit_forms.get(d.pk) or DistrictBudgetEditForm(district_budget=d),
            "projects": project_counts.get(d.pk, 0),
        }
        for d in budgets
    ]
    return render(
        request,
        "frontend/staff/districts.html",
        round_context(
            request,
            budget_round,
            "staff_round_districts",
            page_title=_("Budgets and districts"),
            rows=rows,
            add_form=add_form,
            editable=editable,
            total=sum(d.budget for d in budgets),
            lock_reason="" if editable else _lock_reason(budget_round),
        ),
        status=status,
    )


def _amount(form: Any, field: str, currency: str) -> int | None:
    """A decimal amount in minor units, checked as the API checks amounts."""
    try:
        return inputs.amount_minor(form.cleaned_data[field], currency, field)
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(field, message)
        return None


def _add_budget(request: HttpRequest, form: Any, budget_round: BudgetRound) -> bool:
    amount = _amount(form, "budget", budget_round.currency)
    if amount is None:
        return False
    slug = form.cleaned_data["district"]
    district = None
    if slug:
        district = budget_round.organisation.districts.filter(slug=slug).first()
    name = form.cleaned_data["name"].strip() or (district.name if district else _("City-wide"))
    try:
        rounds.district_budget_create(
            actor=request.user,
            budget_round=budget_round,
            key=district.slug if district else "city",
            name=name,
            district=district,
            budget=amount,
            position=budget_round.districts.count() if district else 0,
        )
    except ValidationError as exc:
        add_service_errors(form, exc, {"key": "district"})
        return False
    return True


def _edit_budget(request: HttpRequest, form: Any, district_budget: DistrictBudget) -> bool:
    amount = _amount(form, "budget", district_budget.round.currency)
    if amount is None:
        return False
    try:
        rounds.district_budget_update(
            actor=request.user,
            district_budget=district_budget,
            name=form.cleaned_data["name"],
            budget=amount,
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    return True
