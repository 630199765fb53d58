"""The Method of Equal Shares (MES) with cost satisfaction — exact, and fast on big cities.

Semantics (those of pabutools' ``method_of_equal_shares(sat_class=Cost_Sat)``)
-----------------------------------------------------------------------------
Every voter, including those whose ballot is empty, starts with the share ``b = budget / n``.
A project on a ballot counts as approved whatever its points or rank.  Only projects with a
supporter and a positive cost take part: with cost satisfaction a project that costs nothing
gives nobody any satisfaction, so pabutools never selects it (the greedy completion of
``equal-shares-greedy`` funds it, since it always fits).  Then,
round after round: for each remaining project ``j`` with cost ``c`` let ``q_j`` be the smallest
amount such that its supporters, each paying ``min(budget_i, q_j)``, cover ``c``; its price per
unit of satisfaction is ``rho_j = q_j / c``.  The project with the smallest ``rho`` is selected
(ties: the tie-break rank, pabutools' default being the project id), each supporter pays
``min(budget_i, q_j)``.  Projects whose supporters together hold less than their cost drop out
for good (budgets never grow within a run).  The run ends when no project is affordable.

How it is fast
--------------
* Voters with the same approval set stay interchangeable, so the run works on distinct sets with
  multiplicities (see :mod:`budgeting.tally._prepare`).
* Better: voters who have paid for the same selected projects hold the same budget, whatever
  else they approved.  Voters are kept in *groups* (one budget per group); a selection splits the
  groups its supporters are in.  A group's budget is always ``b - sum(q_t for t in history)``:
  a voter who could not pay the full ``q_t`` paid everything and leaves the run.
* Projects are evaluated lazily, as pabutools does: ``rho`` only grows during a run, so an old
  value is a lower bound and a project whose old value is above the best found in this round
  need not be recomputed.  A project none of whose supporters paid since its last evaluation
  keeps its exact value (the co-approval matrix says whom a selection touches).
* Affordability is screened with a cheap lower bound of each project's money (start at
  ``supporters * b``; a selection of ``s`` at price ``q`` removes at most
  ``coapproval[s, j] * q``); only projects whose bound falls below their cost are looked at.

Measured on the largest shared files (Łódź 2023, 70,747 voters, 139 projects): about 10 ms
per run, against 27 s for pabutools.

Why it is exact
---------------
Every decision (which project has the smallest ``rho``, ties, which supporters pay everything,
whether a project is affordable) is decided on exact rationals; floats are only used to guess,
and every guess is confirmed exactly:

* The exact numbers are ``b`` and the prices ``q_1..q_T`` of the selected projects, stored as
  integer numerators over one common denominator (:class:`_Exact`).  A group's budget is ``b``
  minus the sum of the ``q_t`` in its history, so every sum of budgets the rule needs is an
  integer combination ``N*b - sum(coef_t * q_t)`` — an exact big-integer dot product with at
  most ``T`` terms, however many voters there are.
* Each group also carries a float budget ``bf = fl(b) - fl(q_1) - ...``.  Each ``fl(q_t)`` is
  correctly rounded and every budget along the way is at most ``b``, so
  ``|bf - budget| <= delta_B = 4 (T + 1) u b`` (``u = 2**-53``; each step adds at most one
  rounding of ``q_t`` and one of the subtraction, both below ``u b``).
* To compute ``q_j`` the float budgets are sorted and walked to guess which supporters pay
  everything ("capped").  The exact ``q_j`` is then computed from that guess, and the guess is
  checked: capped groups need ``budget <= q_j``, the others ``budget >= q_j``.  Groups whose
  float budget is more than ``delta_B + 2 u q_j`` away from ``fl(q_j)`` are certainly on the
  right side; the few closer ones are checked exactly.  If any check fails the project is
  recomputed with a fully exact walk (integer numerators over the common denominator).
* ``rho`` values are compared through their correctly rounded floats: rounding is monotone, so
  ``fl(x) < fl(y)`` implies ``x < y``; only equal floats are compared exactly.
* Affordability (supporters' money ``>= c``) is decided by the float sum only when it is farther
  from ``c`` than its error bound, exactly otherwise.
* Only projects are ever compared; every amount and every ``rho`` reported in explanations is
  exact (``share_exact``) or a float *of* an exact value.

Add1 support
------------
With ``track_slopes=True`` a run also records, for every exact number, its derivative with
respect to the starting share ``b`` plus the inequalities that keep its decisions valid; with
``follow=`` it replays another run's order of selection and certifies it (see
:mod:`budgeting.tally.add1` for how these let Add1 skip shares where nothing can change).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from budgeting.tally._prepare import Prepared
from budgeting.tally.types import Explanation, Instance

U = 2.0**-53


class _Exact:
    """A base value and the prices ``q_t`` as integer numerators over one common denominator."""

    __slots__ = ("base", "den", "q")

    def __init__(self, base: Fraction) -> None:
        self.den: int = base.denominator
        self.base: int = base.numerator
        self.q: list[int] = []

    def combo(self, const: int, n_base: int, coefs: list[int]) -> int:
        """Numerator (over ``den``) of ``const - n_base * base + sum(coefs[t] * q[t])``."""
        acc = const * self.den - n_base * self.base
        for c, v in zip(coefs, self.q, strict=False):
            if c:
                acc += c * v
        return acc

    def budget(self, history: np.ndarray) -> int:
        """Numerator of ``base - sum(q[t] for t in history)`` (history: bool row)."""
        acc = self.base
        for t in np.flatnonzero(history).tolist():
            acc -= self.q[t]
        return acc

    def push(self, value: Fraction) -> None:
        d = value.denominator
        g = math.gcd(self.den, d)
        m = d // g
        if m != 1:
            self.den *= m
            self.base *= m
            self.q = [v * m for v in self.q]
        self.q.append(value.numerator * (self.den // d))


@dataclass(eq=False)
class _Eval:
    """The exact outcome of computing ``q_j`` for one project in one round."""

    j: int
    q: Fraction
    rho: Fraction
    rho_f: float
    groups: np.ndarray  # supporter groups, ascending budget
    counts: np.ndarray  # voters per group (float, exact integers)
    m: int  # groups[:m] pay everything they have
    coefs: list[int]
    n_capped: int
    r_uncapped: int
    dq: Fraction | None = None  # d q / d b
    drho: Fraction | None = None
    bud: np.ndarray | None = None  # float budgets of `groups`


@dataclass(eq=False)
class _Removal:
    """A project found unaffordable in ``step`` (for Add1's jump constraints)."""

    j: int
    step: int
    money: Fraction  # supporters' money at that point
    dmoney: Fraction | None  # its derivative in b


@dataclass(eq=False)
class StepRecord:
    """What happened in one round of a run (enough to explain it and to bound Add1 jumps)."""

    j: int
    q: Fraction
    rho: Fraction
    dq: Fraction | None
    drho: Fraction | None
    groups: np.ndarray
    capped: np.ndarray  # bool per group
    tied_with: tuple[int, ...]
    supporters: int
    n_capped: int
    # type-2 snapshot: projects still in the race and their lower bounds at this round
    rest: np.ndarray | None = None
    rest_lo_f: np.ndarray | None = None
    rest_dlo_f: np.ndarray | None = None
    rest_lo: list[Fraction] | None = None
    rest_dlo: list[Fraction] | None = None
    ev: _Eval | None = None


@dataclass(eq=False)
class MesRun:
    """One MES run at one starting share."""

    share: Fraction
    selected: list[int]  # in selection order
    steps: list[StepRecord]
    removals: list[_Removal]
    removed_at: dict[int, int]
    money_at_removal: dict[int, float]
    exact: _Exact
    slopes: _Exact | None
    engine: MesEngine
    spent_on: np.ndarray | None = None  # [project, step] money its supporters paid for step
    group_budget_f: np.ndarray | None = None
    history: np.ndarray | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class MesEngine:
    """Prepared MES for one (instance, profile); :meth:`run` it at any starting share."""

    def __init__(
        self,
        instance: Instance,
        prep: Prepared,
        rank: tuple[int, ...],
        coapp: np.ndarray | None = None,
    ) -> None:
        self.instance = instance
        self.prep = prep
        self.rank = rank
        self.costs = instance.costs
        self.cost_f = np.array(instance.costs, dtype=np.float64)
        self.P = instance.num_projects
        approvals = prep.approvals
        self.approvals = [int(a) for a in approvals]
        self.candidates = [j for j in range(self.P) if approvals[j] > 0 and self.costs[j] > 0]
        self.wf = prep.set_weight.astype(np.float64)
        self._supp = [prep.supporters(j) for j in range(self.P)]
        self.coapp = coapproval(prep) if coapp is None else coapp
        self.touches = self.coapp > 0

    # ------------------------------------------------------------------ run
    def run(
        self,
        share: Fraction,
        *,
        track_slopes: bool = False,
        explain: bool = False,
        follow: MesRun | None = None,
        switch: bool = False,
    ) -> MesRun | None:
        """Run MES with every voter starting at ``share`` (minor units, exact).

        With ``follow`` (a run at a smaller share), do not choose: replay ``follow``'s
        selections and return None as soon as the certificate of :mod:`budgeting.tally.add1`
        fails — some other project's rho here is below the winner's rho in ``follow`` (or
        equal and preferred by the tie-break), or a project is still affordable at the end.
        If it returns a run, MES selects the same projects in the same order for every share
        between ``follow.share`` and ``share``, and the run returned is MES at ``share``.
        With ``switch=True`` a failed certificate does not abort: the run carries on as plain
        MES from the round that failed (the rounds before it are MES's own choices here too),
        and ``run.extra["diverged"]`` is that round's index (None if the certificate held).
        """
        P = self.P
        costs = self.costs
        cost_f = self.cost_f
        rank = self.rank
        ex = _Exact(share)
        sx = _Exact(Fraction(1)) if track_slopes else None
        b0f = float(share)
        T_cap = len(self.candidates) + 1
        st = _State(self.prep.num_sets, T_cap, b0f)

        # lo[j]: exact lower bound of rho_j — its exact current value unless dirty[j]
        lo: list[Fraction | None] = [None] * P
        lo_f = np.full(P, np.inf)
        dlo: list[Fraction] = [Fraction(0)] * P
        dlo_f = np.zeros(P)
        last_eval: list[_Eval | None] = [None] * P
        dirty = np.zeros(P, dtype=bool)
        for j in self.candidates:
            lo[j] = Fraction(1, self.approvals[j])
            lo_f[j] = float(lo[j])
        # money_lb[j]: a float lower bound of the money j's supporters hold (see _money)
        money_lb = self.prep.approvals * b0f
        money_base = money_lb.copy()
        money_paid = np.zeros(P)
        remaining = np.array(self.candidates, dtype=np.int64)
        selected: list[int] = []
        steps: list[StepRecord] = []
        removals: list[_Removal] = []
        removed_at: dict[int, int] = {}
        money_at_removal: dict[int, float] = {}
        spent_cols: list[np.ndarray] = []
        # With track_slopes, a project found unaffordable stays a "ghost" in the race (it can
        # never win) until the lazy search would have looked at it; only then is its money
        # recorded.  The later that happens, the less money its supporters have left and the
        # looser the inequality "still unaffordable" that Add1's jumps must respect.
        ghosts: list[int] = []
        diverged: int | None = None
        refine = None
        if follow is not None and not switch:
            refine = (
                float(share - follow.share),
                float(follow.extra["delta_b"]),
                4 * (len(follow.steps) + 2) * U * b0f,
            )

        while len(remaining):
            step_no = len(steps) + 1
            # 1. drop projects whose supporters together hold less than the cost
            err = 4 * (st.T + 2) * U * (money_base + money_paid) + 4 * U * cost_f
            unsure = remaining[money_lb[remaining] - err[remaining] < cost_f[remaining]]
            dropped = []
            for j in unsure.tolist():
                money_f, certain = self._money_float(j, st)
                if certain is None:
                    certain = self._money(j, st, ex, None)[0] >= costs[j]
                if certain:
                    money_lb[j] = money_base[j] = money_f
                    money_paid[j] = 0.0
                    continue
                dropped.append(j)
                removed_at[j] = step_no
                money_at_removal[j] = money_f
                if track_slopes:
                    ghosts.append(j)
            if dropped:
                remaining = remaining[~np.isin(remaining, dropped)]
            if follow is not None:
                ok = True
                if len(steps) == len(follow.steps):
                    ok = not len(remaining)  # something still affordable: MES would go on
                    if ok:
                        break
                else:
                    target = follow.steps[len(steps)]
                    ok = target.j in remaining.tolist() and self._certify_step(
                        target,
                        remaining,
                        (lo, lo_f, dlo, dlo_f),
                        dirty,
                        last_eval,
                        st,
                        ex,
                        sx,
                        refine,
                    )
                if not ok:
                    if not switch:
                        return None
                    diverged = len(steps)
                    follow = None
                else:
                    j = target.j
                    best = last_eval[j] if not dirty[j] else None
                    if best is None:
                        best = self._evaluate(j, st, ex, sx)
                        last_eval[j] = best
                        dirty[j] = False
                    best_rho, best_f, tied = best.rho, best.rho_f, [j]
            if not len(remaining):
                break
            # 2. lazy search for the smallest rho
            if follow is None:
                order = remaining[np.argsort(lo_f[remaining], kind="stable")]
                best_rho: Fraction | None = None
                best_f = np.inf
                tied: list[int] = []
                for j in order.tolist():
                    if best_rho is not None:
                        if lo_f[j] > best_f:
                            break
                        if lo_f[j] == best_f and lo[j] > best_rho:  # type: ignore[operator]
                            break
                    if dirty[j]:
                        ev = self._evaluate(j, st, ex, sx)
                        last_eval[j] = ev
                        dirty[j] = False
                        lo[j] = ev.rho
                        lo_f[j] = ev.rho_f
                        if track_slopes:
                            assert ev.drho is not None
                            dlo[j] = ev.drho
                            dlo_f[j] = float(ev.drho)
                    rho = lo[j]
                    rf = lo_f[j]
                    assert rho is not None
                    if best_rho is None or rf < best_f or (rf == best_f and rho < best_rho):
                        best_rho, best_f, tied = rho, rf, [j]
                    elif rf == best_f and rho == best_rho:
                        tied.append(j)
                if best_rho is None:
                    break
                j = min(tied, key=lambda i: rank[i])
            assert best_rho is not None
            if ghosts:
                assert sx is not None
                keep = []
                for g in ghosts:
                    if lo_f[g] < best_f or (lo_f[g] == best_f and lo[g] <= best_rho):  # type: ignore[operator]
                        money, dmoney, _ = self._money(g, st, ex, sx)
                        removals.append(_Removal(g, step_no, money, dmoney))
                    else:
                        keep.append(g)
                ghosts = keep
            best = last_eval[j]
            if best is None:  # never evaluated: its rho is still exactly 1 / supporters
                best = self._evaluate(j, st, ex, sx)
                assert best.rho == best_rho
            remaining = remaining[remaining != j]
            rec = StepRecord(
                j=j,
                q=best.q,
                rho=best.rho,
                dq=best.dq,
                drho=best.drho,
                groups=best.groups,
                capped=np.arange(len(best.groups)) < best.m,
                tied_with=tuple(i for i in tied if i != j),
                supporters=self.approvals[j],
                n_capped=best.n_capped,
                ev=best,
            )
            if track_slopes and (len(remaining) or ghosts):
                rest = np.concatenate([remaining, np.array(ghosts, dtype=np.int64)])
                rec.rest = rest
                rec.rest_lo_f = lo_f[rest].copy()
                rec.rest_dlo_f = dlo_f[rest].copy()
                rl = rest.tolist()
                rec.rest_lo = [lo[i] for i in rl]  # type: ignore[misc]
                rec.rest_dlo = [dlo[i] for i in rl]
            steps.append(rec)
            selected.append(j)
            col = self._apply(best, st, ex, sx, explain)
            if col is not None:
                spent_cols.append(col)
            # supporters of j paid at most q each: lower the money bounds of what they approve
            paid = self.coapp[j] * float(best.q)
            money_lb -= paid
            money_paid += paid
            dirty |= self.touches[j]

        for g in ghosts:  # still unaffordable at the very end
            assert sx is not None
            money, dmoney, _ = self._money(g, st, ex, sx)
            removals.append(_Removal(g, len(steps) + 1, money, dmoney))
        run = MesRun(
            share=share,
            selected=selected,
            steps=steps,
            removals=removals,
            removed_at=removed_at,
            money_at_removal=money_at_removal,
            exact=ex,
            slopes=sx,
            engine=self,
        )
        run.extra["diverged"] = diverged
        if follow is not None and len(steps) < len(follow.steps):
            # ran out of affordable projects before the replay ended
            if not switch:
                return None
            run.extra["diverged"] = len(steps)
        run.extra["delta_b"] = 4 * (len(steps) + 1) * U * b0f
        if track_slopes:
            run.group_budget_f = st.bf[: st.ng]
            run.history = st.H[: st.ng]
        if explain:
            run.spent_on = (
                np.stack(spent_cols, axis=1) if spent_cols else np.zeros((P, 0), dtype=float)
            )
        return run

    def _certify_step(
        self,
        target: StepRecord,
        remaining: np.ndarray,
        bounds: tuple[list[Fraction | None], np.ndarray, list[Fraction], np.ndarray],
        dirty: np.ndarray,
        last_eval: list[_Eval | None],
        st: _State,
        ex: _Exact,
        sx: _Exact | None,
        refine: tuple[float, float, float] | None,
    ) -> bool:
        """Is every other project's rho here at least ``target.rho`` (strictly more if the
        tie-break prefers it)?  Lazy, like the search for the minimum.

        ``refine = (D, delta_a, delta_c)``: the share here exceeds the followed run's by ``D``
        (float budget errors ``delta_a`` there, ``delta_c`` here).  A project failing the plain
        comparison then gets the finer certificate of :func:`_refined_ok`.
        """
        lo, lo_f, dlo, dlo_f = bounds
        rb = target.rho
        rbf = float(rb)
        rank = self.rank
        tr = rank[target.j]
        order = remaining[np.argsort(lo_f[remaining], kind="stable")]
        for j in order.tolist():
            if j == target.j:
                continue
            if lo_f[j] > rbf or (lo_f[j] == rbf and lo[j] > rb):  # type: ignore[operator]
                break
            if dirty[j]:
                ev = self._evaluate(j, st, ex, sx)
                last_eval[j] = ev
                dirty[j] = False
                lo[j] = ev.rho
                lo_f[j] = ev.rho_f
                if sx is not None:  # keep the bound's slope in step with the bound
                    assert ev.drho is not None
                    dlo[j] = ev.drho
                    dlo_f[j] = float(ev.drho)
            r = lo[j]
            assert r is not None
            if r < rb or (r == rb and rank[j] < tr):
                if refine is None:
                    return False
                ev_j = last_eval[j]
                if ev_j is None:
                    ev_j = last_eval[j] = self._evaluate(j, st, ex, sx)
                if target.ev is None or not _refined_ok(target.ev, ev_j, self.costs, *refine):
                    return False
        return True

    def _supporter_groups(self, j: int, st: _State) -> tuple[np.ndarray, np.ndarray]:
        """Live groups holding supporters of ``j`` and how many supporters each holds."""
        supp = self._supp[j]
        gs = st.group_of[supp]
        live = gs >= 0
        if live.all():
            ws = self.wf[supp]
        else:
            gs = gs[live]
            ws = self.wf[supp][live]
        if 16 * len(gs) < st.ng:
            groups, inv = np.unique(gs, return_inverse=True)
            return groups, np.bincount(inv.reshape(-1), weights=ws, minlength=len(groups))
        cnt = np.bincount(gs, weights=ws, minlength=st.ng)
        groups = np.flatnonzero(cnt)
        return groups, cnt[groups]

    def _money_float(self, j: int, st: _State) -> tuple[float, bool | None]:
        """Float money of ``j``'s supporters and whether it surely covers the cost (None: too
        close to tell; the caller then decides exactly).  When it surely does, the float
        returned is a lower bound of the exact money (for the caller's ``money_lb``).

        Dead voters index the always-zero last slot of ``st.bf``.  Each float budget is within
        ``delta_B`` of the exact one and at most ``b``; a dot product of ``s`` terms adds at
        most ``s u`` times the sum of their magnitudes; ``err`` bounds both, generously.
        """
        supp = self._supp[j]
        money = float(self.wf[supp] @ st.bf[st.group_of[supp]])
        n = self.approvals[j]
        err = n * (4 * (st.T + 1) * U * st.b0f + (len(supp) + 4) * U * st.b0f)
        c = self.costs[j]
        err += 4 * U * c
        if money > c + err:
            return money - err, True
        if money < c - err:
            return money, False
        return money, None

    def _money(
        self, j: int, st: _State, ex: _Exact, sx: _Exact | None
    ) -> tuple[Fraction, Fraction | None, float]:
        """Exact money of ``j``'s supporters (and its slope in ``b``), plus a float of it.

        Called only when the cheap lower bound ``money_lb`` cannot prove ``j`` affordable:
        ``money_lb`` starts at ``supporters * b`` and each selection of ``s`` subtracts
        ``coapproval[s, j] * q_s`` — at least what ``j``'s supporters really paid, since each
        pays at most ``q_s``.  Its float error is at most ``4 (T + 2) u`` times the sum of the
        magnitudes involved, which is what the caller subtracts before trusting it.
        """
        groups, counts = self._supporter_groups(j, st)
        n_all = int(counts.sum())
        coefs = self._coefs(st, groups, counts)
        money = Fraction(-ex.combo(0, n_all, coefs), ex.den)
        dmoney = None if sx is None else Fraction(-sx.combo(0, n_all, coefs), sx.den)
        return money, dmoney, float(money)

    # ------------------------------------------------------------ evaluate
    def _evaluate(self, j: int, st: _State, ex: _Exact, sx: _Exact | None) -> _Eval:
        """Exact ``q_j`` and ``rho_j`` now (the caller knows ``j`` is affordable)."""
        c = self.costs[j]
        groups, counts = self._supporter_groups(j, st)
        bud = st.bf[groups]
        if len(groups) > 1:
            o = np.argsort(bud, kind="stable")
            groups, counts, bud = groups[o], counts[o], bud[o]
        n_all = int(counts.sum())
        delta_b = 4 * (st.T + 1) * U * st.b0f
        # float guess of how many groups pay everything: the first group (by budget) that can
        # pay an equal share of what the poorer ones leave uncovered
        contrib = counts * bud
        suffix = n_all - np.cumsum(counts) + counts
        ok = (c - (np.cumsum(contrib) - contrib)) <= suffix * bud
        m = int(np.argmax(ok)) if ok.any() else len(groups) - 1
        ev = self._exact_q(j, st, ex, sx, groups, counts, bud, m, n_all, delta_b)
        if ev is None:
            ev = self._exact_walk(j, st, ex, sx, groups, counts, n_all)
        return ev

    def _coefs(self, st: _State, groups: np.ndarray, counts: np.ndarray) -> list[int]:
        if st.T == 0 or len(groups) == 0:
            return []
        return np.rint(counts @ st.H[groups, : st.T]).astype(np.int64).tolist()

    def _exact_q(
        self,
        j: int,
        st: _State,
        ex: _Exact,
        sx: _Exact | None,
        groups: np.ndarray,
        counts: np.ndarray,
        bud: np.ndarray,
        m: int,
        n_all: int,
        delta_b: float,
    ) -> _Eval | None:
        """Exact ``q_j`` assuming ``groups[:m]`` pay everything; None if that guess is wrong."""
        c = self.costs[j]
        n_capped = int(counts[:m].sum())
        r = n_all - n_capped
        if r <= 0:
            return None
        coefs = self._coefs(st, groups[:m], counts[:m])
        rem = ex.combo(c, n_capped, coefs)
        if rem <= 0:
            return None
        q = Fraction(rem, ex.den * r)
        qf = float(q)
        margin = delta_b + 2 * U * qf + 4 * U * st.b0f
        # capped groups must hold <= q, the others >= q.  Budgets farther than `margin` from
        # fl(q) are on a certain side; the band in between is checked exactly.
        lo_i = int(np.searchsorted(bud, qf - margin, side="left"))
        hi_i = int(np.searchsorted(bud, qf + margin, side="right"))
        if not lo_i <= m <= hi_i:
            return None
        for i in range(lo_i, hi_i):
            b_num = ex.budget(st.H[groups[i], : st.T])
            if i < m:
                if b_num * r > rem:
                    return None
            elif b_num * r < rem:
                return None
        rho = Fraction(rem, ex.den * r * c)
        ev = _Eval(j, q, rho, float(rho), groups, counts, m, coefs, n_capped, r, bud=bud)
        if sx is not None:
            dnum = sx.combo(0, n_capped, coefs)
            ev.dq = Fraction(dnum, sx.den * r)
            ev.drho = Fraction(dnum, sx.den * r * c)
        return ev

    def _exact_walk(
        self,
        j: int,
        st: _State,
        ex: _Exact,
        sx: _Exact | None,
        groups: np.ndarray,
        counts: np.ndarray,
        n_all: int,
    ) -> _Eval:
        """Fully exact computation of ``q_j`` (fallback when a float guess was wrong)."""
        c = self.costs[j]
        nums = [ex.budget(st.H[g, : st.T]) for g in groups.tolist()]
        cnts = [round(x) for x in counts.tolist()]
        o = sorted(range(len(nums)), key=lambda i: nums[i])
        groups = groups[o]
        counts = counts[o]
        rem = c * ex.den
        r = n_all
        m = 0
        for i in o:
            if rem <= r * nums[i]:
                break
            rem -= cnts[i] * nums[i]
            r -= cnts[i]
            m += 1
        n_capped = n_all - r
        coefs = self._coefs(st, groups[:m], counts[:m])
        q = Fraction(rem, ex.den * r)
        rho = Fraction(rem, ex.den * r * c)
        ev = _Eval(j, q, rho, float(rho), groups, counts, m, coefs, n_capped, r, bud=st.bf[groups])
        if sx is not None:
            dnum = sx.combo(0, n_capped, coefs)
            ev.dq = Fraction(dnum, sx.den * r)
            ev.drho = Fraction(dnum, sx.den * r * c)
        return ev

    # --------------------------------------------------------------- apply
    def _apply(
        self, ev: _Eval, st: _State, ex: _Exact, sx: _Exact | None, explain: bool
    ) -> np.ndarray | None:
        """Make the supporters of the selected project pay; split their groups.

        Returns (with ``explain``) the money paid, summed per project the payers approve.
        """
        t = st.T
        ex.push(ev.q)
        if sx is not None:
            assert ev.dq is not None
            sx.push(ev.dq)
        qf = float(ev.q)
        supp = self._supp[ev.j]
        gs = st.group_of[supp]
        live = gs >= 0
        supp_live = supp[live]
        gs = gs[live]
        uncapped = ev.groups[ev.m :]
        capped = ev.groups[: ev.m]
        col = None
        if explain:
            pay_by_group = np.zeros(st.ng)
            pay_by_group[capped] = np.maximum(st.bf[capped], 0.0)
            pay_by_group[uncapped] = qf
            col = self._spent_column(supp_live, pay_by_group[gs] * self.wf[supp_live])
        k = len(uncapped)
        st.ensure(st.ng + k)
        remap = np.full(st.ng, -1, dtype=np.int64)
        new_ids = np.arange(st.ng, st.ng + k, dtype=np.int64)
        remap[uncapped] = new_ids
        st.group_of[supp_live] = remap[gs]
        st.bf[new_ids] = st.bf[uncapped] - qf
        st.H[new_ids] = st.H[uncapped]
        st.H[new_ids, t] = True
        st.ng += k
        st.T += 1
        return col

    def _spent_column(self, sets: np.ndarray, pay: np.ndarray) -> np.ndarray:
        """Money paid by the given sets, summed per project they approve."""
        prep = self.prep
        starts = prep.set_ptr[sets]
        lens = prep.set_ptr[sets + 1] - starts
        total = int(lens.sum())
        if total == 0:
            return np.zeros(self.P)
        offs = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens)
        idx = np.repeat(starts, lens) + offs
        return np.bincount(prep.set_proj[idx], weights=np.repeat(pay, lens), minlength=self.P)


