"""Greedy by support, read as a specification (amounts are plain integers, unit = 1)."""

from __future__ import annotations

import pytest

from budgeting.tally import Instance, Profile, TieBreak, greedy, lottery_key, run_rule


def test_most_voted_first_then_whatever_still_fits() -> None:
    """A (80) is funded first; B (30) and C (60) no longer fit in the 20 left; D (10) does."""
    inst = Instance(100, ("A", "B", "C", "D"), (80, 30, 60, 10))
    # support: A 5, B 4, C 3, D 1
    ballots = [["A", "B"]] * 3 + [["A", "C"]] * 2 + [["B", "D"], ["C"]]
    prof = Profile.from_ids("approval", inst, ballots)
    out = greedy(inst, prof)
    assert out.selection_order == ("A", "D")
    assert out.selected == ("A", "D")
    assert out.spent == 90
    b = out.explanations["B"]
    assert (b.selected, b.reason, b.step) == (False, "not_affordable", 2)
    assert b.params["remaining"] == 20
    assert b.params["support"] == 4


def test_cumulative_support_is_total_points() -> None:
    """X gets 5 + 1 = 6 points, Y gets 2 + 3 = 5: X first even though Y has as many voters."""
    inst = Instance(10, ("X", "Y"), (10, 10))
    prof = Profile.from_ids("cumulative", inst, [["X", "Y"], ["Y", "X"]], [[5, 2], [3, 1]])
    assert greedy(inst, prof).selected == ("X",)


def test_ordinal_support_counts_len_minus_rank() -> None:
    """Rankings of 3 give 3/2/1 points (as Kraków counts): P = 3 + 1, Q = 2 + 3, R = 1 + 2."""
    inst = Instance(5, ("P", "Q", "R"), (5, 5, 5))
    prof = Profile.from_ids("ordinal", inst, [["P", "Q", "R"], ["Q", "R", "P"]])
    out = greedy(inst, prof)
    assert out.selected == ("Q",)
    assert out.explanations["Q"].params["support"] == 5
    assert out.explanations["P"].params["support"] == 4
    assert out.explanations["R"].params["support"] == 3


def test_choose_one_counts_voters() -> None:
    inst = Instance(7, ("a", "b"), (4, 4))
    prof = Profile.from_ids("choose-1", inst, [["a"], ["b"], ["b"]])
    assert greedy(inst, prof).selected == ("b",)


def test_unsupported_and_free_projects_come_last_but_are_funded_if_they_fit() -> None:
    inst = Instance(10, ("voted", "nobody", "free"), (6, 4, 0))
    prof = Profile.from_ids("approval", inst, [["voted", "free"]])
    out = greedy(inst, prof)
    assert out.selection_order == ("voted", "free", "nobody")


def test_lexicographic_tie_break_compares_ids_as_strings() -> None:
    """Like pabutools, "10" comes before "9" (string order), whatever the numbers say."""
    inst = Instance(5, ("9", "10"), (5, 5))
    prof = Profile.from_ids("approval", inst, [["9"], ["10"]])
    assert greedy(inst, prof).selected == ("10",)


def test_cost_tie_break_prefers_the_cheaper_project() -> None:
    inst = Instance(9, ("a", "b"), (9, 5))
    prof = Profile.from_ids("approval", inst, [["a"], ["b"]])
    assert greedy(inst, prof).selected == ("a",)
    assert greedy(inst, prof, "cost").selected == ("b",)
    assert greedy(inst, prof, TieBreak("cost")).tie_break == "cost"


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_lottery_tie_break_follows_the_published_sha256_order(seed: int) -> None:
    ids = ("a", "b", "c")
    inst = Instance(1, ids, (1, 1, 1))
    prof = Profile.from_ids("approval", inst, [["a"], ["b"], ["c"]])
    winner = min(ids, key=lambda p: lottery_key(seed, p))
    out = run_rule("greedy", inst, prof, "lottery", seed=seed)
    assert out.selected == (winner,)
    assert out.tie_break == f"lottery:{seed}"
    assert run_rule("greedy", inst, prof, f"lottery:{seed}").selected == (winner,)


def test_lottery_needs_a_seed() -> None:
    with pytest.raises(ValueError, match="seed"):
        TieBreak("lottery")


def test_project_dearer_than_the_budget_is_never_funded() -> None:
    inst = Instance(100, ("big", "small"), (101, 50))
    prof = Profile.from_ids("approval", inst, [["big"]] * 5 + [["small"]])
    out = greedy(inst, prof)
    assert out.selected == ("small",)
    assert out.explanations["big"].reason == "not_affordable"
