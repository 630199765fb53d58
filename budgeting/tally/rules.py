"""The four outcome rules of DESIGN §4 and the registry the rest of Kopa calls.

Each rule is a pure function ``(instance, profile, tie_break=...) -> Outcome`` whose selected
set is identical to pabutools 1.2.3's on the same election (tests compare them on every shared
pabulib file and on random instances).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from budgeting.tally._prepare import prepared
from budgeting.tally.add1 import add1
from budgeting.tally.greedy import greedy_select
from budgeting.tally.mes import MesEngine, explain_run
from budgeting.tally.tiebreak import TieBreak, as_tie_break
from budgeting.tally.types import Explanation, Instance, Outcome, Profile, natural_key

TieBreakArg = TieBreak | str | None
Rule = Callable[..., Outcome]


def _outcome(
    rule: str,
    instance: Instance,
    order: list[int],
    explanations: dict[int, Explanation],
    tie: TieBreak,
    details: dict[str, Any] | None = None,
) -> Outcome:
    ids = instance.project_ids
    chosen = [ids[j] for j in order]
    return Outcome(
        rule=rule,
        selected=tuple(sorted(chosen, key=natural_key)),
        spent=sum(instance.costs[j] for j in order),
        budget=instance.budget,
        explanations={ids[j]: explanations[j] for j in range(len(ids))},
        selection_order=tuple(chosen),
        tie_break=tie.label,
        details=details or {},
    )


def engine_for(instance: Instance, profile: Profile, tie: TieBreak) -> MesEngine:
    """A MES engine for this round (cached on the profile: Add1 and reruns reuse it)."""
    key = ("mes-engine", instance, tie)
    eng = profile._cache.get(key)
    if eng is None:
        prep = prepared(profile, instance.num_projects)
        co_key = ("coapproval", instance.num_projects)
        coapp = profile._cache.get(co_key)
        eng = MesEngine(instance, prep, tie.ranks(instance), coapp)
        profile._cache[co_key] = eng.coapp
        profile._cache[key] = eng
    return eng


def greedy(instance: Instance, profile: Profile, tie_break: TieBreakArg = None) -> Outcome:
    """Most support first; a project that no longer fits is skipped."""
    tie = as_tie_break(tie_break)
    prep = prepared(profile, instance.num_projects)
    res = greedy_select(instance, prep.support, tie.ranks(instance))
    return _outcome("greedy", instance, list(res.selection_order), res.explanations, tie)


def _share_details(share: Fraction) -> dict[str, Any]:
    return {
        "share": float(share),
        "share_exact": f"{share.numerator}/{share.denominator}",
    }


def mes(instance: Instance, profile: Profile, tie_break: TieBreakArg = None) -> Outcome:
    """Method of Equal Shares (cost satisfaction), no completion."""
    tie = as_tie_break(tie_break)
    eng = engine_for(instance, profile, tie)
    if profile.num_voters == 0:
        return _outcome("mes", instance, [], _no_voters(instance, eng), tie)
    share = Fraction(instance.budget, profile.num_voters)
    run = eng.run(share, explain=True)
    assert run is not None
    expl = explain_run(run, instance)
    return _outcome("mes", instance, run.selected, expl, tie, _share_details(share))


def _no_voters(instance: Instance, eng: MesEngine) -> dict[int, Explanation]:
    return {
        j: Explanation(instance.project_ids[j], False, "no_support", None, {"cost": c})
        for j, c in enumerate(instance.costs)
    }


def _equal_shares(
    instance: Instance, profile: Profile, tie: TieBreak
) -> tuple[list[int], dict[int, Explanation], dict[str, Any]]:
    """Equal Shares with Add1 (cached on the profile: equal-shares-greedy starts from it)."""
    key = ("equal-shares", instance, tie)
    cached = profile._cache.get(key)
    if cached is None:
        cached = _compute_equal_shares(instance, profile, tie)
        profile._cache[key] = cached
    order, expl, details = cached
    return list(order), dict(expl), dict(details)


def _compute_equal_shares(
    instance: Instance, profile: Profile, tie: TieBreak
) -> tuple[list[int], dict[int, Explanation], dict[str, Any]]:
    eng = engine_for(instance, profile, tie)
    res = add1(eng)
    if res.run is None:
        return [], _no_voters(instance, eng), {"add1_stopped": res.stopped}
    run = eng.run(res.run.share, explain=True)
    assert run is not None
    expl = explain_run(run, instance)
    for j, e in list(expl.items()):
        if e.selected and j not in res.base_selected:
            expl[j] = Explanation(e.project_id, True, "completion_add1", e.step, e.params)
    details = {
        **_share_details(res.run.share),
        "add1_increments": res.increments,
        "add1_stopped": res.stopped,
        "mes_runs": res.mes_runs,
    }
    return run.selected, expl, details


def equal_shares(instance: Instance, profile: Profile, tie_break: TieBreakArg = None) -> Outcome:
    """MES with the Add1 completion (equalshares.net's recommendation)."""
    tie = as_tie_break(tie_break)
    order, expl, details = _equal_shares(instance, profile, tie)
    return _outcome("equal-shares", instance, order, expl, tie, details)


def equal_shares_greedy(
    instance: Instance, profile: Profile, tie_break: TieBreakArg = None
) -> Outcome:
    """Equal Shares (Add1), then the leftover money funds the most-supported projects that fit."""
    tie = as_tie_break(tie_break)
    order, expl, details = _equal_shares(instance, profile, tie)
    prep = prepared(profile, instance.num_projects)
    res = greedy_select(instance, prep.support, tie.ranks(instance), order, completion=True)
    for j, e in res.explanations.items():
        if e.selected:
            expl[j] = e
        else:
            previous = expl[j]
            expl[j] = Explanation(
                e.project_id,
                False,
                e.reason,
                e.step,
                {**e.params, "mes_reason": previous.reason, "mes": dict(previous.params)},
            )
    details = {**details, "greedy_added": len(res.selection_order)}
    return _outcome(
        "equal-shares-greedy",
        instance,
        [*order, *res.selection_order],
        expl,
        tie,
        details,
    )


def forget_outcomes(profile: Profile) -> None:
    """Drop cached Equal Shares outcomes from ``profile`` (keeps the prepared arrays and MES
    engines).  For benchmarks, and for callers that mutate nothing but want fresh runs."""
    for key in [k for k in profile._cache if k and k[0] == "equal-shares"]:
        del profile._cache[key]


RULES: dict[str, Rule] = {
    "greedy": greedy,
    "mes": mes,
    "equal-shares": equal_shares,
    "equal-shares-greedy": equal_shares_greedy,
}
"""Rule name (as stored on a round and typed on the command line) -> rule function."""


def run_rule(
    name: str,
    instance: Instance,
    profile: Profile,
    tie_break: TieBreakArg = None,
    *,
    seed: int | None = None,
) -> Outcome:
    """Run the rule called ``name``.  ``tie_break``: ``TieBreak``, ``"lexicographic"``
    (default), ``"cost"``, ``"lottery"`` (with ``seed``) or ``"lottery:<seed>"``."""
    try:
        rule = RULES[name]
    except KeyError:
        raise ValueError(f"unknown rule {name!r}; expected one of {sorted(RULES)}") from None
    return rule(instance, profile, as_tie_break(tie_break, seed))
