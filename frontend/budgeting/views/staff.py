"""Staff pages: round set-up, phase moves, dashboard, tally preview, publishing, statistics.

Thin views: each finds the organisation or round, checks the role with the predicates of
``engagement.people.permissions`` (anonymous visitors go to the login page, everyone else without
the role gets a 403), reads a form, and calls the same serializer and service as the API.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budgeting import phases, statistics
from budgeting.api import serializers as api
from budgeting.live import topics as live
from budgeting.models import (
    BudgetRound,
    DistrictBudget,
    OutcomeRule,
    PaperBallotSheet,
    PaperSheetStatus,
    Phase,
    Project,
    ProjectStatus,
    TallyResult,
)
from budgeting.phases import Action
from budgeting.selectors import reads
from budgeting.selectors import rounds as selectors
from budgeting.selectors.outcomes import project_outcomes, project_titles
from budgeting.services import ballot_box, live_updates, results, rounds
from budgeting.tally import natural_key
from engagement.http.fields import amount_to_minor
from engagement.ideas.models import ParticipatoryProcess
from engagement.ideas.selectors import idea_links_for_projects
from engagement.people import permissions
from engagement.people import services as engagement_services
from engagement.people.models import Organisation
from frontend.budgeting.forms import staff as forms
from frontend.budgeting.views.rounds import STATUS_BADGES

# Rounds with more ballots than this compute the rule comparison in Celery, not in the request.
BACKGROUND_TALLY_BALLOTS = 20_000
PENDING_SECONDS = 600

# What each phase means for residents, shown before staff confirm a move.
PHASE_EFFECTS = {
    Phase.DRAFT: gettext_lazy("Only staff can see the round."),
    Phase.INFORMATION: gettext_lazy(
        "The round becomes public: residents can read about it, its budget and its rules."
    ),
    Phase.PROPOSALS: gettext_lazy("Residents can submit and discuss ideas for projects."),
    Phase.REVIEW: gettext_lazy(
        "New ideas are closed. Reviewers check each proposal's feasibility and cost."
    ),
    Phase.VOTING: gettext_lazy(
        "Voting opens. Every feasible project goes on the ballot. The ballot format, budgets"
        " and outcome rule can no longer change."
    ),
    Phase.TALLYING: gettext_lazy(
        "Voting closes: nobody can vote or change a ballot any more. Paper ballots can still"
        " be entered, and you can preview and publish the results."
    ),
    Phase.RESULTS: gettext_lazy("The published results are shown to everyone."),
    Phase.IMPLEMENTATION: gettext_lazy(
        "Residents follow how the selected projects are being built."
    ),
    Phase.EVALUATION: gettext_lazy("Residents are asked how the round went."),
    Phase.CLOSED: gettext_lazy("The round is finished. Nothing more can change."),
}
IRREVERSIBLE = frozenset({Phase.VOTING, Phase.TALLYING, Phase.RESULTS, Phase.CLOSED})

PHASE_BADGE = {
    Phase.DRAFT: "",
    Phase.VOTING: "badge--ok",
    Phase.TALLYING: "badge--warn",
    Phase.CLOSED: "",
}


# --- access -------------------------------------------------------------------------------


def _signed_in(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


def _organisation(
    request: HttpRequest, slug: str, allowed: Callable[[Any, Any], bool]
) -> Organisation:
    organisation = get_object_or_404(Organisation, slug=slug)
    if not allowed(request.user, organisation):
        raise PermissionDenied(
            _("You do not have a staff role for this in %(name)s.") % {"name": organisation.name}
        )
    return organisation


def _round(request: HttpRequest, slug: str, allowed: Callable[[Any, Any], bool]) -> BudgetRound:
    budget_round = get_object_or_404(BudgetRound.objects.select_related("organisation"), slug=slug)
    if not allowed(request.user, budget_round.organisation):
        raise PermissionDenied(
            _("You do not have a staff role for this in %(name)s.")
            % {"name": budget_round.organisation.name}
        )
    return budget_round


def staff_page(
    allowed: Callable[[Any, Any], bool], kind: str = "round"
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Login first, then the role for the organisation (or the round's organisation)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        def wrapped(request: HttpRequest, slug: str) -> HttpResponse:
            redirect_response = _signed_in(request)
            if redirect_response is not None:
                return redirect_response
            target = (_organisation if kind == "organisation" else _round)(request, slug, allowed)
            organisation = target if kind == "organisation" else target.organisation
            # Dates on staff pages are in the city's time zone, whoever reads them.
            with timezone.override(ZoneInfo(organisation.time_zone)):
                return view(request, target)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorate


def link(name: str, *args: Any) -> str | None:
    """A page of another area, if it exists yet (the URL map names it before it is built)."""
    try:
        return reverse(f"frontend:{name}", args=args)
    except NoReverseMatch:
        return None


def phase_badge(phase: str) -> str:
    return PHASE_BADGE.get(phase, "badge--brand")


def _round_links(request: HttpRequest, budget_round: BudgetRound) -> list[dict[str, Any]]:
    """Every staff action for a round the user may take, in the order of the cycle."""
    user, organisation = request.user, budget_round.organisation
    admin = permissions.can_manage_organisation(user, organisation)
    slug = budget_round.slug
    candidates = [
        (_("Dashboard"), "staff_round", True),
        (_("Settings"), "staff_round_settings", admin),
        (_("Budgets and districts"), "staff_round_districts", admin),
        (_("Projects"), "staff_round_projects", admin),
        (_("Phase and schedule"), "staff_round_phase", admin),
        (
            _("Paper ballots"),
            "staff_paper",
            permissions.can_enter_paper_ballots(user, organisation),
        ),
        (_("Tally preview"), "staff_tally", admin),
        (_("Publish results"), "staff_publish", admin),
        (_("Statistics"), "staff_statistics", True),
        (_("Implementation"), "staff_implementation", admin),
        (_("Public page"), "round", True),
    ]
    links = []
    for label, name, shown in candidates:
        url = link(name, slug) if shown else None
        if url:
            links.append({"label": label, "url": url, "name": name})
    return links


def staff_crumbs(organisation: Organisation, *more: tuple[str, str | None]) -> list[dict]:
    """Breadcrumbs of a staff page: Staff / the organisation / ``more`` (label, url) pairs."""
    pairs = [
        (_("Staff"), reverse("frontend:staff_home")),
        (organisation.name, reverse("frontend:staff_organisation", args=[organisation.slug])),
        *more,
    ]
    return [{"label": label, "url": url or ""} for label, url in pairs]


def _context(
    request: HttpRequest, budget_round: BudgetRound, current: str, **extra: Any
) -> dict[str, Any]:
    organisation = budget_round.organisation
    crumbs = staff_crumbs(
        organisation,
        (budget_round.title, reverse("frontend:staff_round", args=[budget_round.slug])),
    )
    if current != "staff_round":
        crumbs.append({"label": extra.get("page_title", ""), "url": ""})
    return {
        "organisation": organisation,
        "budget_round": budget_round,
        "round_links": _round_links(request, budget_round),
        "current": current,
        "crumbs": crumbs,
        "phase_badge": phase_badge(budget_round.phase),
        "is_admin": permissions.can_manage_organisation(request.user, organisation),
        **extra,
    }


# --- home and organisation ----------------------------------------------------------------

OPEN_REVIEW_STATUSES = ("submitted", "under_review")
PAPER_OPEN_STATUSES = (PaperSheetStatus.AWAITING_SECOND_ENTRY, PaperSheetStatus.CONFLICT)


def _queue_counts(organisations: list[Organisation], round_ids: list[int]) -> dict[str, Any]:
    """Sizes of the work queues, in four grouped queries whatever the number of rounds."""
    from engagement.ideas.models import Idea, Report, ReportStatus

    org_ids = [o.pk for o in organisations]
    review = dict(
        Idea.objects.filter(
            process__organisation_id__in=org_ids,
            status__in=OPEN_REVIEW_STATUSES,
            submitted_at__isnull=False,
        )
        .values_list("process__organisation_id")
        .annotate(n=Count("id"))
        .values_list("process__organisation_id", "n")
    )
    moderation = dict(
        Report.objects.filter(organisation_id__in=org_ids, status=ReportStatus.OPEN)
        .values_list("organisation_id")
        .annotate(n=Count("id"))
        .values_list("organisation_id", "n")
    )
    paper_open = dict(
        PaperBallotSheet.objects.filter(
            district_budget__round_id__in=round_ids, status__in=PAPER_OPEN_STATUSES
        )
        .values_list("district_budget__round_id")
        .annotate(n=Count("id"))
        .values_list("district_budget__round_id", "n")
    )
    implementation = dict(
        Project.objects.filter(round_id__in=round_ids, status=ProjectStatus.SELECTED)
        .values_list("round_id")
        .annotate(n=Count("id"))
        .values_list("round_id", "n")
    )
    return {
        "review": review,
        "moderation": moderation,
        "paper": paper_open,
        "implementation": implementation,
    }


def _organisation_entries(
    request: HttpRequest, organisations: list[Organisation]
) -> list[dict[str, Any]]:
    user = request.user
    round_ids = [r.pk for o in organisations for r in o.staff_rounds]
    counts = _queue_counts(organisations, round_ids)
    entries = []
    for organisation in organisations:
        queues = []
        if permissions.can_review(user, organisation):
            queues.append(
                {
                    "label": _("Ideas to review"),
                    "url": link("staff_review_queue", organisation.slug),
                    "count": counts["review"].get(organisation.pk, 0),
                }
            )
        if permissions.can_moderate(user, organisation):
            queues.append(
                {
                    "label": _("Reports to moderate"),
                    "url": link("staff_moderation", organisation.slug),
                    "count": counts["moderation"].get(organisation.pk, 0),
                }
            )
        round_rows = []
        for budget_round in organisation.staff_rounds:
            round_queues = []
            if permissions.can_enter_paper_ballots(user, organisation) and phases.allows(
                budget_round.phase, Action.ENTER_PAPER
            ):
                round_queues.append(
                    {
                        "label": _("Paper sheets open"),
                        "url": link("staff_paper", budget_round.slug),
                        "count": counts["paper"].get(budget_round.pk, 0),
                    }
                )
            if permissions.can_manage_organisation(user, organisation) and phases.allows(
                budget_round.phase, Action.TRACK_IMPLEMENTATION
            ):
                round_queues.append(
                    {
                        "label": _("Selected projects to report on"),
                        "url": link("staff_implementation", budget_round.slug),
                        "count": counts["implementation"].get(budget_round.pk, 0),
                    }
                )
            round_rows.append(
                {
                    "round": budget_round,
                    "badge": phase_badge(budget_round.phase),
                    "url": reverse("frontend:staff_round", args=[budget_round.slug]),
                    "queues": round_queues,
                }
            )
        entries.append(
            {
                "organisation": organisation,
                "roles": sorted(permissions.roles_in(user, organisation)),
                "is_admin": permissions.can_manage_organisation(user, organisation),
                "queues": queues,
                "rounds": round_rows,
                "processes": [
                    {"process": p, "url": link("process", p.slug)}
                    for p in organisation.staff_processes
                ],
            }
        )
    return entries


def _organisations_with_rounds(ids: set[int] | None) -> list[Organisation]:
    organisations = Organisation.objects.order_by("name").prefetch_related(
        Prefetch(
            "budget_rounds",
            BudgetRound.objects.order_by("-created_at"),
            to_attr="staff_rounds",
        ),
        Prefetch(
            "processes",
            ParticipatoryProcess.objects.filter(budget_round__isnull=True).order_by("-created_at"),
            to_attr="staff_processes",
        ),
    )
    if ids is not None:
        organisations = organisations.filter(pk__in=ids)
    return list(organisations)


def staff_home(request: HttpRequest) -> HttpResponse:
    """The organisations where the user is staff, their rounds and their work queues."""
    redirect_response = _signed_in(request)
    if redirect_response is not None:
        return redirect_response
    ids = permissions.staff_organisation_ids(request.user)
    if ids is not None and not ids:
        raise PermissionDenied(_("This area is for the staff of an organisation."))
    organisations = _organisations_with_rounds(ids)
    return render(
        request,
        "frontend/staff/home.html",
        {"entries": _organisation_entries(request, organisations)},
    )


@staff_page(permissions.is_staff_of, kind="organisation")
def staff_organisation(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """One organisation's rounds and idea processes; administrators start new rounds here."""
    organisations = _organisations_with_rounds({organisation.pk})
    entry = _organisation_entries(request, organisations)[0]
    return render(
        request,
        "frontend/staff/organisation.html",
        {
            "organisation": organisations[0],
            "entry": entry,
            "crumbs": staff_crumbs(organisation),  # the last crumb is the current page
        },
    )


