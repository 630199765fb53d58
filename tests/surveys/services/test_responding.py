"""Answering a survey: refusals first (each stores nothing), then drafts, submitting and
changing, prefill, anonymous tokens, invitation codes, the rate limit and the listeners."""

from __future__ import annotations

import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.throttling import ScopedRateThrottle

from engagement.people.models import ResidentProfile, Role
from engagement.people.permissions import SYSTEM
from surveys import selectors
from surveys.models import (
    Answer,
    InvitationCode,
    Response,
    ResponseStatus,
    SpentFormToken,
    Survey,
    SurveyState,
)
from surveys.services import responding
from surveys.services.responding import (
    AnswersInvalid,
    NotEligible,
    TooManyResponses,
    generate_invitations,
    issue_form_token,
    save_draft,
    submit,
)
from tests import factories
from tests.surveys.factories import two_section_survey

pytestmark = pytest.mark.django_db

ANONYMOUS = AnonymousUser()
GOOD = {"q1": "o1", "q2": "north", "q3": "26_40", "q4": ["parent"], "q5": 4, "q6": "More racks"}


def fresh(survey: Survey) -> Survey:
    """The survey as the pages and the API load it (structure prefetched)."""
    return selectors.survey_by_slug(survey.slug)


def stored() -> dict[str, int]:
    return {
        "responses": Response.objects.count(),
        "answers": Answer.objects.count(),
        "spent_tokens": SpentFormToken.objects.count(),
        "invitations": InvitationCode.objects.count(),
    }


def field_codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


@pytest.fixture
def survey(riga):
    return fresh(two_section_survey(riga, slug="cycling"))


@pytest.fixture
def person(riga):
    return factories.UserFactory()


class TestRefusalsStoreNothing:
    def test_no_actor_is_refused(self, survey):
        with pytest.raises(PermissionDenied):
            submit(survey, GOOD, actor=None)
        assert stored()["responses"] == 0

    @pytest.mark.parametrize(
        ("state", "code"),
        [(SurveyState.DRAFT, "not_open"), (SurveyState.SCHEDULED, "not_open"),
         (SurveyState.CLOSED, "closed")],
    )  # fmt: skip
    def test_only_an_open_survey_takes_answers(self, survey, person, state, code):
        Survey.objects.filter(pk=survey.pk).update(state=state)
        survey = fresh(survey)
        with pytest.raises(ValidationError) as refused:
            submit(survey, GOOD, actor=person)
        assert field_codes(refused.value) == {"survey": [code]}
        with pytest.raises(ValidationError):
            save_draft(survey, {"q1": "o1"}, actor=person)
        assert stored() == {"responses": 0, "answers": 0, "spent_tokens": 0, "invitations": 0}

    def test_closing_time_passed_closes_before_the_scheduler_runs(self, survey, person):
        Survey.objects.filter(pk=survey.pk).update(
            opens_at=timezone.now() - timedelta(days=2), closes_at=timezone.now()
        )
        with pytest.raises(ValidationError) as refused:
            submit(fresh(survey), GOOD, actor=person)
        assert field_codes(refused.value) == {"survey": ["closed"]}

    def test_wrong_answers_get_a_message_per_question(self, survey, person):
        answers = {**GOOD, "q5": 9, "q6": "x" * 201, "q9": "o1"}
        with pytest.raises(AnswersInvalid) as refused:
            submit(survey, answers, actor=person)
        assert refused.value.by_question == {
            "q5": ["Choose a value from 1 to 5."],
            "q6": ["Keep your answer to 200 characters (it has 201)."],
            "q9": ["There is no question q9 in this survey."],
        }
        assert stored()["responses"] == 0

    def test_answering_a_question_that_was_not_shown(self, survey, person):
        with pytest.raises(AnswersInvalid) as refused:
            submit(survey, {**GOOD, "q1": "o2"}, actor=person)
        assert refused.value.by_question == {
            "q5": ["This question was not shown; leave it unanswered."]
        }
        assert stored()["responses"] == 0

    def test_answers_checked_against_a_structure_changed_meanwhile(
        self, survey, person, monkeypatch
    ):
        # Staff add an option between the check of the answers and the response's
        # transaction (the structure is not locked yet: no response exists).
        read_specs = responding.question_specs

        def specs_then_staff_edit(current):
            specs = read_specs(current)
            question = current.sections.first().questions.first()
            question.options.get_or_create(code="o9", text="Added meanwhile", position=9)
            return specs

        monkeypatch.setattr(responding, "question_specs", specs_then_staff_edit)
        with pytest.raises(ValidationError) as refused:
            submit(survey, GOOD, actor=person)
        assert field_codes(refused.value) == {"survey": ["survey_changed"]}
        assert stored()["responses"] == 0

    def test_a_required_question_only_when_shown(self, survey, person):
        with pytest.raises(AnswersInvalid) as refused:
            submit(survey, {"q1": "o1"}, actor=person)
        assert refused.value.by_question == {"q5": ["Answer this question."]}
        assert submit(survey, {"q1": "o2"}, actor=person).response.answers == {"q1": "o2"}