def _q_shifted(
    ev: _Eval, cost: int, shifts: np.ndarray, delta_b: float, *, upper: bool
) -> np.ndarray:
    """Bounds on q of ``ev``'s project when every one of its supporter groups' budgets moves
    by ``shift`` (clamped at 0), one column per shift.

    ``upper=True``: an upper bound (``inf`` never happens: callers only lower budgets... or
    raise them); ``upper=False``: a lower bound, ``inf`` when surely unaffordable.  Float
    budgets are within ``delta_b`` of the exact ones; the walk adds at most ``(G + 4) u``
    relative error per sum; the bound below is a generous multiple of both.
    """
    assert ev.bud is not None
    c = float(cost)
    counts = ev.counts[:, None]
    bud = np.maximum(ev.bud[:, None] + shifts[None, :], 0.0)
    n_all = float(ev.counts.sum())
    contrib = counts * bud
    csum = np.cumsum(contrib, axis=0)
    prefix = csum - contrib
    suffix = (n_all - np.cumsum(ev.counts) + ev.counts)[:, None]
    ok = (c - prefix) <= suffix * bud
    idx = np.argmax(ok, axis=0)
    cols = np.arange(len(shifts))
    rem = c - prefix[idx, cols]
    r = suffix[idx, 0]
    q = rem / r
    total = csum[-1]
    g = len(ev.counts)
    err = (n_all * delta_b + 4 * (g + 4) * U * (c + total)) / r + 4 * U * np.abs(q)
    err = 4 * err + 4 * U * c
    if upper:
        return q + err
    out = q - err
    surely_poor = total < c - (n_all * delta_b + 4 * (g + 4) * U * (c + total))
    out = np.where(surely_poor, np.inf, out)
    unsure = ~ok.any(axis=0) & ~surely_poor
    return np.where(unsure, -np.inf, out)


