"""Tally preview (every outcome rule side by side) and publishing the results."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from budgeting import phases, tasks
from budgeting.models import BudgetRound, DistrictBudget, OutcomeRule, Project, TallyResult
from budgeting.phases import Action
from budgeting.selectors import rounds as selectors
from budgeting.selectors.outcomes import project_outcomes, project_titles
from budgeting.services import ballot_box, reads, results
from budgeting.tally import natural_key
from engagement.people import permissions
from frontend.budgeting.forms.staff.common import choices_with_help
from frontend.budgeting.forms.staff.design import OUTCOME_RULE_HELP
from frontend.budgeting.forms.staff.tally import PublishForm, TallyForm
from frontend.budgeting.views.staff.common import round_context, round_page
from frontend.service_errors import add_service_errors
from frontend.staff_access import link

# Rounds with more ballots than this compute the rule comparison in Celery, not in the request.
BACKGROUND_TALLY_BALLOTS = 20_000
PENDING_SECONDS = 600


def _pending_key(budget_round: BudgetRound) -> str:
    return f"kopa-staff-tally-pending:{budget_round.pk}"


def _runs_by_rule(budget_round: BudgetRound) -> dict[str, list[TallyResult]]:
    """The newest stored run of each rule per district, in one query."""
    newest: dict[tuple[str, int], TallyResult] = {}
    for result in (
        TallyResult.objects.filter(district_budget__round=budget_round)
        .select_related("district_budget")
        .order_by("-computed_at", "-pk")
    ):
        newest.setdefault((result.rule, result.district_budget_id), result)
    runs: dict[str, list[TallyResult]] = {rule: [] for rule in OutcomeRule.values}
    for (rule, _district), result in newest.items():
        runs[rule].append(result)
    return runs


def rule_comparison_tables(
    budget_round: BudgetRound,
    runs: dict[str, list[TallyResult]],
    budgets: list[DistrictBudget],
) -> list[dict[str, Any]]:
    """Per district budget: projects by rules (funded or not), spent vs budget, and in words
    where the rules disagree; plus the per-project explanation of the round's own rule."""
    labels = {value: str(label) for value, label in OutcomeRule.choices}
    rules = [rule for rule in OutcomeRule.values if runs.get(rule)]
    by_district = {
        entry["district_budget"].pk: entry
        for entry in reads.rules_side_by_side({rule: runs[rule] for rule in rules})
    }
    projects: dict[int, list[Project]] = {}
    for project in Project.objects.filter(
        round=budget_round, status__in=results.COUNTED_STATUSES
    ).order_by("external_id"):
        projects.setdefault(project.district_budget_id, []).append(project)
    all_results = [r for rs in runs.values() for r in rs]
    titles = project_titles(all_results)
    tables = []
    for district_budget in budgets:
        entry = by_district.get(district_budget.pk)
        if entry is None:
            continue
        found: dict[str, TallyResult] = entry["results"]
        chosen = found.get(budget_round.outcome_rule)
        rows = []
        for project in sorted(
            projects.get(district_budget.pk, []),
            key=lambda p: natural_key(p.external_id),
        ):
            cells = [
                {"rule": rule, "selected": project.external_id in found[rule].selected}
                for rule in rules
                if rule in found
            ]
            differs = project.external_id in entry["disputed"]
            funded_by = [labels[c["rule"]] for c in cells if c["selected"]]
            not_by = [labels[c["rule"]] for c in cells if not c["selected"]]
            rows.append(
                {
                    "project": project,
                    "cells": cells,
                    "support": (chosen or next(iter(found.values()))).support.get(
                        project.external_id, 0
                    ),
                    "differs": differs,
                    "difference": (
                        _("Funded by: %(yes)s. Not funded by: %(no)s.")
                        % {"yes": ", ".join(funded_by), "no": ", ".join(not_by)}
                        if differs
                        else ""
                    ),
                }
            )
        columns = [
            {
                "rule": rule,
                "label": labels[rule],
                "spent": found[rule].spent,
                "budget": found[rule].budget,
                "count": len(found[rule].selected),
                "chosen": rule == budget_round.outcome_rule,
                "computed_at": found[rule].computed_at,
            }
            for rule in rules
            if rule in found
        ]
        outcomes = (
            project_outcomes(
                chosen,
                currency=budget_round.currency,
                counts_public=True,
                titles=titles.get(district_budget.pk, {}),
            )
            if chosen is not None
            else []
        )
        tables.append(
            {
                "district": district_budget,
                "columns": columns,
                "rows": rows,
                "differences": sum(1 for r in rows if r["differs"]),
                "ballot_count": next(iter(found.values())).ballot_count,
                "chosen": chosen,
                "outcomes": outcomes,
            }
        )
    return tables


