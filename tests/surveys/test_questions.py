"""What a question may be: settings per kind, how many options, and conditions (pure)."""

from __future__ import annotations

import pytest

from surveys.questions import (
    QuestionShape,
    answer_rules_differ,
    check_condition,
    check_conditions,
    check_kind,
    check_option_count,
    check_settings,
)


def codes(errors):
    """{path: [code, …]} of collected errors."""
    return {path: [e.code for e in found] for path, found in errors.items()}


def messages(errors):
    return {path: [m for e in found for m in e.messages] for path, found in errors.items()}


# --- failures first: settings of every kind ----------------------------------------------


def test_an_unknown_kind_is_refused():
    assert codes(check_kind("essay")) == {"kind": ["unknown_kind"]}


def test_settings_must_be_an_object():
    assert codes(check_settings("scale", ["scale_min"], 0)) == {"settings": ["invalid"]}


@pytest.mark.parametrize(
    ("kind", "settings", "expected"),
    [
        ("single_choice", {"max_picks": 2}, {"settings.max_picks": ["unknown_setting"]}),
        ("single_choice", {"allow_other": "yes"}, {"settings.allow_other": ["invalid"]}),
        (
            "multiple_choice",
            {"min_picks": 3, "max_picks": 2},
            {"settings.min_picks": ["picks_order"]},
        ),
        ("multiple_choice", {"max_picks": 4}, {"settings.max_picks": ["too_many_picks"]}),
        ("multiple_choice", {"min_picks": 4}, {"settings.min_picks": ["too_many_picks"]}),
        ("multiple_choice", {"max_picks": 0}, {"settings.max_picks": ["min_value"]}),
        ("multiple_choice", {"min_picks": -1}, {"settings.min_picks": ["min_value"]}),
        ("multiple_choice", {"max_picks": 1.5}, {"settings.max_picks": ["invalid"]}),
        ("multiple_choice", {"max_picks": True}, {"settings.max_picks": ["invalid"]}),
        ("short_text", {"max_length": 501}, {"settings.max_length": ["max_length_limit"]}),
        ("short_text", {"max_length": 0}, {"settings.max_length": ["min_value"]}),
        ("long_text", {"max_length": 20001}, {"settings.max_length": ["max_length_limit"]}),
        ("long_text", {"rank_count": 2}, {"settings.rank_count": ["unknown_setting"]}),
        ("scale", {"scale_min": 0, "scale_max": 5}, {"settings.scale_max": ["scale_pair"]}),
        ("scale", {"scale_min": 1, "scale_max": 10}, {"settings.scale_max": ["scale_pair"]}),
        ("scale", {"scale_max": 10}, {"settings.scale_max": ["scale_pair"]}),
        ("scale", {"scale_min": "1"}, {"settings.scale_min": ["invalid"]}),
        ("scale", {"low_label": 3}, {"settings.low_label": ["invalid"]}),
        ("scale", {"high_label": "x" * 201}, {"settings.high_label": ["max_length"]}),
        ("matrix", {"scale_min": 2, "scale_max": 7}, {"settings.scale_max": ["scale_pair"]}),
        ("ranking", {"rank_count": 4}, {"settings.rank_count": ["rank_count"]}),
        ("ranking", {"rank_count": 0}, {"settings.rank_count": ["min_value"]}),
        ("number", {"min": 10, "max": 10}, {"settings.max": ["bounds_order"]}),
        ("number", {"min": 10, "max": 2}, {"settings.max": ["bounds_order"]}),
        ("number", {"min": "10"}, {"settings.min": ["invalid"]}),
        ("number", {"integer": 1}, {"settings.integer": ["invalid"]}),
        ("number", {"unit": "x" * 41}, {"settings.unit": ["max_length"]}),
        ("date", {"min": "2026-05-01", "max": "2026-05-01"}, {"settings.max": ["bounds_order"]}),
        ("date", {"min": "2026-13-01"}, {"settings.min": ["invalid"]}),
        ("date", {"max": "1 May 2026"}, {"settings.max": ["invalid"]}),
        ("district", {"allow_other": True}, {"settings.allow_other": ["unknown_setting"]}),
        ("age_band", {"min": 1}, {"settings.min": ["unknown_setting"]}),
        ("target_group", {"max_picks": 1}, {"settings.max_picks": ["unknown_setting"]}),
    ],
)
def test_bad_settings_are_named_at_their_path(kind, settings, expected):
    assert codes(check_settings(kind, settings, 3)) == expected


def test_messages_say_what_is_allowed():
    found = messages(check_settings("scale", {"scale_min": 0, "scale_max": 5}, 0))
    assert found == {
        "settings.scale_max": ["A scale runs from 1 to 5, from 1 to 7 or from 0 to 10."]
    }
    found = messages(check_settings("ranking", {"rank_count": 4}, 3))
    assert found == {"settings.rank_count": ["There are only 3 options to rank."]}


