"""A survey from a plain definition (all or nothing), and back."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from engagement.people.models import Role, TargetGroup
from engagement.people.permissions import SYSTEM
from engagement.statistics import AGE_BANDS
from surveys import definitions
from surveys.definitions import create_survey, definition_of, register_template, template_choices
from surveys.models import Option, Question, Section, Survey, SurveyState
from tests import factories

pytestmark = pytest.mark.django_db


def small_definition(**overrides):
    definition = {
        "title": "How is the park?",
        "sections": [
            {
                "title": "The park",
                "questions": [
                    {
                        "kind": "single_choice",
                        "text": "Do you go to the park?",
                        "required": True,
                        "options": [{"text": "Yes"}, {"text": "No"}],
                    },
                    {
                        "kind": "scale",
                        "text": "How clean is it?",
                        "settings": {"scale_min": 1, "scale_max": 5, "low_label": "Dirty"},
                        "condition": {"question": "q1", "options": ["o1"]},
                    },
                ],
            }
        ],
    }
    definition.update(overrides)
    return definition


def error_codes(exc):
    return {path: [e.code for e in found] for path, found in exc.value.error_dict.items()}


def nothing_stored():
    return (
        Survey.objects.count(),
        Section.objects.count(),
        Question.objects.count(),
        Option.objects.count(),
    ) == (0, 0, 0, 0)


# --- failures first ----------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["riga_moderator", "gdansk_admin", "resident"])
def test_only_administrators_of_the_organisation_build(request, riga, persona):
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        create_survey(riga, small_definition(), actor=actor)
    assert nothing_stored()


def test_a_missing_actor_is_refused(riga):
    with pytest.raises(PermissionDenied):
        create_survey(riga, small_definition(), actor=None)


def test_the_permission_is_checked_before_the_definition(riga, riga_moderator):
    with pytest.raises(PermissionDenied):
        create_survey(riga, {"nonsense": True}, actor=riga_moderator)


def test_every_problem_is_named_by_its_path_and_nothing_is_stored(riga, riga_admin):
    definition = {
        "title": "",
        "purpose": "fun",
        "translations": {"xx": {"title": "?"}},
        "sections": [
            {
                "questions": [
                    {"kind": "single_choice", "text": "One?", "options": [{"text": "Only"}]},
                    {"kind": "essay", "text": "Write"},
                    {
                        "kind": "multiple_choice",
                        "text": "Pick",
                        "settings": {"min_picks": 3, "max_picks": 2},
                        "options": [{"text": "a"}, {"text": "b"}, {"text": "c"}],
                    },
                    {"kind": "short_text", "text": "", "options": [{"text": "x"}]},
                    {
                        "kind": "scale",
                        "text": "Rate",
                        "settings": {"scale_min": 0, "scale_max": 5},
                        "condition": {"question": "q1", "options": ["o9"]},
                    },
                    {"kind": "number", "text": "N", "colour": "red"},
                ]
            }
        ],
    }
    with pytest.raises(ValidationError) as exc:
        create_survey(riga, definition, actor=riga_admin)
    path = "sections.0.questions."
    assert error_codes(exc) == {
        "title": ["required"],
        "purpose": ["invalid_choice"],
        "translations": ["invalid_translations"],
        f"{path}0.options": ["too_few_options"],
        f"{path}1.kind": ["unknown_kind"],
        f"{path}2.settings.min_picks": ["picks_order"],
        f"{path}3.text": ["required"],
        f"{path}3.options": ["no_options"],
        f"{path}4.settings.scale_max": ["scale_pair"],
        f"{path}4.condition.options": ["condition_unknown_option"],
        f"{path}5.colour": ["unknown_field"],
    }
    assert nothing_stored()


def test_a_condition_must_name_an_earlier_question(riga, riga_admin):
    definition = small_definition()
    first, second = definition["sections"][0]["questions"]
    second.pop("condition")
    first["condition"] = {"question": "q2", "min": 3}
    with pytest.raises(ValidationError) as exc:
        create_survey(riga, definition, actor=riga_admin)
    assert error_codes(exc) == {"sections.0.questions.0.condition.question": ["condition_later"]}
    assert nothing_stored()


def test_a_condition_cannot_name_its_own_question(riga, riga_admin):
    definition = small_definition()
    definition["sections"][0]["questions"][1]["condition"] = {"question": "q2", "min": 1}
    with pytest.raises(ValidationError) as exc:
        create_survey(riga, definition, actor=riga_admin)
    assert error_codes(exc) == {"sections.0.questions.1.condition.question": ["condition_self"]}


def test_codes_are_unique(riga, riga_admin):
    definition = small_definition()
    for question in definition["sections"][0]["questions"]:
        question["code"] = "same"
    definition["sections"][0]["questions"][1].pop("condition")
    definition["sections"][0]["questions"][0]["options"] = [
        {"code": "x", "text": "Yes"},
        {"code": "x", "text": "No"},
    ]
    with pytest.raises(ValidationError) as exc:
        create_survey(riga, definition, actor=riga_admin)
    assert error_codes(exc) == {
        "sections.0.questions.1.code": ["duplicate_code"],
        "sections.0.questions.0.options.1.code": ["duplicate_code"],
    }


def test_translations_go_only_into_known_languages_and_fields(riga, riga_admin):
    definition = small_definition()
    definition["sections"][0]["questions"][0]["translations"] = {"pl": {"colour": "x"}}
    definition["sections"][0]["questions"][0]["options"][0]["translations"] = {"zz": {"text": "?"}}
    with pytest.raises(ValidationError) as exc:
        create_survey(riga, definition, actor=riga_admin)
    assert error_codes(exc) == {
        "sections.0.questions.0.translations": ["invalid_translations"],
        "sections.0.questions.0.options.0.translations": ["invalid_translations"],
    }


def test_a_district_question_needs_districts(riga, riga_admin):
    definition = {
        "title": "Where?",
        "sections": [{"questions": [{"kind": "district", "text": "?"}]}],
    }
    with pytest.raises(ValidationError) as exc:
        create_survey(riga, definition, actor=riga_admin)
    assert error_codes(exc) == {"sections.0.questions.0.kind": ["no_districts"]}


def test_links_go_to_the_same_organisation_only(riga, gdansk, riga_admin):
    foreign = factories.BudgetRoundFactory(organisation=gdansk)
    with pytest.raises(ValidationError) as exc:
        create_survey(riga, small_definition(), actor=riga_admin, budget_round_id=foreign.pk)
    assert error_codes(exc) == {"budget_round": ["does_not_exist"]}
    with pytest.raises(ValidationError) as exc:
        create_survey(riga, small_definition(), actor=riga_admin, process_id=123456)
    assert error_codes(exc) == {"process": ["does_not_exist"]}
    assert nothing_stored()


def test_a_slug_already_taken_is_refused(riga, riga_admin):
    create_survey(riga, small_definition(), actor=riga_admin, slug="park")
    with pytest.raises(ValidationError) as exc:
        create_survey(riga, small_definition(), actor=riga_admin, slug="park")
    assert error_codes(exc) == {"slug": ["unique"]}


# --- what is made ------------------------------------------------------------------------


def test_a_survey_is_made_in_draft_with_codes_assigned(riga, riga_admin):
    own_round = factories.BudgetRoundFactory(organisation=riga)
    survey = create_survey(riga, small_definition(), actor=riga_admin, budget_round_id=own_round.pk)
    assert (survey.state, survey.slug, survey.budget_round_id) == (
        SurveyState.DRAFT,
        "how-is-the-park",
        own_round.pk,
    )
    assert survey.created_by == riga_admin
    questions = list(survey.questions.order_by("position"))
    assert [(q.code, q.kind, q.required) for q in questions] == [
        ("q1", "single_choice", True),
        ("q2", "scale", False),
    ]
    assert [(o.code, o.text) for o in questions[0].options.order_by("position")] == [
        ("o1", "Yes"),
        ("o2", "No"),
    ]
    assert questions[1].condition == {"question": "q1", "options": ["o1"]}


def test_slugs_from_the_same_title_stay_unique(riga, riga_admin):
    slugs = [create_survey(riga, small_definition(), actor=riga_admin).slug for _ in range(3)]
    assert slugs == ["how-is-the-park", "how-is-the-park-2", "how-is-the-park-3"]


def test_the_system_may_build(riga):
    assert create_survey(riga, small_definition(), actor=SYSTEM).created_by is None


def test_profile_questions_get_the_organisation_s_options(riga, riga_admin):
    factories.DistrictFactory(organisation=riga, name="Centre", slug="centre")
    factories.DistrictFactory(organisation=riga, name="Ziepniekkalns", slug="ziepniekkalns")
    definition = {
        "title": "About you",
        "sections": [
            {
                "questions": [
                    # Options a definition lists for a profile question are not used.
                    {"kind": "district", "text": "Where?", "options": [{"text": "Mars"}]},
                    {"kind": "age_band", "text": "Age?"},
                    {"kind": "target_group", "text": "Groups?"},
                ]
            }
        ],
    }
    survey = create_survey(riga, definition, actor=riga_admin)
    district, age, groups = survey.questions.order_by("position")
    assert [(o.code, o.text) for o in district.options.order_by("position")] == [
        ("centre", "Centre"),
        ("ziepniekkalns", "Ziepniekkalns"),
    ]
    assert [o.code for o in age.options.order_by("position")] == [b[0] for b in AGE_BANDS]
    assert [o.code for o in groups.options.order_by("position")] == TargetGroup.values
    # Worded in every interface language.
    young = groups.options.get(code="young")
    assert set(young.translations) >= {"pl", "de"} - {riga.languages[0]}


def test_a_definition_makes_the_same_survey_again(riga, riga_admin):
    factories.DistrictFactory(organisation=riga, name="Centre", slug="centre")
    definition = small_definition(
        description="Tell us.",
        translations={"pl": {"title": "Jak jest w parku?"}},
        purpose="evaluation",
        anonymous_allowed=True,
        min_age=16,
    )
    definition["sections"].append(
        {
            "title": "You",
            "questions": [
                {"kind": "district", "text": "Where?", "code": "where"},
                {
                    "kind": "multiple_choice",
                    "text": "Why?",
                    "settings": {"max_picks": 2, "allow_other": True},
                    "condition": {"question": "where", "options": ["centre"]},
                    "options": [
                        {"text": "Trees", "translations": {"pl": {"text": "Drzewa"}}},
                        {"text": "Air"},
                    ],
                },
            ],
        }
    )
    first = create_survey(riga, definition, actor=riga_admin)
    again = create_survey(riga, definition_of(first), actor=riga_admin)
    assert definition_of(again) == definition_of(first)
    assert definition_of(first)["sections"][1]["questions"][1]["code"] == "q4"


def test_templates_register_and_are_listed(monkeypatch):
    monkeypatch.setattr(definitions, "_TEMPLATES", {})
    register_template("test-only", "Test template", lambda organisation: {"title": "T"})
    assert ("test-only", "Test template") in template_choices()


def test_moderators_hold_no_building_right(riga):
    moderator = factories.staff(riga, Role.MODERATOR, Role.REVIEWER)
    with pytest.raises(PermissionDenied):
        create_survey(riga, small_definition(), actor=moderator)
