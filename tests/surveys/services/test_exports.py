"""Staff files of a survey's answers: nothing that names a person, anonymous rows shuffled,
a codebook that explains every column, and refusals for everyone but the organisation's staff.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from engagement.people.models import Role
from surveys.models import Answer, QuestionKind, Response, ResponseStatus, SurveyState
from surveys.services import exports
from tests import factories
from tests.surveys.factories import OptionFactory, QuestionFactory, SectionFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def _question(survey, section, code, kind, options=(), **fields):
    question = QuestionFactory(survey=survey, section=section, code=code, kind=kind, **fields)
    for position, option in enumerate(options):
        OptionFactory(question=question, position=position, code=option, text=f"Text of {option}")
    return question


def every_kind_survey(organisation, **fields):
    """A survey with a question of every kind (codes as in the surveys contract)."""
    survey = SurveyFactory(organisation=organisation, **fields)
    about = SectionFactory(survey=survey, position=0, title="About you")
    views = SectionFactory(survey=survey, position=1, title="Your views")
    _question(survey, about, "district", QuestionKind.DISTRICT, ["harbour", "old-town"])
    _question(survey, about, "age", QuestionKind.AGE_BAND, ["under_26", "26_40"])
    _question(survey, about, "groups", QuestionKind.TARGET_GROUP, ["young", "parent"])
    _question(
        survey,
        views,
        "q1",
        QuestionKind.SINGLE_CHOICE,
        ["o1", "o2"],
        required=True,
        settings={"allow_other": True},
    )
    _question(
        survey,
        views,
        "q2",
        QuestionKind.MULTIPLE_CHOICE,
        ["o1", "o2", "o3"],
        settings={"allow_other": True},
        condition={"question": "q1", "options": ["o1"]},
    )
    _question(survey, views, "q3", QuestionKind.SHORT_TEXT)
    _question(survey, views, "q4", QuestionKind.SCALE, settings={"scale_min": 1, "scale_max": 5})
    _question(survey, views, "q5", QuestionKind.RANKING, ["o1", "o2", "o3"])
    _question(survey, views, "q6", QuestionKind.MATRIX, ["o1", "o2"])
    _question(survey, views, "q7", QuestionKind.NUMBER)
    _question(survey, views, "q8", QuestionKind.DATE)
    _question(survey, views, "q9", QuestionKind.LONG_TEXT)
    return survey


FULL_ANSWERS = {
    "district": "harbour",
    "age": "26_40",
    "groups": ["young", "parent"],
    "q1": "o1",
    "q2": ["o1", "o3", {"other": "a bus stop"}],
    "q3": '=HYPERLINK("http://evil")',
    "q4": 4,
    "q5": ["o3", "o1", "o2"],
    "q6": {"o1": 4, "o2": 5},
    "q7": 12.5,
    "q8": "2026-05-01",
    "q9": "Hidden by a moderator, kept for staff",
}


def submit(survey, answers, respondent=None, day=date(2026, 5, 2)):
    response = Response.objects.create(
        survey=survey,
        respondent=respondent,
        status=ResponseStatus.SUBMITTED,
        answers=answers,
        submitted_on=day,
        updated_on=day,
    )
    if "q9" in answers:
        Answer.objects.create(
            response=response,
            survey=survey,
            question=survey.questions.get(code="q9"),
            text=answers["q9"],
            hidden=True,
        )
    return response


def rows_of(text):
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def admin(riga):
    return factories.staff(riga, Role.ADMINISTRATOR, email="admin@riga.example")


# --- refusals first ----------------------------------------------------------------------------


@pytest.mark.parametrize("export", ["export_csv", "export_json", "codebook_csv", "codebook_json"])
def test_nobody_but_staff_of_the_organisation_exports(riga, gdansk, export):
    survey = every_kind_survey(riga)
    outsiders = [
        None,
        factories.UserFactory(),
        factories.staff(gdansk, Role.ADMINISTRATOR),
    ]
    for actor in outsiders:
        with pytest.raises(PermissionDenied):
            getattr(exports, export)(survey, actor=actor)


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.MODERATOR, Role.REVIEWER, Role.OFFICER])
def test_every_staff_role_of_the_organisation_exports(riga, role):
    survey = every_kind_survey(riga)
    submit(survey, FULL_ANSWERS, factories.UserFactory())
    assert len(rows_of(exports.export_csv(survey, actor=factories.staff(riga, role)))) == 1


# --- signed-in surveys -------------------------------------------------------------------------


def test_signed_in_rows_have_a_column_per_code_and_no_column_naming_a_person(riga, admin):
    survey = every_kind_survey(riga)
    person = factories.UserFactory(email="mara@example.org", display_name="Māra Bērziņa")
    response = submit(survey, FULL_ANSWERS, person)
    draft = Response.objects.create(
        survey=survey,
        respondent=factories.UserFactory(),
        answers={"q1": "o2"},
        updated_on=date(2026, 5, 3),
    )

    text = exports.export_csv(survey, actor=admin)

    header = next(csv.reader(io.StringIO(text)))
    assert header == [
        "response",
        "submitted_on",
        "district",
        "age",
        "groups",
        "q1",
        "q1_other",
        "q2",
        "q2_other",
        "q3",
        "q4",
        "q5",
        "q6_o1",
        "q6_o2",
        "q7",
        "q8",
        "q9",
    ]
    for word in ("user", "email", "e-mail", "name", "respondent", "ip"):
        assert not any(word in column for column in header)
    assert "mara@example.org" not in text
    assert "Māra" not in text
    assert str(person.pk) not in header
    [row] = rows_of(text)  # the draft is not exported
    assert row == {
        "response": str(response.pk),
        "submitted_on": "2026-05-02",
        "district": "harbour",
        "age": "26_40",
        "groups": "young;parent",
        "q1": "o1",
        "q1_other": "",
        "q2": "o1;o3",
        "q2_other": "a bus stop",
        "q3": '\'=HYPERLINK("http://evil")',  # a formula made inert
        "q4": "4",
        "q5": "o3;o1;o2",
        "q6_o1": "4",
        "q6_o2": "5",
        "q7": "12.5",
        "q8": "2026-05-01",
        "q9": "Hidden by a moderator, kept for staff",
    }
    assert str(draft.pk) not in text


def test_unanswered_and_other_only_answers_leave_the_right_cells_empty(riga, admin):
    survey = every_kind_survey(riga)
    submit(survey, {"q1": {"other": "Something else"}, "q4": None}, factories.UserFactory())
    [row] = rows_of(exports.export_csv(survey, actor=admin))
    assert (row["q1"], row["q1_other"], row["q2"], row["q4"], row["q6_o1"]) == (
        "",
        "Something else",
        "",
        "",
        "",
    )


def test_json_holds_the_same_answers_as_given(riga, admin):
    survey = every_kind_survey(riga)
    response = submit(survey, {**FULL_ANSWERS, "unknown": "dropped"}, factories.UserFactory())
    data = exports.export_json(survey, actor=admin)
    assert data["anonymous"] is False
    assert data["questions"][:4] == ["district", "age", "groups", "q1"]
    assert data["responses"] == [
        {"response": str(response.pk), "submitted_on": "2026-05-02", "answers": FULL_ANSWERS}
    ]
    assert "respondent" not in json.dumps(data)


# --- anonymous surveys -------------------------------------------------------------------------


def test_anonymous_rows_carry_no_id_and_come_shuffled_every_time(riga, admin):
    survey = every_kind_survey(riga, anonymous_allowed=True)
    responses = [submit(survey, {"q1": "o1", "q7": n}) for n in range(30)]
    given = [str(n) for n in range(30)]

    orders = []
    for _run in range(5):
        text = exports.export_csv(survey, actor=admin)
        assert "response" not in next(csv.reader(io.StringIO(text)))
        assert not any(str(r.pk) in text for r in responses)
        orders.append(tuple(row["q7"] for row in rows_of(text)))
    # 30 rows: the chance of the same order twice, or of the given order, is 1 in 30!.
    assert all(sorted(order, key=int) == given for order in orders)
    assert all(list(order) != given for order in orders)
    assert len(set(orders)) == len(orders)

    data = exports.export_json(survey, actor=admin)
    assert data["anonymous"] is True
    assert all(set(entry) == {"submitted_on", "answers"} for entry in data["responses"])
    assert [e["answers"]["q7"] for e in data["responses"]] != list(range(30))


def test_one_anonymous_response_makes_the_whole_file_anonymous(riga, admin):
    survey = every_kind_survey(riga)
    submit(survey, {"q1": "o1"}, factories.UserFactory())
    submit(survey, {"q1": "o2"})
    text = exports.export_csv(survey, actor=admin)
    assert next(csv.reader(io.StringIO(text)))[0] == "submitted_on"


# --- codebook ----------------------------------------------------------------------------------


def test_codebook_explains_every_question_column_and_option(riga, admin):
    survey = every_kind_survey(riga)
    book = exports.codebook_json(survey, actor=admin)
    by_code = {q["code"]: q for q in book["questions"]}
    assert list(by_code) == [
        "district",
        "age",
        "groups",
        "q1",
        "q2",
        "q3",
        "q4",
        "q5",
        "q6",
        "q7",
        "q8",
        "q9",
    ]
    assert by_code["q2"] == {
        "code": "q2",
        "section": "Your views",
        "kind": "multiple_choice",
        "text": "What matters most to you?",
        "required": False,
        "condition": {"question": "q1", "options": ["o1"]},
        "settings": {"allow_other": True},
        "columns": ["q2", "q2_other"],
        "options": [
            {"code": "o1", "text": "Text of o1"},
            {"code": "o2", "text": "Text of o2"},
            {"code": "o3", "text": "Text of o3"},
        ],
    }
    assert by_code["q6"]["columns"] == ["q6_o1", "q6_o2"]
    assert by_code["q1"]["required"] is True
    export_header = next(csv.reader(io.StringIO(exports.export_csv(survey, actor=admin))))
    assert [c for q in book["questions"] for c in q["columns"]] == export_header[2:]

    rows = rows_of(exports.codebook_csv(survey, actor=admin))
    questions = [r for r in rows if not r["option_code"]]
    options = [(r["code"], r["option_code"], r["option_text"]) for r in rows if r["option_code"]]
    assert [r["code"] for r in questions] == list(by_code)
    assert questions[4]["condition"] == '{"question": "q1", "options": ["o1"]}'
    assert questions[4]["kind"] == "multiple_choice"
    assert ("q5", "o3", "Text of o3") in options
    assert len(options) == sum(len(q["options"]) for q in book["questions"])


# --- over HTTP ---------------------------------------------------------------------------------


def test_api_refuses_the_public_and_other_staff_and_hides_drafts(client, riga, gdansk):
    survey = every_kind_survey(riga, state=SurveyState.OPEN)
    draft = every_kind_survey(riga, state=SurveyState.DRAFT)
    path = f"/api/v1/surveys/{survey.slug}/export.csv"
    assert client.get(path).status_code == 403
    client.force_login(factories.staff(gdansk, Role.ADMINISTRATOR))
    refused = client.get(path)
    assert refused.status_code == 403
    assert "staff" in refused.json()["detail"]
    assert client.get(f"/api/v1/surveys/{draft.slug}/export.csv").status_code == 404
    assert client.get(f"/api/v1/surveys/{survey.slug}/export.xlsx").status_code == 404


def test_api_serves_each_file_to_staff(client, riga, admin):
    survey = every_kind_survey(riga)
    submit(survey, FULL_ANSWERS, factories.UserFactory())
    client.force_login(admin)
    answers = client.get(f"/api/v1/surveys/{survey.slug}/export.csv")
    assert answers.status_code == 200
    assert answers["Content-Type"].startswith("text/csv")
    assert answers["Content-Disposition"] == f'attachment; filename="{survey.slug}-answers.csv"'
    assert rows_of(answers.content.decode())[0]["q5"] == "o3;o1;o2"
    data = client.get(f"/api/v1/surveys/{survey.slug}/export.json").json()
    assert data["responses"][0]["answers"]["q2"] == ["o1", "o3", {"other": "a bus stop"}]
    book = client.get(f"/api/v1/surveys/{survey.slug}/codebook.json").json()
    assert len(book["questions"]) == 12
    book_csv = client.get(f"/api/v1/surveys/{survey.slug}/codebook.csv")
    assert rows_of(book_csv.content.decode())[0]["code"] == "district"


def test_staff_page_links_the_four_files(client, riga, gdansk, admin):
    survey = every_kind_survey(riga, anonymous_allowed=True)
    page = f"/staff/surveys/{survey.slug}/files/"
    client.force_login(factories.staff(gdansk, Role.ADMINISTRATOR))
    assert client.get(page).status_code == 403
    client.force_login(admin)
    body = client.get(page).content.decode()
    for name in ("export.csv", "export.json", "codebook.csv", "codebook.json"):
        assert f"/api/v1/surveys/{survey.slug}/{name}" in body
    assert "random order" in body