@pytest.mark.parametrize(
    ("kind", "settings"),
    [
        ("single_choice", {}),
        ("single_choice", {"allow_other": True}),
        ("multiple_choice", {"min_picks": 1, "max_picks": 3, "allow_other": False}),
        # "Other" is one more thing to pick.
        ("multiple_choice", {"max_picks": 4, "allow_other": True}),
        ("short_text", {"max_length": 500}),
        ("long_text", {"max_length": 20000}),
        ("scale", {"scale_min": 1, "scale_max": 5, "low_label": "Bad", "high_label": "Good"}),
        ("scale", {"scale_min": 1, "scale_max": 7}),
        ("scale", {"scale_min": 0, "scale_max": 10}),
        ("matrix", {"scale_min": 0, "scale_max": 10}),
        ("ranking", {"rank_count": 3}),
        ("number", {"min": 0, "max": 12.5, "integer": False, "unit": "km"}),
        ("number", {"min": None, "max": 3}),
        ("date", {"min": "2026-01-01", "max": "2026-12-31"}),
        ("district", {}),
    ],
)
def test_good_settings_pass(kind, settings):
    assert check_settings(kind, settings, 3) == {}


# --- options -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["single_choice", "multiple_choice", "ranking", "matrix"])
def test_choice_ranking_and_matrix_need_two_options(kind):
    assert codes(check_option_count(kind, 1)) == {"options": ["too_few_options"]}
    assert check_option_count(kind, 2) == {}


@pytest.mark.parametrize("kind", ["short_text", "long_text", "scale", "number", "date"])
def test_text_scale_number_and_date_have_no_options(kind):
    assert codes(check_option_count(kind, 1)) == {"options": ["no_options"]}
    assert check_option_count(kind, 0) == {}


@pytest.mark.parametrize("kind", ["district", "age_band", "target_group"])
def test_profile_questions_options_are_not_counted_here(kind):
    assert check_option_count(kind, 0) == {}


# --- conditions --------------------------------------------------------------------------

CHOICE = QuestionShape("q1", "single_choice", frozenset({"o1", "o2"}))
SCALE = QuestionShape("q2", "scale")
TEXT = QuestionShape("q3", "short_text")
DISTRICT = QuestionShape("q4", "district", frozenset({"centre", "north"}))


def condition_codes(condition, own="q9", earlier=(CHOICE, SCALE, TEXT, DISTRICT), later=()):
    return codes(check_condition(condition, own_code=own, earlier=earlier, later_codes=later))


def test_a_condition_cannot_name_a_later_question():
    assert condition_codes({"question": "q10", "options": ["o1"]}, later=["q10"]) == {
        "condition.question": ["condition_later"]
    }


def test_a_condition_cannot_name_its_own_question():
    assert condition_codes({"question": "q9", "options": ["o1"]}) == {
        "condition.question": ["condition_self"]
    }


def test_a_condition_cannot_name_an_unknown_question():
    assert condition_codes({"question": "nope", "options": ["o1"]}) == {
        "condition.question": ["condition_unknown_question"]
    }


def test_a_condition_cannot_name_an_unknown_option():
    found = check_condition(
        {"question": "q1", "options": ["o1", "o7"]}, own_code="q9", earlier=[CHOICE]
    )
    assert messages(found) == {"condition.options": ["q1 has no option o7."]}


def test_a_condition_on_a_profile_question_uses_its_generated_codes():
    assert condition_codes({"question": "q4", "options": ["south"]}) == {
        "condition.options": ["condition_unknown_option"]
    }
    assert condition_codes({"question": "q4", "options": ["north"]}) == {}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("q1", {"condition": ["invalid"]}),
        ({"options": ["o1"]}, {"condition.question": ["required"]}),
        ({"question": "q1"}, {"condition.options": ["condition_options_required"]}),
        ({"question": "q1", "options": []}, {"condition.options": ["condition_options_required"]}),
        (
            {"question": "q1", "options": ["o1"], "min": 2},
            {"condition.min": ["condition_mismatch"]},
        ),
        (
            {"question": "q2", "options": ["o1"]},
            {
                "condition.options": ["condition_mismatch"],
                "condition.min": ["condition_range_required"],
            },
        ),
        ({"question": "q2"}, {"condition.min": ["condition_range_required"]}),
        ({"question": "q2", "min": "4"}, {"condition.min": ["invalid"]}),
        ({"question": "q2", "min": 4, "max": 2}, {"condition.max": ["bounds_order"]}),
        ({"question": "q3", "options": ["o1"]}, {"condition.question": ["condition_kind"]}),
    ],
)
def test_malformed_conditions_are_refused(condition, expected):
    assert condition_codes(condition) == expected


@pytest.mark.parametrize(
    "condition",
    [
        None,
        {},
        {"question": "q1", "options": ["o2"]},
        {"question": "q2", "min": 4},
        {"question": "q2", "max": 2},
        {"question": "q2", "min": 1, "max": 1},
    ],
)
def test_good_conditions_pass(condition):
    assert condition_codes(condition) == {}


def test_a_survey_s_conditions_are_checked_in_order_so_none_can_loop():
    first = QuestionShape("a", "single_choice", frozenset({"o1", "o2"}))
    second = QuestionShape("b", "single_choice", frozenset({"o1", "o2"}))
    found = check_conditions(
        [
            (first, {"question": "b", "options": ["o1"]}),
            (second, {"question": "a", "options": ["o1"]}),
        ]
    )
    assert {code: codes(errors) for code, errors in found.items()} == {
        "a": {"condition.question": ["condition_later"]}
    }


def test_labels_and_unit_do_not_change_which_answers_are_valid():
    assert not answer_rules_differ("scale", {"low_label": "a"}, {"low_label": "b"})
    assert not answer_rules_differ("number", {"unit": "km"}, {"unit": "m"})
    assert answer_rules_differ("scale", {"scale_max": 5}, {"scale_min": 0, "scale_max": 10})
    assert answer_rules_differ("multiple_choice", {}, {"max_picks": 2})
