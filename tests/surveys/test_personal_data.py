"""A person's survey responses in their data download, and what account deletion does to
them: drafts go; submitted responses stay counted, unlinked and without their free text."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagement.personal_data import account_delete, personal_data_export
from surveys.models import Answer, QuestionKind, Response, ResponseStatus
from surveys.personal_data import _responses
from tests import factories
from tests.factories import TEST_PASSWORD
from tests.surveys.factories import QuestionFactory, SurveyFactory, choice_question

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 3)


@pytest.fixture
def person():
    return factories.UserFactory(email="ilze@example.org")


@pytest.fixture
def survey():
    """q1 single choice (o1 Parks, o2 Buses), q2 long text, q3 scale, q4 ranking."""
    survey = SurveyFactory(slug="needs-2027", title="What does your neighbourhood need?")
    choice_question(survey, "q1", ["Parks", "Buses"], text="What matters most?")
    section = survey.sections.get()
    QuestionFactory(
        survey=survey, section=section, code="q2", kind=QuestionKind.LONG_TEXT, text="Tell us"
    )
    QuestionFactory(survey=survey, section=section, code="q3", kind=QuestionKind.SCALE, text="How")
    choice_question(survey, "q4", ["Trees", "Benches"], kind=QuestionKind.RANKING, text="Rank")
    return survey


def submitted(survey, person, answers, **fields):
    """A submitted response with its counted rows, as the answering service writes them."""
    response = Response.objects.create(
        survey=survey,
        respondent=person,
        status=ResponseStatus.SUBMITTED,
        answers=answers,
        submitted_on=DAY,
        updated_on=DAY,
        **fields,
    )
    questions = {q.code: q for q in survey.questions.prefetch_related("options")}
    for code, value in answers.items():
        question = questions[code]
        options = {o.code: o for o in question.options.all()}
        if question.kind == QuestionKind.SCALE:
            Answer.objects.create(response=response, survey=survey, question=question, number=value)
        elif question.kind == QuestionKind.LONG_TEXT:
            Answer.objects.create(response=response, survey=survey, question=question, text=value)
        elif question.kind == QuestionKind.RANKING:
            for position, option in enumerate(value, start=1):
                Answer.objects.create(
                    response=response,
                    survey=survey,
                    question=question,
                    option=options[option],
                    number=position,
                )
        elif isinstance(value, dict):
            Answer.objects.create(
                response=response, survey=survey, question=question, text=value["other"]
            )
        else:
            Answer.objects.create(
                response=response, survey=survey, question=question, option=options[value]
            )
    return response


ANSWERS = {"q1": "o2", "q2": "The bus stop on Brīvības iela has no shelter.", "q3": 4,
           "q4": ["o2", "o1"]}  # fmt: skip


class TestExport:
    def test_nothing_of_other_people_or_anonymous_responses(self, survey, person):
        submitted(survey, factories.UserFactory(), ANSWERS)
        submitted(survey, None, ANSWERS)
        assert personal_data_export(user=person)["survey_responses"] == []

    def test_lists_the_persons_responses_with_question_texts(self, survey, person):
        submitted(survey, person, ANSWERS)
        [entry] = personal_data_export(user=person)["survey_responses"]
        assert entry == {
            "survey": "needs-2027",
            "survey_title": "What does your neighbourhood need?",
            "status": "submitted",
            "submitted_on": "2026-11-03",
            "updated_on": "2026-11-03",
            "answers": [
                {
                    "question": "q1",
                    "question_text": "What matters most?",
                    "answer": "Buses",
                    "value": "o2",
                },
                {
                    "question": "q2",
                    "question_text": "Tell us",
                    "answer": "The bus stop on Brīvības iela has no shelter.",
                    "value": "The bus stop on Brīvības iela has no shelter.",
                },
                {"question": "q3", "question_text": "How", "answer": 4, "value": 4},
                {
                    "question": "q4",
                    "question_text": "Rank",
                    "answer": ["Benches", "Trees"],
                    "value": ["o2", "o1"],
                },
            ],
        }

    def test_drafts_are_listed_as_drafts(self, survey, person):
        Response.objects.create(
            survey=survey, respondent=person, answers={"q1": {"other": "Trams"}}, updated_on=DAY
        )
        [entry] = personal_data_export(user=person)["survey_responses"]
        assert entry["status"] == "draft"
        assert entry["submitted_on"] is None
        assert entry["answers"][0]["answer"] == {"other": "Trams"}

    def test_queries_do_not_grow_with_the_number_of_responses(self, person):
        def responses_in(count):
            for _n in range(count):
                other = SurveyFactory()
                choice_question(other, "q1", ["A", "B"])
                submitted(other, person, {"q1": "o1"})
            with CaptureQueriesContext(connection) as queries:
                assert len(_responses(person)) == Response.objects.filter(respondent=person).count()
            return len(queries)

        assert responses_in(1) == responses_in(5)


class TestAccountDeletion:
    def test_a_draft_is_deleted(self, survey, person):
        Response.objects.create(survey=survey, respondent=person, answers={"q3": 2}, updated_on=DAY)
        account_delete(user=person, password=TEST_PASSWORD)
        assert not Response.objects.exists()

    def test_a_submitted_response_stays_counted_without_the_person(self, survey, person):
        response = submitted(
            survey, person, ANSWERS, district="centre", age_band="26_40", target_groups=["parent"]
        )
        account_delete(user=person, password=TEST_PASSWORD)
        response.refresh_from_db()
        assert response.respondent is None
        assert response.status == ResponseStatus.SUBMITTED
        assert (response.district, response.age_band, response.target_groups) == (
            "centre",
            "26_40",
            ["parent"],
        )
        counted = sorted(
            (a.question.code, a.option.code if a.option else None, a.number, a.text)
            for a in Answer.objects.filter(response=response).select_related("question", "option")
        )
        assert counted == [
            ("q1", "o2", None, ""),
            ("q3", None, 4.0, ""),
            ("q4", "o1", 2.0, ""),
            ("q4", "o2", 1.0, ""),
        ]

    def test_free_text_answers_are_removed(self, survey, person):
        response = submitted(survey, person, ANSWERS)
        account_delete(user=person, password=TEST_PASSWORD)
        response.refresh_from_db()
        assert response.answers == {"q1": "o2", "q3": 4, "q4": ["o2", "o1"]}
        assert not Answer.objects.filter(text__contains="Brīvības").exists()

    def test_other_stays_chosen_without_its_words(self, survey, person):
        response = submitted(survey, person, {"q1": {"other": "My neighbour Jānis's garage"}})
        account_delete(user=person, password=TEST_PASSWORD)
        response.refresh_from_db()
        assert response.answers == {"q1": {"other": ""}}
        [row] = Answer.objects.filter(response=response)
        assert (row.option_id, row.text) == (None, "")

    def test_other_peoples_responses_are_untouched(self, survey, person):
        neighbour = factories.UserFactory()
        kept = submitted(survey, neighbour, ANSWERS)
        anonymous = submitted(survey, None, {"q2": "Anonymous words"})
        submitted(survey, person, ANSWERS)
        account_delete(user=person, password=TEST_PASSWORD)
        kept.refresh_from_db()
        assert kept.respondent == neighbour
        assert kept.answers == ANSWERS
        assert Answer.objects.filter(response=kept, question__code="q2").get().text == ANSWERS["q2"]
        assert Answer.objects.get(response=anonymous).text == "Anonymous words"
        assert Response.objects.count() == 3