class TestEligibility:
    def test_age_limit_needs_a_birth_year_and_the_age(self, riga):
        survey = fresh(two_section_survey(riga, min_age=16))
        unknown = factories.UserFactory()
        young = factories.UserFactory()
        ResidentProfile.objects.create(user=young, birth_year=timezone.now().year - 10)
        with pytest.raises(NotEligible) as refused:
            submit(survey, GOOD, actor=unknown)
        assert refused.value.codes == ["age_unknown"]
        assert refused.value.reasons[0]["message"] == (
            "This survey has a minimum age; add your birth year to your profile."
        )
        with pytest.raises(NotEligible) as refused:
            save_draft(survey, {"q1": "o1"}, actor=young)
        assert refused.value.codes == ["too_young"]
        assert stored()["responses"] == 0

    def test_residence_in_the_organisation_and_a_verified_email(self, riga, gdansk):
        survey = fresh(two_section_survey(riga, residence_required=True,
                                          verified_email_required=True))  # fmt: skip
        elsewhere = factories.UserFactory()
        factories.verified_email(elsewhere)
        factories.residence(elsewhere, gdansk)
        with pytest.raises(NotEligible) as refused:
            submit(survey, GOOD, actor=elsewhere)
        assert refused.value.codes == ["not_resident"]
        unverified = factories.UserFactory()
        factories.verified_email(unverified, verified=False)
        factories.residence(unverified, riga)  # no district: still a resident
        with pytest.raises(NotEligible) as refused:
            submit(survey, GOOD, actor=unverified)
        assert refused.value.codes == ["email_not_verified"]
        resident = factories.UserFactory()
        factories.verified_email(resident)
        factories.residence(resident, riga)
        assert submit(survey, GOOD, actor=resident).response.respondent == resident

    def test_anonymous_only_where_allowed(self, survey):
        with pytest.raises(NotEligible) as refused:
            submit(survey, GOOD, actor=ANONYMOUS, form_token=issue_form_token(survey))
        assert refused.value.codes == ["not_signed_in"]
        assert str(refused.value) == "Sign in to answer this survey."
        assert stored()["responses"] == 0

    def test_anonymous_cannot_meet_rules_only_an_account_shows(self, riga):
        survey = fresh(two_section_survey(riga, anonymous_allowed=True, min_age=16))
        with pytest.raises(NotEligible):
            submit(survey, GOOD, actor=ANONYMOUS, form_token=issue_form_token(survey))


class TestDrafts:
    def test_a_draft_keeps_partial_answers_and_continues_anywhere(self, survey, person):
        draft = save_draft(survey, {"q1": "o1", "q6": "half-way"}, actor=person)
        assert draft.status == ResponseStatus.DRAFT
        assert draft.submitted_on is None
        assert Answer.objects.count() == 0  # drafts are not counted
        # Another device: the same person gets the draft back as the form's start.
        assert responding.initial_answers(fresh(survey), person)["q6"] == "half-way"
        again = save_draft(survey, {"q1": "o2"}, actor=person)
        assert again.pk == draft.pk
        assert Response.objects.get().answers == {"q1": "o2"}

    def test_a_draft_value_must_fit_its_question(self, survey, person):
        with pytest.raises(AnswersInvalid) as refused:
            save_draft(survey, {"q5": 11}, actor=person)
        assert refused.value.by_question == {"q5": ["Choose a value from 1 to 5."]}
        assert stored()["responses"] == 0

    def test_only_signed_in_people_keep_drafts(self, riga):
        survey = fresh(two_section_survey(riga, anonymous_allowed=True))
        with pytest.raises(PermissionDenied):
            save_draft(survey, {"q1": "o1"}, actor=ANONYMOUS)

    def test_no_draft_over_a_submitted_response(self, survey, person):
        submit(survey, GOOD, actor=person)
        with pytest.raises(ValidationError) as refused:
            save_draft(survey, {"q1": "o2"}, actor=person)
        assert field_codes(refused.value) == {"status": ["already_submitted"]}

    def test_submitting_turns_the_draft_into_the_response(self, survey, person):
        draft = save_draft(survey, {"q1": "o1"}, actor=person)
        submitted = submit(survey, GOOD, actor=person)
        assert submitted.response.pk == draft.pk
        assert not submitted.changed
        assert Response.objects.get().status == ResponseStatus.SUBMITTED


