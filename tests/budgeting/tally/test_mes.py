"""The Method of Equal Shares and its Add1 completion, on cases worked out by hand.

Each docstring is the hand computation; amounts are plain integers (unit = 1).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgeting.tally import (
    Instance,
    Profile,
    equal_shares,
    equal_shares_greedy,
    greedy,
    mes,
)
from budgeting.tally._prepare import prepared
from budgeting.tally.add1 import add1
from budgeting.tally.rules import engine_for
from budgeting.tally.tiebreak import TieBreak


def example() -> tuple[Instance, Profile]:
    """Budget 120, four voters: each starts with 30.

    A (40) is approved by v1, v2; B (60) by v1, v2, v3; C (30) by v4.
    rho: A = 20/40 = 1/2, B = 20/60 = 1/3, C = 30/30 = 1.
    Round 1: B (rho 1/3); v1, v2, v3 pay 20 each and keep 10.
    Round 2: A's supporters hold 10 + 10 < 40: out.  C: v4 pays 30.  Spent 90.
    Greedy instead funds B (3 votes) and A (2 votes): 100, and C no longer fits.
    """
    inst = Instance(120, ("A", "B", "C"), (40, 60, 30))
    prof = Profile.from_ids("approval", inst, [["A", "B"], ["A", "B"], ["B"], ["C"]])
    return inst, prof


def test_mes_gives_every_group_its_share() -> None:
    inst, prof = example()
    out = mes(inst, prof)
    assert out.selection_order == ("B", "C")
    assert out.spent == 90
    assert greedy(inst, prof).selected == ("A", "B")


def test_add1_stops_when_nothing_more_fits() -> None:
    """30 are left and A costs 40: the MES outcome is already exhaustive, Add1 keeps it, and
    the greedy completion has nothing that fits either."""
    inst, prof = example()
    assert equal_shares(inst, prof).selected == ("B", "C")
    assert equal_shares(inst, prof).details["add1_increments"] == 0
    assert equal_shares_greedy(inst, prof).selected == ("B", "C")


def test_a_poor_supporter_pays_what_it_has_and_the_rich_cover_the_rest() -> None:
    """Budget 120, shares 30.  S (45) by v1, v3, v4; T (40) by v1, v2.

    Round 1: S, rho = 15/45 = 1/3 (T: 20/40 = 1/2): v1, v3, v4 pay 15.
    Round 2: T: an equal split would be 20, but v1 holds only 15: v1 pays 15, v2 pays 25.
    """
    inst = Instance(120, ("S", "T"), (45, 40))
    prof = Profile.from_ids("approval", inst, [["S", "T"], ["T"], ["S"], ["S"]])
    out = mes(inst, prof)
    assert out.selection_order == ("S", "T")
    t = out.explanations["T"]
    assert t.step == 2
    assert t.params["share_exact"] == "25/1"
    assert t.params["paid_all_they_had"] == 1
    assert t.params["rho"] == pytest.approx(25 / 40)


def test_empty_ballots_still_get_a_share() -> None:
    """Two voters approve X (100); two voters approve nothing.  Budget 100 -> shares of 25:
    X's supporters hold 50 < 100, so MES funds nothing (greedy funds X)."""
    inst = Instance(100, ("X",), (100,))
    prof = Profile("approval", ((0,), (0,), (), ()))
    assert mes(inst, prof).selected == ()
    assert greedy(inst, prof).selected == ("X",)
    assert mes(inst, prof).explanations["X"].reason == "supporters_exhausted"


def test_add1_raises_shares_until_exhaustive() -> None:
    """Same as above without Add1's stop: shares grow by 1 until X's two supporters hold 100
    (share 50, k = 25); then X is funded and the outcome is exhaustive."""
    inst = Instance(100, ("X",), (100,))
    prof = Profile("approval", ((0,), (0,), (), ()))
    out = equal_shares(inst, prof)
    assert out.selected == ("X",)
    assert out.details["add1_increments"] == 25
    assert out.explanations["X"].reason == "completion_add1"


def test_add1_returns_the_last_affordable_outcome() -> None:
    """Budget 10, 2 voters: v1 approves a (6), v2 approves b (6).  Shares of 5 fund nothing;
    at share 6 both are funded, costing 12 > 10: pabutools returns the share-5 outcome."""
    inst = Instance(10, ("a", "b"), (6, 6))
    prof = Profile.from_ids("approval", inst, [["a"], ["b"]])
    out = equal_shares(inst, prof)
    assert out.selected == ()
    assert out.details["add1_stopped"] == "over_budget"
    assert equal_shares_greedy(inst, prof).selected == ("a",)


