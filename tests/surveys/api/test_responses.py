"""The survey API residents use: list and detail (the contract's fields), responses (400
bodies per question, 403 with reasons, 429) and the signed-in person's own response."""

from __future__ import annotations

import pytest
from rest_framework.throttling import ScopedRateThrottle

from surveys.models import Response, ResponseStatus, SurveyState
from surveys.services import responding
from tests import factories
from tests.surveys.factories import SurveyFactory, two_section_survey

pytestmark = pytest.mark.django_db

GOOD = {"q1": "o1", "q2": "north", "q3": "26_40", "q4": ["parent"], "q5": 4, "q6": "More racks"}
URL = "/api/v1/surveys/cycling/"
RESPONSES = URL + "responses/"
MINE = RESPONSES + "mine/"


@pytest.fixture
def survey(riga):
    return two_section_survey(riga, slug="cycling")


@pytest.fixture
def person(db):
    return factories.UserFactory()


class TestList:
    def test_drafts_are_for_staff_only(self, as_user, riga, riga_admin, survey):
        SurveyFactory(organisation=riga, slug="not-yet", state=SurveyState.DRAFT)
        public = as_user(None).get("/api/v1/surveys/", {"organisation": "riga"}).json()
        assert [item["slug"] for item in public["results"]] == ["cycling"]
        staff = as_user(riga_admin).get("/api/v1/surveys/", {"organisation": "riga"}).json()
        assert sorted(item["slug"] for item in staff["results"]) == ["cycling", "not-yet"]

    def test_a_bad_organisation_filter_is_a_400(self, as_user, survey):
        answer = as_user(None).get("/api/v1/surveys/", {"organisation": "not a slug!"})
        assert answer.status_code == 400
        assert "organisation" in answer.json()

    def test_items_carry_the_contract_fields(self, as_user, survey, gdansk):
        SurveyFactory(organisation=gdansk, slug="elsewhere")
        body = as_user(None).get("/api/v1/surveys/", {"organisation": "riga"}).json()
        [item] = body["results"]
        assert item == {
            "slug": "cycling",
            "title": survey.title,
            "organisation": "riga",
            "state": "open",
            "purpose": "consultation",
            "opens_at": None,
            "closes_at": None,
            "anonymous_allowed": False,
            "invitation_required": False,
            "results_public": False,
            "links": {
                "self": "/api/v1/surveys/cycling/",
                "page": "/surveys/cycling/",
                "responses": "/api/v1/surveys/cycling/responses/",
                "results": "/api/v1/surveys/cycling/results/",
            },
        }


class TestDetail:
    def test_a_draft_is_not_found_for_the_public(self, as_user, riga):
        SurveyFactory(organisation=riga, slug="not-yet", state=SurveyState.DRAFT)
        assert as_user(None).get("/api/v1/surveys/not-yet/").status_code == 404

    def test_sections_questions_and_options(self, as_user, survey):
        body = as_user(None).get(URL).json()
        assert body["state"] == "open"
        assert body["form_token"] is None  # this survey takes no anonymous answers
        assert [s["title"] for s in body["sections"]] == ["About you", "Your views"]
        q1, q2, q3, q4 = body["sections"][0]["questions"]
        assert q1 == {
            "code": "q1",
            "kind": "single_choice",
            "text": "Do you cycle?",
            "help_text": "",
            "required": True,
            "shuffle_options": False,
            "prefill": True,
            "settings": {},
            "condition": None,
            "options": [{"code": "o1", "text": "Yes"}, {"code": "o2", "text": "No"}],
        }
        assert [q2["kind"], q3["kind"], q4["kind"]] == ["district", "age_band", "target_group"]
        q5 = body["sections"][1]["questions"][0]
        assert q5["condition"] == {"question": "q1", "options": ["o1"]}
        assert q5["settings"]["low_label"] == "Unsafe"

    def test_texts_in_the_request_language(self, as_user, survey):
        question = survey.questions.get(code="q5")
        question.translations = {"pl": {"text": "Jak bezpiecznie?", "low_label": "Niebezpiecznie"}}
        question.save()
        option = survey.questions.get(code="q1").options.get(code="o1")
        option.translations = {"pl": {"text": "Tak"}}
        option.save()
        body = as_user(None).client.get(URL, HTTP_ACCEPT_LANGUAGE="pl").json()
        q5 = body["sections"][1]["questions"][0]
        assert q5["text"] == "Jak bezpiecznie?"
        assert q5["settings"]["low_label"] == "Niebezpiecznie"
        assert q5["settings"]["high_label"] == "Safe"  # untranslated: the base text
        assert body["sections"][0]["questions"][0]["options"][0]["text"] == "Tak"

    def test_an_anonymous_survey_hands_visitors_a_form_token(self, as_user, survey, person):
        survey.anonymous_allowed = True
        survey.save()
        token = as_user(None).get(URL).json()["form_token"]
        assert token
        assert as_user(person).get(URL).json()["form_token"] is None


