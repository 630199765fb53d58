"""A survey's results pages: the public page once results are published, the staff page at
any time with cross-tabulation, free text and moderation; charts with tables; live markup."""

from __future__ import annotations

import pytest

from engagement.people.models import District
from surveys.models import Answer, QuestionKind, ResultsVisibility, SurveyState
from tests.surveys.counted import respond
from tests.surveys.factories import SurveyFactory, choice_question

pytestmark = pytest.mark.django_db

PUBLIC = "/surveys/parks/results/"
STAFF = "/staff/surveys/parks/results/"


@pytest.fixture
def survey(riga):
    survey = SurveyFactory(
        organisation=riga,
        slug="parks",
        title="Our parks",
        results_visibility=ResultsVisibility.LIVE,
    )
    choice_question(survey, "q1", ["More trees", "More benches"], text="What should change?")
    choice_question(
        survey,
        "q4",
        [],
        kind=QuestionKind.SCALE,
        text="How happy are you?",
        settings={"scale_min": 1, "scale_max": 5},
    )
    choice_question(survey, "q9", [], kind=QuestionKind.LONG_TEXT, text="Anything else?")
    for slug in ("harbour", "pines"):
        District.objects.create(organisation=riga, slug=slug, name=slug.title())
    for n in range(14):
        respond(
            survey,
            {"q1": "o1" if n < 9 else "o2", "q4": 1 + n % 5, "q9": f"note {n}"},
            district="harbour" if n < 11 else "pines",
        )
    Answer.objects.filter(text="note 2").update(hidden=True)
    return survey


# --- failure cases first ----------------------------------------------------------------------


def test_a_draft_does_not_exist_and_unpublished_results_are_not_shown(client, survey):
    survey.state = SurveyState.DRAFT
    survey.save()
    assert client.get(PUBLIC).status_code == 404
    survey.state = SurveyState.OPEN
    survey.results_visibility = ResultsVisibility.AFTER_CLOSE
    survey.save()
    response = client.get(PUBLIC)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The results are not published yet" in html
    assert "More trees" not in html


def test_the_staff_page_is_for_the_organisations_staff(client, survey, resident, gdansk_admin):
    response = client.get(STAFF)
    assert response.status_code == 302
    for person in (resident, gdansk_admin):
        client.force_login(person)
        assert client.get(STAFF).status_code == 403


def test_only_moderators_hide_answers_from_the_page(client, survey, resident, riga_admin):
    answer = Answer.objects.get(text="note 5")
    url = f"{STAFF}text/{answer.pk}/hide/"
    client.force_login(resident)
    assert client.post(url).status_code == 403
    assert client.get(url).status_code == 405
    answer.refresh_from_db()
    assert answer.hidden is False


# --- the public page --------------------------------------------------------------------------


def test_public_results_have_charts_with_tables_and_live_markup(client, survey):
    html = client.get(PUBLIC).content.decode()
    assert "14 responses" in html
    assert 'data-live-topic="survey:parks:results"' in html
    assert 'data-live-key="responses">14<' in html
    assert 'class="survey-bars"' in html
    # the same figures in a table: 9 of 14 chose trees
    assert '<th scope="row">More trees</th><td class="num">9</td><td class="num">64 %</td>' in html
    assert "Mean 2.857, median 3.0 (14 answers)." in html
    # hidden free text: neither counted nor listed for the public, and no hide buttons
    assert "13 written answers" in html
    assert "note 2" not in html
    assert "Hide from the public" not in html


def test_results_published_after_close_are_not_live(client, survey):
    survey.results_visibility = ResultsVisibility.AFTER_CLOSE
    survey.state = SurveyState.CLOSED
    survey.save()
    html = client.get(PUBLIC).content.decode()
    assert "More trees" in html
    assert "data-live-topic" not in html