def test_ties_in_rho_follow_the_tie_break() -> None:
    """x and y both cost 10 with 2 supporters each: rho 1/2 both; only one fits."""
    inst = Instance(10, ("y", "x"), (10, 10))
    prof = Profile.from_ids("approval", inst, [["x", "y"], ["x", "y"]])
    assert mes(inst, prof).selected == ("x",)
    assert mes(inst, prof).explanations["x"].params["tied_with"] == ["y"]


def test_cost_tie_break_in_mes() -> None:
    """Both voters (shares of 6) approve p (12) and q (8): rho is 1/N = 1/2 for both.
    Whichever comes first leaves too little for the other."""
    inst = Instance(12, ("p", "q"), (12, 8))
    prof = Profile.from_ids("approval", inst, [["p", "q"], ["p", "q"]])
    assert mes(inst, prof).selected == ("p",)
    assert mes(inst, prof, "cost").selected == ("q",)


def test_points_and_ranks_do_not_matter_to_mes() -> None:
    inst = Instance(30, ("a", "b"), (20, 10))
    ranked = Profile.from_ids("ordinal", inst, [["a", "b"], ["b", "a"], ["a"]])
    approved = Profile.from_ids("approval", inst, [["a", "b"], ["b", "a"], ["a"]])
    pointed = Profile.from_ids(
        "cumulative", inst, [["a", "b"], ["b", "a"], ["a"]], [[1, 0], [9, 1], [3]]
    )
    assert mes(inst, ranked).selected == mes(inst, approved).selected == mes(inst, pointed).selected


def test_free_projects_are_never_selected_by_mes() -> None:
    """pabutools measures satisfaction as cost: a free project satisfies nobody."""
    inst = Instance(10, ("free", "paid"), (0, 10))
    prof = Profile.from_ids("approval", inst, [["free", "paid"]])
    out = mes(inst, prof)
    assert out.selected == ("paid",)
    assert out.explanations["free"].params["zero_cost"] is True
    assert equal_shares_greedy(inst, prof).selected == ("free", "paid")


def test_no_voters() -> None:
    inst = Instance(10, ("a",), (5,))
    prof = Profile("approval", ())
    assert mes(inst, prof).selected == ()
    assert equal_shares(inst, prof).selected == ()
    assert equal_shares_greedy(inst, prof).selected == ("a",)


# ----------------------------------------------------------------------- naive references
def naive_mes(costs: list[int], ballots: list[set[int]], share: Fraction) -> list[int]:
    """Textbook MES on Fractions, one voter at a time (slow, obviously right)."""
    budgets = [share] * len(ballots)
    left = {j for j, c in enumerate(costs) if c > 0 and any(j in b for b in ballots)}
    chosen: list[int] = []
    while True:
        best: tuple[Fraction, int] | None = None
        for j in sorted(left):
            supp = sorted(budgets[i] for i, b in enumerate(ballots) if j in b)
            if sum(supp) < costs[j]:
                continue
            rem, r = Fraction(costs[j]), len(supp)
            for bud in supp:
                if rem <= r * bud:
                    break
                rem -= bud
                r -= 1
            rho = rem / r / costs[j]
            if best is None or rho < best[0]:
                best = (rho, j)
        if best is None:
            return chosen
        rho, j = best
        q = rho * costs[j]
        for i, b in enumerate(ballots):
            if j in b:
                budgets[i] -= min(budgets[i], q)
        chosen.append(j)
        left.discard(j)