class TestSendingRefused:
    def test_400_names_each_wrong_answer(self, as_user, survey, person):
        answer = as_user(person).post(
            RESPONSES, {"answers": {**GOOD, "q5": 7, "q2": "south", "q9": 1}}
        )
        assert answer.status_code == 400
        body = answer.json()
        assert body["answers"] == {
            "q2": ["Choose one of the options."],
            "q5": ["Choose a value from 1 to 5."],
            "q9": ["There is no question q9 in this survey."],
        }
        assert Response.objects.count() == 0

    def test_answers_must_be_an_object(self, as_user, survey, person):
        answer = as_user(person).post(RESPONSES, {"answers": ["o1"]})
        assert answer.status_code == 400
        assert "answers" in answer.json()

    def test_a_hidden_question_answered(self, as_user, survey, person):
        answer = as_user(person).post(RESPONSES, {"answers": {"q1": "o2", "q5": 3}})
        assert answer.json()["answers"] == {
            "q5": ["This question was not shown; leave it unanswered."]
        }

    def test_403_with_reasons_when_not_eligible(self, as_user, survey):
        answer = as_user(None).post(RESPONSES, {"answers": GOOD})
        assert answer.status_code == 403
        assert answer.json() == {
            "detail": "Sign in to answer this survey.",
            "reasons": [{"code": "not_signed_in", "message": "Sign in to answer this survey."}],
        }

    def test_closed_survey(self, as_user, survey, person):
        survey.state = SurveyState.CLOSED
        survey.save()
        answer = as_user(person).post(RESPONSES, {"answers": GOOD})
        assert answer.status_code == 400
        assert answer.json()["survey"] == ["This survey is closed."]
        assert answer.json()["error_codes"] == {"survey": ["closed"]}

    def test_a_replayed_anonymous_form(self, as_user, survey):
        survey.anonymous_allowed = True
        survey.save()
        client = as_user(None)
        token = client.get(URL).json()["form_token"]
        first = client.post(RESPONSES, {"answers": GOOD, "form_token": token})
        assert first.status_code == 201
        assert first.json() == {"status": "submitted"}
        again = client.post(RESPONSES, {"answers": GOOD, "form_token": token})
        assert again.status_code == 400
        assert again.json()["error_codes"] == {"form_token": ["spent"]}
        assert Response.objects.count() == 1

    def test_429_past_the_rate(self, as_user, survey, person, monkeypatch):
        monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, responding.RATE_SCOPE, "1/hour")
        client = as_user(person)
        assert client.post(RESPONSES, {"answers": GOOD}).status_code == 201
        refused = client.post(RESPONSES, {"answers": {"q1": "o2"}})
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) > 0
        assert Response.objects.get().answers == GOOD

    def test_wrong_invitation_code(self, as_user, survey, person):
        survey.invitation_required = True
        survey.save()
        answer = as_user(person).post(
            RESPONSES, {"answers": GOOD, "invitation_code": "AAAAA-BBBBB"}
        )
        assert answer.status_code == 400
        assert answer.json()["invitation_code"] == [
            "This invitation code is not valid for this survey, or it has been used."
        ]


