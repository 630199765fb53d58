"""A round's public pages: overview, projects, a project, results, implementation.

Every page starts from ``budgeting.services.reads.visible_round`` (drafts are a 404 to everyone
but the organisation's staff) and reads through the same selectors as the API: projects via
``selectors.projects_visible_to``, counts only when ``selectors.counts_are_public``,
published results via ``selectors.published_results`` with the API's explanation
sentences (``budgeting.selectors.outcomes``), implementation via
``budgeting.services.implementation``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from budgeting import phases
from budgeting.models import (
    BallotFormat,
    BudgetRound,
    DistrictBudget,
    ImplementationImage,
    ImplementationStatus,
    ImplementationUpdate,
    OutcomeRule,
    Phase,
    Project,
    ProjectFollow,
    ProjectStatus,
    TallyResult,
    TieBreak,
)
from budgeting.phases import Action
from budgeting.selectors import rounds as selectors
from budgeting.selectors.filters import ProjectFilter
from budgeting.selectors.outcomes import project_outcomes
from budgeting.services import ballot_box, implementation, reads
from engagement.content.languages import localised
from engagement.ideas.models import ParticipatoryProcess
from engagement.ideas.selectors import idea_link_for_project
from engagement.money import format_money
from engagement.people import permissions
from engagement.people.models import Organisation
from frontend.budgeting.forms.rounds import SORTS, FollowForm, ProjectFilterForm
from frontend.workshops.events import display as workshop_display
from surveys.models import SurveyPurpose
from surveys.selectors import RoundSurvey, round_survey

PROJECTS_PER_PAGE = 30
UPDATES_ON_TRACKER = 2

STATUS_BADGES = {
    ProjectStatus.PROPOSED: "",
    ProjectStatus.FEASIBLE: "badge--brand",
    ProjectStatus.REJECTED: "badge--danger",
    ProjectStatus.ON_BALLOT: "badge--brand",
    ProjectStatus.SELECTED: "badge--ok",
    ProjectStatus.NOT_SELECTED: "",
    ProjectStatus.IMPLEMENTED: "badge--ok",
}
IMPLEMENTATION_BADGES = {
    ImplementationStatus.PLANNED: "",
    ImplementationStatus.IN_PROGRESS: "badge--brand",
    ImplementationStatus.COMPLETED: "badge--ok",
    ImplementationStatus.DELAYED: "badge--warn",
    ImplementationStatus.CANCELLED: "badge--danger",
}
RESULTS_PHASES = (Phase.RESULTS, Phase.IMPLEMENTATION, Phase.EVALUATION, Phase.CLOSED)


# --- helpers ----------------------------------------------------------------------------------


def page_url(name: str, *args: Any) -> str | None:
    """A page of another area, or ``None`` while that page does not exist yet."""
    try:
        return reverse(f"frontend:{name}", args=args)
    except NoReverseMatch:
        return None


def _round(request: HttpRequest, slug: str, *, detail: bool = False) -> BudgetRound:
    return reads.visible_round(request.user, slug, detail=detail)


def _is_staff(request: HttpRequest, budget_round: BudgetRound) -> bool:
    return permissions.is_staff_of(request.user, budget_round.organisation_id)


def _base_context(request: HttpRequest, budget_round: BudgetRound) -> dict[str, Any]:
    return {
        "round": budget_round,
        "organisation": budget_round.organisation,
        "is_draft": budget_round.phase == Phase.DRAFT,
        "results_published": _published(budget_round),
        "shows_implementation": budget_round.phase in RESULTS_PHASES,
    }


def _published(budget_round: BudgetRound) -> bool:
    if budget_round.phase in RESULTS_PHASES:
        return True
    return (
        budget_round.phase == Phase.TALLYING
        and TallyResult.objects.filter(
            district_budget__round=budget_round, published_at__isnull=False
        ).exists()
    )


def _crumbs(budget_round: BudgetRound, *extra: tuple[str, str | None]) -> list[dict[str, Any]]:
    organisation = budget_round.organisation
    crumbs = [
        {"label": organisation.name, "url": page_url("organisation", organisation.slug)},
        {"label": localised(budget_round, "title"), "url": budget_round.get_absolute_url()},
    ]
    crumbs += [{"label": label, "url": url} for label, url in extra]
    return crumbs


def project_url_prefix(budget_round: BudgetRound) -> str:
    """``/rounds/<slug>/projects/``: list pages append ``<pk>/`` instead of reversing per
    project (``reverse`` costs about a millisecond per call in a request)."""
    return reverse("frontend:round_projects", args=[budget_round.slug])


def organisation_rounds(user: Any, organisation: Organisation) -> QuerySet[BudgetRound]:
    """The organisation's rounds the visitor may see, newest first, with their budgets —
    for the organisation page (``frontend/rounds/_round_cards.html`` shows them)."""
    return (
        selectors.rounds_visible_to(user)
        .filter(organisation=organisation)
        .annotate(total_budget=Sum("districts__budget"))
        .order_by("-created_at")
    )


# --- plain-language rules -------------------------------------------------------------------


def ballot_rules(budget_round: BudgetRound, districts: list[DistrictBudget]) -> list[str]:
    """How to fill in the ballot, one sentence per rule, in the reader's language."""
    currency = budget_round.currency
    one_budget = districts[0].budget if len(districts) == 1 else None
    fmt = budget_round.ballot_format
    rules: list[str] = []
    if fmt == BallotFormat.APPROVAL:
        rules.append(_("Tick every project you would like to see built."))
        if budget_round.min_projects and budget_round.min_projects > 1:
            rules.append(
                ngettext(
                    "Choose at least %(n)s project.",
                    "Choose at least %(n)s projects.",
                    budget_round.min_projects,
                )
                % {"n": budget_round.min_projects}
            )
        if budget_round.max_projects:
            rules.append(
                ngettext(
                    "You may choose up to %(n)s project.",
                    "You may choose up to %(n)s projects.",
                    budget_round.max_projects,
                )
                % {"n": budget_round.max_projects}
            )
        if budget_round.knapsack:
            if one_budget is not None:
                rules.append(
                    _("Together, the projects you choose may cost at most the budget of %(b)s.")
                    % {"b": format_money(one_budget, currency)}
                )
            else:
                rules.append(
                    _("Together, the projects you choose may cost at most the budget you vote on.")
                )
        if budget_round.min_spend_percent:
            rules.append(
                _("Your choices must add up to at least %(p)s%% of that budget.")
                % {"p": budget_round.min_spend_percent}
            )
        if not budget_round.max_projects and not budget_round.knapsack:
            rules.append(_("There is no limit on how many projects you choose."))
    elif fmt == BallotFormat.CUMULATIVE:
        if budget_round.points_budget:
            rules.append(
                ngettext(
                    "You have %(n)s point to share out among the projects you support.",
                    "You have %(n)s points to share out among the projects you support.",
                    budget_round.points_budget,
                )
                % {"n": budget_round.points_budget}
            )
        else:
            rules.append(_("Share out your points among the projects you support."))
        rules.append(_("Give more points to the projects that matter most to you."))
        if budget_round.max_points_per_project:
            rules.append(
                ngettext(
                    "A project can get at most %(n)s point from you.",
                    "A project can get at most %(n)s points from you.",
                    budget_round.max_points_per_project,
                )
                % {"n": budget_round.max_points_per_project}
            )
    elif fmt == BallotFormat.ORDINAL:
        if budget_round.max_rank:
            rules.append(
                ngettext(
                    "Rank up to %(n)s project in order of preference.",
                    "Rank up to %(n)s projects in order of preference.",
                    budget_round.max_rank,
                )
                % {"n": budget_round.max_rank}
            )
        else:
            rules.append(_("Rank the projects you support in order of preference."))
        rules.append(
            _(
                "Your first choice counts most: with three projects ranked, they get 3, 2 and"
                " 1 points."
            )
        )
    elif fmt == BallotFormat.CHOOSE_ONE:
        rules.append(_("Choose the one project you would most like to see built."))
    return rules


