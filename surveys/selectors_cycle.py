"""Reads of the participation cycle: the surveys linked to a budget round.

Surveys know a round only by its id (``Survey.budget_round``), so budgeting never imports
surveys: the round pages compose the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from surveys.models import Survey, SurveyState
from surveys.permissions import current_state, results_published


def surveys_for_round(
    round_id: int, purpose: str | None = None, *, include_drafts: bool = False
) -> QuerySet[Survey]:
    """The surveys linked to the round (of ``purpose`` if given), oldest first.

    Drafts are left out unless ``include_drafts`` (staff pages list them to finish them).
    """
    surveys = Survey.objects.filter(budget_round_id=round_id).select_related("organisation")
    if purpose is not None:
        surveys = surveys.filter(purpose=purpose)
    if not include_drafts:
        surveys = surveys.exclude(state=SurveyState.DRAFT)
    return surveys.order_by("created_at", "pk")


@dataclass(frozen=True)
class RoundSurvey:
    """A round's survey as a resident's page shows it: the state in force, and whether its
    results may be read by everyone."""

    survey: Survey
    state: str
    results_published: bool

    @property
    def is_open(self) -> bool:
        return self.state == SurveyState.OPEN


# Which of several linked surveys a resident's page shows: one to answer now, else one about
# to open, else the latest closed (its results).
_PREFERENCE = {SurveyState.OPEN: 0, SurveyState.SCHEDULED: 1, SurveyState.CLOSED: 2}


def round_survey(round_id: int, purpose: str, now: datetime | None = None) -> RoundSurvey | None:
    """The one survey of ``purpose`` the round's public page shows, or ``None`` (one query)."""
    now = now or timezone.now()
    best: tuple[tuple[int, float], RoundSurvey] | None = None
    for survey in surveys_for_round(round_id, purpose):
        state = current_state(survey, now)
        if state not in _PREFERENCE:
            continue
        # Among closed ones the latest; among open or scheduled ones the first to close/open.
        moment = (survey.closes_at or survey.opens_at or survey.created_at).timestamp()
        rank = (_PREFERENCE[state], -moment if state == SurveyState.CLOSED else moment)
        if best is None or rank < best[0]:
            best = (rank, RoundSurvey(survey, state, results_published(survey, now)))
    return best[1] if best is not None else None


def open_surveys_count(organisation_id: int, now: datetime | None = None) -> int:
    """The organisation's surveys open now (by the state in force, so a survey whose closing
    time passed is not counted before the scheduler has run). One query."""
    now = now or timezone.now()
    not_closed_yet = Q(closes_at__isnull=True) | Q(closes_at__gt=now)
    return (
        Survey.objects.filter(organisation_id=organisation_id)
        .filter(
            Q(state=SurveyState.OPEN) | Q(state=SurveyState.SCHEDULED, opens_at__lte=now),
            not_closed_yet,
        )
        .count()
    )