@staff_page(permissions.can_manage_organisation, kind="organisation")
def staff_organisation_settings(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """The organisation's colour, logo and website, as residents will see them."""
    status = 200
    if request.method == "POST":
        form = forms.OrganisationBrandingForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                engagement_services.organisation_branding_update(
                    actor=request.user,
                    organisation=organisation,
                    brand_colour=form.cleaned_data["brand_colour"],
                    website=form.cleaned_data["website"],
                    logo=form.cleaned_data["logo"],
                    remove_logo=form.cleaned_data["remove_logo"],
                )
            except ValidationError as error:
                forms.add_errors(form, error)
            else:
                messages.success(request, _("The organisation's look was saved."))
                return redirect("frontend:staff_organisation_settings", organisation.slug)
        status = 400
    else:
        form = forms.OrganisationBrandingForm(
            initial={"brand_colour": organisation.brand_colour, "website": organisation.website}
        )
    return render(
        request,
        "frontend/staff/organisation_settings.html",
        {
            "organisation": organisation,
            "form": form,
            "crumbs": staff_crumbs(organisation, (_("Look and logo"), None)),
        },
        status=status,
    )


# --- round design -------------------------------------------------------------------------


def _help_lists() -> dict[str, Any]:
    from budgeting.models import BallotFormat, TieBreak

    return {
        "format_help": forms.choices_with_help(BallotFormat.choices, forms.BALLOT_FORMAT_HELP),
        "rule_help": forms.choices_with_help(OutcomeRule.choices, forms.OUTCOME_RULE_HELP),
        "tie_help": forms.choices_with_help(TieBreak.choices, forms.TIE_BREAK_HELP),
    }


@staff_page(permissions.can_manage_organisation, kind="organisation")
def staff_round_create(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """A new round in draft: its design and budgets, checked as the API checks them."""
    status = 200
    if request.method == "POST":
        form = forms.RoundCreateForm(request.POST, organisation=organisation)
        budget_round = _create_round(request, form) if form.is_valid() else None
        if budget_round is not None:
            messages.success(
                request,
                _("The round “%(title)s” was created as a draft.") % {"title": budget_round.title},
            )
            return redirect("frontend:staff_round", budget_round.slug)
        status = 400
    else:
        form = forms.RoundCreateForm(organisation=organisation)
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


def _create_round(request: HttpRequest, form: forms.RoundCreateForm) -> BudgetRound | None:
    data = api.RoundCreateInput(data=form.create_data())
    if not data.is_valid():
        forms.add_errors(form, data.errors)
        return None
    try:
        return rounds.round_create(actor=request.user, **data.validated_data)
    except ValidationError as exc:
        forms.add_errors(form, exc)
        return None


@staff_page(permissions.can_manage_organisation)
def staff_round_settings(request: HttpRequest, budget_round: BudgetRound) -> HttpResponse:
    """The round's design; settings that decide how votes count lock once voting opens."""
    organisation = budget_round.organisation
    status = 200
    if request.method == "POST":
        form = forms.RoundForm(request.POST, organisation=organisation, budget_round=budget_round)
        if form.is_valid() and _update_round(request, form, budget_round):
            messages.success(request, _("The round's settings were saved."))
            return redirect("frontend:staff_round_settings", budget_round.slug)
        status = 400
        budget_round.refresh_from_db()  # a refused change must not show as saved
    else:
        form = forms.RoundForm(organisation=organisation, budget_round=budget_round)
    return render(
        request,
        "frontend/staff/round_form.html",
        _context(
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


def _update_round(request: HttpRequest, form: forms.RoundForm, budget_round: BudgetRound) -> bool:
    data = api.RoundSettingsInput(data=form.settings_data(), partial=True)
    if not data.is_valid():
        forms.add_errors(form, data.errors)
        return False
    try:
        rounds.round_update(actor=request.user, budget_round=budget_round, **data.validated_data)
    except ValidationError as exc:
        if "phase" in getattr(exc, "error_dict", {}) and form.submitted_locked:
            for name in form.submitted_locked:
                form.add_error(name, _lock_reason(budget_round))
        else:
            forms.add_errors(form, exc)
        return False
    return True


@staff_page(permissions.can_manage_organisation)
def staff_round_districts(request: HttpRequest, budget_round: BudgetRound) -> HttpResponse:
    """The city-wide pot and district budgets: add, change, remove (before voting)."""
    status = 200
    add_form = forms.DistrictBudgetAddForm(budget_round=budget_round)
    edit_forms = {}
    budgets = list(budget_round.districts.select_related("district").order_by("position", "key"))
    editable = phases.allows(budget_round.phase, Action.CONFIGURE)
    if request.method == "POST":
        action = request.POST.get("action", "")
        target = next((d for d in budgets if str(d.pk) == request.POST.get("budget_id")), None)
        if action == "add":
            add_form = forms.DistrictBudgetAddForm(request.POST, budget_round=budget_round)
            if add_form.is_valid() and _add_budget(request, add_form, budget_round):
                messages.success(request, _("The budget was added."))
                return redirect("frontend:staff_round_districts", budget_round.slug)
        elif action == "edit" and target is not None:
            form = forms.DistrictBudgetEditForm(request.POST, district_budget=target)
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
            "form": edit_forms.get(d.pk) or forms.DistrictBudgetEditForm(district_budget=d),
            "projects": project_counts.get(d.pk, 0),
        }
        for d in budgets
    ]
    return render(
        request,
        "frontend/staff/districts.html",
        _context(
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
    """A decimal amount through the API's own amount field and conversion."""
    from engagement.http.fields import AmountInput

    try:
        value = AmountInput().run_validation(form.cleaned_data[field])
        return amount_to_minor(value, currency, field)
    except api.serializers.ValidationError as exc:
        detail = exc.detail
        messages_ = detail.get(field, detail) if isinstance(detail, dict) else detail
        for message in messages_:
            form.add_error(field, str(message))
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
        forms.add_errors(form, exc, {"key": "district"})
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
        forms.add_errors(form, exc)
        return False
    return True


# --- projects -----------------------------------------------------------------------------


def _project_lock_reason(budget_round: BudgetRound) -> str:
    return _(
        "The round is in the %(phase)s phase. Cost, budget, categories, target groups and"
        " location can only change before voting opens, so every voter chooses between the"
        " same projects. Title, description and translations can still be corrected."
    ) % {"phase": budget_round.get_phase_display()}


def _project_groups(request: HttpRequest, budget_round: BudgetRound) -> list[dict[str, Any]]:
    """The round's projects per district budget, with the idea each came from (3 queries)."""
    budgets = sorted(budget_round.districts.all(), key=lambda d: (d.position, d.key))
    projects = list(selectors.projects_visible_to(request.user, budget_round))
    ideas = idea_links_for_projects([p.pk for p in projects])
    rows: dict[int, list[dict[str, Any]]] = {d.pk: [] for d in budgets}
    for project in sorted(projects, key=lambda p: natural_key(p.external_id)):
        idea = ideas.get(project.pk)
        rows.setdefault(project.district_budget_id, []).append(
            {
                "project": project,
                "badge": STATUS_BADGES.get(project.status, ""),
                "idea": idea,
                "idea_url": link("idea_detail", idea["id"]) if idea else None,
            }
        )
    return [
        {
            "budget": d,
            "rows": rows[d.pk],
            "total": sum(r["project"].cost for r in rows[d.pk]),
        }
        for d in budgets
    ]


@staff_page(permissions.can_manage_organisation)
def staff_round_projects(request: HttpRequest, budget_round: BudgetRound) -> HttpResponse:
    """The round's projects per budget; adding one while the phase allows editing projects."""
    editable = phases.allows(budget_round.phase, Action.EDIT_PROJECTS)
    status = 200
    if request.method == "POST" and editable:
        form = forms.ProjectCreateForm(request.POST, budget_round=budget_round)
        project = _create_project(request, form, budget_round) if form.is_valid() else None
        if project is not None:
            messages.success(
                request, _("The project “%(title)s” was added.") % {"title": project.title}
            )
            return redirect("frontend:staff_round_projects", budget_round.slug)
        status = 400
    elif request.method == "POST":
        messages.error(request, _project_lock_reason(budget_round))
        return redirect("frontend:staff_round_projects", budget_round.slug)
    else:
        form = forms.ProjectCreateForm(budget_round=budget_round)
    return render(
        request,
        "frontend/staff/projects.html",
        _context(
            request,
            budget_round,
            "staff_round_projects",
            page_title=_("Projects"),
            groups=_project_groups(request, budget_round),
            form=form if editable else None,
            editable=editable,
            lock_reason="" if editable else _project_lock_reason(budget_round),
        ),
        status=status,
    )


def _create_project(
    request: HttpRequest, form: forms.ProjectCreateForm, budget_round: BudgetRound
) -> Project | None:
    data = api.ProjectCreateInput(data=form.api_data(), context={"round": budget_round})
    if not data.is_valid():
        forms.add_errors(form, data.errors)
        return None
    try:
        return rounds.project_create(
            actor=request.user, budget_round=budget_round, **data.validated_data
        )
    except ValidationError as exc:
        forms.add_errors(form, exc, PROJECT_ERROR_ALIASES)
        return None


# Service and model names of project fields -> the page's field names.
PROJECT_ERROR_ALIASES = {"district_budget": "district", "external_id": "id"}


def staff_project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a project: wording always, the rest only while projects may be edited."""
    redirect_response = _signed_in(request)
    if redirect_response is not None:
        return redirect_response
    project = get_object_or_404(
        Project.objects.select_related("round__organisation", "district_budget"), pk=pk
    )
    budget_round = _round(request, project.round.slug, permissions.can_manage_organisation)
    with timezone.override(ZoneInfo(budget_round.organisation.time_zone)):
        return _project_edit_page(request, budget_round, project)


def _project_edit_page(
    request: HttpRequest, budget_round: BudgetRound, project: Project
) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = forms.ProjectForm(request.POST, budget_round=budget_round, project=project)
        if form.is_valid() and _update_project(request, form, budget_round, project):
            messages.success(
                request, _("“%(title)s” was saved.") % {"title": form.cleaned_data["title"]}
            )
            return redirect("frontend:staff_round_projects", budget_round.slug)
        status = 400
        project.refresh_from_db()  # a refused change must not show as saved
    else:
        form = forms.ProjectForm(budget_round=budget_round, project=project)
    idea = idea_links_for_projects([project.pk]).get(project.pk)
    context = _context(
        request,
        budget_round,
        "staff_round_projects",
        page_title=_("Edit “%(title)s”") % {"title": project.title},
        project=project,
        form=form,
        idea=idea,
        idea_url=link("idea_detail", idea["id"]) if idea else None,
        public_url=link("project", budget_round.slug, project.pk),
        lock_reason=_project_lock_reason(budget_round) if form.locked else "",
    )
    context["crumbs"].insert(
        -1,
        {
            "label": _("Projects"),
            "url": reverse("frontend:staff_round_projects", args=[budget_round.slug]),
        },
    )
    return render(request, "frontend/staff/project_form.html", context, status=status)


def _update_project(
    request: HttpRequest, form: forms.ProjectForm, budget_round: BudgetRound, project: Project
) -> bool:
    data = api.ProjectUpdateInput(data=form.api_data(), context={"round": budget_round})
    if not data.is_valid():
        forms.add_errors(form, data.errors)
        return False
    try:
        rounds.project_update(actor=request.user, project=project, **data.validated_data)
    except ValidationError as exc:
        forms.add_errors(form, exc, PROJECT_ERROR_ALIASES)
        return False
    return True


# --- phase and schedule -------------------------------------------------------------------


@staff_page(permissions.can_manage_organisation)
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
    phase_form = forms.PhaseForm(budget_round=budget_round)
    schedule_form = forms.ScheduleForm(
        budget_round=budget_round, initial=_schedule_initial(budget_round)
    )
    target = request.GET.get("to", "")
    if request.method == "POST" and request.POST.get("action") == "schedule":
        schedule_form = forms.ScheduleForm(
            request.POST, budget_round=budget_round, initial=_schedule_initial(budget_round)
        )
        if schedule_form.is_valid() and _save_schedule(request, schedule_form, budget_round):
            messages.success(request, _("The schedule was saved."))
            return redirect("frontend:staff_round_phase", budget_round.slug)
        status = 400
    elif request.method == "POST":
        phase_form = forms.PhaseForm(request.POST, budget_round=budget_round)
        target = request.POST.get("to", "")
        if phase_form.is_valid():
            try:
                rounds.phase_advance(
                    actor=request.user,
                    budget_round=budget_round,
                    to_phase=phase_form.cleaned_data["to"],
                )
            except ValidationError as exc:
                forms.add_errors(phase_form, exc, {"phase": "to"})
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
        _context(
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
            data = api.ScheduleInput(
                data={
                    "phase": phase,
                    "starts_at": (
                        form.cleaned_data[phase].isoformat() if form.cleaned_data[phase] else None
                    ),
                }
            )
            if not data.is_valid():
                forms.add_errors(form, {phase: data.errors.get("starts_at", data.errors)})
                return False
            rounds.phase_schedule_set(
                actor=request.user, budget_round=budget_round, **data.validated_data
            )
    except ValidationError as exc:
        forms.add_errors(form, exc)
        return False
    return True


# --- dashboard ----------------------------------------------------------------------------


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


@staff_page(permissions.is_staff_of)
def staff_round(request: HttpRequest, budget_round: BudgetRound) -> HttpResponse:
    """The round at a glance, updated live for the organisation's staff."""
    state = dashboard_state(budget_round)
    budgets = list(budget_round.districts.order_by("position", "key"))
    district_rows = [{"budget": d, "turnout": state["districts"].get(d.key, {})} for d in budgets]
    return render(
        request,
        "frontend/staff/round.html",
        _context(
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
            queue_links={
                "review": link("staff_review_queue", budget_round.organisation.slug),
                "moderation": link("staff_moderation", budget_round.organisation.slug),
                "paper": link("staff_paper", budget_round.slug),
            },
        ),
    )


# --- tally preview ------------------------------------------------------------------------


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
    by_district: dict[int, dict[str, TallyResult]] = {}
    for rule in rules:
        for result in runs[rule]:
            by_district.setdefault(result.district_budget_id, {})[rule] = result
    projects: dict[int, list[Project]] = {}
    for project in Project.objects.filter(
        round=budget_round, status__in=results.COUNTED_STATUSES
    ).order_by("external_id"):
        projects.setdefault(project.district_budget_id, []).append(project)
    all_results = [r for rs in runs.values() for r in rs]
    titles = project_titles(all_results)
    tables = []
    for district_budget in budgets:
        found = by_district.get(district_budget.pk, {})
        if not found:
            continue
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
            funded_by = [labels[c["rule"]] for c in cells if c["selected"]]
            not_by = [labels[c["rule"]] for c in cells if not c["selected"]]
            differs = bool(funded_by) and bool(not_by)
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


@staff_page(permissions.can_manage_organisation)
def staff_tally(request: HttpRequest, budget_round: BudgetRound) -> HttpResponse:
    """Run every outcome rule as a preview and compare them; nothing reaches residents."""
    can_run = phases.allows(budget_round.phase, Action.TALLY)
    status = 200
    form = forms.TallyForm(request.POST if request.method == "POST" else None)
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
        _context(
            request,
            budget_round,
            "staff_tally",
            page_title=_("Tally preview"),
            form=form,
            can_run=can_run,
            pending=pending_since is not None,
            tables=rule_comparison_tables(budget_round, runs, budgets),
            rule_help=forms.choices_with_help(OutcomeRule.choices, forms.OUTCOME_RULE_HELP),
            chosen_rule=budget_round.get_outcome_rule_display(),
        ),
        status=status,
    )


def _run_comparison(request: HttpRequest, budget_round: BudgetRound) -> None:
    """The API's comparison (every rule), in the request or, for big rounds, in Celery."""
    from budgeting import tasks

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


@staff_page(permissions.can_manage_organisation)
def staff_publish(request: HttpRequest, budget_round: BudgetRound) -> HttpResponse:
    """Confirm, then publish the round's rule outcome for everyone (cannot be undone)."""
    can_publish = phases.allows(budget_round.phase, Action.PUBLISH)
    status = 200
    form = forms.PublishForm()
    if request.method == "POST":
        form = forms.PublishForm(request.POST)
        if not can_publish:
            form.is_valid()
            form.add_error(None, _("Results are published from the tallying phase."))
        elif form.is_valid():
            try:
                results.results_publish(actor=request.user, budget_round=budget_round)
            except ValidationError as exc:
                forms.add_errors(form, exc)
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
        _context(
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


# --- statistics ---------------------------------------------------------------------------


def _statistics_rows(stats: dict[str, Any]) -> list[list[str]]:
    """The suppressed statistics as CSV rows; hidden cells read "fewer than 5"."""
    hidden = _("fewer than %(n)s") % {"n": stats["threshold"]}

    def cell(value: dict[str, Any] | None, key: str = "count") -> str:
        if value is None:
            return ""
        return hidden if value.get("suppressed") else str(value.get(key))

    rows = [[_("Table"), _("Group"), _("Voters"), _("Registered residents"), _("Turnout %")]]
    for table, title in (("by_district", _("District")), ("by_age_group", _("Age group"))):
        data = stats.get(table)
        for group in (data or {}).get("groups", []):
            rows.append(
                [
                    str(title),
                    group["label"],
                    cell(group["voters"]),
                    cell(group.get("residents")),
                    cell(group.get("turnout"), "percent"),
                ]
            )
    for group in stats.get("by_target_group") or []:
        rows.append([_("Target group"), group["label"], cell(group["voters"]), "", ""])
    return rows


@staff_page(permissions.is_staff_of)
def staff_statistics(request: HttpRequest, budget_round: BudgetRound) -> HttpResponse:
    """Who took part, by district, age band and target group; small groups suppressed."""
    stats = statistics.round_statistics(budget_round, staff=True)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{budget_round.slug}-statistics.csv"'
        )
        writer = csv.writer(response)
        for row in _statistics_rows(stats):
            writer.writerow([_csv_safe(c) for c in row])
        return response
    return render(
        request,
        "frontend/staff/statistics.html",
        _context(
            request,
            budget_round,
            "staff_statistics",
            page_title=_("Statistics"),
            stats=stats,
            district_chart=_bar_chart((stats.get("by_district") or {}).get("groups", [])),
            age_chart=_bar_chart((stats.get("by_age_group") or {}).get("groups", [])),
            channel_labels=dict(online=_("Online"), paper=_("Paper"), imported=_("Imported")),
        ),
    )


def _csv_safe(value: str) -> str:
    # Spreadsheets run cells starting with these as formulas.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def _bar_chart(groups: list[dict[str, Any]]) -> dict[str, Any]:
    """Horizontal bars of voters per group; suppressed groups get no bar (the table says why)."""
    shown = [g for g in groups if not g["voters"]["suppressed"]]
    peak = max((g["voters"]["count"] for g in shown), default=0) or 1
    bars = []
    for index, group in enumerate(groups):
        count = None if group["voters"]["suppressed"] else group["voters"]["count"]
        bars.append(
            {
                "label": group["label"],
                "count": count,
                "y": index * 32,
                "width": 0 if count is None else round(380 * count / peak, 1),
            }
        )
    return {"bars": bars, "height": max(len(groups), 1) * 32}
