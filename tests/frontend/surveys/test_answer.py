"""Answering pages without JavaScript: one section per page, errors per question, the
conditions evaluated on the server, the review, thanks, changing; the organisation's list
and the staff page of invitation codes."""

from __future__ import annotations

import re

import pytest

from engagement.people.models import Role
from surveys.models import InvitationCode, Response, ResponseStatus, SurveyState
from surveys.services.responding import generate_invitations
from tests import factories
from tests.surveys.factories import (
    OptionFactory,
    QuestionFactory,
    SectionFactory,
    SurveyFactory,
    two_section_survey,
)

pytestmark = pytest.mark.django_db

PAGE = "/surveys/cycling/"


def state_of(page) -> str:
    match = re.search(r'name="state" value="([^"]+)"', page.content.decode())
    assert match, "no state field on the page"
    return match.group(1)


def post(client, page, action="next", **fields):
    return client.post(PAGE, {"state": state_of(page), "action": action, **fields})


@pytest.fixture
def survey(riga):
    return two_section_survey(riga, slug="cycling", anonymous_allowed=True)


@pytest.fixture
def person(db):
    return factories.UserFactory()


class TestRefusals:
    def test_a_required_question_left_out_is_named_with_a_link(self, client, survey):
        first = client.get(PAGE)
        answer = post(client, first, q2="north")
        assert answer.status_code == 400
        html = answer.content.decode()
        assert 'href="#q-q1"' in html  # the summary links to the question
        assert 'id="q-q1-error"' in html
        assert "Do you cycle?: Answer this question." in html
        assert Response.objects.count() == 0

    def test_a_forged_state_starts_over(self, client, survey):
        answer = client.post(PAGE, {"state": "forged", "action": "next"})
        assert answer.status_code == 302
        assert answer["Location"] == PAGE

    def test_signing_in_is_asked_where_anonymous_answers_are_not_taken(self, client, riga):
        two_section_survey(riga, slug="members")
        page = client.get("/surveys/members/")
        assert "Sign in to answer this survey." in page.content.decode()
        assert "/accounts/login/?next=/surveys/members/" in page.content.decode()

    def test_a_closed_survey_says_so(self, client, survey):
        survey.state = SurveyState.CLOSED
        survey.save()
        assert "This survey is closed." in client.get(PAGE).content.decode()

    def test_a_draft_survey_is_not_found(self, client, survey):
        survey.state = SurveyState.DRAFT
        survey.save()
        assert client.get(PAGE).status_code == 404

    def test_a_wrong_scale_value_is_refused_with_its_message(self, client, survey):
        second = post(client, client.get(PAGE), q1="o1")
        answer = post(client, second, q5="9")
        assert answer.status_code == 400
        assert "Choose a value from 1 to 5." in answer.content.decode()