def outcome_rule_text(budget_round: BudgetRound) -> list[str]:
    """How the winners are decided, in plain words."""
    counts_points = budget_round.ballot_format in (BallotFormat.CUMULATIVE, BallotFormat.ORDINAL)
    rule = budget_round.outcome_rule
    if rule == OutcomeRule.GREEDY:
        text = [
            _(
                "Projects are funded in order of their points, the most points first, as long"
                " as money is left."
            )
            if counts_points
            else _(
                "Projects are funded in order of their votes, the most votes first, as long as"
                " money is left."
            ),
            _(
                "A project that no longer fits in what is left is skipped, and the next one is"
                " considered."
            ),
        ]
    else:
        text = [
            _(
                "The Method of Equal Shares is used: the budget is divided equally among all"
                " voters, and each voter's share can only pay for projects that voter chose."
            ),
            _(
                "A project is funded when its supporters can pay for it together from their"
                " shares; the projects that give the most to their supporters for the money"
                " come first."
            ),
            _(
                "This way every group of voters, large or small, gets a fair part of the"
                " budget, not only the largest group."
            ),
        ]
        if rule == OutcomeRule.MES:
            text.append(_("Money that cannot be spent this way is not allocated."))
        elif rule == OutcomeRule.EQUAL_SHARES:
            text.append(
                _(
                    "If money is left, every voter's share is raised a little at a time and the"
                    " method runs again, until no further project can be funded within the"
                    " budget."
                )
            )
        elif rule == OutcomeRule.EQUAL_SHARES_GREEDY:
            text.append(
                _(
                    "Money left over then funds the most supported projects that still fit,"
                    " in order of support."
                )
            )
    if budget_round.tie_break == TieBreak.LOWER_COST:
        text.append(_("When two projects are tied, the cheaper one comes first."))
    elif budget_round.tie_break == TieBreak.LOTTERY:
        if budget_round.lottery_seed is not None:
            text.append(
                _("Ties are broken by a lottery with the published seed %(seed)s.")
                % {"seed": budget_round.lottery_seed}
            )
        else:
            text.append(_("Ties are broken by a lottery whose seed is published."))
    else:
        text.append(_("When two projects are tied, the one with the lower project number wins."))
    return text


