"""The demo surveys: the 2027 needs assessment, the 2026 evaluation and the open parks
consultation, answered consistently with the demo residents' profiles; seeding twice changes
nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from engagement.people.models import Residence, ResidentProfile
from engagement.statistics import age_band
from surveys import demo
from surveys.models import Answer, Response, ResponseStatus, Survey, SurveyState
from surveys.permissions import results_published
from surveys.selectors import evaluation_scores

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Survey, Response, Answer)}


def test_seeding_twice_changes_nothing():
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first


def test_the_demo_surveys_are_there_and_answered_as_the_residents_profiles_say():
    # Seeding takes a while: one seed, every check.
    call_command("seed_demo")
    the_needs_assessment_of_2027_has_sixty_responses_and_is_closed()
    the_evaluation_of_2026_scores_the_round()
    the_parks_consultation_is_open_anonymous_and_live()
    residents_answer_their_profile_questions_as_their_profile_says()


def the_needs_assessment_of_2027_has_sixty_responses_and_is_closed():
    needs = Survey.objects.get(slug=demo.NEEDS_SLUG)
    assert (needs.budget_round.slug, needs.purpose, needs.template) == (
        "demo-city-2027",
        "needs_assessment",
        "needs_assessment",
    )
    assert needs.state == SurveyState.CLOSED
    submitted = needs.responses.filter(status=ResponseStatus.SUBMITTED)
    assert submitted.count() >= 60
    assert submitted.filter(respondent__isnull=False).count() == 24  # every demo resident
    assert Answer.objects.filter(survey=needs, question__kind="ranking").exists()


def the_evaluation_of_2026_scores_the_round():
    evaluation = Survey.objects.get(slug=demo.EVALUATION_SLUG)
    assert (evaluation.budget_round.slug, evaluation.purpose) == ("demo-city-2026", "evaluation")
    scores = evaluation_scores([evaluation.budget_round_id])[evaluation.budget_round_id]
    assert scores["responses"] >= 10
    assert scores["satisfaction"] is not None
    assert scores["fairness"] is not None


def the_parks_consultation_is_open_anonymous_and_live():
    parks = Survey.objects.get(slug=demo.PARKS_SLUG)
    assert parks.state == SurveyState.OPEN
    assert parks.anonymous_allowed
    assert results_published(parks)
    assert parks.budget_round is None
    assert parks.responses.count() == demo.PARKS_RESPONSES
    assert not parks.responses.filter(respondent__isnull=False).exists()
    kinds = set(parks.questions.values_list("kind", flat=True))
    assert {"single_choice", "multiple_choice", "scale", "ranking", "matrix"} <= kinds


def residents_answer_their_profile_questions_as_their_profile_says():
    year = timezone.localdate().year
    signed_in = Response.objects.filter(respondent__isnull=False).select_related("survey")
    assert signed_in.count() >= 24 + 10
    for response in signed_in:
        person = response.respondent
        residence = Residence.objects.get(user=person, organisation=response.survey.organisation)
        profile = ResidentProfile.objects.get(user=person)
        # The first question of each profile kind gives the response's groups.
        ordered = response.survey.questions.order_by("section__position", "position")
        questions = {q.kind: q.code for q in reversed(list(ordered))}
        if "district" in questions:
            assert response.district == residence.district.slug
            assert response.answers[questions["district"]] == residence.district.slug
        if "age_band" in questions:
            assert response.age_band == age_band(profile.birth_year, year)
        if "target_group" in questions:
            assert sorted(response.target_groups) == sorted(profile.target_groups)
