"""Reads of the participation cycle: a round's surveys, the one its page shows, and the count
of open surveys on staff dashboards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from engagement import dashboards
from surveys.models import ResultsVisibility, SurveyPurpose, SurveyState
from surveys.selectors_cycle import open_surveys_count, round_survey, surveys_for_round
from tests import factories
from tests.surveys.factories import SurveyFactory

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
NEEDS = SurveyPurpose.NEEDS_ASSESSMENT


@pytest.fixture
def budget_round(riga):
    return factories.BudgetRoundFactory(organisation=riga, phase="needs_assessment")


def linked(budget_round, purpose=NEEDS, **fields):
    return SurveyFactory(
        organisation=budget_round.organisation, budget_round=budget_round, purpose=purpose, **fields
    )


class TestSurveysForRound:
    def test_only_that_rounds_and_no_drafts(self, riga, budget_round):
        other_round = factories.BudgetRoundFactory(organisation=riga)
        linked(other_round)
        linked(budget_round, state=SurveyState.DRAFT)
        SurveyFactory(organisation=riga)  # stand-alone
        shown = linked(budget_round)
        assert list(surveys_for_round(budget_round.pk)) == [shown]

    def test_of_one_purpose(self, budget_round):
        needs = linked(budget_round)
        evaluation = linked(budget_round, SurveyPurpose.EVALUATION)
        assert list(surveys_for_round(budget_round.pk, NEEDS)) == [needs]
        assert list(surveys_for_round(budget_round.pk, "evaluation")) == [evaluation]

    def test_drafts_for_staff(self, budget_round):
        draft = linked(budget_round, state=SurveyState.DRAFT)
        assert list(surveys_for_round(budget_round.pk, include_drafts=True)) == [draft]


class TestRoundSurvey:
    def test_none_without_a_survey_or_with_drafts_only(self, budget_round):
        assert round_survey(budget_round.pk, NEEDS) is None
        linked(budget_round, state=SurveyState.DRAFT)
        assert round_survey(budget_round.pk, NEEDS) is None

    def test_an_open_one_before_a_scheduled_or_closed_one(self, budget_round):
        now = timezone.now()
        linked(budget_round, state=SurveyState.CLOSED)
        linked(budget_round, state=SurveyState.SCHEDULED, opens_at=now + HOUR)
        open_one = linked(budget_round, state=SurveyState.OPEN)
        found = round_survey(budget_round.pk, NEEDS, now)
        assert (found.survey, found.state, found.is_open) == (open_one, "open", True)

    def test_the_state_in_force_not_the_stored_one(self, budget_round):
        now = timezone.now()
        survey = linked(budget_round, state=SurveyState.SCHEDULED, opens_at=now - HOUR)
        found = round_survey(budget_round.pk, NEEDS, now)
        assert (found.survey, found.state) == (survey, "open")

    def test_the_latest_closed_one_with_its_results_published_or_not(self, budget_round):
        now = timezone.now()
        linked(budget_round, state=SurveyState.CLOSED, closes_at=now - 48 * HOUR)
        latest = linked(
            budget_round,
            state=SurveyState.CLOSED,
            closes_at=now - HOUR,
            results_visibility=ResultsVisibility.STAFF,
        )
        found = round_survey(budget_round.pk, NEEDS, now)
        assert (found.survey, found.results_published) == (latest, False)


class TestOpenSurveysCount:
    def test_counts_the_organisations_surveys_open_now(self, riga, gdansk):
        now = timezone.now()
        SurveyFactory(organisation=riga, state=SurveyState.OPEN)
        SurveyFactory(organisation=riga, state=SurveyState.SCHEDULED, opens_at=now - HOUR)
        SurveyFactory(organisation=riga, state=SurveyState.SCHEDULED, opens_at=now + HOUR)
        SurveyFactory(organisation=riga, state=SurveyState.OPEN, closes_at=now - HOUR)
        SurveyFactory(organisation=riga, state=SurveyState.DRAFT)
        SurveyFactory(organisation=riga, state=SurveyState.CLOSED)
        SurveyFactory(organisation=gdansk, state=SurveyState.OPEN)
        assert open_surveys_count(riga.pk, now) == 2

    def test_shown_on_staff_dashboards(self, riga):
        SurveyFactory(organisation=riga, state=SurveyState.OPEN)
        assert dashboards.counts_for(riga.pk)["open_surveys"] == 1