class TestAnonymousJourney:
    def test_two_sections_review_and_send(self, client, survey):
        first = client.get(PAGE)
        html = first.content.decode()
        assert first["Cache-Control"].startswith("max-age=0")
        assert "<legend" in html
        assert "Part 1 of 2" in html
        assert "Save and continue later" not in html  # drafts are for accounts
        second = post(client, first, q1="o1", q2="north", q3="26_40", q4=["parent"])
        assert "Part 2 of 2" in second.content.decode()
        assert "How safe is cycling here?" in second.content.decode()
        review = post(client, second, q5="4", q6="More racks")
        text = review.content.decode()
        assert "Check your answers" in text
        assert "Parent or carer" in text
        assert "More racks" in text
        assert Response.objects.count() == 0  # nothing stored before sending
        sent = post(client, review, action="submit")
        assert sent.status_code == 302
        assert sent["Location"] == "/surveys/cycling/thanks/"
        stored = Response.objects.get()
        assert stored.respondent is None
        assert stored.answers == {
            "q1": "o1", "q2": "north", "q3": "26_40", "q4": ["parent"], "q5": 4,
            "q6": "More racks",
        }  # fmt: skip
        # The same form sent again (a replay) stores nothing more.
        again = post(client, review, action="submit")
        assert again.status_code == 400
        assert "This form was already sent." in again.content.decode()
        assert Response.objects.count() == 1

    def test_a_section_hidden_by_an_earlier_answer_is_skipped(self, client, survey):
        # q5 shows only for cyclists; q6 stays, so the second section still shows.
        second = post(client, client.get(PAGE), q1="o2")
        html = second.content.decode()
        assert "How safe is cycling here?" not in html
        assert "Anything else?" in html
        survey.questions.filter(code="q6").delete()
        review = post(client, client.get(PAGE), q1="o2")
        assert "Check your answers" in review.content.decode()

    def test_an_answer_to_a_question_hidden_later_is_dropped(self, client, survey):
        second = post(client, client.get(PAGE), q1="o1")
        back = post(client, second, action="back", q5="3")
        review = post(client, back, q1="o2")  # no longer a cyclist: q5 goes
        second_again = review  # the second section (q6 only)
        final = post(client, second_again)
        sent = post(client, final, action="submit")
        assert sent.status_code == 302
        assert Response.objects.get().answers == {"q1": "o2"}

    def test_back_keeps_the_answers(self, client, survey):
        second = post(client, client.get(PAGE), q1="o1")
        back = post(client, second, action="back", q6="Later")
        html = back.content.decode()
        assert re.search(r'value="o1"\s+checked', html)
        forward = post(client, back, q1="o1")
        assert 'value="Later"' in forward.content.decode()


class TestSignedIn:
    def test_prefill_draft_on_another_device_then_change(self, client, survey, riga, person):
        factories.residence(person, riga, riga.districts.get(slug="centre"))
        client.force_login(person)
        first = client.get(PAGE)
        assert re.search(r'value="centre"\s+checked', first.content.decode())
        saved = post(client, first, action="save", q1="o1", q2="centre")
        assert "Your answers are saved" in saved.content.decode()
        draft = Response.objects.get(respondent=person)
        assert draft.status == ResponseStatus.DRAFT
        assert draft.answers == {"q1": "o1", "q2": "centre"}
        # Another device: a new session starts from the draft.
        client.logout()
        client.force_login(person)
        resumed = client.get(PAGE)
        assert re.search(r'value="o1"\s+checked', resumed.content.decode())
        second = post(client, resumed, q1="o1", q2="centre")
        review = post(client, second, q5="5")
        assert post(client, review, action="submit")["Location"] == "/surveys/cycling/thanks/"
        thanks = client.get("/surveys/cycling/thanks/").content.decode()
        assert "Change your answers" in thanks
        answered = client.get(PAGE).content.decode()
        assert "You answered this survey" in answered
        change = client.get(PAGE + "?change=1")
        assert "You are changing the answers you sent" in change.content.decode()
        second = post(client, change, q1="o2", q2="centre")
        review = post(client, second)
        post(client, review, action="submit")
        assert Response.objects.get(respondent=person).answers == {"q1": "o2", "q2": "centre"}

    def test_no_change_where_not_allowed(self, client, survey, person):
        survey.responses_editable = False
        survey.save()
        client.force_login(person)
        review = post(client, post(client, client.get(PAGE), q1="o2"))
        post(client, review, action="submit")
        page = client.get(PAGE + "?change=1").content.decode()
        assert "Answers to this survey cannot be changed." in page


