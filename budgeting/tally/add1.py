"""Add1 completion of Equal Shares, with exact jumps over shares where nothing can change.

Semantics (pabutools' ``method_of_equal_shares(..., voter_budget_increment=1)``)
-------------------------------------------------------------------------------
Run MES with every voter's share ``b_k = budget / n + k * unit`` for ``k = 0, 1, 2, …``
(``unit`` = one currency unit in minor units).  Stop at the first ``k`` whose outcome

* costs more than the budget: return the outcome of ``k - 1``;
* is *exhaustive*: return it.  Exhaustive means no project MES could fund (one with a
  supporter and a positive cost) is left out while it would still fit in the real budget.

The outcome of a share only matters through these two tests, so the loop may skip any stretch
of shares on which MES provably selects the same projects in the same order.  Three exact
tools find such stretches; the loop combines them (:func:`add1`).

1. The affine certificate (:func:`safe_jump`)
---------------------------------------------
While a run makes the same decisions, every exact number in it is an affine function of the
starting share ``b``: group budgets ``b - Σ q_t``, the prices
``q_t = (c - Σ_capped budgets) / #uncapped``, every ``rho``.  A run with ``track_slopes``
records the derivatives, and the decisions stay the same while these inequalities hold:

a. for every selected project, the supporters who paid everything had ``budget <= q`` and the
   others ``budget >= q`` (so ``q`` and the new budgets stay the same affine functions);
b. in every round, every project still in the race keeps ``rho >=`` the winner's (``>`` if
   the tie-break prefers it).  A project's true ``rho`` is not affine, but the value computed
   with its paying/capped split frozen, ``q_C = (c - Σ_C budgets) / #U``, is an affine *lower
   bound* of it for every ``b``: with the split frozen each term ``min(budget, q)`` of
   ``Σ min(budget, q) = c`` is replaced by something at least as large, so the frozen formula
   reaches ``c`` no later.  Values from earlier rounds are lower bounds too, since ``rho``
   only grows during a run (MES's own laziness);
c. every project dropped as unaffordable stays so (its supporters' money stays ``< c``).

Each inequality ``a + s·Δ >= 0`` holds at ``Δ = 0``; an affine function that is ``>= 0`` at
both ends of an interval is ``>= 0`` on all of it, so checking every inequality at the far end
``Δ = k₁·unit`` is enough.  ``k₁`` comes from the smallest float root; the check at ``k₁`` is
exact — a float value is trusted only when it is farther from 0 than a proven error bound,
otherwise the inequality is evaluated on Fractions — and a failed check shortens the jump.
This certificate is excellent when nothing is capped (choose-1 ballots: Wrocław needs 9 MES
runs for 644 increments) and short when some voters' budgets sit close to a price.

2. The monotone certificate (``MesEngine.run(share, follow=run)``)
------------------------------------------------------------------
Fix the order of selection.  Raising every starting share can only raise every voter's budget
in every round: with all supporters richer a price ``q`` can only drop, and a voter then pays
``min(budget, q)``, which leaves more.  So for shares ``b`` between ``b_a`` and ``b_c``:
``rho_winner(b) <= rho_winner(b_a)`` and ``rho_other(b) >= rho_other(b_c)`` (``rho`` falls
as budgets rise), and a project unaffordable at ``b_c`` is unaffordable at ``b``.  Replaying
the run of ``b_a`` at ``b_c`` and checking, round by round, ``rho_other(b_c) >=
rho_winner(b_a)`` therefore proves that MES makes the same choices on all of ``[b_a, b_c]``.
When that plain comparison fails, a finer one cuts ``[b_a, b_c]`` into pieces and uses two
sharper facts: a voter still alive in the run at ``b_a`` holds at least its budget there plus
``b - b_a`` (every price it paid can only have dropped), and a voter alive at ``b_c`` holds at
most its budget there minus ``b_c - b`` (see :func:`budgeting.tally.mes._refined_ok`).  All
comparisons are exact or carry proven float error bounds.

3. Replay, then switch (``run(share, follow=run, switch=True)``)
----------------------------------------------------------------
For the very next share the replay does not need to prove anything about shares in between:
rounds that pass the monotone check are MES's own choices at the new share, and from the
first round that fails the replay simply continues as plain MES.  This is how the loop steps
one unit at a time when the order of selection changes at almost every share (Łódź 2023).

The loop gallops with the monotone certificate (doubling the stretch while it holds, bisecting
below a failure), uses the affine certificate for free whenever a run tracked slopes, and
steps with replay-and-switch where stretches are short.  None of this changes the outcome;
it only decides where MES has to be run.
"""

from __future__ import annotations

import math
from copy import copy
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from budgeting.tally.mes import MesEngine, MesRun, U