class TestSubmitAndChange:
    def test_submit_stores_answers_counted_rows_and_groups(self, survey, person):
        response = submit(survey, GOOD, actor=person).response
        response.refresh_from_db()
        assert response.answers == GOOD
        assert response.submitted_on == response.updated_on
        assert isinstance(response.submitted_on, date)
        assert (response.district, response.age_band, response.target_groups) == (
            "north",
            "26_40",
            ["parent"],
        )
        rows = sorted(
            (a.question.code, a.option.code if a.option else None, a.number, a.text)
            for a in Answer.objects.select_related("question", "option")
        )
        assert rows == [
            ("q1", "o1", None, ""),
            ("q2", "north", None, ""),
            ("q3", "26_40", None, ""),
            ("q4", "parent", None, ""),
            ("q5", None, 4.0, ""),
            ("q6", None, None, "More racks"),
        ]

    def test_a_change_replaces_the_counted_rows(self, survey, person):
        first = submit(survey, GOOD, actor=person)
        changed = submit(survey, {"q1": "o2", "q6": "Changed my mind"}, actor=person)
        assert changed.changed
        assert changed.response.pk == first.response.pk
        assert Response.objects.count() == 1
        assert sorted(Answer.objects.values_list("question__code", flat=True)) == ["q1", "q6"]
        assert Response.objects.get().district == ""

    def test_no_change_where_the_survey_does_not_allow_it(self, riga, person):
        survey = fresh(two_section_survey(riga, responses_editable=False))
        submit(survey, GOOD, actor=person)
        with pytest.raises(ValidationError) as refused:
            submit(survey, {"q1": "o2"}, actor=person)
        assert field_codes(refused.value) == {"status": ["already_answered"]}
        assert Response.objects.get().answers == GOOD

    def test_no_change_once_closed(self, survey, person):
        submit(survey, GOOD, actor=person)
        Survey.objects.filter(pk=survey.pk).update(state=SurveyState.CLOSED)
        with pytest.raises(ValidationError):
            submit(fresh(survey), {"q1": "o2"}, actor=person)
        assert Response.objects.get().answers == GOOD
        assert not responding.may_change(fresh(survey), Response.objects.get())


class TestPrefill:
    def test_profile_questions_start_from_the_residents_profile(self, survey, riga):
        person = factories.UserFactory()
        north = riga.districts.get(slug="north")
        factories.residence(person, riga, north)
        year = timezone.localdate().year
        ResidentProfile.objects.create(
            user=person, birth_year=year - 30, target_groups=["parent", "migrant"]
        )
        assert responding.prefill(survey, person) == {
            "q2": "north",
            "q3": "26_40",
            "q4": ["parent"],  # "migrant" is not among this question's options
        }

    def test_nothing_for_visitors_or_without_a_profile(self, survey):
        assert responding.prefill(survey, ANONYMOUS) == {}
        assert responding.prefill(survey, factories.UserFactory()) == {}

    def test_prefill_off_leaves_the_question_empty(self, survey, riga):
        survey.questions.filter(code="q2").update(prefill=False)
        person = factories.UserFactory()
        factories.residence(person, riga, riga.districts.get(slug="north"))
        assert responding.prefill(fresh(survey), person) == {}


@pytest.fixture
def open_survey(riga):
    return fresh(two_section_survey(riga, slug="open-to-all", anonymous_allowed=True))