class TestEveryKind:
    def test_each_kind_renders_accessibly_and_reads_back(self, client, riga):
        survey = SurveyFactory(organisation=riga, slug="kinds", anonymous_allowed=True)
        section = SectionFactory(survey=survey, position=0, title="All kinds")

        def question(code, kind, options=(), **extra):
            made = QuestionFactory(section=section, survey=survey, code=code, kind=kind,
                                   text=f"Question {code}", **extra)  # fmt: skip
            for index, option in enumerate(options):
                OptionFactory(question=made, position=index, code=option, text=option.upper())
            return made

        question("k1", "single_choice", ["a", "b"], settings={"allow_other": True})
        question("k2", "multiple_choice", ["a", "b", "c"], settings={"max_picks": 2})
        question("k3", "long_text", help_text="A few words")
        question("k4", "ranking", ["a", "b", "c"], settings={"rank_count": 2})
        question("k5", "matrix", ["r1", "r2"], settings={"scale_min": 1, "scale_max": 5})
        question("k6", "number", settings={"min": 0, "max": 120, "unit": "years"})
        question("k7", "date")
        page = client.get("/surveys/kinds/")
        html = page.content.decode()
        assert html.count("<fieldset") == 4  # k1, k2, k4, k5
        assert 'aria-describedby="q-k3-help"' in html
        assert '<th scope="row" id="q-k5-r1">R1</th>' in html
        assert 'name="k4__rank1"' in html
        assert 'name="k4__rank2"' in html
        assert 'name="k4__rank3"' not in html
        assert 'type="date"' in html
        answer = client.post(
            "/surveys/kinds/",
            {
                "state": state_of(page),
                "action": "next",
                "k1": "__other__",
                "k1__other": "Something else",
                "k2": ["a", "c"],
                "k3": "Fine\r\nthanks",
                "k4__rank1": "c",
                "k4__rank2": "a",
                "k5__r1": "4",
                "k5__r2": "5",
                "k6": "42",
                "k7": "2026-05-01",
            },
        )
        assert answer.status_code == 200, answer.content.decode()[:2000]
        sent = client.post("/surveys/kinds/", {"state": state_of(answer), "action": "submit"})
        assert sent.status_code == 302
        assert Response.objects.get().answers == {
            "k1": {"other": "Something else"},
            "k2": ["a", "c"],
            "k3": "Fine\nthanks",
            "k4": ["c", "a"],
            "k5": {"r1": 4, "r2": 5},
            "k6": 42,
            "k7": "2026-05-01",
        }

    def test_too_many_picks_and_a_wrong_number(self, client, riga):
        survey = SurveyFactory(organisation=riga, slug="picks", anonymous_allowed=True)
        section = SectionFactory(survey=survey, position=0)
        multi = QuestionFactory(section=section, survey=survey, code="m", kind="multiple_choice",
                                text="Pick", settings={"max_picks": 1})  # fmt: skip
        for code in ("a", "b"):
            OptionFactory(question=multi, code=code, text=code)
        QuestionFactory(section=section, survey=survey, code="n", kind="number", text="Age",
                        settings={"min": 0, "max": 120})  # fmt: skip
        page = client.get("/surveys/picks/")
        answer = client.post(
            "/surveys/picks/",
            {"state": state_of(page), "action": "next", "m": ["a", "b"], "n": "abc"},
        )
        html = answer.content.decode()
        assert answer.status_code == 400
        assert "Choose at most 1." in html
        assert "Enter a number from 0 to 120." in html


class TestInvitationCodeOnThePage:
    def test_the_code_is_asked_for_and_used_once(self, client, survey, riga):
        survey.invitation_required = True
        survey.save()
        admin = factories.staff(riga, Role.ADMINISTRATOR)

        [code] = generate_invitations(survey, 1, actor=admin)
        review = post(client, post(client, client.get(PAGE), q1="o2"))
        assert 'name="invitation_code"' in review.content.decode()
        wrong = post(client, review, action="submit", invitation_code="AAAAA-BBBBB")
        assert wrong.status_code == 400
        assert "This invitation code is not valid" in wrong.content.decode()
        sent = post(client, wrong, action="submit", invitation_code=code)
        assert sent.status_code == 302
        assert InvitationCode.objects.count() == 0