def _refined_ok(
    sel: _Eval, other: _Eval, costs: tuple[int, ...], D: float, delta_a: float, delta_c: float
) -> bool:
    """Certificate that ``other`` never beats ``sel`` for shares in ``[b_a, b_a + D]``.

    Both runs follow the same selections, so (see :mod:`budgeting.tally.add1`) at any share
    ``b`` in between, a voter alive in ``sel``'s round at ``b_a`` holds at least its budget
    there plus ``b - b_a``, and a voter alive in ``other``'s round at ``b_c = b_a + D`` holds
    at most its budget there minus ``b_c - b`` (dead ones: nothing).  So on ``[x, y]``,
    ``rho_sel(b) <= q_sel(budgets_a + (x - b_a)) / c`` and
    ``rho_other(b) >= q_other(budgets_c - (b_c - y)) / c``; cutting ``[0, D]`` into pieces
    and comparing these bounds piece by piece certifies the whole interval.
    """
    c_sel, c_other = costs[sel.j], costs[other.j]
    for m in (2, 8, 32, 128):
        left = np.arange(m) * (D / m)
        right = np.append(left[1:], D)
        upper = _q_shifted(sel, c_sel, left, delta_a, upper=True) / c_sel
        lower = _q_shifted(other, c_other, right - D, delta_c, upper=False) / c_other
        if np.all(upper < lower):
            return True
    return False