class TestAnonymous:
    def test_without_a_token_or_with_a_forged_one(self, open_survey):
        for token, code in ((None, "required"), ("forged:token", "invalid")):
            with pytest.raises(ValidationError) as refused:
                submit(open_survey, GOOD, actor=ANONYMOUS, form_token=token)
            assert field_codes(refused.value) == {"form_token": [code]}
        assert stored()["responses"] == 0

    def test_a_token_of_another_survey(self, open_survey, riga):
        other = two_section_survey(riga, anonymous_allowed=True)
        with pytest.raises(ValidationError) as refused:
            submit(open_survey, GOOD, actor=ANONYMOUS, form_token=issue_form_token(other))
        assert field_codes(refused.value) == {"form_token": ["invalid"]}

    def test_an_expired_token(self, open_survey, monkeypatch):
        import django.core.signing

        issued_at = django.core.signing.time.time() - responding.FORM_TOKEN_MAX_AGE - 5
        monkeypatch.setattr(django.core.signing.time, "time", lambda: issued_at)
        token = issue_form_token(open_survey)
        monkeypatch.undo()
        with pytest.raises(ValidationError) as refused:
            submit(open_survey, GOOD, actor=ANONYMOUS, form_token=token)
        assert field_codes(refused.value) == {"form_token": ["expired"]}
        assert stored()["responses"] == 0

    def test_a_replayed_token_is_refused(self, open_survey):
        token = issue_form_token(open_survey)
        submit(open_survey, GOOD, actor=ANONYMOUS, form_token=token)
        with pytest.raises(ValidationError) as refused:
            submit(open_survey, {"q1": "o2"}, actor=ANONYMOUS, form_token=token)
        assert field_codes(refused.value) == {"form_token": ["spent"]}
        assert stored()["responses"] == 1
        assert Response.objects.get().answers == GOOD

    def test_a_refused_response_does_not_spend_the_token(self, open_survey):
        token = issue_form_token(open_survey)
        with pytest.raises(AnswersInvalid):
            submit(open_survey, {"q1": "o9"}, actor=ANONYMOUS, form_token=token)
        assert stored()["spent_tokens"] == 0
        submit(open_survey, GOOD, actor=ANONYMOUS, form_token=token)  # still good

    def test_the_stored_row_identifies_nobody(self, open_survey):
        submit(open_survey, GOOD, actor=ANONYMOUS, form_token=issue_form_token(open_survey))
        with connection.cursor() as cursor:
            columns = {
                c.name
                for c in connection.introspection.get_table_description(
                    cursor, Response._meta.db_table
                )
            }
            spent_columns = {
                c.name
                for c in connection.introspection.get_table_description(
                    cursor, SpentFormToken._meta.db_table
                )
            }
        # The table's columns: no address, browser, session or time of day anywhere.
        assert columns == {
            "id", "survey_id", "respondent_id", "status", "answers", "submitted_on",
            "updated_on", "district", "age_band", "target_groups",
        }  # fmt: skip
        assert spent_columns == {"digest", "expires_on"}
        row = Response.objects.values().get()
        assert row["respondent_id"] is None
        assert type(row["submitted_on"]) is date
        assert type(row["updated_on"]) is date
        # The id is random (UUID4), so ids do not give away the order of responses.
        assert row["id"].version == 4
        [spent] = SpentFormToken.objects.all()
        assert re.fullmatch(r"[0-9a-f]{64}", spent.digest)

    def test_expired_spent_tokens_are_purged_on_write(self, open_survey):
        SpentFormToken.objects.create(digest="0" * 64, expires_on=date(2020, 1, 1))
        submit(open_survey, GOOD, actor=ANONYMOUS, form_token=issue_form_token(open_survey))
        assert not SpentFormToken.objects.filter(digest="0" * 64).exists()
        assert SpentFormToken.objects.count() == 1

    def test_signed_in_people_answer_an_anonymous_survey_once(self, open_survey, person):
        submit(open_survey, GOOD, actor=person)
        submit(open_survey, {"q1": "o2"}, actor=person)
        assert Response.objects.filter(respondent=person).count() == 1

    def test_the_system_types_in_paper_questionnaires_without_a_token(self, survey):
        submitted = submit(survey, GOOD, actor=SYSTEM)
        assert submitted.response.respondent is None


class TestRateLimit:
    def test_responses_past_the_rate_are_refused_and_counted_in_the_cache_only(
        self, open_survey, monkeypatch
    ):
        monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, responding.RATE_SCOPE, "2/hour")
        request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.7")
        request.user = ANONYMOUS

        def send():
            return submit(
                open_survey,
                GOOD,
                actor=ANONYMOUS,
                form_token=issue_form_token(open_survey),
                client=request,
            )

        send()
        send()
        with pytest.raises(TooManyResponses) as refused:
            send()
        assert refused.value.wait
        assert refused.value.wait > 0
        assert stored()["responses"] == 2
        # The counter lives in the throttle cache with a time to live, nowhere else.
        cache = ScopedRateThrottle.cache
        key = f"throttle_{responding.RATE_SCOPE}_198.51.100.7"
        assert len(cache.get(key)) == 2
        for table in connection.introspection.table_names():
            if table.startswith("surveys_"):
                with connection.cursor() as cursor:
                    cursor.execute(f'SELECT * FROM "{table}"')
                    assert "198.51.100.7" not in repr(cursor.fetchall())

    def test_another_client_has_its_own_budget(self, open_survey, monkeypatch):
        monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, responding.RATE_SCOPE, "1/hour")
        for address in ("198.51.100.7", "198.51.100.8"):
            request = RequestFactory().post("/", REMOTE_ADDR=address)
            request.user = ANONYMOUS
            submit(open_survey, GOOD, actor=ANONYMOUS,
                   form_token=issue_form_token(open_survey), client=request)  # fmt: skip
        assert stored()["responses"] == 2


