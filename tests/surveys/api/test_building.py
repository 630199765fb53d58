"""Staff build surveys over the API: who may, what a bad definition answers, locking, states."""

from __future__ import annotations

import datetime

import pytest

from engagement.people.models import Role
from surveys.definitions import create_survey
from surveys.models import Question, Response, Survey
from tests import factories

pytestmark = pytest.mark.django_db

DEFINITION = {
    "title": "Green spaces",
    "sections": [
        {
            "title": "Parks",
            "questions": [
                {
                    "kind": "single_choice",
                    "text": "Do you visit a park weekly?",
                    "options": [{"text": "Yes"}, {"text": "No"}],
                },
                {
                    "kind": "scale",
                    "text": "How happy are you with it?",
                    "settings": {"scale_min": 0, "scale_max": 10},
                    "condition": {"question": "q1", "options": ["o1"]},
                },
            ],
        }
    ],
}


@pytest.fixture
def survey(riga, riga_admin):
    return create_survey(riga, DEFINITION, actor=riga_admin, slug="green")


def create_url(org="riga"):
    return f"/api/v1/organisations/{org}/surveys/"


# --- who may: failures first -------------------------------------------------------------


def test_anonymous_visitors_are_refused(as_user, riga, survey):
    api = as_user(None)
    assert api.post(create_url(), {"definition": DEFINITION}).status_code == 403
    assert api.get("/api/v1/surveys/green/definition/").status_code in (403, 404)
    assert api.post("/api/v1/surveys/green/publish/").status_code == 403
    assert Survey.objects.count() == 1


@pytest.mark.parametrize("persona", ["riga_moderator", "gdansk_admin", "resident"])
def test_only_administrators_of_the_organisation_build(request, as_user, survey, persona):
    api = as_user(request.getfixturevalue(persona))
    response = api.post(create_url(), {"definition": DEFINITION})
    assert response.status_code == 403
    assert (
        response.json()["detail"] == "Only administrators of this organisation can build surveys."
    )
    assert api.patch("/api/v1/surveys/green/settings/", {"title": "Mine"}).status_code in (403, 404)
    assert api.post("/api/v1/surveys/green/duplicate/").status_code in (403, 404)
    assert Survey.objects.count() == 1
    survey.refresh_from_db()
    assert survey.title == "Green spaces"


def test_a_reviewer_may_not_build(as_user, riga, survey):
    api = as_user(factories.staff(riga, Role.REVIEWER))
    # Staff see the draft, but building is for administrators.
    assert api.get("/api/v1/surveys/green/definition/").status_code == 403
    assert api.put("/api/v1/surveys/green/definition/", DEFINITION).status_code == 403


def test_a_draft_is_not_found_by_those_who_may_not_see_it(as_user, survey, gdansk_admin):
    assert as_user(gdansk_admin).get("/api/v1/surveys/green/definition/").status_code == 404


# --- bad input ---------------------------------------------------------------------------


def test_a_bad_definition_answers_every_problem_by_path_and_stores_nothing(as_user, riga_admin):
    definition = {
        "title": "Bad",
        "sections": [
            {
                "questions": [
                    {"kind": "ranking", "text": "Rank", "options": [{"text": "Only"}]},
                    {
                        "kind": "multiple_choice",
                        "text": "Pick",
                        "settings": {"max_picks": 3},
                        "condition": {"question": "q3", "options": ["o1"]},
                        "options": [{"text": "a"}, {"text": "b"}],
                    },
                    {"kind": "short_text", "text": "Why?", "settings": {"max_length": 9000}},
                ]
            }
        ],
    }
    response = as_user(riga_admin).post(create_url(), {"definition": definition})
    assert response.status_code == 400
    path = "sections.0.questions."
    assert response.json() == {
        f"{path}0.options": ["This kind of question needs at least 2 options."],
        f"{path}1.settings.max_picks": ["There are only 2 choices to pick from."],
        f"{path}1.condition.question": [
            "A question can only depend on an earlier question (q3 comes later)."
        ],
        f"{path}2.settings.max_length": [
            "Answers of this kind can be at most 500 characters long."
        ],
        "error_codes": {
            f"{path}0.options": ["too_few_options"],
            f"{path}1.settings.max_picks": ["too_many_picks"],
            f"{path}1.condition.question": ["condition_later"],
            f"{path}2.settings.max_length": ["max_length_limit"],
        },
    }
    assert (Survey.objects.count(), Question.objects.count()) == (0, 0)


def test_the_shape_of_a_definition_is_checked_first(as_user, riga_admin):
    response = as_user(riga_admin).post(
        create_url(),
        {"definition": {"title": "X", "sections": [{"questions": [{"kind": "essay", "text": 3}]}]}},
    )
    assert response.status_code == 400
    question = response.json()["definition"]["sections"]["0"]["questions"]["0"]
    assert question == {"kind": ['"essay" is not a valid choice.'], "text": ["Not a valid string."]}
    assert Survey.objects.count() == 0


