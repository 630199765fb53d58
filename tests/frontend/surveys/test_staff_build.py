"""Building a survey on the staff pages, without JavaScript: who may, what a refusal looks
like, the structure editor's buttons, the lock once answered, and the preview."""

from __future__ import annotations

import datetime
import re

import pytest

from engagement.people.models import Role
from surveys import definitions
from surveys.definitions import create_survey
from surveys.models import Question, Response, Survey, SurveyState
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def survey(riga, riga_admin):
    return create_survey(
        riga,
        {
            "title": "Streets",
            "sections": [
                {
                    "title": "Getting about",
                    "questions": [
                        {
                            "kind": "single_choice",
                            "text": "How do you travel?",
                            "options": [{"text": "Bike"}, {"text": "Bus"}],
                        },
                        {
                            "kind": "scale",
                            "text": "How safe is cycling?",
                            "settings": {"low_label": "Unsafe", "high_label": "Safe"},
                            "condition": {"question": "q1", "options": ["o1"]},
                        },
                        {"kind": "long_text", "text": "Anything else?"},
                    ],
                }
            ],
        },
        actor=riga_admin,
        slug="streets",
    )


BUILD = "/staff/surveys/streets/build/"


def q(code):
    return Question.objects.get(survey__slug="streets", code=code)


def codes():
    return list(
        Question.objects.filter(survey__slug="streets")
        .order_by("section__position", "position")
        .values_list("code", flat=True)
    )


# --- who may: failures first -------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(signed_in, survey):
    for url in (BUILD, "/staff/o/riga/surveys/new/", "/staff/surveys/streets/settings/"):
        response = signed_in(None).get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["riga_moderator", "gdansk_admin", "resident"])
def test_only_administrators_of_the_organisation_build(request, signed_in, survey, persona):
    client = signed_in(request.getfixturevalue(persona))
    assert client.get(BUILD).status_code == 403
    assert client.get(f"/staff/surveys/streets/questions/{q('q1').pk}/").status_code == 403
    assert client.post(BUILD, {"action": "publish"}).status_code == 403
    assert client.post("/staff/o/riga/surveys/new/", {"title": "Mine"}).status_code == 403
    assert Survey.objects.get(slug="streets").state == SurveyState.DRAFT
    assert Survey.objects.count() == 1


def test_staff_of_the_organisation_see_the_list_and_administrators_build(
    signed_in, riga, survey, riga_moderator, riga_admin
):
    html = signed_in(riga_moderator).get("/staff/o/riga/surveys/").content.decode()
    assert "Streets" in html
    assert "New survey" not in html
    html = signed_in(riga_admin).get("/staff/o/riga/surveys/").content.decode()
    assert 'href="/staff/o/riga/surveys/new/"' in html
    assert 'href="/staff/surveys/streets/build/"' in html
    assert signed_in(factories.staff(riga, Role.REVIEWER)).get(BUILD).status_code == 403


def test_the_organisation_page_links_its_surveys(signed_in, riga, riga_moderator):
    html = signed_in(riga_moderator).get("/staff/o/riga/").content.decode()
    assert 'href="/staff/o/riga/surveys/"' in html


# --- refusals on the page ----------------------------------------------------------------