class TestSending:
    def test_201_with_the_stored_response(self, as_user, survey, person):
        answer = as_user(person).post(RESPONSES, {"answers": GOOD})
        assert answer.status_code == 201
        body = answer.json()
        assert body["status"] == "submitted"
        assert body["answers"] == GOOD
        assert body["editable"] is True
        assert body["submitted_on"] == body["updated_on"]

    def test_sending_again_changes_it(self, as_user, survey, person):
        client = as_user(person)
        client.post(RESPONSES, {"answers": GOOD})
        again = client.post(RESPONSES, {"answers": {"q1": "o2"}})
        assert again.status_code == 200
        assert again.json()["answers"] == {"q1": "o2"}
        assert Response.objects.count() == 1


class TestMine:
    def test_visitors_are_refused(self, as_user, survey):
        assert as_user(None).get(MINE).status_code == 403

    def test_nothing_yet_gives_the_prefill(self, as_user, survey, riga, person):
        factories.residence(person, riga, riga.districts.get(slug="centre"))
        body = as_user(person).get(MINE).json()
        assert body == {
            "status": None,
            "answers": {"q2": "centre"},
            "submitted_on": None,
            "updated_on": None,
            "editable": True,
        }

    def test_a_draft_then_sending_it(self, as_user, survey, person):
        client = as_user(person)
        draft = client.put(MINE, {"answers": {"q1": "o1"}, "submit": False})
        assert draft.status_code == 200
        assert draft.json()["status"] == ResponseStatus.DRAFT
        assert client.get(MINE).json()["answers"] == {"q1": "o1"}
        incomplete = client.put(MINE, {"answers": {"q1": "o1"}, "submit": True})
        assert incomplete.status_code == 400
        assert incomplete.json()["answers"] == {"q5": ["Answer this question."]}
        sent = client.put(MINE, {"answers": GOOD, "submit": True})
        assert sent.status_code == 201
        assert sent.json()["status"] == "submitted"

    def test_a_draft_value_that_does_not_fit(self, as_user, survey, person):
        answer = as_user(person).put(MINE, {"answers": {"q5": "four"}, "submit": False})
        assert answer.status_code == 400
        assert answer.json()["answers"] == {"q5": ["Choose a value from 1 to 5."]}
        assert Response.objects.count() == 0

    def test_submit_must_be_a_flag(self, as_user, survey, person):
        answer = as_user(person).put(MINE, {"answers": {}, "submit": "yes"})
        assert answer.status_code == 400
        assert "submit" in answer.json()

    def test_not_editable_once_sent_where_changes_are_not_allowed(self, as_user, survey, person):
        survey.responses_editable = False
        survey.save()
        client = as_user(person)
        client.put(MINE, {"answers": GOOD, "submit": True})
        assert client.get(MINE).json()["editable"] is False
        refused = client.put(MINE, {"answers": {"q1": "o2"}, "submit": True})
        assert refused.status_code == 400
        assert refused.json()["error_codes"] == {"status": ["already_answered"]}


def test_every_endpoint_is_in_the_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path, methods in (
        ("/api/v1/surveys/", {"get"}),
        ("/api/v1/surveys/{slug}/", {"get"}),
        ("/api/v1/surveys/{slug}/responses/", {"post"}),
        ("/api/v1/surveys/{slug}/responses/mine/", {"get", "put"}),
    ):
        assert methods <= set(schema["paths"][path]), path
    detail = schema["components"]["schemas"]["SurveyDetailOutput"]["properties"]
    assert {"sections", "form_token", "state"} <= set(detail)