def test_a_definition_or_a_template(as_user, riga_admin):
    response = as_user(riga_admin).post(create_url(), {"title": "Neither"})
    assert response.status_code == 400
    assert response.json()["definition"] == ["Send a definition or a template, not both."]
    response = as_user(riga_admin).post(create_url(), {"template": "no-such-template"})
    assert response.status_code == 400
    assert response.json()["error_codes"] == {"template": ["does_not_exist"]}


def test_links_name_the_organisation_s_own_rounds(as_user, riga_admin, gdansk):
    factories.BudgetRoundFactory(organisation=gdansk, slug="gdansk-2027")
    response = as_user(riga_admin).post(
        create_url(), {"definition": DEFINITION, "budget_round": "gdansk-2027"}
    )
    assert response.status_code == 400
    assert response.json()["budget_round"] == ["This organisation has no such budget round."]


# --- creating, reading, changing ---------------------------------------------------------


def test_an_administrator_creates_a_draft(as_user, riga, riga_admin):
    factories.BudgetRoundFactory(organisation=riga, slug="riga-2027")
    response = as_user(riga_admin).post(
        create_url(), {"definition": DEFINITION, "budget_round": "riga-2027"}
    )
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("slug", "state", "organisation", "budget_round", "locked")} == {
        "slug": "green-spaces",
        "state": "draft",
        "organisation": "riga",
        "budget_round": "riga-2027",
        "locked": False,
    }
    definition = as_user(riga_admin).get("/api/v1/surveys/green-spaces/definition/").json()
    questions = definition["sections"][0]["questions"]
    assert [(q["code"], q["kind"]) for q in questions] == [("q1", "single_choice"), ("q2", "scale")]
    assert questions[1]["condition"] == {"question": "q1", "options": ["o1"]}


def test_settings_change(as_user, survey, riga_admin):
    response = as_user(riga_admin).patch(
        "/api/v1/surveys/green/settings/",
        {
            "title": "Parks and trees",
            "anonymous_allowed": True,
            "translations": {"pl": {"title": "Parki"}},
            "closes_at": "2030-01-01T12:00:00Z",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["anonymous_allowed"], body["translations"]) == (
        "Parks and trees",
        True,
        {"pl": {"title": "Parki"}},
    )


def test_the_whole_definition_is_replaced_and_refused_once_answered(as_user, survey, riga_admin):
    api = as_user(riga_admin)
    definition = api.get("/api/v1/surveys/green/definition/").json()
    definition["sections"][0]["questions"].append({"kind": "date", "text": "Since when?"})
    response = api.put("/api/v1/surveys/green/definition/", definition)
    assert response.status_code == 200
    assert [q["code"] for q in response.json()["sections"][0]["questions"]] == ["q1", "q2", "q3"]

    Response.objects.create(
        survey=survey, respondent=factories.UserFactory(), updated_on=datetime.date.today()
    )
    definition = response.json()
    definition["sections"][0]["questions"].pop()
    response = api.put("/api/v1/surveys/green/definition/", definition)
    assert response.status_code == 400
    assert response.json() == {
        "sections.0.questions": [
            "1 response: the structure is locked; texts can still be corrected."
        ],
        "error_codes": {"sections.0.questions": ["structure_locked"]},
    }
    definition = api.get("/api/v1/surveys/green/definition/").json()
    definition["sections"][0]["questions"][2]["text"] = "Since when have you lived here?"
    response = api.put("/api/v1/surveys/green/definition/", definition)
    assert response.status_code == 200
    assert (
        response.json()["sections"][0]["questions"][2]["text"] == "Since when have you lived here?"
    )


def test_duplicate(as_user, survey, riga_admin):
    response = as_user(riga_admin).post("/api/v1/surveys/green/duplicate/", {"slug": "green-2"})
    assert response.status_code == 201
    assert (response.json()["slug"], response.json()["title"]) == ("green-2", "Green spaces (copy)")
    response = as_user(riga_admin).post("/api/v1/surveys/green/duplicate/", {"slug": "green-2"})
    assert response.status_code == 400
    assert response.json()["error_codes"] == {"slug": ["unique"]}


def test_publish_close_reopen_and_their_refusals(as_user, survey, riga_admin):
    api = as_user(riga_admin)
    response = api.post("/api/v1/surveys/green/close/")
    assert response.status_code == 400
    assert response.json()["error_codes"] == {"state": ["invalid_transition"]}
    assert api.post("/api/v1/surveys/green/publish/").json()["state"] == "open"
    assert api.post("/api/v1/surveys/green/close/").json()["state"] == "closed"
    assert api.post("/api/v1/surveys/green/reopen/").json()["state"] == "open"
    assert api.post("/api/v1/surveys/green/draft/").json()["state"] == "draft"


def test_the_schema_documents_the_build_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operations = {
        operation["operationId"]
        for path, item in schema["paths"].items()
        if "surveys" in path
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert {
        "organisations_surveys_create",
        "surveys_settings_update",
        "surveys_definition_retrieve",
        "surveys_definition_replace",
        "surveys_duplicate",
        "surveys_publish",
        "surveys_close",
        "surveys_reopen",
        "surveys_draft",
    } <= operations