@pytest.fixture
def invited_survey(riga):
    return fresh(two_section_survey(riga, slug="class-7b", anonymous_allowed=True,
                                    invitation_required=True))  # fmt: skip


class TestInvitations:
    def test_only_administrators_generate_codes(self, invited_survey, riga, riga_moderator):
        for actor in (None, ANONYMOUS, riga_moderator, factories.staff(factories.
                      OrganisationFactory(), Role.ADMINISTRATOR)):  # fmt: skip
            with pytest.raises(PermissionDenied):
                generate_invitations(invited_survey, 5, actor=actor)
        assert stored()["invitations"] == 0

    @pytest.mark.parametrize("count", [0, -1, 1001, True, "5"])
    def test_a_sensible_number_of_codes(self, invited_survey, riga_admin, count):
        with pytest.raises(ValidationError):
            generate_invitations(invited_survey, count, actor=riga_admin)

    def test_codes_are_readable_and_only_their_digests_are_stored(self, invited_survey, riga_admin):
        codes = generate_invitations(invited_survey, 30, actor=riga_admin)
        assert len(set(codes)) == 30
        for code in codes:
            assert re.fullmatch(r"[A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{5}", code)
        digests = set(InvitationCode.objects.values_list("digest", flat=True))
        assert len(digests) == 30
        for code in codes:
            assert responding.invitation_digest(invited_survey, code) in digests
            assert all(code.replace("-", "") not in d.upper() for d in digests)
        invited_survey.refresh_from_db()
        assert invited_survey.invitations_issued == 30

    def test_a_code_is_used_once_and_its_row_is_deleted(self, invited_survey, riga_admin):
        [code] = generate_invitations(invited_survey, 1, actor=riga_admin)
        submit(invited_survey, GOOD, actor=ANONYMOUS,
               form_token=issue_form_token(invited_survey),
               invitation_code=f" {code.lower()} ")  # fmt: skip
        assert stored() == {"responses": 1, "answers": 6, "spent_tokens": 1, "invitations": 0}
        with pytest.raises(ValidationError) as refused:
            submit(invited_survey, GOOD, actor=ANONYMOUS,
                   form_token=issue_form_token(invited_survey), invitation_code=code)  # fmt: skip
        assert field_codes(refused.value) == {"invitation_code": ["invalid"]}
        assert stored()["responses"] == 1

    def test_a_missing_or_wrong_code_stores_nothing(self, invited_survey, riga_admin, person):
        generate_invitations(invited_survey, 2, actor=riga_admin)
        for code, expected in ((None, "required"), ("AAAAA-BBBBB", "invalid")):
            with pytest.raises(ValidationError) as refused:
                submit(invited_survey, GOOD, actor=person, invitation_code=code)
            assert field_codes(refused.value) == {"invitation_code": [expected]}
        assert stored() == {"responses": 0, "answers": 0, "spent_tokens": 0, "invitations": 2}

    def test_a_code_of_another_survey_does_not_open_this_one(
        self, invited_survey, riga, riga_admin
    ):
        other = two_section_survey(riga, invitation_required=True)
        [code] = generate_invitations(other, 1, actor=riga_admin)
        with pytest.raises(ValidationError):
            submit(invited_survey, GOOD, actor=factories.UserFactory(), invitation_code=code)
        assert InvitationCode.objects.filter(survey=other).count() == 1

    def test_changing_a_sent_response_needs_no_new_code(self, invited_survey, riga_admin, person):
        [code] = generate_invitations(invited_survey, 1, actor=riga_admin)
        submit(invited_survey, GOOD, actor=person, invitation_code=code)
        assert submit(invited_survey, {"q1": "o2"}, actor=person).changed