def eligibility_text(budget_round: BudgetRound, districts: list[DistrictBudget]) -> list[str]:
    text = [_("You vote online with a Kopa account; one ballot per person and budget.")]
    if budget_round.verified_email_required:
        text.append(_("Your email address must be verified."))
    if budget_round.min_age:
        text.append(
            _("You must turn %(age)s in the year of the vote, or be older.")
            % {"age": budget_round.min_age}
        )
    if budget_round.residence_required and any(not d.is_citywide for d in districts):
        text.append(_("A district's ballot is only for people who live in that district."))
    if budget_round.one_district_per_voter:
        if any(d.is_citywide for d in districts):
            text.append(
                _("You may vote on the city-wide budget and in one district of your choice.")
            )
        else:
            text.append(_("You may vote in one district only."))
    return text


def secrecy_text(budget_round: BudgetRound) -> list[str]:
    if budget_round.secret_ballot:
        text = [
            _(
                "The vote is secret: your ballot is stored without any link to you. You get a"
                " receipt code to check that your ballot was counted."
            )
        ]
        if budget_round.live_counts_public:
            text.append(
                _(
                    "Vote counts are shown while voting is open. They move only after every"
                    " %(batch)s ballots, so no one can tell from them how a person voted."
                )
                % {"batch": ballot_box.batch_size(budget_round)}
            )
    else:
        text = [_("The vote is not secret: each ballot stays linked to the voter's account.")]
    if budget_round.ballot_changes_allowed:
        if budget_round.secret_ballot:
            text.append(
                _("You can change your ballot until voting closes, with your receipt code.")
            )
        else:
            text.append(_("You can change your ballot until voting closes."))
    else:
        text.append(_("Once cast, a ballot cannot be changed."))
    return text


# --- the round -------------------------------------------------------------------------------


@dataclass
class TimelineStep:
    phase: str
    label: str
    state: str  # done | current | upcoming
    scheduled: Any = None  # an aware datetime: when it starts by itself
    started: Any = None  # the current phase: when it began


