"""Answers checked against their questions (pure): every kind, conditions, required only
when shown, counted rows and the respondent's groups."""

from __future__ import annotations

from datetime import date

import pytest

from surveys.answers import (
    CountedRow,
    Groups,
    QuestionSpec,
    check,
    counted_rows,
    hidden_codes,
    option_order,
    respondent_groups,
)


def q(code, kind, *, options=(), required=False, condition=None, **settings):
    return QuestionSpec(
        code=code,
        kind=kind,
        required=required,
        settings=settings,
        condition=condition,
        options=tuple(options),
    )


def errors_of(spec, value):
    return check([spec], {spec.code: value}).errors.get(spec.code)


def clean_of(spec, value):
    checked = check([spec], {spec.code: value})
    assert checked.errors == {}, checked.errors
    return checked.answers[spec.code]


SINGLE = q("q1", "single_choice", options=["o1", "o2", "o3"])
SINGLE_OTHER = q("q1", "single_choice", options=["o1", "o2"], allow_other=True)
MULTI = q("q2", "multiple_choice", options=["o1", "o2", "o3", "o4"], min_picks=2, max_picks=3)
MULTI_OTHER = q("q2", "multiple_choice", options=["o1", "o2"], allow_other=True)
SHORT = q("q3", "short_text", max_length=10)
LONG = q("q3", "long_text")
SCALE = q("q4", "scale", scale_min=1, scale_max=5)
SCALE_10 = q("q4", "scale", scale_min=0, scale_max=10)
RANK = q("q5", "ranking", options=["o1", "o2", "o3", "o4"], rank_count=3)
RANK_ALL = q("q5", "ranking", options=["o1", "o2", "o3"])
MATRIX = q("q6", "matrix", options=["o1", "o2"], scale_min=1, scale_max=5)
NUMBER = q("q7", "number", min=0, max=120)
DECIMAL = q("q7", "number", min=0, integer=False, unit="km")
DAY = q("q8", "date", min="2026-01-01", max="2026-12-31")
DISTRICT = q("q9", "district", options=["centre", "north"])
AGE = q("q10", "age_band", options=["under_26", "26_40", "41_64", "65_plus"])
TARGETS = q("q11", "target_group", options=["young", "parent", "migrant"])


class TestRefusedValues:
    @pytest.mark.parametrize(
        ("spec", "value", "message"),
        [
            (SINGLE, "o9", "Choose one of the options."),
            (SINGLE, ["o1"], "Choose one of the options."),
            (SINGLE, 1, "Choose one of the options."),
            (SINGLE, {"other": "x"}, "This question has no “other” answer."),
            (SINGLE_OTHER, {"other": "  "}, "Write what you mean by “other”."),
            (SINGLE_OTHER, {"other": 3}, "Write your “other” answer as text."),
            (SINGLE_OTHER, {"other": "x" * 201}, "Keep your “other” answer to 200 characters."),
            (MULTI, ["o1"], "Choose at least 2."),
            (MULTI, ["o1", "o2", "o3", "o4"], "Choose at most 3."),
            (MULTI, ["o1", "o1"], "Choose each option once."),
            (MULTI, ["o1", "o9"], "Choose from the options."),
            (MULTI, "o1", "Choose from the options."),
            (MULTI_OTHER, ["o1", {"other": "a"}, {"other": "b"}], "Give one “other” answer."),
            (MULTI, ["o1", {"other": "a"}], "This question has no “other” answer."),
            (SHORT, "eleven char", "Keep your answer to 10 characters (it has 11)."),
            (SHORT, 12, "Write your answer as text."),
            (SHORT, "a\x00b", "Write your answer as text."),
            (LONG, "x" * 5001, "Keep your answer to 5000 characters (it has 5001)."),
            (SCALE, 6, "Choose a value from 1 to 5."),
            (SCALE, 0, "Choose a value from 1 to 5."),
            (SCALE, 2.5, "Choose a value from 1 to 5."),
            (SCALE, True, "Choose a value from 1 to 5."),
            (SCALE, "3", "Choose a value from 1 to 5."),
            (SCALE_10, 11, "Choose a value from 0 to 10."),
            (RANK, ["o1", "o2"], "Rank 3 options."),
            (RANK, ["o1", "o2", "o3", "o4"], "Rank 3 options."),
            (RANK, ["o1", "o1", "o2"], "Rank each option once."),
            (RANK, ["o1", "o2", "o9"], "Rank only the options offered."),
            (RANK_ALL, ["o1", "o2"], "Rank 3 options."),
            (MATRIX, {"o1": 6}, "Give each row a value from 1 to 5."),
            (MATRIX, {"o9": 3}, "There is no row o9 in this question."),
            (MATRIX, [3, 4], "Give each row a value from 1 to 5."),
            (NUMBER, 121, "Enter a number from 0 to 120."),
            (NUMBER, -1, "Enter a number from 0 to 120."),
            (NUMBER, "12", "Enter a number from 0 to 120."),
            (NUMBER, 12.5, "Enter a whole number."),
            (NUMBER, False, "Enter a number from 0 to 120."),
            (DECIMAL, -0.5, "Enter a number of at least 0."),
            (DECIMAL, float("inf"), "Enter a number of at least 0."),
            (DAY, "2025-12-31", "Enter a date from 2026-01-01 to 2026-12-31."),
            (DAY, "2026-13-01", "Enter a date as YYYY-MM-DD, for example 2026-05-01."),
            (DAY, "1.5.2026", "Enter a date as YYYY-MM-DD, for example 2026-05-01."),
            (DISTRICT, "south", "Choose one of the options."),
            (DISTRICT, {"other": "x"}, "This question has no “other” answer."),
            (AGE, "12_15", "Choose one of the options."),
            (TARGETS, ["young", "pensioner"], "Choose from the options."),
        ],
    )
    def test_each_kind_refuses_with_a_clear_message(self, spec, value, message):
        assert errors_of(spec, value) == [message]

    def test_required_matrix_needs_every_row(self):
        spec = q("q6", "matrix", options=["o1", "o2"], required=True)
        assert errors_of(spec, {"o1": 3}) == ["Answer every row."]

    def test_an_answer_to_a_question_the_survey_does_not_have(self):
        checked = check([SINGLE], {"q1": "o1", "q99": "o1"})
        assert checked.errors == {"q99": ["There is no question q99 in this survey."]}

    def test_answers_that_are_not_an_object(self):
        assert not check([SINGLE], ["o1"]).valid