class TestListeners:
    @pytest.fixture
    def heard(self, monkeypatch):
        calls: list[int] = []
        monkeypatch.setattr(responding, "RESPONSE_LISTENERS", [])
        responding.register_response_listener(calls.append)
        responding.register_response_listener(calls.append)  # registered once
        return calls

    def test_listeners_hear_the_survey_after_commit(
        self, survey, person, heard, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            submit(survey, GOOD, actor=person)
        assert heard == []  # nothing before the commit
        for callback in callbacks:
            callback()
        assert heard == [survey.pk]

    def test_nothing_for_drafts_or_refusals(
        self, survey, person, heard, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            save_draft(survey, {"q1": "o1"}, actor=person)
            with pytest.raises(AnswersInvalid):
                submit(survey, {"q1": "o9"}, actor=person)
        assert heard == []

    def test_a_failing_listener_does_not_undo_the_response(
        self, survey, person, heard, django_capture_on_commit_callbacks
    ):
        def broken(survey_id):
            raise RuntimeError("results are away")

        responding.register_response_listener(broken)
        with django_capture_on_commit_callbacks(execute=True):
            submit(survey, GOOD, actor=person)
        assert heard == [survey.pk]
        assert Response.objects.count() == 1


def race(calls) -> list[object]:
    """Run every call at the same instant, each in its own thread and database connection;
    the outcomes (return values or exceptions) in order."""
    barrier = threading.Barrier(len(calls), timeout=60)

    def run(call):
        try:
            barrier.wait()
            return call()
        except Exception as error:  # recorded and asserted on by the test
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
class TestConcurrentSubmits:
    THREADS = 20

    def outcome(self, result) -> str:
        if isinstance(result, responding.Submitted):
            return "changed" if result.changed else "created"
        if isinstance(result, ValidationError):
            return ",".join(c for codes in field_codes(result).values() for c in codes)
        return f"unexpected {type(result).__name__}: {result}"

    def test_one_response_and_clean_refusals_when_changes_are_not_allowed(self):
        survey = fresh(two_section_survey(responses_editable=False))
        person = factories.UserFactory()
        outcomes = race([lambda: submit(fresh(survey), GOOD, actor=person)] * self.THREADS)
        assert Counter(self.outcome(o) for o in outcomes) == {
            "created": 1,
            "already_answered": self.THREADS - 1,
        }
        assert Response.objects.filter(respondent=person).count() == 1
        assert Answer.objects.count() == 6

    def test_one_response_holding_one_whole_answer_when_changes_are_allowed(self):
        survey = fresh(two_section_survey())
        person = factories.UserFactory()
        choices = [GOOD, {"q1": "o2"}, {"q1": "o2", "q6": "Later"}]
        calls = [
            (lambda answers: lambda: submit(fresh(survey), answers, actor=person))(
                choices[i % len(choices)]
            )
            for i in range(self.THREADS)
        ]
        outcomes = race(calls)
        assert Counter(self.outcome(o) for o in outcomes) == {
            "created": 1,
            "changed": self.THREADS - 1,
        }
        response = Response.objects.get(respondent=person)
        assert response.answers in choices
        # The counted rows are those of the answers kept, not a mix of two submits.
        assert sorted(Answer.objects.values_list("question__code", flat=True)) == sorted(
            response.answers
        )

    def test_a_replayed_anonymous_token_counts_once(self):
        survey = fresh(two_section_survey(anonymous_allowed=True))
        token = issue_form_token(survey)
        outcomes = race(
            [lambda: submit(fresh(survey), GOOD, actor=ANONYMOUS, form_token=token)] * self.THREADS
        )
        assert Counter(self.outcome(o) for o in outcomes) == {
            "created": 1,
            "spent": self.THREADS - 1,
        }
        assert Response.objects.count() == 1

    def test_an_invitation_code_opens_one_response(self):
        survey = fresh(two_section_survey(invitation_required=True))
        admin = factories.staff(survey.organisation, Role.ADMINISTRATOR)
        [code] = generate_invitations(survey, 1, actor=admin)
        people = [factories.UserFactory() for _ in range(self.THREADS)]

        def answerer(someone):
            return lambda: submit(fresh(survey), GOOD, actor=someone, invitation_code=code)

        outcomes = race([answerer(someone) for someone in people])
        assert Counter(self.outcome(o) for o in outcomes) == {
            "created": 1,
            "invalid": self.THREADS - 1,
        }
        assert Response.objects.count() == 1
        assert InvitationCode.objects.count() == 0