def naive_add1(costs: list[int], ballots: list[set[int]], budget: int, unit: int = 1) -> list[int]:
    """pabutools' Add1 loop, literally: every share, one unit at a time."""
    n = len(ballots)
    cand = [j for j, c in enumerate(costs) if c > 0 and any(j in b for b in ballots)]
    prev: list[int] = []
    k = 0
    while True:
        out = naive_mes(costs, ballots, Fraction(budget, n) + k * unit)
        spent = sum(costs[j] for j in out)
        if spent > budget:
            return prev
        if all(j in out or spent + costs[j] > budget for j in cand):
            return out
        prev = out
        k += 1


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.data())
def test_engine_matches_naive_mes_and_add1_on_medium_instances(data: st.DataObject) -> None:
    """Dozens of voters and big, uneven costs: many groups, capped voters, long Add1 runs —
    where the fast engine's float pruning, exact checks and jumps all get exercised."""
    m = data.draw(st.integers(3, 8))
    costs = data.draw(st.lists(st.integers(1, 400), min_size=m, max_size=m))
    n = data.draw(st.integers(5, 40))
    ballots = [set(data.draw(st.lists(st.integers(0, m - 1), max_size=4))) for _ in range(n)]
    budget = data.draw(st.integers(50, 600))
    ids = tuple(f"p{j}" for j in range(m))
    inst = Instance(budget, ids, tuple(costs))
    prof = Profile("approval", tuple(tuple(sorted(b)) for b in ballots))
    want = naive_mes(costs, ballots, Fraction(budget, n))
    got = mes(inst, prof)
    assert got.selection_order == tuple(ids[j] for j in want)
    want_es = naive_add1(costs, ballots, budget)
    assert set(equal_shares(inst, prof).selected) == {ids[j] for j in want_es}


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.data())
def test_engine_matches_naive_on_forint_sized_amounts(data: st.DataObject) -> None:
    """Budgets in the hundreds of millions with a coarse unit and many identical ballots:
    float budgets lose digits here, so every close call must be settled exactly."""
    m = data.draw(st.integers(3, 7))
    unit = 10**5
    costs = [
        data.draw(st.sampled_from([1, 2, 3, 5, 8, 13])) * 10**7 + data.draw(st.integers(0, 3))
        for _ in range(m)
    ]
    kinds = [set(data.draw(st.lists(st.integers(0, m - 1), max_size=3))) for _ in range(6)]
    ballots = [kinds[data.draw(st.integers(0, 5))] for _ in range(data.draw(st.integers(3, 30)))]
    budget = data.draw(st.integers(10**8, 3 * 10**8))
    ids = tuple(f"p{j}" for j in range(m))
    inst = Instance(budget, ids, tuple(costs), unit=unit)
    prof = Profile("approval", tuple(tuple(sorted(b)) for b in ballots))
    want = naive_mes(costs, ballots, Fraction(budget, len(ballots)))
    assert mes(inst, prof).selection_order == tuple(ids[j] for j in want)
    want_es = naive_add1(costs, ballots, budget, unit)
    assert set(equal_shares(inst, prof).selected) == {ids[j] for j in want_es}


def test_identical_voters_are_merged_but_counted() -> None:
    inst = Instance(100, ("a", "b"), (60, 50))
    prof = Profile.from_ids("approval", inst, [["a"]] * 3 + [["b"]] * 2)
    prep = prepared(prof, 2)
    assert prep.num_sets == 2
    assert sorted(prep.set_weight.tolist()) == [2, 3]
    assert mes(inst, prof).selected == ("a",)


def test_add1_engine_reports_its_work() -> None:
    inst = Instance(100, ("X",), (100,))
    prof = Profile("approval", ((0,), (0,), (), ()))
    res = add1(engine_for(inst, prof, TieBreak()))
    assert res.increments == 25
    assert res.stopped == "exhaustive"
    assert res.mes_runs < 25  # it jumped instead of running MES at every share


def test_from_arrays_matches_from_ids() -> None:
    """Rows as a database streams them: (ballot id, project index[, points])."""
    inst = Instance(100, ("a", "b", "c"), (50, 30, 40))
    rows_ballot = np.array([7, 7, 3, 9, 9, 9])
    rows_proj = np.array([0, 1, 2, 1, 0, 1])  # ballot 9 names b twice
    prof = Profile.from_arrays("approval", rows_ballot, rows_proj, num_voters=5)
    assert prof.num_voters == 5
    same = Profile.from_ids("approval", inst, [["c"], ["a", "b"], ["b", "a"], [], []])
    for rule in (mes, equal_shares, greedy):
        assert rule(inst, prof).selected == rule(inst, same).selected
    cum = Profile.from_arrays("cumulative", [1, 1, 2], [0, 2, 2], [3, 1, 5])
    assert cum.points == ((3, 1), (5,))
    ordi = Profile.from_arrays("ordinal", [1, 1, 1], [0, 1, 2], [2, 0, 1])
    assert ordi.ballots == ((1, 2, 0),)
