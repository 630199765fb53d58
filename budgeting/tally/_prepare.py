"""Array form of a profile: the one-time preparation every rule starts from.

Rules never loop over voters in Python.  A profile is turned once into

* per-project *support* for the greedy rules (approvals, total points, or Borda-like
  ``len(ballot) - rank`` points for ordinal ballots), as exact integers;
* the *distinct approval sets* with their multiplicities, in CSR form (set -> projects) and CSC
  form (project -> sets).  Under the Method of Equal Shares with cost satisfaction, voters with
  the same approval set start with the same share and always pay the same amounts, so MES only
  ever needs one row per distinct set (Łódź 2023: 70,747 voters, 34,147 sets; Wrocław 2023:
  78,082 voters, 52 sets).

Duplicate projects inside one ballot are resolved the way pabutools resolves them: approval and
choose-1 count the project once, cumulative keeps the last points given, ordinal keeps the first
(best) position.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np

from budgeting.tally.types import Profile

_MAX_EXACT_FLOAT = 2**53


@dataclass(frozen=True, eq=False)
class Prepared:
    """Arrays derived from a :class:`Profile` for an instance with ``num_projects`` projects."""

    kind: str
    num_projects: int
    num_voters: int
    support: tuple[int, ...]
    """Greedy support per project (exact Python ints)."""
    approvals: np.ndarray
    """Number of voters whose ballot contains the project (MES supporters), int64."""
    set_weight: np.ndarray
    """Multiplicity of each distinct approval set, int64."""
    set_ptr: np.ndarray
    set_proj: np.ndarray
    proj_ptr: np.ndarray
    proj_sets: np.ndarray

    @property
    def num_sets(self) -> int:
        return len(self.set_weight)

    def supporters(self, j: int) -> np.ndarray:
        """Indices of the distinct approval sets that contain project ``j``."""
        return self.proj_sets[self.proj_ptr[j] : self.proj_ptr[j + 1]]


def _flatten(profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    ballots = profile.ballots
    lengths = np.fromiter(map(len, ballots), dtype=np.int64, count=len(ballots))
    total = int(lengths.sum())
    proj = np.fromiter(chain.from_iterable(ballots), dtype=np.int64, count=total)
    voter = np.repeat(np.arange(len(ballots), dtype=np.int64), lengths)
    pts = None
    if profile.points is not None:
        plen = np.fromiter(map(len, profile.points), dtype=np.int64, count=len(ballots))
        bad = np.flatnonzero(plen != lengths)
        if len(bad):
            i = int(bad[0])
            raise ValueError(f"ballot {i} lists {lengths[i]} projects but {plen[i]} points")
        pts = np.fromiter(chain.from_iterable(profile.points), dtype=np.int64, count=total)
    return voter, proj, pts


def _dedupe(
    kind: str, voter: np.ndarray, proj: np.ndarray, pts: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
    """Drop repeated (voter, project) rows; return rows sorted by (voter, position) and ranks.

    Input rows must be grouped by voter in ballot order.  ``rank`` is the 0-based position of
    the row among the kept rows of its ballot (used for ordinal support).
    """
    n = len(proj)
    pos = np.arange(n, dtype=np.int64)
    if n:
        order = np.lexsort((pos, proj, voter))  # by voter, project, original position
        sv, sp = voter[order], proj[order]
        same_as_prev = np.zeros(n, dtype=bool)
        same_as_prev[1:] = (sv[1:] == sv[:-1]) & (sp[1:] == sp[:-1])
        if same_as_prev.any():
            if kind == "cumulative":
                # keep the last points given, at the position of the first mention
                assert pts is not None
                run_start = np.flatnonzero(~same_as_prev)
                run_end = np.append(run_start[1:], n) - 1
                new_pts = pts[order][run_end]
                keep = order[run_start]
                pts = pts.copy()
                pts[keep] = new_pts
                keep.sort()
            else:
                keep = np.sort(order[~same_as_prev])
            voter, proj = voter[keep], proj[keep]
            if pts is not None:
                pts = pts[keep]
    # rank inside each ballot among kept rows
    n = len(proj)
    if n:
        starts = np.flatnonzero(np.r_[True, voter[1:] != voter[:-1]])
        run_len = np.diff(np.append(starts, n))
        rank = np.arange(n, dtype=np.int64) - np.repeat(starts, run_len)
    else:
        rank = np.zeros(0, dtype=np.int64)
    return voter, proj, pts, rank


def prepare_arrays(
    kind: str,
    num_voters: int,
    num_projects: int,
    voter: np.ndarray,
    proj: np.ndarray,
    pts: np.ndarray | None,
) -> Prepared:
    """Build :class:`Prepared` from rows grouped by voter (in ballot order)."""
    if len(proj) and (proj.min() < 0 or proj.max() >= num_projects):
        bad = int(proj[(proj < 0) | (proj >= num_projects)][0])
        raise ValueError(f"ballot references project index {bad}, outside 0..{num_projects - 1}")
    voter, proj, pts, rank = _dedupe(kind, voter, proj, pts)
    n = len(proj)

    # greedy support
    if kind == "cumulative":
        assert pts is not None
        if len(pts) and pts.min() < 0:
            raise ValueError("cumulative points must be non-negative")
        weights = pts
    elif kind == "ordinal":
        ballot_len = np.bincount(voter, minlength=num_voters)
        weights = ballot_len[voter] - rank
    else:
        weights = None
    if weights is None:
        support_arr = np.bincount(proj, minlength=num_projects).astype(np.int64)
        support = tuple(int(x) for x in support_arr)
    elif n and int(weights.sum()) >= _MAX_EXACT_FLOAT:
        acc = [0] * num_projects
        for p, wt in zip(proj.tolist(), weights.tolist(), strict=True):
            acc[p] += wt
        support = tuple(acc)
    else:
        sums = np.bincount(proj, weights=weights.astype(np.float64), minlength=num_projects)
        support = tuple(int(x) for x in np.rint(sums))

    approvals = np.bincount(proj, minlength=num_projects).astype(np.int64)

    # distinct approval sets as bitsets -> unique rows
    words = max(1, (num_projects + 63) // 64)
    if n:
        order = np.lexsort((proj, voter))
        sv, sp = voter[order], proj[order]
        key = sv * words + sp // 64
        bit = np.left_shift(np.uint64(1), (sp % 64).astype(np.uint64))
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        packed = np.add.reduceat(bit, starts)  # distinct bits: sum == bitwise or
        bits = np.zeros(num_voters * words, dtype=np.uint64)
        bits[key[starts]] = packed
    else:
        sv = sp = np.zeros(0, dtype=np.int64)
        bits = np.zeros(num_voters * words, dtype=np.uint64)
    rows = bits.reshape(num_voters, words)
    if num_voters:
        _, first, inverse, counts = np.unique(
            rows, axis=0, return_index=True, return_inverse=True, return_counts=True
        )
        inverse = inverse.reshape(-1)
    else:
        first = inverse = counts = np.zeros(0, dtype=np.int64)
    num_sets = len(first)
    # CSR of distinct sets from a representative voter of each set
    vptr = np.zeros(num_voters + 1, dtype=np.int64)
    if n:
        np.cumsum(np.bincount(sv, minlength=num_voters), out=vptr[1:])
    rep_len = vptr[first + 1] - vptr[first]
    set_ptr = np.zeros(num_sets + 1, dtype=np.int64)
    np.cumsum(rep_len, out=set_ptr[1:])
    total = int(set_ptr[-1])
    if total:
        offs = np.arange(total, dtype=np.int64) - np.repeat(set_ptr[:-1], rep_len)
        set_proj = sp[np.repeat(vptr[first], rep_len) + offs]
    else:
        set_proj = np.zeros(0, dtype=np.int64)
    set_of_entry = np.repeat(np.arange(num_sets, dtype=np.int64), rep_len)
    by_proj = np.argsort(set_proj, kind="stable")
    proj_sets = set_of_entry[by_proj]
    proj_ptr = np.zeros(num_projects + 1, dtype=np.int64)
    np.cumsum(np.bincount(set_proj, minlength=num_projects), out=proj_ptr[1:])
    del inverse
    return Prepared(
        kind=kind,
        num_projects=num_projects,
        num_voters=num_voters,
        support=support,
        approvals=approvals,
        set_weight=counts.astype(np.int64),
        set_ptr=set_ptr,
        set_proj=set_proj,
        proj_ptr=proj_ptr,
        proj_sets=proj_sets,
    )


def prepared(profile: Profile, num_projects: int) -> Prepared:
    """The (cached) array form of ``profile`` for an instance with ``num_projects`` projects."""
    key = ("prepared", num_projects)
    cached = profile._cache.get(key)
    if cached is None:
        rows: Any = profile._cache.get(("rows",))
        voter, proj, pts = rows if rows is not None else _flatten(profile)
        cached = prepare_arrays(profile.kind, profile.num_voters, num_projects, voter, proj, pts)
        profile._cache[key] = cached
    return cached
