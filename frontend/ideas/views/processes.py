"""An organisation's page (its idea collections and budget rounds, open, upcoming and past) and
a process's page (its phases and most supported ideas); where a process or round stands, also
counted for the front page (:func:`open_counts`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from budgeting.models import Phase
from budgeting.selectors import rounds as budget_selectors
from engagement.ideas import permissions as rules
from engagement.ideas import selectors
from engagement.ideas.models import CollectionPhase, ParticipatoryProcess, ProcessKind
from engagement.people.models import Organisation
from frontend.ideas.views.common import (
    breadcrumbs,
    districts_of,
    phase_label,
    process_context,
    process_crumbs,
    url_or_none,
)
from frontend.workshops.events import display as workshop_display
from surveys import permissions as survey_rules
from surveys import selectors as survey_selectors
from surveys.models import SurveyState

# Where a round or an idea collection stands, for the organisation page and the home page.
ROUND_STATES = {
    Phase.DRAFT: "upcoming",
    Phase.INFORMATION: "upcoming",
    # Residents already take part: they answer the round's needs-assessment survey.
    Phase.NEEDS_ASSESSMENT: "open",
    Phase.PROPOSALS: "open",
    Phase.REVIEW: "open",
    Phase.VOTING: "open",
    Phase.TALLYING: "open",
    Phase.RESULTS: "past",
    Phase.IMPLEMENTATION: "past",
    Phase.EVALUATION: "past",
    Phase.CLOSED: "past",
}
COLLECTION_STATES = {
    CollectionPhase.DRAFT: "upcoming",
    CollectionPhase.COLLECTING: "open",
    CollectionPhase.REVIEWING: "open",
    CollectionPhase.CLOSED: "past",
}


def round_state(phase: str) -> str:
    return ROUND_STATES.get(phase, "past")


def process_state(process: ParticipatoryProcess) -> str:
    """``upcoming``, ``open`` or ``past``: the phase in force, dates included."""
    phase = rules.current_phase(process)
    if process.kind == ProcessKind.BUDGET:
        return round_state(phase)
    return COLLECTION_STATES.get(phase, "past")


def open_counts(user: Any) -> Counter[int]:
    """Organisation id -> open idea collections and budget rounds ``user`` may see.

    Two queries whatever the number of organisations.
    """
    counts: Counter[int] = Counter()
    for process in selectors.processes_visible_to(user).filter(kind=ProcessKind.IDEAS):
        if process_state(process) == "open":
            counts[process.organisation_id] += 1
    for budget_round in budget_selectors.rounds_visible_to(user).only("organisation_id", "phase"):
        if round_state(budget_round.phase) == "open":
            counts[budget_round.organisation_id] += 1
    return counts


@dataclass
class PhaseStep:
    key: str
    label: str
    state: str  # done | current | upcoming
    starts: datetime | None = None


def phase_steps(process: ParticipatoryProcess) -> list[PhaseStep]:
    """The process's phases in order (draft left out), with the current one marked."""
    current = rules.current_phase(process)
    if process.kind == ProcessKind.BUDGET:
        choices = list(Phase.choices)
        dates: dict[str, datetime | None] = {}
    else:
        choices = list(CollectionPhase.choices)
        dates = {
            CollectionPhase.COLLECTING: process.collecting_from,
            CollectionPhase.REVIEWING: process.reviewing_from,
            CollectionPhase.CLOSED: process.closes_at,
        }
    keys = [key for key, _label in choices]
    position = keys.index(current) if current in keys else 0
    steps = []
    for index, (key, label) in enumerate(choices):
        if key == "draft":
            continue
        # The round's optional needs assessment is named only while the round holds it.
        if key == Phase.NEEDS_ASSESSMENT and index != position:
            continue
        state = "current" if index == position else ("done" if index < position else "upcoming")
        steps.append(PhaseStep(key, str(label), state, dates.get(key)))
    return steps


@dataclass
class Entry:
    """One idea collection or budget round on the organisation page."""

    kind: str  # round | collection
    title: str
    url: str
    phase_label: str
    state: str
    obj: Any
    process: ParticipatoryProcess | None = None
    ideas_url: str | None = None
    action_label: str = ""
    action_url: str | None = None


