"""Ballot validation (pure): what a ballot may not be, then what is accepted.

``validate_ballot`` returns either a ``ValidBallot`` or every ``BallotError`` it found, each
with a stable code, the form field it belongs to and the figures a message needs.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgeting.ballots import (
    ERROR_CODES,
    BallotError,
    BallotProject,
    BallotRules,
    ValidBallot,
    validate_ballot,
)

# The round's projects: a..e in the city-wide pot, n in the "north" district, x withdrawn.
OFFERED = {
    "a": BallotProject(cost=40, district_key="city", pk=1),
    "b": BallotProject(cost=30, district_key="city", pk=2),
    "c": BallotProject(cost=20, district_key="city", pk=3),
    "d": BallotProject(cost=50, district_key="city", pk=4),
    "e": BallotProject(cost=10, district_key="city", pk=5),
    "n": BallotProject(cost=10, district_key="north", pk=6),
    "x": BallotProject(cost=10, district_key="city", on_ballot=False, pk=7),
}


def rules(fmt: str = "approval", budget: int = 100, **limits) -> BallotRules:
    return BallotRules(format=fmt, budget=budget, **limits)


def check(rules_: BallotRules, projects, points=None, district: str = "city"):
    return validate_ballot(rules_, district, OFFERED, projects, points)


def errors_of(result) -> list[BallotError]:
    assert isinstance(result, list), f"expected errors, the ballot was accepted: {result}"
    assert result, "an error list is never empty"
    return result


def only_error(result) -> BallotError:
    errors = errors_of(result)
    assert len(errors) == 1, errors
    return errors[0]


def accepted(result) -> ValidBallot:
    assert isinstance(result, ValidBallot), f"expected the ballot to pass, got {result}"
    return result


# --- every error code, with its field and params -------------------------------------------

# (code, rules, projects, points, field, params)
ERROR_CASES = [
    ("empty_ballot", rules(), [], None, "projects", {}),
    (
        "too_few_projects",
        rules(min_projects=3),
        ["a", "b"],
        None,
        "projects",
        {"minimum": 3, "count": 2},
    ),
    (
        "too_many_projects",
        rules(max_projects=2),
        ["a", "b", "c"],
        None,
        "projects",
        {"maximum": 2, "count": 3},
    ),
    ("unknown_project", rules(), ["zz"], None, "projects", {"project": "zz"}),
    (
        "wrong_district",
        rules(),
        ["n"],
        None,
        "projects",
        {"project": "n", "district": "north"},
    ),
    ("not_on_ballot", rules(), ["x"], None, "projects", {"project": "x"}),
    (
        "duplicate_project",
        rules(max_projects=None),
        ["a", "b", "a"],
        None,
        "projects",
        {"project": "a", "position": 2},
    ),
    (
        "duplicate_rank",
        rules("ordinal"),
        ["c", "c"],
        None,
        "projects",
        {"project": "c", "position": 1},
    ),
    (
        "over_budget",
        rules(knapsack=True),
        ["a", "b", "d"],
        None,
        "projects",
        {"total": 120, "budget": 100, "over_by": 20},
    ),
    (
        "under_min_spend",
        rules(min_spend=60),
        ["a"],
        None,
        "projects",
        {"total": 40, "minimum": 60},
    ),
    ("points_required", rules("cumulative", points_budget=10), ["a"], None, "points", {}),
    ("points_not_allowed", rules(), ["a"], [1], "points", {}),
    (
        "points_length_mismatch",
        rules("cumulative", points_budget=10),
        ["a", "b"],
        [3],
        "points",
        {"projects": 2, "points": 1},
    ),
    (
        "points_not_positive",
        rules("cumulative", points_budget=10),
        ["a", "b"],
        [3, 0],
        "points",
        {"position": 1},
    ),
    (
        "over_points_budget",
        rules("cumulative", points_budget=10),
        ["a", "b"],
        [6, 5],
        "points",
        {"total": 11, "maximum": 10},
    ),
    (
        "over_project_points_cap",
        rules("cumulative", points_budget=10, max_points_per_project=4),
        ["a", "b"],
        [5, 3],
        "points",
        {"position": 0, "maximum": 4},
    ),
]


def test_the_cases_below_cover_every_error_code():
    assert sorted(case[0] for case in ERROR_CASES) == sorted(ERROR_CODES)


@pytest.mark.parametrize(
    ("code", "rules_", "projects", "points", "field", "params"),
    ERROR_CASES,
    ids=[case[0] for case in ERROR_CASES],
)
def test_each_error_code_names_its_field_and_params(code, rules_, projects, points, field, params):
    error = only_error(check(rules_, projects, points))
    assert (error.code, error.field, error.params) == (code, field, params)


# --- approval -------------------------------------------------------------------------------


class TestApproval:
    def test_cannot_choose_a_project_of_another_district(self):
        error = only_error(check(rules(), ["n"], district="city"))
        assert error.code == "wrong_district"

    def test_a_district_ballot_accepts_its_own_projects(self):
        assert accepted(check(rules(), ["n"], district="north")).projects == ("n",)

    def test_cannot_choose_a_project_that_is_not_on_the_ballot(self):
        assert only_error(check(rules(), ["a", "x"])).code == "not_on_ballot"

    def test_without_knapsack_the_choices_may_cost_more_than_the_budget(self):
        ballot = accepted(check(rules(), ["a", "b", "c", "d"]))
        assert ballot.total_cost == 140
        assert ballot.points is None

    def test_is_returned_in_ballot_order_with_its_cost(self):
        ballot = accepted(check(rules(), ["c", "a"]))
        assert ballot == ValidBallot(projects=("c", "a"), points=None, total_cost=60)


class TestKnapsack:
    def test_cannot_cost_more_than_the_budget_and_says_by_how_much(self):
        error = only_error(check(rules(knapsack=True, budget=89), ["a", "b", "c"]))
        assert error.code == "over_budget"
        assert error.params == {"total": 90, "budget": 89, "over_by": 1}

    def test_may_cost_exactly_the_budget(self):
        assert accepted(check(rules(knapsack=True, budget=90), ["a", "b", "c"])).total_cost == 90

    def test_over_budget_applies_to_approval_ballots_only(self):
        # Cumulative and ranking ballots express preference, not a spending plan.
        ballot = check(rules("ordinal", knapsack=True, budget=10), ["a", "d"])
        assert accepted(ballot).total_cost == 90


class TestMinimumSpend:
    def test_cannot_spend_less_than_the_minimum(self):
        error = only_error(check(rules(min_spend=61), ["a", "c"]))
        assert error.code == "under_min_spend"
        assert error.params == {"total": 60, "minimum": 61}

    def test_may_spend_exactly_the_minimum(self):
        assert accepted(check(rules(min_spend=60), ["a", "c"])).total_cost == 60

    def test_under_min_spend_and_over_budget_are_reported_together(self):
        # An impossible window (min above budget): both limits are named.
        codes = [
            e.code for e in errors_of(check(rules(knapsack=True, min_spend=150), ["d", "a", "b"]))
        ]
        assert codes == ["over_budget", "under_min_spend"]


class TestKOfN:
    def test_cannot_choose_more_than_k(self):
        error = only_error(check(rules(max_projects=2), ["a", "b", "c"]))
        assert (error.code, error.params) == ("too_many_projects", {"maximum": 2, "count": 3})

    def test_cannot_choose_fewer_than_the_minimum(self):
        error = only_error(check(rules(min_projects=2, max_projects=3), ["a"]))
        assert (error.code, error.params) == ("too_few_projects", {"minimum": 2, "count": 1})

    @pytest.mark.parametrize("count", [2, 3])
    def test_may_choose_between_the_minimum_and_k(self, count):
        ballot = accepted(check(rules(min_projects=2, max_projects=3), ["a", "b", "c"][:count]))
        assert len(ballot.projects) == count

    def test_cannot_choose_the_same_project_twice(self):
        assert [e.code for e in errors_of(check(rules(), ["a", "a"]))] == ["duplicate_project"]

    def test_a_duplicate_counts_toward_the_maximum(self):
        codes = {e.code for e in errors_of(check(rules(max_projects=2), ["a", "b", "a"]))}
        assert codes == {"duplicate_project", "too_many_projects"}


# --- cumulative -----------------------------------------------------------------------------


class TestCumulative:
    RULES = rules("cumulative", points_budget=10, max_points_per_project=5)

    def test_cannot_be_cast_without_points(self):
        assert only_error(check(self.RULES, ["a"])).code == "points_required"

    def test_cannot_give_more_points_than_the_voter_has(self):
        error = only_error(check(self.RULES, ["a", "b", "c"], [5, 4, 2]))
        assert (error.code, error.params) == ("over_points_budget", {"total": 11, "maximum": 10})

    def test_cannot_give_one_project_more_than_the_cap(self):
        error = only_error(check(self.RULES, ["a", "b"], [2, 6]))
        assert (error.code, error.params) == (
            "over_project_points_cap",
            {"position": 1, "maximum": 5},
        )

    @pytest.mark.parametrize("bad", [0, -1, 1.5, "3", True, None])
    def test_points_must_be_whole_numbers_above_zero(self, bad):
        error = only_error(check(self.RULES, ["a", "b"], [1, bad]))
        assert (error.code, error.params) == ("points_not_positive", {"position": 1})

    def test_cannot_give_a_different_number_of_points_than_projects(self):
        error = only_error(check(self.RULES, ["a"], [1, 2]))
        assert error.params == {"projects": 1, "points": 2}

    def test_every_bad_number_is_reported_with_its_position(self):
        errors = errors_of(check(self.RULES, ["a", "b", "c"], [0, 9, -2]))
        assert [(e.code, e.params["position"]) for e in errors] == [
            ("points_not_positive", 0),
            ("over_project_points_cap", 1),
            ("points_not_positive", 2),
        ]

    def test_may_use_exactly_the_points_and_the_cap(self):
        ballot = accepted(check(self.RULES, ["a", "b"], [5, 5]))
        assert (ballot.projects, ballot.points) == (("a", "b"), (5, 5))

    def test_without_a_cap_one_project_may_get_every_point(self):
        ballot = accepted(check(rules("cumulative", points_budget=10), ["d"], [10]))
        assert ballot.points == (10,)


# --- ordinal --------------------------------------------------------------------------------


class TestOrdinal:
    def test_cannot_rank_a_project_twice(self):
        error = only_error(check(rules("ordinal"), ["a", "b", "a"]))
        assert (error.code, error.params) == ("duplicate_rank", {"project": "a", "position": 2})

    def test_cannot_rank_more_than_max_rank(self):
        error = only_error(check(rules("ordinal", max_rank=2), ["a", "b", "c"]))
        assert (error.code, error.params) == ("too_many_projects", {"maximum": 2, "count": 3})

    def test_the_tighter_of_max_rank_and_max_projects_applies(self):
        assert only_error(
            check(rules("ordinal", max_rank=3, max_projects=2), ["a", "b", "c"])
        ).params == {"maximum": 2, "count": 3}
        assert only_error(
            check(rules("ordinal", max_rank=2, max_projects=3), ["a", "b", "c"])
        ).params == {"maximum": 2, "count": 3}

    def test_points_are_not_part_of_a_ranking(self):
        assert only_error(check(rules("ordinal"), ["a"], [1])).code == "points_not_allowed"

    def test_keeps_the_preference_order(self):
        ballot = accepted(check(rules("ordinal", max_rank=3), ["d", "a", "c"]))
        assert ballot.projects == ("d", "a", "c")
        assert ballot.points is None


# --- choose-1 -------------------------------------------------------------------------------


class TestChooseOne:
    @pytest.mark.parametrize("max_projects", [None, 3])
    def test_cannot_choose_two_whatever_max_projects_says(self, max_projects):
        error = only_error(check(rules("choose-1", max_projects=max_projects), ["a", "b"]))
        assert (error.code, error.params) == ("too_many_projects", {"maximum": 1, "count": 2})

    def test_cannot_choose_none(self):
        assert only_error(check(rules("choose-1"), [])).code == "empty_ballot"

    def test_one_project_is_accepted(self):
        assert accepted(check(rules("choose-1"), ["b"])).projects == ("b",)


# --- several errors at once -----------------------------------------------------------------


def test_reports_every_project_and_count_error_at_once():
    errors = errors_of(check(rules(max_projects=2), ["a", "zz", "n", "x", "a"]))
    assert [(e.code, e.params.get("project")) for e in errors] == [
        ("unknown_project", "zz"),
        ("wrong_district", "n"),
        ("not_on_ballot", "x"),
        ("duplicate_project", "a"),
        ("too_many_projects", None),
    ]


def test_reports_project_and_points_errors_together():
    errors = errors_of(
        check(rules("cumulative", points_budget=5, max_points_per_project=3), ["zz", "a"], [9, 1])
    )
    assert {(e.code, e.field) for e in errors} == {
        ("unknown_project", "projects"),
        ("over_project_points_cap", "points"),
    }


def test_every_code_returned_is_a_declared_code():
    errors = errors_of(check(rules("cumulative"), ["zz", "zz", "n"], [1, -1]))
    assert {e.code for e in errors} <= set(ERROR_CODES)


# --- property: an accepted ballot never exceeds the limits ----------------------------------

PROJECT_IDS = [*OFFERED, "zz"]


@st.composite
def ballot_cases(draw):
    fmt = draw(st.sampled_from(["approval", "cumulative", "ordinal", "choose-1"]))
    min_projects = draw(st.integers(0, 3))
    limits = {
        "budget": draw(st.integers(0, 200)),
        "min_projects": min_projects,
        # Rounds refuse a zero limit (budgeting.services.rounds), so limits start at 1.
        "max_projects": draw(st.none() | st.integers(max(1, min_projects), 6)),
        "knapsack": draw(st.booleans()),
        "min_spend": draw(st.none() | st.integers(0, 150)),
        "points_budget": draw(st.none() | st.integers(1, 20)),
        "max_points_per_project": draw(st.none() | st.integers(1, 10)),
        "max_rank": draw(st.none() | st.integers(1, 5)),
    }
    projects = draw(st.lists(st.sampled_from(PROJECT_IDS), max_size=8))
    points = draw(
        st.none()
        | st.lists(st.integers(-2, 12), min_size=len(projects), max_size=len(projects))
        | st.lists(st.integers(-2, 12), max_size=8)
    )
    district = draw(st.sampled_from(["city", "north"]))
    return BallotRules(format=fmt, **limits), district, projects, points


@settings(max_examples=400, deadline=None)
@given(ballot_cases())
def test_an_accepted_ballot_never_exceeds_the_limits(case):
    rules_, district, projects, points = case
    result = validate_ballot(rules_, district, OFFERED, projects, points)
    if isinstance(result, list):
        assert result
        assert {e.code for e in result} <= set(ERROR_CODES)
        return
    chosen = [OFFERED[p] for p in result.projects]
    assert list(result.projects) == list(projects)
    assert len(set(result.projects)) == len(result.projects)
    assert all(p.district_key == district and p.on_ballot for p in chosen)
    assert rules_.min_projects <= len(chosen)
    assert len(chosen) >= 1
    if rules_.max_projects is not None:
        assert len(chosen) <= rules_.max_projects
    if rules_.format == "choose-1":
        assert len(chosen) == 1
    if rules_.format == "ordinal" and rules_.max_rank:
        assert len(chosen) <= rules_.max_rank
    assert result.total_cost == sum(p.cost for p in chosen)
    if rules_.format == "approval" and rules_.knapsack:
        assert result.total_cost <= rules_.budget
    if rules_.format == "approval" and rules_.min_spend is not None:
        assert result.total_cost >= rules_.min_spend
    if rules_.format == "cumulative":
        assert result.points is not None
        assert len(result.points) == len(result.projects)
        assert all(type(v) is int and v > 0 for v in result.points)
        if rules_.points_budget is not None:
            assert sum(result.points) <= rules_.points_budget
        if rules_.max_points_per_project is not None:
            assert max(result.points) <= rules_.max_points_per_project
    else:
        assert result.points is None
        assert points is None