class TestOrganisationList:
    def test_open_coming_and_closed(self, client, riga, survey):
        SurveyFactory(organisation=riga, slug="later", title="Later", state=SurveyState.SCHEDULED)
        SurveyFactory(organisation=riga, slug="done", title="Done", state=SurveyState.CLOSED)
        SurveyFactory(organisation=riga, slug="secret", title="Secret", state=SurveyState.DRAFT)
        html = client.get("/o/riga/surveys/").content.decode()
        open_part, rest = html.split('id="upcoming-heading"')
        upcoming_part, closed_part = rest.split('id="closed-heading"')
        assert "/surveys/cycling/" in open_part
        assert "No account needed" in open_part
        assert "Later" in upcoming_part
        assert "Done" in closed_part
        assert "Secret" not in html

    def test_an_unknown_organisation(self, client, db):
        assert client.get("/o/nowhere/surveys/").status_code == 404


class TestInvitationsPage:
    URL = "/staff/surveys/cycling/invitations/"

    def test_only_administrators(self, client, survey, riga_moderator):
        assert client.get(self.URL).status_code == 302  # to sign in
        client.force_login(riga_moderator)
        assert client.get(self.URL).status_code == 403

    def test_codes_are_shown_once_and_stored_as_digests(self, client, survey, riga_admin):
        client.force_login(riga_admin)
        refused = client.post(self.URL, {"count": "0"})
        assert refused.status_code == 400
        assert InvitationCode.objects.count() == 0
        made = client.post(self.URL, {"count": "3"})
        html = made.content.decode()
        codes = re.findall(r'invitation-card__code">([A-Z0-9-]+)<', html)
        assert len(codes) == 3
        assert made["Cache-Control"].startswith("max-age=0")
        stored = set(InvitationCode.objects.values_list("digest", flat=True))
        assert all(code not in stored and code.replace("-", "") not in stored for code in codes)
        again = client.get(self.URL).content.decode()
        assert "3 codes issued so far." in again
        assert not any(code in again for code in codes)


def test_a_condition_within_one_section_shows_a_hint_and_drops_the_answer(client, riga):
    survey = SurveyFactory(organisation=riga, slug="same-page", anonymous_allowed=True)
    section = SectionFactory(survey=survey, position=0)
    cycle = QuestionFactory(section=section, survey=survey, code="q1", kind="single_choice",
                            text="Do you cycle?", required=True)  # fmt: skip
    OptionFactory(question=cycle, code="o1", text="Yes")
    OptionFactory(question=cycle, code="o2", text="No")
    QuestionFactory(section=section, survey=survey, code="q2", kind="short_text",
                    text="Where do you park?", required=True,
                    condition={"question": "q1", "options": ["o1"]})  # fmt: skip
    page = client.get("/surveys/same-page/")
    html = page.content.decode()
    assert "Where do you park?" in html  # the server cannot know yet
    assert "Answer this only if you chose “Yes” for “Do you cycle?”." in html
    # A cyclist must answer it; a non-cyclist's answer to it is dropped, not refused.
    refused = client.post("/surveys/same-page/", {"state": state_of(page), "q1": "o1"})
    assert "Where do you park?: Answer this question." in refused.content.decode()
    review = client.post("/surveys/same-page/", {"state": state_of(page), "q1": "o2", "q2": "x"})
    assert review.status_code == 200
    client.post("/surveys/same-page/", {"state": state_of(review), "action": "submit"})
    assert Response.objects.get().answers == {"q1": "o2"}


def test_a_survey_closed_while_answering_says_so(client, survey, person):
    client.force_login(person)
    first = client.get(PAGE)
    survey.state = SurveyState.CLOSED
    survey.save()
    answer = post(client, first, q1="o1")
    assert "This survey is closed." in answer.content.decode()
    assert Response.objects.count() == 0  # not even a draft


def test_sending_past_the_rate_limit_stores_nothing(client, survey, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "survey_response", "1/hour")
    for expected in (302, 429):
        review = post(client, post(client, client.get(PAGE), q1="o2"))
        sent = post(client, review, action="submit")
        assert sent.status_code == expected
    assert "Too many responses from here." in sent.content.decode()
    assert Response.objects.count() == 1
