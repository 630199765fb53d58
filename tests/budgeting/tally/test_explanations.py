"""Explanations: why each project is (not) funded, in a form the results page can render."""

from __future__ import annotations

import json

import pytest

from budgeting.tally import RULES, Instance, Profile, equal_shares_greedy, greedy, mes


def example() -> tuple[Instance, Profile]:
    """Budget 120, shares 30.  A (40): v1, v2.  B (60): v1, v2, v3.  C (30): v4.  D (50): nobody.

    MES round 1 funds B (each of v1..v3 pays 20), then A's supporters hold 20 < 40 — their
    money went to B — and round 2 funds C.
    """
    inst = Instance(120, ("A", "B", "C", "D"), (40, 60, 30, 50))
    prof = Profile.from_ids("approval", inst, [["A", "B"], ["A", "B"], ["B"], ["C"]])
    return inst, prof


def test_mes_explains_selected_projects() -> None:
    inst, prof = example()
    b = mes(inst, prof).explanations["B"]
    assert b.selected
    assert b.reason == "selected"
    assert b.step == 1
    assert b.params["support"] == 3
    assert b.params["share"] == 20
    assert b.params["share_exact"] == "20/1"
    assert b.params["rho"] == pytest.approx(1 / 3)
    assert b.message() == "funded at step 1"


def test_mes_names_the_projects_that_took_the_supporters_money() -> None:
    inst, prof = example()
    a = mes(inst, prof).explanations["A"]
    assert (a.selected, a.reason, a.step) == (False, "supporters_exhausted", 2)
    assert a.params["spent_on"] == [{"project_id": "B", "amount": 40.0}]
    assert a.params["money_left"] == pytest.approx(20)
    assert a.params["initial_money"] == pytest.approx(60)
    assert "B" in a.message()


def test_unsupported_project() -> None:
    inst, prof = example()
    d = mes(inst, prof).explanations["D"]
    assert (d.selected, d.reason) == (False, "no_support")
    assert d.message() == "nobody voted for it"


def test_greedy_explains_running_out_of_budget() -> None:
    """Greedy: B (3 votes) then A (2 votes) leave 20; C (30) does not fit at step 3."""
    inst, prof = example()
    out = greedy(inst, prof)
    c = out.explanations["C"]
    assert (c.selected, c.reason, c.step) == (False, "not_affordable", 3)
    assert c.params == {"support": 1, "cost": 30, "remaining": 20}
    assert c.message() == "ran out of budget at step 3"


def test_greedy_completion_is_labelled() -> None:
    """Shares of 5 (budget 10, two voters): a (6) and b (6) are each beyond one voter.
    Add1 at share 6 funds both (12 > 10), so pabutools keeps the empty share-5 outcome, and
    the greedy completion funds a."""
    inst = Instance(10, ("a", "b"), (6, 6))
    prof = Profile.from_ids("approval", inst, [["a"], ["b"]])
    out = equal_shares_greedy(inst, prof)
    a, b = out.explanations["a"], out.explanations["b"]
    assert (a.selected, a.reason) == (True, "completion_greedy")
    assert (b.selected, b.reason) == (False, "not_affordable")
    assert b.params["mes_reason"] == "supporters_exhausted"


@pytest.mark.parametrize("rule", sorted(RULES))
def test_outcomes_are_json(rule: str) -> None:
    inst, prof = example()
    out = RULES[rule](inst, prof)
    data = json.loads(json.dumps(out.to_dict()))
    assert data["rule"] == rule
    assert set(data["explanations"]) == set(inst.project_ids)
    assert data["spent"] == out.spent
    for e in data["explanations"].values():
        assert e["reason"] in {
            "selected",
            "not_affordable",
            "supporters_exhausted",
            "no_support",
            "completion_add1",
            "completion_greedy",
        }
