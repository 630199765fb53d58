"""Staff build surveys: settings, structure, locking once answered, and the state."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from engagement.people.models import Role
from surveys.definitions import create_survey, definition_of
from surveys.models import Option, Question, Response, ResponseStatus, Section, SurveyState
from surveys.services import building
from tests import factories

pytestmark = pytest.mark.django_db


def error_codes(exc):
    return {path: [e.code for e in found] for path, found in exc.value.error_dict.items()}


@pytest.fixture
def survey(riga, riga_admin):
    return create_survey(
        riga,
        {
            "title": "Streets",
            "sections": [
                {
                    "title": "Streets",
                    "questions": [
                        {
                            "kind": "single_choice",
                            "text": "How do you travel?",
                            "options": [{"text": "Bike"}, {"text": "Bus"}, {"text": "Car"}],
                        },
                        {
                            "kind": "scale",
                            "text": "How safe is cycling?",
                            "settings": {"low_label": "Unsafe", "high_label": "Safe"},
                            "condition": {"question": "q1", "options": ["o1"]},
                        },
                    ],
                },
                {"title": "More", "questions": [{"kind": "long_text", "text": "Anything else?"}]},
            ],
        },
        actor=riga_admin,
    )


def answered(survey, status=ResponseStatus.DRAFT):
    """A response exists (a draft is enough to lock the structure)."""
    return Response.objects.create(
        survey=survey,
        respondent=factories.UserFactory(),
        status=status,
        updated_on=datetime.date.today(),
        submitted_on=datetime.date.today() if status == ResponseStatus.SUBMITTED else None,
    )


def q(survey, code):
    return Question.objects.get(survey=survey, code=code)


def order(survey):
    return [
        q.code
        for q in Question.objects.filter(survey=survey).order_by("section__position", "position")
    ]


# --- who may -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["riga_moderator", "gdansk_admin", "resident"])
def test_only_administrators_of_the_organisation_change_a_survey(request, survey, persona):
    actor = request.getfixturevalue(persona)
    calls = [
        lambda: building.survey_update(actor=actor, survey=survey, title="Mine"),
        lambda: building.section_add(actor=actor, survey=survey, title="X"),
        lambda: building.question_add(
            actor=actor, section=survey.sections.first(), kind="short_text", text="?"
        ),
        lambda: building.option_add(actor=actor, question=q(survey, "q1"), text="Walk"),
        lambda: building.survey_publish(actor=actor, survey=survey),
        lambda: building.survey_duplicate(actor=actor, survey=survey),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    survey.refresh_from_db()
    assert (survey.title, survey.state, survey.sections.count()) == ("Streets", "draft", 2)


def test_a_reviewer_cannot_build_either(riga, survey):
    reviewer = factories.staff(riga, Role.REVIEWER)
    with pytest.raises(PermissionDenied):
        building.question_delete(actor=reviewer, question=q(survey, "q3"))
    with pytest.raises(PermissionDenied):
        building.survey_update(actor=None, survey=survey, title="Nobody")


# --- locking: failures first -------------------------------------------------------------


def test_once_answered_the_structure_is_locked_with_the_reason(survey, riga_admin):
    answered(survey)
    section = survey.sections.order_by("position").first()
    refusals = {
        "add a section": lambda: building.section_add(actor=riga_admin, survey=survey),
        "remove a section": lambda: building.section_delete(
            actor=riga_admin, section=survey.sections.last()
        ),
        "move a section": lambda: building.section_move(
            actor=riga_admin, section=section, direction="down"
        ),
        "add a question": lambda: building.question_add(
            actor=riga_admin, section=section, kind="short_text", text="New?"
        ),
        "remove a question": lambda: building.question_delete(
            actor=riga_admin, question=q(survey, "q3")
        ),
        "move a question": lambda: building.question_move(
            actor=riga_admin, question=q(survey, "q3"), direction="up"
        ),
        "change a kind": lambda: building.question_update(
            actor=riga_admin, question=q(survey, "q3"), kind="short_text"
        ),
        "change a rule setting": lambda: building.question_update(
            actor=riga_admin, question=q(survey, "q2"), settings={"scale_min": 0, "scale_max": 10}
        ),
        "change a condition": lambda: building.question_set_condition(
            actor=riga_admin, question=q(survey, "q2"), condition=None
        ),
        "make it required": lambda: building.question_update(
            actor=riga_admin, question=q(survey, "q3"), required=True
        ),
        "add an option": lambda: building.option_add(
            actor=riga_admin, question=q(survey, "q1"), text="Walk"
        ),
        "remove an option": lambda: building.option_delete(
            actor=riga_admin, option=q(survey, "q1").options.get(code="o3")
        ),
        "move an option": lambda: building.option_move(
            actor=riga_admin, option=q(survey, "q1").options.get(code="o3"), direction="up"
        ),
    }
    before = definition_of(survey)
    for name, call in refusals.items():
        with pytest.raises(ValidationError) as exc:
            call()
        found = {code for codes in error_codes(exc).values() for code in codes}
        assert found == {"structure_locked"}, name
        assert exc.value.messages == [
            "1 response: the structure is locked; texts can still be corrected."
        ], name
    assert definition_of(survey) == before


def test_once_answered_texts_labels_and_translations_can_still_be_corrected(survey, riga_admin):
    answered(survey, ResponseStatus.SUBMITTED)
    building.question_update(
        actor=riga_admin,
        question=q(survey, "q2"),
        text="How safe is cycling here?",
        help_text="Think of the last month.",
        translations={"pl": {"text": "Jak bezpiecznie?", "low_label": "Niebezpiecznie"}},
        settings={"low_label": "Dangerous", "high_label": "Safe"},
    )
    option = q(survey, "q1").options.get(code="o1")
    building.option_update(actor=riga_admin, option=option, text="Bicycle")
    building.section_update(
        actor=riga_admin, section=survey.sections.first(), title="Getting about"
    )
    building.survey_update(actor=riga_admin, survey=survey, title="Streets and paths")
    scale = q(survey, "q2")
    assert (scale.text, scale.settings["low_label"], scale.translations["pl"]["text"]) == (
        "How safe is cycling here?",
        "Dangerous",
        "Jak bezpiecznie?",
    )
    assert q(survey, "q1").options.get(code="o1").text == "Bicycle"


def test_the_whole_definition_once_answered_takes_text_corrections_only(survey, riga_admin):
    answered(survey)
    definition = definition_of(survey)
    definition["sections"][0]["questions"][0]["options"].pop()
    definition["sections"][0]["questions"][1]["settings"]["scale_max"] = 7
    with pytest.raises(ValidationError) as exc:
        building.survey_definition_replace(actor=riga_admin, survey=survey, definition=definition)
    assert error_codes(exc) == {
        "sections.0.questions.0.options": ["structure_locked"],
        "sections.0.questions.1.settings": ["structure_locked"],
    }
    definition = definition_of(survey)
    definition["sections"][0]["questions"][0]["text"] = "How do you usually travel?"
    definition["sections"][0]["questions"][0]["options"][2]["text"] = "Motor car"
    building.survey_definition_replace(actor=riga_admin, survey=survey, definition=definition)
    assert q(survey, "q1").text == "How do you usually travel?"
    assert q(survey, "q1").options.get(code="o3").text == "Motor car"


def test_back_to_draft_only_without_responses(survey, riga_admin):
    building.survey_publish(actor=riga_admin, survey=survey)
    answered(survey, ResponseStatus.SUBMITTED)
    with pytest.raises(ValidationError) as exc:
        building.survey_to_draft(actor=riga_admin, survey=survey)
    assert error_codes(exc) == {"state": ["has_responses"]}


# --- structure: failures first -----------------------------------------------------------


def test_a_question_with_dependants_cannot_go(survey, riga_admin):
    with pytest.raises(ValidationError) as exc:
        building.question_delete(actor=riga_admin, question=q(survey, "q1"))
    assert error_codes(exc) == {"questions": ["condition_in_use"]}
    assert exc.value.messages == ["q2 depend on this question: change their conditions first."]


def test_an_option_named_by_a_condition_cannot_go(survey, riga_admin):
    with pytest.raises(ValidationError) as exc:
        building.option_delete(actor=riga_admin, option=q(survey, "q1").options.get(code="o1"))
    assert error_codes(exc) == {"options": ["condition_in_use"]}


def test_a_question_keeps_two_options(survey, riga_admin):
    building.option_delete(actor=riga_admin, option=q(survey, "q1").options.get(code="o3"))
    with pytest.raises(ValidationError) as exc:
        building.option_delete(actor=riga_admin, option=q(survey, "q1").options.get(code="o2"))
    assert error_codes(exc) == {"options": ["too_few_options"]}


def test_a_move_that_puts_a_question_before_its_condition_is_refused(survey, riga_admin):
    with pytest.raises(ValidationError) as exc:
        building.question_move(actor=riga_admin, question=q(survey, "q2"), direction="up")
    assert error_codes(exc) == {"position": ["condition_broken"]}
    assert order(survey) == ["q1", "q2", "q3"]


def test_a_condition_must_name_an_earlier_question(survey, riga_admin):
    with pytest.raises(ValidationError) as exc:
        building.question_set_condition(
            actor=riga_admin,
            question=q(survey, "q1"),
            condition={"question": "q3", "options": ["o1"]},
        )
    assert error_codes(exc) == {"condition.question": ["condition_later"]}
    with pytest.raises(ValidationError) as exc:
        building.question_set_condition(
            actor=riga_admin,
            question=q(survey, "q3"),
            condition={"question": "q3", "options": ["o1"]},
        )
    assert error_codes(exc) == {"condition.question": ["condition_self"]}
    with pytest.raises(ValidationError) as exc:
        building.question_set_condition(
            actor=riga_admin,
            question=q(survey, "q3"),
            condition={"question": "q1", "options": ["o8"]},
        )
    assert error_codes(exc) == {"condition.options": ["condition_unknown_option"]}


def test_bad_question_settings_are_refused_and_nothing_is_stored(survey, riga_admin):
    section = survey.sections.first()
    with pytest.raises(ValidationError) as exc:
        building.question_add(
            actor=riga_admin,
            section=section,
            kind="multiple_choice",
            text="Which?",
            settings={"max_picks": 5},
            options=["A", "B"],
        )
    assert error_codes(exc) == {"settings.max_picks": ["too_many_picks"]}
    with pytest.raises(ValidationError) as exc:
        building.question_add(
            actor=riga_admin, section=section, kind="ranking", text="Rank", options=["A"]
        )
    assert error_codes(exc) == {"options": ["too_few_options"]}
    assert Question.objects.filter(survey=survey).count() == 3


def test_a_kind_change_that_breaks_a_condition_is_refused(survey, riga_admin):
    with pytest.raises(ValidationError) as exc:
        building.question_update(actor=riga_admin, question=q(survey, "q1"), kind="short_text")
    assert error_codes(exc) == {"kind": ["condition_broken"]}
    assert q(survey, "q1").kind == "single_choice"
    assert q(survey, "q1").options.count() == 3


def test_generated_options_are_not_edited_by_hand(riga, riga_admin, survey):
    factories.DistrictFactory(organisation=riga)
    district = building.question_add(
        actor=riga_admin, section=survey.sections.first(), kind="district", text="Where?"
    )
    with pytest.raises(ValidationError) as exc:
        building.option_add(actor=riga_admin, question=district, text="Mars")
    assert error_codes(exc) == {"options": ["generated_options"]}


def test_links_stay_within_the_organisation(survey, riga_admin, gdansk):
    foreign = factories.BudgetRoundFactory(organisation=gdansk)
    with pytest.raises(ValidationError) as exc:
        building.survey_update(actor=riga_admin, survey=survey, budget_round_id=foreign.pk)
    assert error_codes(exc) == {"budget_round": ["does_not_exist"]}


def test_a_survey_closes_after_it_opens(survey, riga_admin):
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        building.survey_update(actor=riga_admin, survey=survey, opens_at=now, closes_at=now)
    assert error_codes(exc) == {"closes_at": ["dates_out_of_order"]}


def test_unknown_settings_are_refused(survey, riga_admin):
    with pytest.raises(ValidationError) as exc:
        building.survey_update(actor=riga_admin, survey=survey, state="open")
    assert error_codes(exc) == {"state": ["unknown_field"]}


# --- structure: what works ---------------------------------------------------------------


def test_add_edit_move_and_remove(survey, riga_admin):
    first, second = survey.sections.order_by("position")
    added = building.question_add(
        actor=riga_admin,
        section=first,
        kind="multiple_choice",
        text="What would help?",
        settings={"max_picks": 2},
        options=["Lanes", {"text": "Parking", "code": "parking"}],
    )
    assert added.code == "q4"
    assert [o.code for o in added.options.order_by("position")] == ["o1", "parking"]
    assert order(survey) == ["q1", "q2", "q4", "q3"]
    building.question_move(actor=riga_admin, question=added, direction="down")
    # Past the end of its section: first in the next one.
    assert (order(survey), q(survey, "q4").section) == (["q1", "q2", "q4", "q3"], second)
    building.question_move(actor=riga_admin, question=q(survey, "q4"), direction="down")
    assert order(survey) == ["q1", "q2", "q3", "q4"]
    building.question_move(actor=riga_admin, question=q(survey, "q4"), direction="up")
    building.question_move(actor=riga_admin, question=q(survey, "q4"), direction="up")
    assert (order(survey), q(survey, "q4").section) == (["q1", "q2", "q4", "q3"], first)
    option = building.option_add(actor=riga_admin, question=added, text="Trees")
    assert option.code == "o3"
    building.option_move(actor=riga_admin, option=option, direction="up")
    assert [o.code for o in added.options.order_by("position")] == ["o1", "o3", "parking"]
    building.question_set_condition(
        actor=riga_admin, question=added, condition={"question": "q2", "min": 1, "max": 2}
    )
    building.question_delete(actor=riga_admin, question=added)
    new = building.section_add(actor=riga_admin, survey=survey, title="Last")
    building.section_move(actor=riga_admin, section=new, direction="up")
    assert [s.title for s in survey.sections.order_by("position")] == ["Streets", "Last", "More"]
    building.section_delete(actor=riga_admin, section=new)
    assert [s.position for s in survey.sections.order_by("position")] == [0, 1]
    assert order(survey) == ["q1", "q2", "q3"]


def test_renaming_a_question_keeps_the_conditions_that_name_it(survey, riga_admin):
    building.question_update(actor=riga_admin, question=q(survey, "q1"), code="travel")
    assert q(survey, "q2").condition == {"question": "travel", "options": ["o1"]}


def test_a_changed_kind_gets_the_options_it_needs(riga, survey, riga_admin):
    building.question_update(
        actor=riga_admin, question=q(survey, "q3"), kind="ranking", options=["Parks", "Roads"]
    )
    assert [o.text for o in q(survey, "q3").options.order_by("position")] == ["Parks", "Roads"]
    building.question_update(actor=riga_admin, question=q(survey, "q3"), kind="short_text")
    assert not q(survey, "q3").options.exists()


def test_a_whole_definition_replaces_an_unanswered_survey(survey, riga_admin):
    building.survey_definition_replace(
        actor=riga_admin,
        survey=survey,
        definition={
            "title": "Only one",
            "sections": [{"questions": [{"kind": "date", "text": "When?"}]}],
        },
    )
    survey.refresh_from_db()
    assert survey.title == "Only one"
    assert order(survey) == ["q1"]
    assert (Section.objects.filter(survey=survey).count(), Option.objects.count()) == (1, 0)


def test_a_bad_whole_definition_changes_nothing(survey, riga_admin):
    before = definition_of(survey)
    with pytest.raises(ValidationError):
        building.survey_definition_replace(
            actor=riga_admin, survey=survey, definition={"title": "", "sections": "none"}
        )
    assert definition_of(survey) == before


def test_duplicate_is_a_new_draft_without_responses(survey, riga_admin):
    building.survey_publish(actor=riga_admin, survey=survey)
    answered(survey, ResponseStatus.SUBMITTED)
    copy = building.survey_duplicate(actor=riga_admin, survey=survey)
    assert (copy.state, copy.title, copy.responses.count()) == (
        SurveyState.DRAFT,
        "Streets (copy)",
        0,
    )
    assert copy.slug != survey.slug
    original, duplicated = definition_of(survey), definition_of(copy)
    assert duplicated["sections"] == original["sections"]


def test_a_blank_survey_or_one_from_a_template(riga, riga_admin, monkeypatch):
    from surveys import definitions

    monkeypatch.setattr(definitions, "_TEMPLATES", {})
    definitions.register_template(
        "mini",
        "Mini",
        lambda organisation: {
            "title": "Mini",
            "sections": [{"questions": [{"kind": "short_text", "text": "Why?"}]}],
        },
    )
    blank = building.survey_create(actor=riga_admin, organisation=riga, title="Blank")
    assert (blank.title, blank.sections.count()) == ("Blank", 0)
    made = building.survey_create(actor=riga_admin, organisation=riga, title="", template="mini")
    assert (made.title, made.template, order(made)) == ("Mini", "mini", ["q1"])
    with pytest.raises(ValidationError) as exc:
        building.survey_create(actor=riga_admin, organisation=riga, title="", template="nope")
    assert error_codes(exc) == {"template": ["does_not_exist"]}


# --- states ------------------------------------------------------------------------------


def test_publishing_needs_a_question(riga, riga_admin):
    empty = building.survey_create(actor=riga_admin, organisation=riga, title="Empty")
    with pytest.raises(ValidationError) as exc:
        building.survey_publish(actor=riga_admin, survey=empty)
    assert error_codes(exc) == {"state": ["no_questions"]}


def test_publish_schedules_or_opens(survey, riga_admin):
    later = timezone.now() + datetime.timedelta(days=2)
    building.survey_update(actor=riga_admin, survey=survey, opens_at=later)
    assert building.survey_publish(actor=riga_admin, survey=survey).state == SurveyState.SCHEDULED
    with pytest.raises(ValidationError) as exc:
        building.survey_publish(actor=riga_admin, survey=survey)
    assert error_codes(exc) == {"state": ["invalid_transition"]}
    with pytest.raises(ValidationError):
        building.survey_close(actor=riga_admin, survey=survey)  # not open yet
    building.survey_update(actor=riga_admin, survey=survey, opens_at=None)
    survey.refresh_from_db()
    assert survey.state == SurveyState.OPEN


def test_close_and_reopen(survey, riga_admin):
    building.survey_publish(actor=riga_admin, survey=survey)
    assert survey.state == SurveyState.OPEN
    with pytest.raises(ValidationError):
        building.survey_reopen(actor=riga_admin, survey=survey)
    assert building.survey_close(actor=riga_admin, survey=survey).state == SurveyState.CLOSED
    assert building.survey_reopen(actor=riga_admin, survey=survey).state == SurveyState.OPEN


def test_no_reopening_past_the_closing_time(survey, riga_admin):
    building.survey_publish(actor=riga_admin, survey=survey)
    building.survey_close(actor=riga_admin, survey=survey)
    past = timezone.now() - datetime.timedelta(hours=1)
    building.survey_update(
        actor=riga_admin, survey=survey, opens_at=past - datetime.timedelta(days=1), closes_at=past
    )
    with pytest.raises(ValidationError) as exc:
        building.survey_reopen(actor=riga_admin, survey=survey)
    assert error_codes(exc) == {"closes_at": ["closes_in_past"]}


def test_back_to_draft_while_unanswered(survey, riga_admin):
    building.survey_publish(actor=riga_admin, survey=survey)
    assert building.survey_to_draft(actor=riga_admin, survey=survey).state == SurveyState.DRAFT


def test_opening_and_closing_refresh_the_staff_dashboards(
    survey, riga, riga_admin, monkeypatch, django_capture_on_commit_callbacks
):
    told: list[int] = []
    monkeypatch.setattr("engagement.dashboards._listeners", [told.append])
    with django_capture_on_commit_callbacks(execute=False) as pending:
        building.survey_publish(actor=riga_admin, survey=survey)
    assert told == []  # only once the change is committed
    for callback in pending:
        callback()
    with django_capture_on_commit_callbacks(execute=True):
        building.survey_close(actor=riga_admin, survey=survey)
    assert told == [riga.pk, riga.pk]


def test_a_title_of_ones_own_replaces_the_templates_in_every_language(riga, riga_admin):
    riga.languages = ["en", "pl", "de"]
    riga.save()
    made = building.survey_create(
        actor=riga_admin,
        organisation=riga,
        title="Harbour 2027: what is missing?",
        template="needs_assessment",
    )
    assert made.title == "Harbour 2027: what is missing?"
    assert set(made.translations) == {"pl", "de"}  # the description's translations stay
    assert all("title" not in fields for fields in made.translations.values())
    kept = building.survey_create(
        actor=riga_admin, organisation=riga, title="", template="evaluation"
    )
    assert all("title" in fields for fields in kept.translations.values())
