"""Who may do what with a survey: role x organisation x survey state.

Building is for the organisation's administrators; hiding free-text answers for its
moderators too; every staff role of the organisation reads the full results. Residents see a
survey once it is no longer a draft, and its results when the survey publishes them (live, or
once closed). Services call these and say why when they refuse.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from engagement.people import permissions
from engagement.people.models import Organisation
from surveys.models import ResultsVisibility, Survey, SurveyState


def current_state(survey: Survey, now: datetime | None = None) -> str:
    """The state in force: a scheduled survey whose opening time has passed is open, and an
    open one whose closing time has passed is closed, even before the scheduler has run."""
    now = now or timezone.now()
    state = survey.state
    if state == SurveyState.SCHEDULED and survey.opens_at and survey.opens_at <= now:
        state = SurveyState.OPEN
    if state == SurveyState.OPEN and survey.closes_at and survey.closes_at <= now:
        state = SurveyState.CLOSED
    return state


def can_build(actor: Any, organisation: Organisation | int) -> bool:
    return permissions.can_manage_organisation(actor, organisation)


def can_moderate_answers(actor: Any, organisation: Organisation | int) -> bool:
    return permissions.can_moderate(actor, organisation)


def can_read_all_results(actor: Any, organisation: Organisation | int) -> bool:
    """Staff of the organisation see results at any time, hidden answers marked as such."""
    return permissions.is_staff_of(actor, organisation)


def is_visible(actor: Any, survey: Survey) -> bool:
    """Drafts are for staff; everything else is public."""
    return survey.state != SurveyState.DRAFT or can_read_all_results(actor, survey.organisation_id)


def results_published(survey: Survey, now: datetime | None = None) -> bool:
    state = current_state(survey, now)
    if survey.results_visibility == ResultsVisibility.LIVE:
        return state in (SurveyState.OPEN, SurveyState.CLOSED)
    if survey.results_visibility == ResultsVisibility.AFTER_CLOSE:
        return state == SurveyState.CLOSED
    return False


def can_read_results(actor: Any, survey: Survey, now: datetime | None = None) -> bool:
    return results_published(survey, now) or can_read_all_results(actor, survey.organisation_id)
