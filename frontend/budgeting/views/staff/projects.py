"""A round's projects: the list per budget, adding one, correcting one."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from budgeting import inputs, phases
from budgeting.models import BudgetRound, Project
from budgeting.phases import Action
from budgeting.selectors import rounds as selectors
from budgeting.services import rounds
from budgeting.tally import natural_key
from engagement.ideas.selectors import idea_links_for_projects
from engagement.people import permissions
from frontend.budgeting.forms.staff.projects import ProjectCreateForm, ProjectForm
from frontend.budgeting.views.rounds import STATUS_BADGES
from frontend.budgeting.views.staff.common import find_round, round_context, round_page
from frontend.service_errors import add_service_errors
from frontend.staff_access import link, require_role, signed_in


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


@round_page(permissions.can_manage_organisation)
def staff_round_projects(request: HttpRequest, budget_round: BudgetRound) -> HttpResponse:
    """The round's projects per budget; adding one while the phase allows editing projects."""
    editable = phases.allows(budget_round.phase, Action.EDIT_PROJECTS)
    status = 200
    if request.method == "POST" and editable:
        form = ProjectCreateForm(request.POST, budget_round=budget_round)
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
        form = ProjectCreateForm(budget_round=budget_round)
    return render(
        request,
        "frontend/staff/projects.html",
        round_context(
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
    request: HttpRequest, form: ProjectCreateForm, budget_round: BudgetRound
) -> Project | None:
    try:
        fields = inputs.project_fields(budget_round, form.api_data())
        return rounds.project_create(actor=request.user, budget_round=budget_round, **fields)
    except ValidationError as exc:
        add_service_errors(form, exc, PROJECT_ERROR_ALIASES)
        return None


# Service and model names of project fields -> the page's field names.
PROJECT_ERROR_ALIASES = {"district_budget": "district", "external_id": "id"}


def staff_project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a project: wording always, the rest only while projects may be edited."""
    redirect_response = signed_in(request)
    if redirect_response is not None:
        return redirect_response
    project = get_object_or_404(
        Project.objects.select_related("round__organisation", "district_budget"), pk=pk
    )
    budget_round, organisation = find_round(project.round.slug)
    require_role(request, organisation, permissions.can_manage_organisation)
    with timezone.override(ZoneInfo(budget_round.organisation.time_zone)):
        return _project_edit_page(request, budget_round, project)


def _project_edit_page(
    request: HttpRequest, budget_round: BudgetRound, project: Project
) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = ProjectForm(request.POST, budget_round=budget_round, project=project)
        if form.is_valid() and _update_project(request, form, budget_round, project):
            messages.success(
                request, _("“%(title)s” was saved.") % {"title": form.cleaned_data["title"]}
            )
            return redirect("frontend:staff_round_projects", budget_round.slug)
        status = 400
        project.refresh_from_db()  # a refused change must not show as saved
    else:
        form = ProjectForm(budget_round=budget_round, project=project)
    idea = idea_links_for_projects([project.pk]).get(project.pk)
    context = round_context(
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
    request: HttpRequest, form: ProjectForm, budget_round: BudgetRound, project: Project
) -> bool:
    try:
        fields = inputs.project_fields(budget_round, form.api_data())
        rounds.project_update(actor=request.user, project=project, **fields)
    except ValidationError as exc:
        add_service_errors(form, exc, PROJECT_ERROR_ALIASES)
        return False
    return True