def coapproval(prep: Prepared) -> np.ndarray:
    """``C[i, j]`` = number of voters approving both ``i`` and ``j`` (float64, exact ints)."""
    P = prep.num_projects
    lens = np.diff(prep.set_ptr)
    out = np.zeros(P * P)
    # all (i, j) pairs inside each distinct set, a bounded number of pairs at a time
    sq = np.cumsum(lens * lens)
    n = prep.num_sets
    a = 0
    while a < n:
        base = sq[a - 1] if a else 0
        b = max(a + 1, int(np.searchsorted(sq, base + 4_000_000, side="right")))
        sl = lens[a:b]
        proj = prep.set_proj[prep.set_ptr[a] : prep.set_ptr[b]]
        start = prep.set_ptr[a:b] - prep.set_ptr[a]
        rep = np.repeat(sl, sl)  # each entry pairs with every entry of its set
        first = np.repeat(proj, rep)
        set_rep = np.repeat(np.repeat(np.arange(b - a), sl), rep)
        offs = np.arange(len(first)) - np.repeat(np.cumsum(rep) - rep, rep)
        second = proj[start[set_rep] + offs]
        wts = np.repeat(prep.set_weight[a:b], sl * sl).astype(np.float64)
        out += np.bincount(first * P + second, weights=wts, minlength=P * P)
        a = b
    return out.reshape(P, P)