def _round_action(budget_round: Any) -> tuple[str, str | None]:
    """The one thing to do with a round now: vote, or read its results."""
    if budget_round.phase == Phase.VOTING:
        return _("Vote now"), url_or_none("frontend:ballot", budget_round.slug)
    if budget_round.phase in (Phase.RESULTS, Phase.IMPLEMENTATION, Phase.EVALUATION):
        return _("See the results"), url_or_none("frontend:round_results", budget_round.slug)
    return "", None


# Where a survey's state in force puts it on the organisation page.
_SURVEY_PLACE = {
    SurveyState.OPEN: "open",
    SurveyState.SCHEDULED: "upcoming",
    SurveyState.CLOSED: "past",
}


def _survey_entries(request: HttpRequest, org: Organisation) -> list[Entry]:
    """The organisation's published surveys, with the one thing to do: answer, or read."""
    entries = []
    surveys = survey_selectors.surveys_visible_to(request.user, org.slug)
    for survey in surveys.exclude(state=SurveyState.DRAFT):
        state = survey_rules.current_state(survey)
        url = reverse("frontend:survey", args=[survey.slug])
        action_label, action_url = "", None
        if state == SurveyState.OPEN:
            action_label, action_url = _("Answer the survey"), url
        elif survey_rules.results_published(survey):
            action_label = _("See the results")
            action_url = reverse("frontend:survey_results", args=[survey.slug])
        entries.append(
            Entry(
                kind="survey",
                title=survey.title,
                url=url,
                phase_label=str(SurveyState(state).label),
                state=_SURVEY_PLACE[state],
                obj=survey,
                action_label=action_label,
                action_url=action_url,
            )
        )
    return entries


@require_GET
def organisation(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = get_object_or_404(Organisation, slug=org_slug)
    entries: list[Entry] = []
    processes = list(selectors.processes_visible_to(request.user).filter(organisation=org))
    by_round = {p.budget_round_id: p for p in processes if p.budget_round_id}
    rounds = (
        budget_selectors.rounds_visible_to(request.user)
        .filter(organisation=org)
        .order_by("-created_at", "-id")
    )
    for budget_round in rounds:
        process = by_round.get(budget_round.pk)
        process_url = reverse("frontend:process", args=[process.slug]) if process else None
        action_label, action_url = _round_action(budget_round)
        entries.append(
            Entry(
                kind="round",
                title=budget_round.title,
                url=url_or_none("frontend:round", budget_round.slug) or process_url or "",
                phase_label=str(Phase(budget_round.phase).label),
                state=round_state(budget_round.phase),
                obj=budget_round,
                process=process,
                ideas_url=reverse("frontend:idea_list", args=[process.slug]) if process else None,
                action_label=action_label,
                action_url=action_url,
            )
        )
    collections = [p for p in processes if p.kind == ProcessKind.IDEAS]
    for process in collections:
        entries.append(
            Entry(
                kind="collection",
                title=process.title,
                url=reverse("frontend:process", args=[process.slug]),
                phase_label=phase_label(process),
                state=process_state(process),
                obj=process,
                process=process,
                ideas_url=reverse("frontend:idea_list", args=[process.slug]),
            )
        )
    entries.extend(_survey_entries(request, org))
    grouped = {
        state: [e for e in entries if e.state == state] for state in ("open", "upcoming", "past")
    }
    return render(
        request,
        "frontend/ideas/organisation.html",
        {
            "organisation": org,
            "open_entries": grouped["open"],
            "upcoming_entries": grouped["upcoming"],
            "past_entries": grouped["past"],
            "districts": districts_of(org.pk),
            "workshop_listing": workshop_display.organisation_listing(org),
            "crumbs": breadcrumbs((_("Home"), reverse("frontend:home")), (org.name, None)),
        },
    )


@require_GET
def process(request: HttpRequest, slug: str) -> HttpResponse:
    current = selectors.visible_process(request.user, slug)
    context = process_context(request, current)
    top = list(selectors.idea_list(request.user, current, sort="most_supported")[:3])
    context.update(
        {
            "steps": phase_steps(current),
            "open_actions": rules.open_actions(current),
            "top_ideas": top,
            "workshop_listing": workshop_display.process_listing(current),
            "crumbs": process_crumbs(current)[:-1] + breadcrumbs((current.title, None)),
        }
    )
    return render(request, "frontend/ideas/process.html", context)
