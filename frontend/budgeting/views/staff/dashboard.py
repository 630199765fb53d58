"""A round's dashboard: turnout per budget and channel and ballots over time, updated live."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from budgeting.live import topics as live
from budgeting.models import BudgetRound
from budgeting.services import live_updates
from engagement.people import permissions
from frontend.budgeting.views.staff.common import PHASE_EFFECTS, round_context, round_page
from frontend.staff_access import link
from surveys.models import SurveyPurpose
from surveys.permissions import current_state
from surveys.selectors import surveys_for_round

# The round's surveys in the cycle, each with the built-in template staff may start from.
CYCLE_SURVEYS = (
    (SurveyPurpose.NEEDS_ASSESSMENT, "needs_assessment"),
    (SurveyPurpose.EVALUATION, "evaluation"),
)


def dashboard_state(budget_round: BudgetRound) -> dict[str, Any]:
    """The ``round:<slug>:dashboard`` topic's own snapshot, so the page starts from exactly
    what the pushes then update."""
    state = live.dashboard_snapshot(budget_round.slug)
    for point in state["timeline"]:
        point["moment"] = datetime.fromisoformat(point["at"])
    return state


def chart_bars(
    timeline: list[dict[str, Any]], width: int = 600, height: int = 160
) -> dict[str, Any]:
    """SVG bar geometry for the turnout chart (the same drawing staff.js redraws)."""
    peak = max((p["ballots"] for p in timeline), default=0) or 1
    # At least 24 slots, so a few early bars stay bars rather than filling the chart.
    slot = width / max(len(timeline), 24)
    bars = []
    for index, point in enumerate(timeline):
        bar_height = round(height * point["ballots"] / peak, 1)
        bars.append(
            {
                "x": round(index * slot + slot * 0.1, 1),
                "y": round(height - bar_height, 1),
                "width": round(slot * 0.8, 1),
                "height": bar_height,
                **point,
            }
        )
    return {"bars": bars, "width": width, "height": height, "peak": peak}


def cycle_survey_boxes(request: HttpRequest, budget_round: BudgetRound) -> list[dict[str, Any]]:
    """The round's needs-assessment and evaluation surveys (drafts too), and for
    administrators a link to start one from the built-in template."""
    linked: dict[str, list[dict[str, Any]]] = {purpose: [] for purpose, _key in CYCLE_SURVEYS}
    for survey in surveys_for_round(budget_round.pk, include_drafts=True):
        if survey.purpose in linked:
            linked[survey.purpose].append(
                {
                    "survey": survey,
                    "state": current_state(survey),
                    "url": reverse("frontend:staff_survey", args=[survey.slug]),
                }
            )
    admin = permissions.can_manage_organisation(request.user, budget_round.organisation)
    # The survey builder's new-survey page, which starts from ?template= linked to ?round=.
    new_survey = reverse("frontend:staff_survey_new") if admin else None
    return [
        {
            "purpose": purpose,
            "label": SurveyPurpose(purpose).label,
            "surveys": linked[purpose],
            "create_url": f"{new_survey}?{urlencode({'round': budget_round.slug, 'template': key})}"
            if new_survey
            else None,
        }
        for purpose, key in CYCLE_SURVEYS
    ]


@round_page(permissions.is_staff_of)
def staff_round(request: HttpRequest, budget_round: BudgetRound) -> HttpResponse:
    """The round at a glance, updated live for the organisation's staff."""
    state = dashboard_state(budget_round)
    budgets = list(budget_round.districts.order_by("position", "key"))
    district_rows = [{"budget": d, "turnout": state["districts"].get(d.key, {})} for d in budgets]
    return render(
        request,
        "frontend/staff/round.html",
        round_context(
            request,
            budget_round,
            "staff_round",
            page_title=budget_round.title,
            state=state,
            district_rows=district_rows,
            chart=chart_bars(state["timeline"]),
            total_budget=sum(d.budget for d in budgets),
            live_topic=live_updates.dashboard_topic(budget_round.slug),
            phase_effect=PHASE_EFFECTS[budget_round.phase],
            next_scheduled=budget_round.schedule.filter(done_at__isnull=True)
            .order_by("starts_at")
            .first(),
            cycle_surveys=cycle_survey_boxes(request, budget_round),
            queue_links={
                "review": link("staff_review_queue", budget_round.organisation.slug),
                "moderation": link("staff_moderation", budget_round.organisation.slug),
                "paper": link("staff_paper", budget_round.slug),
            },
        ),
    )
