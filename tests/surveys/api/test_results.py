"""GET /api/v1/surveys/<slug>/results/ (and cross/, text/), POST text/<id>/hide|show/: who
reads what — role x organisation x survey state x results visibility."""

from __future__ import annotations

import pytest

from engagement.people.models import District
from surveys.models import Answer, QuestionKind, ResultsVisibility, SurveyState
from tests.surveys.counted import respond
from tests.surveys.factories import SurveyFactory, choice_question

pytestmark = pytest.mark.django_db

URL = "/api/v1/surveys/parks/results/"


@pytest.fixture
def survey(riga):
    survey = SurveyFactory(
        organisation=riga, slug="parks", results_visibility=ResultsVisibility.LIVE
    )
    choice_question(survey, "q1", ["Trees", "Benches"])
    choice_question(survey, "q9", [], kind=QuestionKind.LONG_TEXT)
    District.objects.create(organisation=riga, slug="harbour", name="Harbour")
    for n in range(12):
        respond(survey, {"q1": "o1" if n < 7 else "o2", "q9": f"idea {n}"}, district="harbour")
    Answer.objects.filter(text="idea 0").update(hidden=True)
    return survey


@pytest.fixture
def people(resident, gdansk_admin, riga_moderator, riga_admin):
    return {
        "anonymous": None,
        "resident": resident,
        "other_org_admin": gdansk_admin,
        "moderator": riga_moderator,
        "admin": riga_admin,
    }


STAFF = {"moderator", "admin"}


def _expected(person, state, visibility):
    if person in STAFF:
        return 200
    if state == SurveyState.DRAFT:
        return 404
    published = (visibility == ResultsVisibility.LIVE and state != SurveyState.SCHEDULED) or (
        visibility == ResultsVisibility.AFTER_CLOSE and state == SurveyState.CLOSED
    )
    return 200 if published else 403


@pytest.mark.parametrize("state", SurveyState.values)
@pytest.mark.parametrize("visibility", ResultsVisibility.values)
def test_the_permission_matrix(client, survey, people, state, visibility):
    survey.state = state
    survey.results_visibility = visibility
    survey.save()
    for name, person in people.items():
        client.logout()
        if person is not None:
            client.force_login(person)
        expected = _expected(name, state, visibility)
        for url in (URL, URL + "cross/?question=q1&by=district", URL + "text/?question=q9"):
            response = client.get(url)
            assert response.status_code == expected, (name, state, visibility, url)
        if expected == 200:
            body = client.get(URL).json()
            assert body["responses"] == 12
            text = next(q for q in body["questions"] if q["code"] == "q9")
            if name in STAFF:
                assert text == text | {"count": 12, "hidden": 1}
            else:
                assert text["count"] == 11
                assert "hidden" not in text


def test_bad_parameters_are_named(client, survey):
    response = client.get(URL + "cross/?question=q1&by=income")
    assert response.status_code == 400
    assert "by" in response.json()
    response = client.get(URL + "cross/")
    assert response.status_code == 400
    assert set(response.json()) >= {"question", "by"}
    response = client.get(URL + "cross/?question=q9&by=district")
    assert response.status_code == 400
    assert "question" in response.json()
    response = client.get(URL + "text/?question=q9&page=0")
    assert response.status_code == 400
    assert "page" in response.json()
    assert client.get("/api/v1/surveys/no-such/results/").status_code == 404


def test_results_body(client, survey):
    body = client.get(URL).json()
    choice = next(q for q in body["questions"] if q["code"] == "q1")
    assert {o["code"]: o["count"] for o in choice["options"]} == {"o1": 7, "o2": 5}


def test_dates_say_what_a_period_is(client, survey):
    choice_question(survey, "q7", [], kind=QuestionKind.DATE)
    for value in ("2001-02-03", "2003-04-05"):
        respond(survey, {"q7": value})
    dates = next(q for q in client.get(URL).json()["questions"] if q["code"] == "q7")
    assert dates["unit"] == "year"
    assert dates["periods"] == [
        {"period": "2001", "count": 1},
        {"period": "2003", "count": 1},
    ]
    assert dates["n"] == 2


def test_written_answers_latest_first(client, survey):
    body = client.get(URL + "text/", {"question": "q9"}).json()
    assert body["count"] == 11  # idea 0 is hidden
    assert [a["text"] for a in body["results"][:3]] == ["idea 11", "idea 10", "idea 9"]


def test_cross_tab_is_suppressed(client, survey):
    body = client.get(URL + "cross/?question=q1&by=district").json()
    harbour = [c["key"] for c in body["columns"]].index("harbour")
    cells = {row["key"]: row["cells"][harbour] for row in body["rows"]}
    assert body["total"] == {"count": 12, "suppressed": False}
    # 7 and 5 in one district, nobody elsewhere: both may stand
    assert cells == {
        "o1": {"count": 7, "suppressed": False},
        "o2": {"count": 5, "suppressed": False},
    }


def test_text_search_and_paging(client, survey, riga_moderator):
    body = client.get(URL + "text/", {"question": "q9", "search": "idea 1"}).json()
    assert sorted(a["text"] for a in body["results"]) == ["idea 1", "idea 10", "idea 11"]
    client.force_login(riga_moderator)
    staff = client.get(URL + "text/", {"question": "q9", "search": "idea 0"}).json()
    assert staff["results"] == [
        {"id": Answer.objects.get(text="idea 0").pk, "text": "idea 0", "hidden": True}
    ]


def test_only_moderators_hide_and_show(client, survey, resident, gdansk_admin, riga_moderator):
    answer = Answer.objects.get(text="idea 3")
    url = f"{URL}text/{answer.pk}/hide/"
    assert client.post(url).status_code in (401, 403)
    for person in (resident, gdansk_admin):
        client.force_login(person)
        assert client.post(url).status_code == 403
    answer.refresh_from_db()
    assert answer.hidden is False
    client.force_login(riga_moderator)
    response = client.post(url)
    assert response.status_code == 200
    assert response.json() == {"id": answer.pk, "hidden": True}
    client.logout()
    public = client.get(URL + "text/", {"question": "q9", "search": "idea 3"}).json()
    assert public["count"] == 0
    client.force_login(riga_moderator)
    assert client.post(f"{URL}text/{answer.pk}/show/").json()["hidden"] is False
    choice = Answer.objects.filter(option__isnull=False).first()
    response = client.post(f"{URL}text/{choice.pk}/hide/")
    assert response.status_code == 404  # the address names no free-text answer
    assert response.json()["detail"] == "This survey has no such free-text answer."
    assert not Answer.objects.filter(pk=choice.pk, hidden=True).exists()


def test_the_schema_names_the_results_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in (
        "/api/v1/surveys/{slug}/results/",
        "/api/v1/surveys/{slug}/results/cross/",
        "/api/v1/surveys/{slug}/results/text/",
        "/api/v1/surveys/{slug}/results/text/{answer_id}/hide/",
    ):
        assert path in schema