def timeline(budget_round: BudgetRound, *, needs_assessment: bool = False) -> list[TimelineStep]:
    """The cycle as the public sees it (draft only while the round is one).

    The needs assessment is optional: it is shown while it is the phase, when it is planned,
    or when ``needs_assessment`` says the round has a needs survey.
    """
    schedule = list(budget_round.schedule.all())
    scheduled = {s.phase: s.starts_at for s in schedule if s.done_at is None}
    shows_needs = (
        needs_assessment
        or budget_round.phase == Phase.NEEDS_ASSESSMENT
        or any(s.phase == Phase.NEEDS_ASSESSMENT for s in schedule)
    )
    current = phases.ORDER.index(budget_round.phase)
    steps = []
    for index, phase in enumerate(phases.ORDER):
        if phase == Phase.DRAFT and budget_round.phase != Phase.DRAFT:
            continue
        if phase == Phase.NEEDS_ASSESSMENT and not shows_needs:
            continue
        state = "done" if index < current else "current" if index == current else "upcoming"
        steps.append(
            TimelineStep(
                phase=phase,
                label=str(Phase(phase).label),
                state=state,
                scheduled=scheduled.get(phase) if state == "upcoming" else None,
                started=budget_round.phase_changed_at if state == "current" else None,
            )
        )
    return steps


def cycle_surveys(budget_round: BudgetRound) -> dict[str, Any]:
    """The round's needs-assessment and evaluation surveys as its page shows them.

    The needs survey is shown during the needs assessment; the evaluation survey during the
    evaluation phase, and already while it is open once the results are out (cities ask
    right after the results). Afterwards each stays while its results are public. Each comes
    with the page to answer it (while open) and its public results (once published).
    """
    shown = []
    needs = round_survey(budget_round.pk, SurveyPurpose.NEEDS_ASSESSMENT)
    evaluation = round_survey(budget_round.pk, SurveyPurpose.EVALUATION)
    for purpose, entry, phase, asked_from in (
        (SurveyPurpose.NEEDS_ASSESSMENT, needs, Phase.NEEDS_ASSESSMENT, Phase.NEEDS_ASSESSMENT),
        (SurveyPurpose.EVALUATION, evaluation, Phase.EVALUATION, Phase.RESULTS),
    ):
        if entry is None:
            continue
        in_phase = budget_round.phase == phase
        open_to_answer = entry.is_open and not phases.is_after(asked_from, budget_round.phase)
        after = phases.is_after(budget_round.phase, phase)
        if in_phase or open_to_answer or (after and entry.results_published):
            shown.append(_survey_card(purpose, entry))
    return {"cycle_surveys": shown, "has_needs_survey": needs is not None}


def _survey_card(purpose: str, entry: RoundSurvey) -> dict[str, Any]:
    survey = entry.survey
    return {
        "purpose": purpose,
        "survey": survey,
        "state": entry.state,
        "answer_url": reverse("frontend:survey", args=[survey.slug]) if entry.is_open else None,
        "results_url": (
            reverse("frontend:survey_results", args=[survey.slug])
            if entry.results_published
            else None
        ),
    }


def voting_ends(budget_round: BudgetRound) -> Any:
    """When voting is scheduled to close (the tallying phase's start), if it is."""
    for schedule in budget_round.schedule.all():
        if schedule.phase == Phase.TALLYING and schedule.done_at is None:
            return schedule.starts_at
    return None