@dataclass(frozen=True)
class Add1Result:
    """The run whose outcome Add1 returns, plus how it got there."""

    run: MesRun | None  # None only when there are no voters
    increments: int  # k of the returned outcome
    mes_runs: int
    base_selected: frozenset[int]  # plain MES outcome (k = 0)
    stopped: str  # "exhaustive" | "over_budget" | "no_voters" | "stable"


def add1(engine: MesEngine) -> Add1Result:
    """Run Equal Shares with Add1 completion on a prepared engine."""
    inst = engine.instance
    n = engine.prep.num_voters
    if n == 0:
        return Add1Result(None, 0, 0, frozenset(), "no_voters")
    budget = inst.budget
    unit = inst.unit
    costs = inst.costs
    base = Fraction(budget, n)
    cand = engine.candidates

    def share(k: int) -> Fraction:
        return base + k * unit

    k = 0
    cur = engine.run(share(0), track_slopes=True)
    assert cur is not None
    runs = 1
    base_sel = frozenset(cur.selected)
    prev: MesRun | None = None
    slopes = True  # keep paying for slopes while the affine certificate earns its keep
    gap = 8.0  # running average distance between shares whose selections differ
    last_change = 0
    while True:
        # `cur` is MES at share(k) and its outcome differs from share(k - 1)'s: check it
        sel = set(cur.selected)
        spent = sum(costs[j] for j in sel)
        if spent > budget:
            assert prev is not None  # the k = 0 run never overspends
            return Add1Result(prev, k - 1, runs, base_sel, "over_budget")
        if all(j in sel or spent + costs[j] > budget for j in cand):
            return Add1Result(cur, k, runs, base_sel, "exhaustive")
        gap = 0.7 * gap + 0.3 * (k - last_change)
        last_change = k
        # speculating is only worth it when the order of selection changes rarely
        gallop = 1 if gap < 4 else max(2, int(gap) // 4)
        h = 1
        hi: int | None = None  # a share the certificate from some earlier base failed at
        while True:
            if cur.history is not None:
                # exact and free when the run tracked slopes: its own affine certificate
                jump = safe_jump(cur, unit)
                if jump is None:
                    return Add1Result(cur, k, runs, base_sel, "stable")
                slopes = jump >= 8
                if jump:
                    cur = _shifted(cur, jump * unit)
                    k += jump
                    hi = None if hi is None or hi <= k else hi
            if h > 1 and (hi is None or hi - k >= 2):
                # the monotone certificate: gallop up, then bisect below a failure
                target = k + h if hi is None else (k + hi) // 2
                nxt = engine.run(share(target), follow=cur)
                runs += 1
                if nxt is not None:
                    k, cur = target, nxt
                    if hi is None:
                        h *= 2
                else:
                    hi = target
                continue
            # the next share itself: replay as far as MES agrees, then plain MES
            nxt = engine.run(share(k + 1), follow=cur, switch=True, track_slopes=slopes)
            runs += 1
            assert nxt is not None
            k += 1
            prev, cur = cur, nxt
            hi = None
            if nxt.extra["diverged"] is None or nxt.selected == prev.selected:
                h = max(gallop, h)
                continue  # same selections in the same order: nothing new to check
            break


def _shifted(run: MesRun, delta: int) -> MesRun:
    """The run at ``share + delta`` when the affine certificate covers it: same selections,
    each round's rho moved along its exact slope (all a follow-up replay needs)."""
    d = Fraction(delta)
    steps = []
    for rec in run.steps:
        assert rec.drho is not None
        assert rec.dq is not None
        new = copy(rec)
        new.rho = rec.rho + rec.drho * d
        new.q = rec.q + rec.dq * d
        new.ev = None  # budgets moved: no float data for the refined certificate
        new.rest = None
        steps.append(new)
    out = copy(run)
    out.share = run.share + d
    out.steps = steps
    out.history = None  # the affine certificate was for the original share: never reuse it
    out.group_budget_f = None
    out.extra = {**run.extra, "delta_b": run.extra["delta_b"] * 2}
    return out


# ---------------------------------------------------------------------------- jumps
@dataclass(eq=False)
class _Constraints:
    """Float data of all affine inequalities of a run, ``a + s*Δ >= 0`` (or ``> 0``)."""

    roots: float
    t1: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]  # (step, groups, a, s)
    t2: list[tuple[int, np.ndarray, np.ndarray]]  # (step, a, s)