def test_no_cross_tab_unless_one_is_asked_for(client, survey):
    html = client.get(PUBLIC).content.decode()
    section = html[html.index('id="cross"') :].split("</section>")[0]
    # the form is there, no table
    assert 'name="question"' in section
    assert 'name="by"' in section
    assert "Choose a question and a grouping" in section
    assert "<caption>Harbour" not in section
    assert "People who answered" not in section


def test_a_bad_cross_tab_request_is_a_form_error(client, survey):
    response = client.get(PUBLIC, {"question": "q9", "by": "income"})
    assert response.status_code == 200
    section = response.content.decode()
    section = section[section.index('id="cross"') :].split("</section>")[0]
    assert "Choose one of the questions listed." in section
    assert "Choose district, age band or target group." in section
    assert 'aria-invalid="true"' in section
    assert "<caption>Harbour" not in section


def test_dates_over_decades_are_drawn_by_decade(client, survey):
    choice_question(survey, "q7", [], kind=QuestionKind.DATE, text="When did you move here?")
    for value in ("1951-03-01", "1958-01-01", "2019-05-05"):
        respond(survey, {"q7": value})
    html = client.get(PUBLIC).content.decode()
    dates = html[html.index('id="q-q7"') :].split("</section>")[0]
    assert "by decade" in dates
    assert '<th scope="col">Decade</th>' in dates
    assert '<th scope="row">1950\N{EN DASH}1959</th><td class="num">2</td>' in dates
    assert '<th scope="row">2010\N{EN DASH}2019</th><td class="num">1</td>' in dates
    assert "1951-03" not in dates


def test_cross_tab_by_district_suppresses_small_groups(client, survey):
    html = client.get(PUBLIC, {"question": "q1", "by": "district"}).content.decode()
    section = html[html.index('id="cross"') :]
    # Harbour: 9 trees, 2 benches -> the 2 is hidden, and so is a partner
    harbour = section[section.index("<caption>Harbour") :].split("</table>")[0]
    assert "fewer than 5" in harbour
    assert '<td class="num">2</td>' not in harbour
    pines = section[section.index("<caption>Pines") :].split("</table>")[0]
    assert '<td class="num">3</td>' not in pines


def test_free_text_search_and_pages(client, survey):
    html = client.get(PUBLIC, {"text": "q9", "search": "note 1"}).content.decode()
    listed = html[html.index('id="free-text"') :]
    assert "note 1" in listed
    assert "note 10" in listed
    assert "note 5" not in listed
    assert "5 answers" in listed  # note 1, 10, 11, 12, 13


# --- the staff page ---------------------------------------------------------------------------


def test_staff_see_hidden_answers_marked_and_moderators_hide_and_show(
    client, survey, riga_moderator
):
    client.force_login(riga_moderator)
    html = client.get(STAFF, {"text": "q9", "search": "note 2"}).content.decode()
    assert "14 written answers" in html
    assert "1 hidden by moderators" in html
    assert "Hidden from the public" in html
    assert "Show to the public" in html
    answer = Answer.objects.get(text="note 5")
    response = client.post(f"{STAFF}text/{answer.pk}/hide/", {"next": STAFF + "?text=q9"})
    assert response.status_code == 302
    assert response["Location"] == STAFF + "?text=q9#free-text"
    answer.refresh_from_db()
    assert answer.hidden is True
    client.post(f"{STAFF}text/{answer.pk}/show/")
    answer.refresh_from_db()
    assert answer.hidden is False


def test_staff_see_results_before_they_are_published(client, survey, riga_admin):
    survey.results_visibility = ResultsVisibility.STAFF
    survey.save()
    client.force_login(riga_admin)
    html = client.get(STAFF, {"question": "q1", "by": "age_band"}).content.decode()
    assert "More trees" in html
    assert 'data-live-topic="survey:parks:results"' in html
    assert "Answers by group" in html


def test_the_page_speaks_polish(client, survey):
    response = client.get(PUBLIC, HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 200