class TestAcceptedValues:
    @pytest.mark.parametrize(
        ("spec", "value", "clean"),
        [
            (SINGLE, "o2", "o2"),
            (SINGLE_OTHER, {"other": "  a bakery  "}, {"other": "a bakery"}),
            (MULTI, ["o3", "o1"], ["o3", "o1"]),
            (MULTI_OTHER, ["o1", {"other": "trees"}], ["o1", {"other": "trees"}]),
            (SHORT, "  ten chars ", "ten chars"),
            (SCALE, 5, 5),
            (SCALE, 4.0, 4),
            (SCALE_10, 0, 0),
            (RANK, ["o3", "o1", "o2"], ["o3", "o1", "o2"]),
            (RANK_ALL, ["o2", "o3", "o1"], ["o2", "o3", "o1"]),
            (MATRIX, {"o2": 5, "o1": 4}, {"o1": 4, "o2": 5}),
            (MATRIX, {"o1": 2}, {"o1": 2}),
            (NUMBER, 0, 0),
            (NUMBER, 120.0, 120),
            (DECIMAL, 12.5, 12.5),
            (DAY, "2026-05-01", "2026-05-01"),
            (DISTRICT, "north", "north"),
            (AGE, "26_40", "26_40"),
            (TARGETS, ["young", "parent"], ["young", "parent"]),
        ],
    )
    def test_clean_values(self, spec, value, clean):
        assert clean_of(spec, value) == clean

    def test_an_empty_target_group_list_is_an_answer(self):
        spec = q("q11", "target_group", options=["young"], required=True)
        assert check([spec], {"q11": []}).answers == {"q11": []}

    @pytest.mark.parametrize("value", [None, "", "   ", [], {}])
    def test_blank_values_are_unanswered(self, value):
        spec = q("q1", "short_text", required=True)
        assert errors_of(spec, value) == ["Answer this question."]
        optional = q("q1", "short_text")
        assert check([optional], {"q1": value}).answers == {}


# q1 single (o1 yes / o2 no); q2 shown when q1 is o1; q3 number; q4 shown when q3 >= 18;
# q5 shown when q2 (itself conditional) chose o2.
CHAIN = [
    q("q1", "single_choice", options=["o1", "o2"], required=True),
    q("q2", "multiple_choice", options=["o1", "o2"], required=True,
      condition={"question": "q1", "options": ["o1"]}),
    q("q3", "number", min=0, max=120),
    q("q4", "short_text", required=True, condition={"question": "q3", "min": 18}),
    q("q5", "scale", required=True, condition={"question": "q2", "options": ["o2"]}),
]  # fmt: skip