def safe_jump(run: MesRun, unit: int) -> int | None:
    """Largest ``k₁ >= 0`` such that the run's outcome is certainly the same at
    ``share + k₁*unit``; ``None`` if it is the same for every larger share."""
    steps = run.steps
    T = len(steps)
    assert run.history is not None
    assert run.group_budget_f is not None
    H = run.history[:, :T]
    bf = run.group_budget_f
    dq_f = np.array([float(r.dq) for r in steps]) if T else np.zeros(0)  # type: ignore[arg-type]
    dB_f = 1.0 - (H @ dq_f if T else np.zeros(len(bf)))
    best = math.inf

    t1 = []
    for t, rec in enumerate(steps):
        g = rec.groups
        cap = rec.capped
        qf = float(rec.q)
        a = np.where(cap, qf - bf[g], bf[g] - qf)
        s = np.where(cap, dq_f[t] - dB_f[g], dB_f[g] - dq_f[t])
        neg = s < 0
        if neg.any():
            best = min(best, float(np.min(np.maximum(a[neg], 0.0) / -s[neg])))
        t1.append((t, g, a, s))
    t2 = []
    for t, rec in enumerate(steps):
        if rec.rest is None:
            continue
        assert rec.rest_lo_f is not None
        assert rec.rest_dlo_f is not None
        a = rec.rest_lo_f - float(rec.rho)
        s = rec.rest_dlo_f - float(rec.drho)  # type: ignore[arg-type]
        neg = s < 0
        if neg.any():
            best = min(best, float(np.min(np.maximum(a[neg], 0.0) / -s[neg])))
        t2.append((t, a, s))
    costs = run.engine.costs
    for rm in run.removals:
        assert rm.dmoney is not None
        if rm.dmoney > 0:
            best = min(best, float((costs[rm.j] - rm.money) / rm.dmoney))
    if math.isinf(best):
        return None
    kf = best / unit
    k1 = 2**40 if kf >= 2**40 else max(0, math.ceil(kf) - 1)
    cons = _Constraints(best, t1, t2)
    tried = 0
    while k1 > 0:
        if _holds(run, cons, dq_f, dB_f, k1 * unit):
            return k1
        tried += 1
        k1 = k1 - 1 if tried == 1 else k1 // 2
    return 0


def _holds(run: MesRun, cons: _Constraints, dq_f: np.ndarray, dB_f: np.ndarray, delta: int) -> bool:
    """Do all the run's inequalities hold at share + ``delta``?  Exact (see module doc)."""
    steps = run.steps
    T = len(steps)
    eng = run.engine
    costs = eng.costs
    d = Fraction(delta)
    df = float(delta)
    for rm in run.removals:
        assert rm.dmoney is not None
        if not rm.money + rm.dmoney * d < costs[rm.j]:
            return False

    ex, sx = run.exact, run.slopes
    assert sx is not None
    assert run.history is not None
    assert run.group_budget_f is not None
    bf = run.group_budget_f
    delta_b = run.extra["delta_b"]
    delta_s = 2 * (T + 2) * U * (1.0 + float(np.abs(dq_f).sum()))
    for t, g, a, s in cons.t1:
        rec = steps[t]
        qf = float(rec.q)
        dqf = float(dq_f[t])
        f = a + s * df
        err = (
            delta_b
            + 2 * U * (qf + np.abs(bf[g]))
            + df * (delta_s + 2 * U * (abs(dqf) + np.abs(dB_f[g])))
            + 2 * U * (np.abs(a) + np.abs(s) * df)
        )
        unsure = np.flatnonzero(~(f > 2 * err))
        if len(unsure) == 0:
            continue
        assert rec.dq is not None
        for i in unsure.tolist():
            gi = int(g[i])
            row = run.history[gi, :T]
            b = Fraction(ex.budget(row), ex.den)
            db = Fraction(sx.budget(row), sx.den)
            val = (rec.q - b) + (rec.dq - db) * d
            if not rec.capped[i]:
                val = -val
            if val < 0:
                return False
    rank = eng.rank
    for t, a, s in cons.t2:
        rec = steps[t]
        assert rec.rest is not None
        assert rec.rest_lo is not None
        assert rec.rest_dlo is not None
        assert rec.rest_lo_f is not None
        assert rec.rest_dlo_f is not None
        assert rec.drho is not None
        f = a + s * df
        err = (
            4 * U * (np.abs(rec.rest_lo_f) + abs(float(rec.rho)))
            + 4 * U * (np.abs(rec.rest_dlo_f) + abs(float(rec.drho))) * df
            + 2 * U * (np.abs(a) + np.abs(s) * df)
        )
        unsure = np.flatnonzero(~(f > 2 * err))
        for i in unsure.tolist():
            j = int(rec.rest[i])
            val = (rec.rest_lo[i] - rec.rho) + (rec.rest_dlo[i] - rec.drho) * d
            if val < 0 or (val == 0 and rank[j] < rank[rec.j]):
                return False
    return True