@require_GET
def round_detail(request: HttpRequest, slug: str) -> HttpResponse:
    budget_round = _round(request, slug, detail=True)
    districts = list(budget_round.districts.all())
    process = ParticipatoryProcess.objects.filter(budget_round=budget_round).first()
    voting_open = phases.allows(budget_round.phase, Action.VOTE)
    turnout = (
        selectors.turnout(budget_round)
        if phases.is_after(budget_round.phase, Phase.REVIEW)
        else None
    )
    context = _base_context(request, budget_round)
    surveys = cycle_surveys(budget_round)
    context.update(
        {
            **surveys,
            "turnout": turnout,
            # Votes arrive online while voting and on paper until the tally: keep it live.
            "turnout_live": phases.allows(budget_round.phase, Action.ENTER_PAPER),
            "turnout_rows": [
                {"district": d, "total": turnout["districts"].get(d.key, {}).get("total", 0)}
                for d in districts
            ]
            if turnout
            else [],
            "crumbs": [*_crumbs(budget_round)[:-1], {"label": localised(budget_round, "title")}],
            "districts": districts,
            "total_budget": sum(d.budget for d in districts),
            "timeline": timeline(budget_round, needs_assessment=surveys["has_needs_survey"]),
            "voting_open": voting_open,
            "voting_ends": voting_ends(budget_round),
            "ballot_url": page_url("ballot", budget_round.slug) if voting_open else None,
            "process": process,
            "workshop_listing": workshop_display.round_listing(budget_round),
            "idea_create_url": page_url("idea_create", process.slug)
            if process is not None and budget_round.phase == Phase.PROPOSALS
            else None,
            "process_url": page_url("process", process.slug) if process is not None else None,
            "receipt_url": page_url("receipt_check", budget_round.slug)
            if budget_round.secret_ballot and phases.is_after(budget_round.phase, Phase.REVIEW)
            else None,
            "ballot_rules": ballot_rules(budget_round, districts),
            "outcome_rule": outcome_rule_text(budget_round),
            "eligibility": eligibility_text(budget_round, districts),
            "secrecy": secrecy_text(budget_round),
            "staff_url": page_url("staff_round", budget_round.slug)
            if _is_staff(request, budget_round)
            else None,
        }
    )
    return render(request, "frontend/rounds/round.html", context)


# --- projects --------------------------------------------------------------------------------


def _round_categories(projects: QuerySet[Project]) -> list[str]:
    """Every category used by the visible projects, sorted, in one query."""
    found: set[str] = set()
    for categories in projects.values_list("categories", flat=True):
        if isinstance(categories, list):
            found.update(c for c in categories if isinstance(c, str))
    return sorted(found, key=str.casefold)


