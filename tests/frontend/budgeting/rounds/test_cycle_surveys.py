"""The round page in the participation cycle: the needs-assessment phase, and the round's
needs-assessment and evaluation surveys shown with a call to act or their results."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from budgeting.models import BudgetRound, PhaseSchedule
from surveys.models import ResultsVisibility, SurveyPurpose, SurveyState
from tests import factories
from tests.surveys.factories import SurveyFactory

pytestmark = pytest.mark.django_db


def round_in(phase: str, organisation) -> BudgetRound:
    budget_round = factories.BudgetRoundFactory(organisation=organisation, phase=phase)
    factories.DistrictBudgetFactory(round=budget_round)
    return budget_round


def page(client, budget_round: BudgetRound) -> str:
    response = client.get(f"/rounds/{budget_round.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def timeline_labels(html: str) -> list[str]:
    timeline = html.split('<ol class="timeline round-timeline">')[1].split("</ol>")[0]
    return [part.split("</span>")[0] for part in timeline.split('round-timeline__label">')[1:]]


def needs_survey(budget_round, **fields):
    fields.setdefault("state", SurveyState.OPEN)
    return SurveyFactory(
        organisation=budget_round.organisation,
        budget_round=budget_round,
        purpose=SurveyPurpose.NEEDS_ASSESSMENT,
        title="What does your neighbourhood need?",
        **fields,
    )


class TestTimeline:
    def test_leaves_out_the_needs_assessment_a_round_does_not_hold(self, client, riga):
        html = page(client, round_in("information", riga))
        assert "Needs assessment" not in timeline_labels(html)
        assert timeline_labels(html)[:2] == ["Information", "Proposals"]

    def test_shows_it_as_the_current_phase_with_what_residents_can_do(self, client, riga):
        html = page(client, round_in("needs_assessment", riga))
        assert timeline_labels(html)[:3] == ["Information", "Needs assessment", "Proposals"]
        current = html.split('aria-current="step"')[1].split("</li>")[0]
        assert "Needs assessment" in current
        assert "Tell the city what your neighbourhood needs." in html

    def test_shows_it_when_it_is_planned(self, client, riga):
        budget_round = round_in("information", riga)
        PhaseSchedule.objects.create(
            round=budget_round,
            phase="needs_assessment",
            starts_at=datetime.datetime(2030, 3, 1, 8, tzinfo=datetime.UTC),
        )
        assert "Needs assessment" in timeline_labels(page(client, budget_round))

    def test_shows_it_done_when_the_round_has_a_needs_survey(self, client, riga):
        budget_round = round_in("proposals", riga)
        needs_survey(budget_round, state=SurveyState.CLOSED)
        html = page(client, budget_round)
        assert timeline_labels(html)[:3] == ["Information", "Needs assessment", "Proposals"]
        done = html.split('<li class="is-done">')[2].split("</li>")[0]
        assert "Needs assessment" in done


class TestNeedsSurvey:
    def test_a_draft_survey_is_not_shown(self, client, riga):
        budget_round = round_in("needs_assessment", riga)
        needs_survey(budget_round, state=SurveyState.DRAFT)
        html = page(client, budget_round)
        assert "What does your neighbourhood need?" not in html
        assert "/surveys/" not in html

    def test_another_rounds_survey_is_not_shown(self, client, riga):
        budget_round = round_in("needs_assessment", riga)
        needs_survey(round_in("needs_assessment", riga))
        assert "What does your neighbourhood need?" not in page(client, budget_round)

    def test_open_survey_with_a_call_to_act(self, client, riga):
        budget_round = round_in("needs_assessment", riga)
        survey = needs_survey(budget_round)
        html = page(client, budget_round)
        assert "Needs assessment: What does your neighbourhood need?" in html
        assert f'href="/surveys/{survey.slug}/">Tell us what your neighbourhood needs</a>' in html
        assert f"/surveys/{survey.slug}/results/" not in html

    def test_scheduled_survey_says_when_it_opens(self, client, riga):
        budget_round = round_in("needs_assessment", riga)
        survey = needs_survey(
            budget_round,
            state=SurveyState.SCHEDULED,
            opens_at=timezone.now() + datetime.timedelta(days=3),
        )
        html = page(client, budget_round)
        assert "The survey opens on" in html
        assert f"/surveys/{survey.slug}/" not in html

    def test_survey_whose_closing_time_passed_is_closed_before_the_scheduler_runs(
        self, client, riga
    ):
        budget_round = round_in("needs_assessment", riga)
        survey = needs_survey(budget_round, closes_at=timezone.now() - datetime.timedelta(hours=1))
        html = page(client, budget_round)
        assert "The survey has closed." in html
        assert f'href="/surveys/{survey.slug}/"' not in html
        assert f'href="/surveys/{survey.slug}/results/"' in html

    def test_after_the_phase_its_published_results_stay_linked(self, client, riga):
        budget_round = round_in("proposals", riga)
        survey = needs_survey(budget_round, state=SurveyState.CLOSED)
        html = page(client, budget_round)
        assert f'href="/surveys/{survey.slug}/results/">See the survey results</a>' in html

    def test_after_the_phase_unpublished_results_are_not_mentioned(self, client, riga):
        budget_round = round_in("proposals", riga)
        needs_survey(
            budget_round, state=SurveyState.CLOSED, results_visibility=ResultsVisibility.STAFF
        )
        assert "What does your neighbourhood need?" not in page(client, budget_round)


class TestEvaluationSurvey:
    def test_open_during_the_evaluation_phase(self, client, riga):
        budget_round = round_in("evaluation", riga)
        survey = SurveyFactory(
            organisation=riga,
            budget_round=budget_round,
            purpose=SurveyPurpose.EVALUATION,
            title="How did the round go?",
        )
        html = page(client, budget_round)
        assert "Evaluation of the round: How did the round go?" in html
        assert f'href="/surveys/{survey.slug}/">Tell us how it went</a>' in html
        assert "Tell the city how the round went" in html

    def test_not_shown_before_the_results(self, client, riga):
        budget_round = round_in("tallying", riga)
        SurveyFactory(
            organisation=riga,
            budget_round=budget_round,
            purpose=SurveyPurpose.EVALUATION,
            title="How did the round go?",
        )
        assert "How did the round go?" not in page(client, budget_round)

    def test_asked_as_soon_as_the_results_are_out_while_open(self, client, riga):
        budget_round = round_in("results", riga)
        survey = SurveyFactory(
            organisation=riga,
            budget_round=budget_round,
            purpose=SurveyPurpose.EVALUATION,
            title="How did the round go?",
        )
        html = page(client, budget_round)
        assert f'href="/surveys/{survey.slug}/">Tell us how it went</a>' in html
        survey.state = SurveyState.SCHEDULED
        survey.opens_at = timezone.now() + datetime.timedelta(days=3)
        survey.save()
        assert "How did the round go?" not in page(client, budget_round)

    def test_a_consultation_linked_to_the_round_is_not_the_evaluation(self, client, riga):
        budget_round = round_in("evaluation", riga)
        SurveyFactory(organisation=riga, budget_round=budget_round, title="Tram stops")
        assert "Tram stops" not in page(client, budget_round)
