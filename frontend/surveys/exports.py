"""The staff page of a survey's files: its answers and codebook as CSV or JSON."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from engagement.people.models import Organisation
from frontend.staff_access import staff_crumbs, staff_page
from surveys.models import Response, ResponseStatus, Survey
from surveys.permissions import can_read_all_results
from surveys.services.exports import is_anonymous


def find_survey(slug: str) -> tuple[Survey, Organisation]:
    survey = get_object_or_404(Survey.objects.select_related("organisation"), slug=slug)
    return survey, survey.organisation


@staff_page(can_read_all_results, find_survey)
def staff_survey_exports(request: HttpRequest, survey: Survey) -> HttpResponse:
    """Download links for the answers and the codebook, with what the files leave out."""
    files = [
        (_("Answers"), "api:survey-export", "answers"),
        (_("Codebook"), "api:survey-codebook", "codebook"),
    ]
    downloads = [
        {
            "label": label,
            "csv": reverse(name, args=[survey.slug, "csv"]),
            "json": reverse(name, args=[survey.slug, "json"]),
            "name": name_part,
        }
        for label, name, name_part in files
    ]
    return render(
        request,
        "surveys/staff/exports.html",
        {
            "survey": survey,
            "organisation": survey.organisation,
            "downloads": downloads,
            "anonymous": is_anonymous(survey),
            "submitted": Response.objects.filter(
                survey=survey, status=ResponseStatus.SUBMITTED
            ).count(),
            "results_url": reverse("frontend:staff_survey_results", args=[survey.slug]),
            "crumbs": staff_crumbs(survey.organisation, (survey.title, None), (_("Files"), None)),
        },
    )