def test_a_question_that_needs_options_is_refused_with_the_reason(signed_in, survey, riga_admin):
    section = survey.sections.get()
    prefix = f"add-{section.pk}"
    response = signed_in(riga_admin).post(
        BUILD,
        {
            "action": "question_add",
            "section_id": section.pk,
            f"{prefix}-kind": "ranking",
            f"{prefix}-text": "Rank these",
            f"{prefix}-options": "Only one",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "error-summary" in html
    assert "This kind of question needs at least 2 options." in html
    assert codes() == ["q1", "q2", "q3"]


def test_a_condition_on_a_later_question_is_refused(signed_in, survey, riga_admin):
    response = signed_in(riga_admin).post(
        f"/staff/surveys/streets/questions/{q('q1').pk}/",
        {"action": "condition_save", "condition-question": "q3"},
    )
    # q3 is not even offered: only earlier questions are.
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert q("q1").condition is None


def test_a_move_that_would_break_a_condition_says_why(signed_in, survey, riga_admin):
    response = signed_in(riga_admin).post(
        BUILD, {"action": "question_up", "question_id": q("q2").pk}
    )
    assert response.status_code == 400
    assert "The conditions of q2 would no longer hold: change them first." in (
        response.content.decode()
    )
    assert codes() == ["q1", "q2", "q3"]


def test_bad_settings_are_shown_at_their_field(signed_in, survey, riga_admin):
    response = signed_in(riga_admin).post(
        "/staff/surveys/streets/settings/",
        {
            "title": "Streets",
            "purpose": "consultation",
            "results_visibility": "staff",
            "opens_at": "2030-05-02T10:00",
            "closes_at": "2030-05-01T10:00",
        },
    )
    assert response.status_code == 400
    assert "The survey must close after it opens." in response.content.decode()
    assert Survey.objects.get(slug="streets").closes_at is None


def test_publishing_an_empty_survey_is_refused(signed_in, riga, riga_admin):
    create_survey(riga, {"title": "Empty"}, actor=riga_admin, slug="empty")
    response = signed_in(riga_admin).post("/staff/surveys/empty/build/", {"action": "publish"})
    assert response.status_code == 400
    assert "Add at least one question first." in response.content.decode()


# --- the lock ----------------------------------------------------------------------------


def test_once_answered_the_banner_says_so_and_only_texts_change(signed_in, survey, riga_admin):
    Response.objects.create(
        survey=survey, respondent=factories.UserFactory(), updated_on=datetime.date.today()
    )
    client = signed_in(riga_admin)
    html = client.get(BUILD).content.decode()
    assert "1 response: the structure is locked; texts can still be corrected." in html
    assert 'value="question_add"' not in html
    assert 'value="question_delete"' not in html
    response = client.post(BUILD, {"action": "question_delete", "question_id": q("q3").pk})
    assert response.status_code == 400
    assert codes() == ["q1", "q2", "q3"]

    page = f"/staff/surveys/streets/questions/{q('q2').pk}/"
    response = client.post(
        page,
        {
            "action": "question_save",
            "text": "How safe is cycling in your street?",
            "help_text": "",
            "low_label": "Dangerous",
            "high_label": "Safe",
            # A locked field sent anyway is not taken (the form disables it).
            "kind": "short_text",
            "text_pl": "Jak bezpiecznie?",
        },
    )
    assert response.status_code == 302
    scale = q("q2")
    assert (scale.kind, scale.text, scale.settings["low_label"], scale.translations) == (
        "scale",
        "How safe is cycling in your street?",
        "Dangerous",
        {"pl": {"text": "Jak bezpiecznie?"}},
    )


# --- building ----------------------------------------------------------------------------


def test_a_new_blank_survey_then_sections_questions_options(signed_in, riga, riga_admin):
    client = signed_in(riga_admin)
    response = client.post("/staff/o/riga/surveys/new/", {"title": "Parks", "start": ""})
    assert response.status_code == 302
    assert response["Location"] == "/staff/surveys/parks/build/"
    build = "/staff/surveys/parks/build/"
    assert (
        client.post(build, {"action": "section_add", "new-section-title": "Visits"}).status_code
        == 302
    )
    section = Survey.objects.get(slug="parks").sections.get()
    prefix = f"add-{section.pk}"
    response = client.post(
        build,
        {
            "action": "question_add",
            "section_id": section.pk,
            f"{prefix}-kind": "multiple_choice",
            f"{prefix}-text": "Which parks?",
            f"{prefix}-required": "on",
            f"{prefix}-options": "Central\nRiverside\n\n",
        },
    )
    question = Question.objects.get(survey__slug="parks")
    assert response["Location"] == f"/staff/surveys/parks/questions/{question.pk}/"
    assert (question.code, question.required) == ("q1", True)
    page = response["Location"]
    assert (
        client.post(page, {"action": "option_add", "new-option-text": "Forest"}).status_code == 302
    )
    forest = question.options.get(code="o3")
    client.post(page, {"action": "option_up", "option_id": forest.pk})
    assert list(question.options.order_by("position").values_list("text", flat=True)) == [
        "Central",
        "Forest",
        "Riverside",
    ]
    response = client.post(
        page,
        {
            "action": "question_save",
            "code": "parks",
            "kind": "multiple_choice",
            "text": "Which parks do you visit?",
            "required": "on",
            "max_picks": "2",
        },
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.code, question.settings) == ("parks", {"max_picks": 2, "allow_other": False})
    client.post(build, {"action": "publish"})
    assert Survey.objects.get(slug="parks").state == SurveyState.OPEN


def test_move_and_remove_with_buttons(signed_in, survey, riga_admin):
    client = signed_in(riga_admin)
    client.post(BUILD, {"action": "question_up", "question_id": q("q3").pk})
    assert codes() == ["q1", "q3", "q2"]
    client.post(BUILD, {"action": "question_delete", "question_id": q("q3").pk})
    assert codes() == ["q1", "q2"]


def test_the_condition_editor_sets_and_clears_a_condition(signed_in, survey, riga_admin):
    client = signed_in(riga_admin)
    page = f"/staff/surveys/streets/questions/{q('q3').pk}/"
    html = client.get(page).content.decode()
    assert 'value="q1:o2"' in html  # the options of earlier choice questions
    client.post(
        page,
        {"action": "condition_save", "condition-question": "q2", "condition-minimum": "4"},
    )
    assert q("q3").condition == {"question": "q2", "min": 4}
    client.post(
        page,
        {
            "action": "condition_save",
            "condition-question": "q1",
            "condition-options": ["q1:o2"],
        },
    )
    assert q("q3").condition == {"question": "q1", "options": ["o2"]}
    client.post(page, {"action": "condition_save", "condition-question": ""})
    assert q("q3").condition is None


def test_a_survey_from_a_template(signed_in, riga, riga_admin, monkeypatch):
    monkeypatch.setattr(definitions, "_TEMPLATES", {})
    definitions.register_template(
        "quick",
        "Quick check",
        lambda organisation: {
            "title": "Quick check",
            "sections": [{"questions": [{"kind": "short_text", "text": "How are you?"}]}],
        },
    )
    client = signed_in(riga_admin)
    assert "Quick check" in client.get("/staff/o/riga/surveys/new/").content.decode()
    response = client.post("/staff/o/riga/surveys/new/", {"title": "", "start": "quick"})
    assert response.status_code == 302
    made = Survey.objects.get(slug="quick-check")
    assert (made.template, made.questions.count()) == ("quick", 1)


def test_duplicate_and_state_buttons(signed_in, survey, riga_admin):
    client = signed_in(riga_admin)
    response = client.post(BUILD, {"action": "duplicate"})
    assert response["Location"] == "/staff/surveys/streets-copy/build/"
    client.post(BUILD, {"action": "publish"})
    assert Survey.objects.get(slug="streets").state == SurveyState.OPEN
    client.post(BUILD, {"action": "close"})
    assert Survey.objects.get(slug="streets").state == SurveyState.CLOSED
    client.post(BUILD, {"action": "reopen"})
    assert Survey.objects.get(slug="streets").state == SurveyState.OPEN


def test_translations_are_edited_like_rounds(signed_in, survey, riga_admin):
    client = signed_in(riga_admin)
    response = client.post(
        "/staff/surveys/streets/settings/",
        {
            "title": "Streets",
            "purpose": "needs_assessment",
            "results_visibility": "live",
            "responses_editable": "on",
            "title_en": "Streets (en)",
            "title_pl": "Ulice",
        },
    )
    assert response.status_code == 302
    stored = Survey.objects.get(slug="streets")
    assert stored.translations == {"en": {"title": "Streets (en)"}, "pl": {"title": "Ulice"}}
    assert (stored.purpose, stored.results_visibility) == ("needs_assessment", "live")


def test_the_preview_shows_the_survey_as_residents_read_it(signed_in, survey, riga_admin):
    html = signed_in(riga_admin).get("/staff/surveys/streets/preview/").content.decode()
    assert "How do you travel?" in html
    assert "1 = Unsafe" in html
    assert "5 = Safe" in html
    assert "Shown when q1 is o1" in html
    assert "<form" not in html.split('class="survey-preview"')[1]  # nothing is sent


def test_a_kind_setting_out_of_bounds_is_shown_at_its_field(signed_in, riga, riga_admin):
    create_survey(
        riga,
        {"title": "Short", "sections": [{"questions": [{"kind": "short_text", "text": "Why?"}]}]},
        actor=riga_admin,
        slug="short",
    )
    question = Question.objects.get(survey__slug="short")
    response = signed_in(riga_admin).post(
        f"/staff/surveys/short/questions/{question.pk}/",
        {
            "action": "question_save",
            "code": "q1",
            "kind": "short_text",
            "text": "Why?",
            "max_length": "600",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_max_length"' in html  # the summary leads to the field
    assert "Answers of this kind can be at most 500 characters long." in html
    question.refresh_from_db()
    assert question.settings == {}


def test_profile_questions_list_their_generated_options(signed_in, riga, riga_admin):
    factories.DistrictFactory(organisation=riga, name="Āgenskalns", slug="agenskalns")
    create_survey(
        riga,
        {"title": "You", "sections": [{"questions": [{"kind": "district", "text": "Where?"}]}]},
        actor=riga_admin,
        slug="you",
    )
    question = Question.objects.get(survey__slug="you")
    html = (
        signed_in(riga_admin).get(f"/staff/surveys/you/questions/{question.pk}/").content.decode()
    )
    assert "Āgenskalns" in html
    assert "These come from the organisation and Kopa" in html
    assert 'value="option_add"' not in html


def test_a_round_s_link_starts_a_survey_for_that_round(
    signed_in, riga, riga_admin, riga_moderator, monkeypatch
):
    monkeypatch.setattr(definitions, "_TEMPLATES", {})
    definitions.register_template(
        "evaluation",
        "Evaluation",
        lambda organisation: {
            "title": "How did it go?",
            "purpose": "evaluation",
            "sections": [{"questions": [{"kind": "long_text", "text": "Tell us"}]}],
        },
    )
    own = factories.BudgetRoundFactory(organisation=riga, slug="riga-2026", title="Rīga 2026")
    url = "/staff/surveys/new/?round=riga-2026&template=evaluation"
    assert signed_in(riga_moderator).get(url).status_code == 403
    response = signed_in(riga_admin).get(url)
    assert response.status_code == 302
    html = signed_in(riga_admin).get(response["Location"]).content.decode()
    assert re.search(r'<input type="radio" name="start" value="evaluation"[^>]*checked', html)
    assert f'<option value="{own.pk}" selected>Rīga 2026</option>' in html
    response = signed_in(riga_admin).post(
        "/staff/o/riga/surveys/new/",
        {"title": "", "start": "evaluation", "budget_round_id": str(own.pk)},
    )
    made = Survey.objects.get(slug="how-did-it-go")
    assert (made.budget_round_id, made.purpose, made.template) == (
        own.pk,
        "evaluation",
        "evaluation",
    )


def test_a_survey_s_staff_address_leads_each_role_on(signed_in, survey, riga_admin, riga_moderator):
    response = signed_in(riga_admin).get("/staff/surveys/streets/")
    assert response["Location"] == BUILD
    response = signed_in(riga_moderator).get("/staff/surveys/streets/")
    assert response.status_code == 302
    assert response["Location"] != BUILD


def test_every_page_of_a_survey_is_one_link_away(signed_in, survey, riga_admin):
    client = signed_in(riga_admin)
    html = client.get(BUILD).content.decode()
    for href in ("results/", "files/", "preview/", "settings/"):
        assert f'href="/staff/surveys/streets/{href}"' in html
    assert 'href="/surveys/streets/"' in html
    assert "/staff/surveys/streets/invitations/" not in html  # no codes needed
    Survey.objects.filter(pk=survey.pk).update(invitation_required=True)
    html = client.get(BUILD).content.decode()
    assert 'href="/staff/surveys/streets/invitations/"' in html