@require_GET
def round_projects(request: HttpRequest, slug: str) -> HttpResponse:
    budget_round = _round(request, slug)
    districts = list(budget_round.districts.all())
    visible = selectors.projects_visible_to(request.user, budget_round)
    form = ProjectFilterForm(
        request.GET, districts=districts, categories=_round_categories(visible)
    )
    valid = form.is_valid()
    # The API's filter does the filtering, so pages and API agree on what a filter means.
    filters = {name: form.value(name) for name in ("district", "category", "q")}
    projects = ProjectFilter({k: v for k, v in filters.items() if v}, queryset=visible).qs.order_by(
        *SORTS[form.value("sort")]
    )
    page = Paginator(projects, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    support = reads.public_support(budget_round)
    by_key = {d.key: d for d in districts}
    prefix = project_url_prefix(budget_round)
    cards = [
        {
            "project": project,
            "url": f"{prefix}{project.pk}/",
            "title": localised(project, "title"),
            "badge": STATUS_BADGES.get(project.status, ""),
            "support": None if support is None else support.get(project.external_id, 0),
        }
        for project in page.object_list
    ]
    context = _base_context(request, budget_round)
    context.update(
        {
            "crumbs": _crumbs(budget_round, (_("Projects"), None)),
            "form": form,
            "districts": districts,
            "district": by_key.get(filters["district"]),
            "page_obj": page,
            "cards": cards,
            "counts_public": support is not None,
            "voting_open": phases.allows(budget_round.phase, Action.VOTE),
            "ballot_url": page_url("ballot", budget_round.slug),
            "filtered": any(filters.values()),
        }
    )
    return render(request, "frontend/rounds/projects.html", context, status=200 if valid else 400)


@require_GET
def project_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    budget_round = _round(request, slug)
    project = get_object_or_404(selectors.projects_visible_to(request.user, budget_round), pk=pk)
    project.round = budget_round
    idea = idea_link_for_project(project.pk)
    tracking = (
        implementation.implementation_of(project, viewer=request.user)
        if project.status in implementation.TRACKED_STATUSES
        else None
    )
    support = None
    if selectors.counts_are_public(budget_round):
        support = (reads.public_support(budget_round) or {}).get(project.external_id, 0)
    context = _base_context(request, budget_round)
    context.update(
        {
            "crumbs": _crumbs(
                budget_round,
                (_("Projects"), reverse("frontend:round_projects", args=[budget_round.slug])),
                (localised(project, "title"), None),
            ),
            "project": project,
            "project_url": project.get_absolute_url(),
            "title": localised(project, "title"),
            "description": localised(project, "description"),
            "badge": STATUS_BADGES.get(project.status, ""),
            "support": support,
            "idea": idea,
            "idea_url": page_url("idea_detail", idea["id"]) if idea else None,
            "implementation": tracking,
            "implementation_badge": IMPLEMENTATION_BADGES.get(tracking.status, "")
            if tracking
            else "",
            "implementation_status_label": ImplementationStatus(tracking.status).label
            if tracking
            else "",
            "voting_open": phases.allows(budget_round.phase, Action.VOTE),
            "ballot_url": page_url("ballot", budget_round.slug),
        }
    )
    return render(request, "frontend/rounds/project.html", context)


# --- results ---------------------------------------------------------------------------------

CHART_WIDTH = 640
CHART_LABEL = 220  # room for the project's name on the left
CHART_ROW = 34
CHART_BAR = 22
CHART_MAX_BARS = 25


@dataclass
class DistrictResult:
    district_budget: DistrictBudget
    result: TallyResult
    rows: list[dict[str, Any]] = field(default_factory=list)
    bars: list[dict[str, Any]] = field(default_factory=list)

    @property
    def chart_height(self) -> int:
        return 16 + len(self.bars) * CHART_ROW

    @property
    def chart_truncated(self) -> bool:
        return len(self.bars) < len(self.rows)


def _chart(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Bars (SVG user units) for the most supported projects, most first; the template draws
    them with attributes (no inline styles under our CSP). The table lists every project."""
    ranked = sorted(rows, key=lambda row: -(row["support"] or 0))[:CHART_MAX_BARS]
    most = max((row["support"] or 0 for row in ranked), default=0)
    room = CHART_WIDTH - CHART_LABEL - 70
    bars = []
    for index, row in enumerate(ranked):
        width = round(room * (row["support"] or 0) / most) if most else 0
        bars.append(
            {
                "row": row,
                "y": 8 + index * CHART_ROW,
                "text_y": 8 + index * CHART_ROW + CHART_BAR // 2 + 5,
                "width": width,
                "value_x": CHART_LABEL + width + 6,
                "short": row["title"] if len(row["title"]) <= 28 else row["title"][:27] + "…",
            }
        )
    return bars


def _results(budget_round: BudgetRound) -> list[DistrictResult]:
    published = selectors.published_results(budget_round)
    projects: dict[int, dict[str, Project]] = {}
    for project in Project.objects.filter(
        district_budget_id__in=[r.district_budget_id for r in published]
    ):
        projects.setdefault(project.district_budget_id, {})[project.external_id] = project
    counts_public = selectors.counts_are_public(budget_round)
    prefix = project_url_prefix(budget_round)
    currency = budget_round.currency
    out = []
    for result in published:
        in_district = projects.get(result.district_budget_id, {})
        titles = {pid: localised(p, "title") for pid, p in in_district.items()}
        rows = project_outcomes(
            result, currency=currency, counts_public=counts_public, titles=titles
        )
        for row in rows:
            row["project"] = in_district.get(row["id"])
            row["url"] = f"{prefix}{row['project'].pk}/" if row["project"] else None
            row["title"] = row["title"] or row["id"]
            cost = row["project"].cost if row["project"] else row["params"].get("cost")
            row["cost_display"] = "" if cost is None else format_money(int(cost), currency)
        out.append(
            DistrictResult(
                district_budget=result.district_budget,
                result=result,
                rows=rows,
                bars=_chart(rows),
            )
        )
    return out


@require_GET
def round_results(request: HttpRequest, slug: str) -> HttpResponse:
    budget_round = _round(request, slug, detail=True)
    district_results = _results(budget_round)
    context = _base_context(request, budget_round)
    context.update(
        {
            "crumbs": _crumbs(budget_round, (_("Results"), None)),
            "district_results": district_results,
            "published_at": max((d.result.published_at for d in district_results), default=None),
            "voting_open": phases.allows(budget_round.phase, Action.VOTE),
            "voting_ends": voting_ends(budget_round),
            "chart_width": CHART_WIDTH,
            "chart_label": CHART_LABEL,
            "downloads": {
                "csv": reverse("api:round-results-export", args=[budget_round.slug, "csv"]),
                "json": reverse("api:round-results-export", args=[budget_round.slug, "json"]),
                "pb": reverse("api:round-ballots-export", args=[budget_round.slug]),
            },
            "rule_label": OutcomeRule(budget_round.outcome_rule).label,
            "outcome_rule": outcome_rule_text(budget_round),
        }
    )
    return render(request, "frontend/rounds/results.html", context)


# --- implementation --------------------------------------------------------------------------


def _tracker(budget_round: BudgetRound, user: Any) -> list[dict[str, Any]]:
    """Selected projects with their implementation, latest updates and followers — a fixed
    number of queries for any number of projects."""
    projects = list(
        implementation.trackable_projects(budget_round)
        .select_related("district_budget", "implementation")
        .annotate(followers=Count("follows", distinct=True))
        .prefetch_related(
            Prefetch(
                "implementation_updates",
                ImplementationUpdate.objects.order_by("-happened_on", "-id").prefetch_related(
                    Prefetch("images", ImplementationImage.objects.order_by("position", "id"))
                ),
            )
        )
        .order_by("district_budget__position", "district_budget__key", "title", "pk")
    )
    following: set[int] = set()
    if getattr(user, "is_authenticated", False):
        following = set(
            ProjectFollow.objects.filter(user=user, project__in=projects).values_list(
                "project_id", flat=True
            )
        )
    prefix = project_url_prefix(budget_round)
    rows = []
    for project in projects:
        state = getattr(project, "implementation", None)
        status = state.status if state else ImplementationStatus.PLANNED
        updates = list(project.implementation_updates.all())
        rows.append(
            {
                "project": project,
                "url": f"{prefix}{project.pk}/",
                "title": localised(project, "title"),
                "status": status,
                "status_label": ImplementationStatus(status).label,
                "badge": IMPLEMENTATION_BADGES.get(status, ""),
                "progress": state.progress if state else 0,
                "updated_at": state.updated_at if state else None,
                "updates": updates[:UPDATES_ON_TRACKER],
                "more_updates": max(0, len(updates) - UPDATES_ON_TRACKER),
                "followers": project.followers,
                "following": project.pk in following,
            }
        )
    return rows


@require_GET
def round_implementation(request: HttpRequest, slug: str) -> HttpResponse:
    budget_round = _round(request, slug)
    rows = _tracker(budget_round, request.user) if budget_round.phase in RESULTS_PHASES else []
    context = _base_context(request, budget_round)
    context.update(
        {
            "crumbs": _crumbs(budget_round, (_("Implementation"), None)),
            "rows": rows,
            "summary": [
                {"label": label, "count": count}
                for status, label in ImplementationStatus.choices
                if (count := sum(1 for r in rows if r["status"] == status))
            ],
        }
    )
    return render(request, "frontend/rounds/implementation.html", context)


@require_POST
def project_follow(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Follow or stop following a project (the API's follow service); back where it was."""
    budget_round = _round(request, slug)
    project = get_object_or_404(selectors.projects_visible_to(request.user, budget_round), pk=pk)
    project.round = budget_round
    if not request.user.is_authenticated:
        return redirect_to_login(project.get_absolute_url())
    form = FollowForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "frontend/rounds/follow_error.html",
            {**_base_context(request, budget_round), "project": project, "form": form},
            status=400,
        )
    title = localised(project, "title")
    if form.cleaned_data["action"] == "follow":
        implementation.project_follow(user=request.user, project=project)
        messages.success(
            request,
            _("You follow “%(title)s”: we will tell you about each update.") % {"title": title},
        )
    else:
        implementation.project_unfollow(user=request.user, project=project)
        messages.success(request, _("You no longer follow “%(title)s”.") % {"title": title})
    target = form.cleaned_data.get("next") or project.get_absolute_url()
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = project.get_absolute_url()
    return HttpResponseRedirect(target)