class _State:
    """Mutable per-run state: group of each distinct set, group budgets and histories."""

    __slots__ = ("H", "T", "b0f", "bf", "group_of", "ng")

    def __init__(self, num_sets: int, t_cap: int, b0f: float) -> None:
        self.group_of = np.zeros(num_sets, dtype=np.int64)
        cap = 64
        self.bf = np.zeros(cap)
        self.bf[0] = b0f
        self.H = np.zeros((cap, t_cap), dtype=bool)
        self.ng = 1
        self.T = 0
        self.b0f = b0f

    def ensure(self, n: int) -> None:
        # the last slot is never a group: it stays 0 and is the budget of dead voters (-1)
        cap = len(self.bf)
        if n < cap:
            return
        new_cap = max(n, 2 * cap)
        bf = np.zeros(new_cap)
        bf[:cap] = self.bf
        H = np.zeros((new_cap, self.H.shape[1]), dtype=bool)
        H[:cap] = self.H
        self.bf, self.H = bf, H


# ---------------------------------------------------------------------- explanations
def explain_run(
    run: MesRun, instance: Instance, *, selected_reason: str = "selected"
) -> dict[int, Explanation]:
    """Explanations of a MES run (amounts in minor units)."""
    eng = run.engine
    ids = instance.project_ids
    costs = instance.costs
    out: dict[int, Explanation] = {}
    for n, rec in enumerate(run.steps, start=1):
        out[rec.j] = Explanation(
            ids[rec.j],
            True,
            selected_reason,  # type: ignore[arg-type]
            n,
            {
                "support": rec.supporters,
                "cost": costs[rec.j],
                "share": float(rec.q),
                "share_exact": f"{rec.q.numerator}/{rec.q.denominator}",
                "rho": float(rec.rho),
                "paid_all_they_had": rec.n_capped,
                "tied_with": [ids[t] for t in rec.tied_with],
            },
        )
    spent = run.spent_on
    for j in range(instance.num_projects):
        if j in out:
            continue
        if eng.approvals[j] == 0 or costs[j] == 0:
            # a free project gives no cost-satisfaction: for MES it is as good as unsupported
            out[j] = Explanation(
                ids[j],
                False,
                "no_support",
                None,
                {"cost": costs[j], "support": eng.approvals[j], "zero_cost": costs[j] == 0},
            )
            continue
        step = run.removed_at.get(j)
        params: dict[str, Any] = {
            "support": eng.approvals[j],
            "cost": costs[j],
            "money_left": run.money_at_removal.get(j, 0.0),
            "initial_money": float(run.share) * eng.approvals[j],
        }
        top: list[dict[str, Any]] = []
        if spent is not None and step is not None:
            cols = spent[j, : step - 1]
            for t in np.argsort(-cols, kind="stable")[:3].tolist():
                if cols[t] > 0:
                    top.append({"project_id": ids[run.steps[t].j], "amount": float(cols[t])})
        params["spent_on"] = top
        out[j] = Explanation(ids[j], False, "supporters_exhausted", step, params)
    return out
