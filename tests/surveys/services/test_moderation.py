"""Moderators hide a free-text answer from the public and show it again; nobody else may."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from surveys.models import Answer, QuestionKind
from surveys.services.moderation import hide_answer, show_answer
from surveys.services.results import text_answers
from tests.surveys.counted import respond
from tests.surveys.factories import SurveyFactory, choice_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(riga):
    survey = SurveyFactory(organisation=riga, slug="parks")
    choice_question(survey, "q1", ["Trees"])
    choice_question(survey, "q9", [], kind=QuestionKind.LONG_TEXT)
    respond(survey, {"q1": "o1", "q9": "Rude words"})
    return survey


def _text(survey):
    return Answer.objects.get(survey=survey, text="Rude words")


def test_nobody_but_the_organisations_moderators_may_hide(
    survey, resident, gdansk_admin, platform_admin
):
    answer = _text(survey)
    for actor in (None, resident, gdansk_admin):
        with pytest.raises(PermissionDenied):
            hide_answer(survey, answer.pk, actor=actor)
    assert _text(survey).hidden is False
    hide_answer(survey, answer.pk, actor=platform_admin)
    assert _text(survey).hidden is True


def test_only_free_text_of_this_survey_can_be_hidden(survey, riga_moderator, riga):
    choice = Answer.objects.get(survey=survey, option__isnull=False)
    # The answer is named in the address, so anything else is not found.
    with pytest.raises(Http404):
        hide_answer(survey, choice.pk, actor=riga_moderator)
    other = SurveyFactory(organisation=riga, slug="other")
    with pytest.raises(Http404):
        hide_answer(other, _text(survey).pk, actor=riga_moderator)
    assert not Answer.objects.filter(hidden=True).exists()


def test_hidden_answers_leave_the_public_list_and_stay_marked_for_staff(survey, riga_moderator):
    answer = _text(survey)
    hide_answer(survey, answer.pk, actor=riga_moderator)
    assert text_answers(survey, "q9", include_hidden=False)["count"] == 0
    staff = text_answers(survey, "q9", include_hidden=True)
    assert staff["results"] == [{"id": answer.pk, "text": "Rude words", "hidden": True}]
    show_answer(survey, answer.pk, actor=riga_moderator)
    assert text_answers(survey, "q9", include_hidden=False)["count"] == 1
