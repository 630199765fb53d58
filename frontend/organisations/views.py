"""Staff pages of an organisation: the staff home with every work queue, one organisation's
rounds and processes, and its look (colour, logo, website).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from budgeting import phases
from budgeting.models import BudgetRound, PaperBallotSheet, PaperSheetStatus, Project, ProjectStatus
from budgeting.phases import Action
from engagement.ideas.models import ParticipatoryProcess, Report, ReportStatus
from engagement.ideas.selectors import review_queue_sizes
from engagement.people import permissions
from engagement.people import services as engagement_services
from engagement.people.models import Organisation
from frontend.budgeting.views.staff.common import phase_badge
from frontend.organisations.forms import OrganisationBrandingForm
from frontend.service_errors import add_service_errors
from frontend.staff_access import link, signed_in, staff_crumbs, staff_page

PAPER_OPEN_STATUSES = (PaperSheetStatus.AWAITING_SECOND_ENTRY, PaperSheetStatus.CONFLICT)


def _queue_counts(organisations: list[Organisation], round_ids: list[int]) -> dict[str, Any]:
    """Sizes of the work queues, in four grouped queries whatever the number of rounds."""
    org_ids = [o.pk for o in organisations]
    review = review_queue_sizes(org_ids)
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
    redirect_response = signed_in(request)
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


@staff_page(permissions.is_staff_of)
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


@staff_page(permissions.can_manage_organisation)
def staff_organisation_settings(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """The organisation's colour, logo and website, as residents will see them."""
    status = 200
    if request.method == "POST":
        form = OrganisationBrandingForm(request.POST, request.FILES)
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
                add_service_errors(form, error)
            else:
                messages.success(request, _("The organisation's look was saved."))
                return redirect("frontend:staff_organisation_settings", organisation.slug)
        status = 400
    else:
        form = OrganisationBrandingForm(
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