class TestConditions:
    def test_answering_a_hidden_question_is_an_error(self):
        checked = check(CHAIN, {"q1": "o2", "q2": ["o1"]})
        assert checked.errors == {"q2": ["This question was not shown; leave it unanswered."]}

    def test_a_hidden_required_question_is_not_required(self):
        checked = check(CHAIN, {"q1": "o2", "q3": 12})
        assert checked.valid
        assert checked.shown == {"q1", "q3"}

    def test_a_shown_required_question_is_required(self):
        checked = check(CHAIN, {"q1": "o1", "q3": 40})
        assert checked.errors == {
            "q2": ["Answer this question."],
            "q4": ["Answer this question."],
        }

    def test_number_bounds_of_a_condition(self):
        assert check(CHAIN, {"q1": "o2", "q3": 18, "q4": "ok"}).valid
        assert check(CHAIN, {"q1": "o2", "q3": 17, "q4": "no"}).errors == {
            "q4": ["This question was not shown; leave it unanswered."]
        }

    def test_a_condition_on_an_unanswered_question_hides(self):
        assert check(CHAIN, {"q1": "o2"}).shown == {"q1", "q3"}

    def test_conditions_chain_through_shown_questions_only(self):
        shown = check(CHAIN, {"q1": "o1", "q2": ["o2"], "q5": 3}).shown
        assert {"q2", "q5"} <= shown
        # q2 is hidden when q1 is o2, so q5 (on q2) is hidden too, whatever q2 held.
        assert hidden_codes(CHAIN, {"q1": "o2", "q2": ["o2"]}) == {"q2", "q4", "q5"}

    def test_a_wrong_earlier_answer_does_not_add_hidden_errors_to_its_followers(self):
        checked = check(CHAIN, {"q1": "o9", "q2": ["o1"]})
        assert checked.errors == {"q1": ["Choose one of the options."]}

    def test_a_draft_is_checked_for_values_only(self):
        checked = check(CHAIN, {"q1": "o2", "q2": ["o1"]}, partial=True)
        assert checked.valid
        assert checked.answers == {"q1": "o2", "q2": ["o1"]}
        assert check(CHAIN, {"q3": 500}, partial=True).errors == {
            "q3": ["Enter a number from 0 to 120."]
        }


class TestCountedRows:
    def test_one_row_per_choice_rank_row_and_value(self):
        questions = [SINGLE_OTHER, MULTI_OTHER, SHORT, SCALE, RANK_ALL, MATRIX, NUMBER, DAY]
        answers = {
            "q1": {"other": "bakery"},
            "q2": ["o2", {"other": "trees"}],
            "q3": "fine",
            "q4": 4,
            "q5": ["o3", "o1", "o2"],
            "q6": {"o1": 4, "o2": 5},
            "q7": 12,
            "q8": "2026-05-01",
        }
        checked = check(questions, answers)
        assert checked.valid, checked.errors
        assert counted_rows(questions, checked.answers) == [
            CountedRow("q1", text="bakery"),
            CountedRow("q2", option="o2"),
            CountedRow("q2", text="trees"),
            CountedRow("q3", text="fine"),
            CountedRow("q4", number=4.0),
            CountedRow("q5", option="o3", number=1.0),
            CountedRow("q5", option="o1", number=2.0),
            CountedRow("q5", option="o2", number=3.0),
            CountedRow("q6", option="o1", number=4.0),
            CountedRow("q6", option="o2", number=5.0),
            CountedRow("q7", number=12.0),
            CountedRow("q8", date=date(2026, 5, 1)),
        ]

    def test_groups_come_from_the_first_profile_question_of_each_kind(self):
        second = q("q12", "district", options=["centre", "north"])
        questions = [DISTRICT, AGE, TARGETS, second]
        answers = {"q9": "north", "q10": "26_40", "q11": ["parent"], "q12": "centre"}
        assert respondent_groups(questions, answers) == Groups("north", "26_40", ("parent",))
        assert respondent_groups(questions, {}) == Groups("", "", ())


class TestOptionOrder:
    def test_unshuffled_keeps_the_built_order(self):
        assert option_order(["o1", "o2", "o3"], seed="x", shuffle=False) == ["o1", "o2", "o3"]

    def test_shuffled_is_stable_for_a_seed_and_differs_between_seeds(self):
        options = [f"o{i}" for i in range(12)]
        first = option_order(options, seed="respondent-a:q1", shuffle=True)
        assert option_order(options, seed="respondent-a:q1", shuffle=True) == first
        assert sorted(first) == sorted(options)
        assert option_order(options, seed="respondent-b:q1", shuffle=True) != first
