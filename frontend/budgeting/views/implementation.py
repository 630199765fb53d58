"""Implementation tracking of a round's selected projects: status, progress and dated updates
with photos, which followers are told about.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from budgeting import phases
from budgeting.models import BudgetRound, Project
from budgeting.models.implementation import ImplementationStatus
from budgeting.phases import Action as RoundAction
from budgeting.services import implementation
from engagement.people import permissions
from frontend.budgeting.forms.implementation import (
    ImplementationStatusForm,
    ImplementationUpdateForm,
)
from frontend.service_errors import add_service_errors
from frontend.staff_access import link, require, signed_in, staff_crumbs

# Two forms on one page share field names; their ids must differ.
UPDATE_IDS = "update_%s"


def _admin_round(request: HttpRequest, slug: str) -> BudgetRound:
    budget_round = get_object_or_404(BudgetRound.objects.select_related("organisation"), slug=slug)
    require(
        request,
        permissions.can_manage_organisation(request.user, budget_round.organisation),
        _("Only administrators of this organisation can report on implementation."),
    )
    return budget_round


@require_GET
def implementation_list(request: HttpRequest, slug: str) -> HttpResponse:
    if (response := signed_in(request)) is not None:
        return response
    budget_round = _admin_round(request, slug)
    projects = list(
        implementation.trackable_projects(budget_round)
        .select_related("district_budget", "implementation")
        .annotate(
            update_count=Count("implementation_updates"),
            last_update=Max("implementation_updates__happened_on"),
        )
        .order_by("district_budget__position", "external_id")
    )
    for project in projects:
        project.tracking = getattr(project, "implementation", None)
    return render(
        request,
        "frontend/staff/queues/implementation.html",
        {
            "organisation": budget_round.organisation,
            "round": budget_round,
            "projects": projects,
            "tracking_open": phases.allows(budget_round.phase, RoundAction.TRACK_IMPLEMENTATION),
            "public_url": link("round_implementation", budget_round.slug),
            "crumbs": staff_crumbs(
                budget_round.organisation,
                (budget_round.title, link("staff_round", budget_round.slug)),
                (_("Implementation"), None),
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def project_implementation(request: HttpRequest, pk: int) -> HttpResponse:
    if (response := signed_in(request)) is not None:
        return response
    project = get_object_or_404(
        Project.objects.select_related("round__organisation", "district_budget"), pk=pk
    )
    budget_round = project.round
    require(
        request,
        permissions.can_manage_organisation(request.user, budget_round.organisation),
        _("Only administrators of this organisation can report on implementation."),
    )
    if project.status not in implementation.TRACKED_STATUSES:
        raise Http404
    current = implementation.implementation_of(project)
    status_form = ImplementationStatusForm(
        initial={"status": current.status, "progress": current.progress}
    )
    update_form = ImplementationUpdateForm(auto_id=UPDATE_IDS)
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "update":
            update_form = ImplementationUpdateForm(request.POST, request.FILES, auto_id=UPDATE_IDS)
            if update_form.is_valid() and _post_update(request, project, update_form):
                return redirect("frontend:staff_project_implementation", pk=project.pk)
        else:
            status_form = ImplementationStatusForm(request.POST)
            if status_form.is_valid() and _set_status(request, project, status_form):
                return redirect("frontend:staff_project_implementation", pk=project.pk)
        status = 400
    return render(
        request,
        "frontend/staff/queues/project_implementation.html",
        {
            "organisation": budget_round.organisation,
            "round": budget_round,
            "project": project,
            "current": current,
            "status_label": ImplementationStatus(current.status).label,
            "status_form": status_form,
            "update_form": update_form,
            "bound_form": update_form if update_form.is_bound else status_form,
            "tracking_open": phases.allows(budget_round.phase, RoundAction.TRACK_IMPLEMENTATION),
            "public_url": link("project", budget_round.slug, project.pk),
            "crumbs": staff_crumbs(
                budget_round.organisation,
                (budget_round.title, link("staff_round", budget_round.slug)),
                (_("Implementation"), link("staff_implementation", budget_round.slug)),
                (project.title, None),
            ),
        },
        status=status,
    )


def _set_status(request: HttpRequest, project: Project, form: ImplementationStatusForm) -> bool:
    try:
        implementation.implementation_set(
            actor=request.user,
            project=project,
            status=form.cleaned_data["status"],
            progress=form.cleaned_data["progress"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    messages.success(request, _("Status and progress saved; followers are told."))
    return True


def _post_update(request: HttpRequest, project: Project, form: ImplementationUpdateForm) -> bool:
    data = form.cleaned_data
    try:
        implementation.implementation_update_post(
            actor=request.user,
            project=project,
            text=data["text"],
            happened_on=data.get("happened_on"),
            status=data.get("status") or None,
            progress=data.get("progress"),
            images=[
                implementation.ImageUpload(file=upload, description=alt)
                for upload, alt in form.uploads()
            ],
        )
    except ValidationError as error:
        add_service_errors(form, error, aliases={"images": "image_1"})
        return False
    messages.success(request, _("Update published; followers are told."))
    return True
