"""Live topic of a survey's results (docs/realtime.md): ``survey:<slug>:results``.

Staff of the survey's organisation may always watch; everyone else only while the survey
publishes its results live (``results_visibility`` live, survey open or closed). One frame
serves every subscriber, so it carries the public results (hidden free text not counted).
Pushes are coalesced by the broadcaster like the round topics: a burst of responses costs
one read of the results per interval per process.
"""

from __future__ import annotations

from typing import Any

from engagement.realtime.protocol import TopicForbidden, TopicNotFound, register_topic_kind
from surveys import permissions
from surveys.models import ResultsVisibility, Survey, SurveyState
from surveys.services.live_updates import publish_results, results_topic
from surveys.services.results import survey_results

__all__ = ["authorize_results", "publish_results", "register", "results_snapshot", "results_topic"]


def _survey(slug: str) -> Survey:
    survey = Survey.objects.select_related("organisation").filter(slug=slug).first()
    if survey is None:
        raise TopicNotFound(slug)
    return survey


def authorize_results(slug: str, user: Any) -> None:
    survey = _survey(slug)
    if permissions.can_read_all_results(user, survey.organisation_id):
        return
    if not permissions.is_visible(user, survey):
        raise TopicNotFound(slug)
    state = permissions.current_state(survey)
    live = survey.results_visibility == ResultsVisibility.LIVE
    if not (live and state in (SurveyState.OPEN, SurveyState.CLOSED)):
        raise TopicForbidden(slug)


def results_snapshot(slug: str) -> dict[str, Any]:
    return survey_results(_survey(slug), include_hidden=False)


def register() -> None:
    register_topic_kind("survey", "results", authorize=authorize_results, snapshot=results_snapshot)
