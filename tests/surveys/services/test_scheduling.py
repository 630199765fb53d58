"""Surveys open and close by themselves at their planned times (the beat task)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from engagement import dashboards
from surveys import tasks
from surveys.models import Survey, SurveyState
from surveys.permissions import current_state
from surveys.services.scheduling import scheduled_surveys_run
from tests.surveys.factories import SurveyFactory

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def stored(survey: Survey) -> str:
    return Survey.objects.values_list("state", flat=True).get(pk=survey.pk)


@pytest.fixture
def now():
    return timezone.now()


class TestLeftAlone:
    def test_drafts_even_with_times_that_passed(self, now):
        draft = SurveyFactory(
            state=SurveyState.DRAFT, opens_at=now - 2 * HOUR, closes_at=now - HOUR
        )
        assert scheduled_surveys_run(now=now) == []
        assert stored(draft) == SurveyState.DRAFT

    def test_scheduled_before_its_time_and_scheduled_without_a_time(self, now):
        later = SurveyFactory(state=SurveyState.SCHEDULED, opens_at=now + timedelta(minutes=1))
        no_time = SurveyFactory(state=SurveyState.SCHEDULED, opens_at=None)
        assert scheduled_surveys_run(now=now) == []
        assert (stored(later), stored(no_time)) == (SurveyState.SCHEDULED, SurveyState.SCHEDULED)

    def test_open_without_a_closing_time_or_before_it(self, now):
        endless = SurveyFactory(state=SurveyState.OPEN, closes_at=None)
        later = SurveyFactory(state=SurveyState.OPEN, closes_at=now + HOUR)
        assert scheduled_surveys_run(now=now) == []
        assert (stored(endless), stored(later)) == (SurveyState.OPEN, SurveyState.OPEN)

    def test_closed_surveys_are_not_reopened(self, now):
        closed = SurveyFactory(state=SurveyState.CLOSED, opens_at=now - HOUR, closes_at=now + HOUR)
        assert scheduled_surveys_run(now=now) == []
        assert stored(closed) == SurveyState.CLOSED


class TestMoves:
    def test_opens_at_its_opening_time(self, now):
        survey = SurveyFactory(state=SurveyState.SCHEDULED, opens_at=now, closes_at=now + HOUR)
        assert scheduled_surveys_run(now=now) == [(survey.slug, SurveyState.OPEN)]
        assert stored(survey) == SurveyState.OPEN

    def test_closes_at_its_closing_time(self, now):
        survey = SurveyFactory(state=SurveyState.OPEN, opens_at=now - HOUR, closes_at=now)
        assert scheduled_surveys_run(now=now) == [(survey.slug, SurveyState.CLOSED)]
        assert stored(survey) == SurveyState.CLOSED

    def test_a_window_that_passed_while_nothing_ran_opens_and_closes_in_one_run(self, now):
        survey = SurveyFactory(
            state=SurveyState.SCHEDULED, opens_at=now - 3 * HOUR, closes_at=now - HOUR
        )
        assert scheduled_surveys_run(now=now) == [
            (survey.slug, SurveyState.OPEN),
            (survey.slug, SurveyState.CLOSED),
        ]
        assert stored(survey) == SurveyState.CLOSED

    def test_running_twice_moves_each_survey_once(self, now):
        opening = SurveyFactory(state=SurveyState.SCHEDULED, opens_at=now - HOUR)
        closing = SurveyFactory(state=SurveyState.OPEN, closes_at=now - HOUR)
        first = scheduled_surveys_run(now=now)
        assert sorted(first) == sorted(
            [(opening.slug, SurveyState.OPEN), (closing.slug, SurveyState.CLOSED)]
        )
        assert scheduled_surveys_run(now=now) == []
        assert (stored(opening), stored(closing)) == (SurveyState.OPEN, SurveyState.CLOSED)

    def test_the_stored_state_then_agrees_with_the_state_in_force(self, now):
        surveys = [
            SurveyFactory(state=SurveyState.SCHEDULED, opens_at=now - HOUR),
            SurveyFactory(state=SurveyState.SCHEDULED, opens_at=now - 2 * HOUR, closes_at=now),
            SurveyFactory(state=SurveyState.OPEN, closes_at=now + HOUR),
        ]
        expected = {s.pk: current_state(s, now) for s in surveys}
        scheduled_surveys_run(now=now)
        assert {s.pk: stored(s) for s in surveys} == expected

    def test_staff_dashboards_of_the_organisations_concerned_are_redrawn(
        self, now, django_capture_on_commit_callbacks
    ):
        survey = SurveyFactory(state=SurveyState.SCHEDULED, opens_at=now - HOUR)
        SurveyFactory(state=SurveyState.OPEN, closes_at=now + HOUR)  # another, not moving
        redrawn = []
        dashboards.register_listener(redrawn.append)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                scheduled_surveys_run(now=now)
        finally:
            dashboards._listeners.remove(redrawn.append)
        assert redrawn == [survey.organisation_id]


class TestTask:
    def test_beat_runs_it_every_minute(self):
        entry = settings.CELERY_BEAT_SCHEDULE["scheduled-surveys"]
        assert entry == {"task": "surveys.tasks.advance_surveys", "schedule": 60.0}
        assert tasks.advance_surveys.name == "surveys.tasks.advance_surveys"

    def test_the_task_moves_what_is_due(self):
        survey = SurveyFactory(state=SurveyState.SCHEDULED, opens_at=timezone.now() - HOUR)
        moved = tasks.advance_surveys.apply().get()  # in-process, whatever the broker
        assert [tuple(move) for move in moved] == [(survey.slug, "open")]
        assert stored(survey) == SurveyState.OPEN