@round_page(permissions.can_manage_organisation)
def staff_tally(request: HttpRequest, budget_round: BudgetRound) -> HttpResponse:
    """Run every outcome rule as a preview and compare them; nothing reaches residents."""
    can_run = phases.allows(budget_round.phase, Action.TALLY)
    status = 200
    form = TallyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_run:
            form.is_valid()
            form.add_error(
                None, _("The tally can be previewed once voting has closed (tallying phase).")
            )
            status = 400
        else:
            _run_comparison(request, budget_round)
            return redirect("frontend:staff_tally", budget_round.slug)
    pending_since = cache.get(_pending_key(budget_round))
    runs = _runs_by_rule(budget_round)
    if pending_since is not None:
        fresh = all(
            runs.get(rule) and all(r.computed_at >= pending_since for r in runs[rule])
            for rule in OutcomeRule.values
        )
        if fresh:
            cache.delete(_pending_key(budget_round))
            pending_since = None
    budgets = list(budget_round.districts.order_by("position", "key"))
    return render(
        request,
        "frontend/staff/tally.html",
        round_context(
            request,
            budget_round,
            "staff_tally",
            page_title=_("Tally preview"),
            form=form,
            can_run=can_run,
            pending=pending_since is not None,
            tables=rule_comparison_tables(budget_round, runs, budgets),
            rule_help=choices_with_help(OutcomeRule.choices, OUTCOME_RULE_HELP),
            chosen_rule=budget_round.get_outcome_rule_display(),
        ),
        status=status,
    )


def _run_comparison(request: HttpRequest, budget_round: BudgetRound) -> None:
    """The API's comparison (every rule), in the request or, for big rounds, in Celery."""
    ballots = ballot_box.ballot_count(budget_round)
    if ballots > BACKGROUND_TALLY_BALLOTS and not settings.CELERY_TASK_ALWAYS_EAGER:
        cache.set(_pending_key(budget_round), timezone.now(), PENDING_SECONDS)
        for rule in OutcomeRule.values:
            tasks.tally_round.delay(budget_round.pk, rule)
        messages.info(
            request,
            _("The preview is being computed. This page refreshes until it is ready."),
        )
        return
    try:
        reads.rule_comparison(request.user, budget_round)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return
    messages.success(request, _("Every rule was run on the current ballots."))


# --- publish ------------------------------------------------------------------------------


@round_page(permissions.can_manage_organisation)
def staff_publish(request: HttpRequest, budget_round: BudgetRound) -> HttpResponse:
    """Confirm, then publish the round's rule outcome for everyone (cannot be undone)."""
    can_publish = phases.allows(budget_round.phase, Action.PUBLISH)
    status = 200
    form = PublishForm()
    if request.method == "POST":
        form = PublishForm(request.POST)
        if not can_publish:
            form.is_valid()
            form.add_error(None, _("Results are published from the tallying phase."))
        elif form.is_valid():
            try:
                results.results_publish(actor=request.user, budget_round=budget_round)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The results are published."))
                return redirect("frontend:staff_publish", budget_round.slug)
        status = 400
    published = selectors.published_results(budget_round)
    preview = []
    if not published:
        runs = _runs_by_rule(budget_round)
        budgets = list(budget_round.districts.order_by("position", "key"))
        preview = rule_comparison_tables(
            budget_round, {budget_round.outcome_rule: runs[budget_round.outcome_rule]}, budgets
        )
    titles = project_titles(published)
    published_tables = [
        {
            "result": result,
            "outcomes": project_outcomes(
                result,
                currency=budget_round.currency,
                counts_public=True,
                titles=titles.get(result.district_budget_id, {}),
            ),
        }
        for result in published
    ]
    return render(
        request,
        "frontend/staff/publish.html",
        round_context(
            request,
            budget_round,
            "staff_publish",
            page_title=_("Publish results"),
            form=form,
            can_publish=can_publish,
            published=published_tables,
            preview=preview,
            results_url=link("round_results", budget_round.slug),
            phase_url=reverse("frontend:staff_round_phase", args=[budget_round.slug]),
            chosen_rule=budget_round.get_outcome_rule_display(),
        ),
        status=status,
    )
