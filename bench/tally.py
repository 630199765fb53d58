"""Tally benchmark: every rule on every shared pabulib file, checked against reference.csv.

    python -m bench.tally [--runs=5] [--only=Lodz,Wroclaw] [--rules=mes,equal-shares] [--live=1000]
    python -m bench tally            (the same, through the benchmark runner)

For each file it prints the time to read the ``.pb`` file, the one-time preparation of the
profile (array form, distinct approval sets, MES engine) — reported separately, as DESIGN §7
allows — and then, per rule, the median wall-clock time of ``--runs`` runs after one warm-up
(one run only when the warm-up alone takes more than ``--slow`` seconds).  Cached Equal Shares
outcomes are dropped before every run, so each run really computes.  The last column says
whether the selected set equals pabutools' in reference.csv; cells pabutools never filled in
(``timeout>600``) are shown as ``n/a`` with that reason.  The pabutools column is pabutools'
own time: run live for approval/choose-1 files of at most ``--live`` voters (0: never), taken
from reference.csv otherwise (``ref``); ``faster`` is its ratio to ours.  Exit status 1 on any
mismatch.
"""

from __future__ import annotations

import csv
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # `python bench/tally.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from budgeting.pabulib import read_pabulib, to_tally_input
from budgeting.tally import RULES, Instance, Outcome, Profile, forget_outcomes, run_rule
from budgeting.tally._prepare import prepared
from budgeting.tally.rules import engine_for
from budgeting.tally.tiebreak import TieBreak

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = {
    "greedy": ("greedy_selected", "pabutools_greedy_s"),
    "mes": ("mes_selected", "pabutools_mes_s"),
    "equal-shares": ("equal_shares_selected", "pabutools_equal_shares_s"),
    "equal-shares-greedy": ("equal_shares_greedy_selected", ""),
}


def pabulib_dir() -> Path:
    return Path(os.environ.get("KOPA_PABULIB_DIR") or ROOT.parent / "shared" / "pabulib")


def parse_args(argv: list[str]) -> dict[str, str]:
    opts = {"runs": "5", "only": "", "rules": ",".join(RULES), "slow": "3", "live": "1000"}
    for arg in argv:
        if not arg.startswith("--") or "=" not in arg:
            raise SystemExit(f"bench.tally: unknown argument {arg!r} (use --name=value)")
        key, value = arg[2:].split("=", 1)
        if key not in opts:
            raise SystemExit(f"bench.tally: unknown option --{key}; known: {sorted(opts)}")
        opts[key] = value
    return opts


def pabutools_live_seconds(path: Path, vote_type: str, rule: str) -> float | None:
    """pabutools' own time for ``rule`` on a small approval/choose-1 file, run here and now
    (cumulative and ordinal need custom satisfactions: their times come from reference.csv)."""
    if vote_type not in ("approval", "choose-1") or rule == "equal-shares-greedy":
        return None
    try:
        from pabutools.election import Cost_Sat, parse_pabulib
        from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
    except ImportError:
        return None
    instance, profile = parse_pabulib(str(path))
    run = {
        "greedy": lambda: greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat),
        "mes": lambda: method_of_equal_shares(instance, profile, sat_class=Cost_Sat),
        "equal-shares": lambda: method_of_equal_shares(
            instance, profile, sat_class=Cost_Sat, voter_budget_increment=1
        ),
    }[rule]
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def timed(fn: Callable[[], Outcome]) -> tuple[float, Outcome]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(list(sys.argv[1:] if argv is None else argv))
    runs = max(1, int(opts["runs"]))
    live_max_voters = int(opts["live"])
    slow = float(opts["slow"])
    rules = [r for r in opts["rules"].split(",") if r]
    only = [s for s in opts["only"].split(",") if s]
    folder = pabulib_dir()
    files = sorted(folder.glob("*.pb"), key=lambda p: p.stat().st_size)
    if only:
        files = [f for f in files if any(s in f.name for s in only)]
    if not files:
        print(f"bench.tally: no .pb files in {folder} (set KOPA_PABULIB_DIR)")
        return 1
    reference: dict[str, dict[str, str]] = {}
    ref_path = folder / "reference.csv"
    if ref_path.is_file():
        with ref_path.open(encoding="utf-8", newline="") as fh:
            reference = {row["file"]: row for row in csv.DictReader(fh)}

    header = (
        f"{'file':<44} {'kind':<10} {'voters':>7} {'proj':>5} {'read ms':>8} {'prep ms':>8} "
        f"{'rule':<20} {'ms':>9} {'n':>2} {'pabutools s':>13} {'faster':>8}  match"
    )
    print(f"runs: median of {runs} after a warm-up (1 run if the warm-up exceeds {slow:g} s)")
    print(header)
    print("-" * len(header))
    mismatches = 0
    for path in files:
        t_read = time.perf_counter()
        election = read_pabulib(path)
        instance, profile = to_tally_input(election)
        t_read = time.perf_counter() - t_read
        t_prep = time.perf_counter()
        prepared(profile, instance.num_projects)
        engine_for(instance, profile, TieBreak())
        t_prep = time.perf_counter() - t_prep
        row = reference.get(path.name, {})
        for rule in rules:

            def once(
                rule: str = rule, instance: Instance = instance, profile: Profile = profile
            ) -> Outcome:
                forget_outcomes(profile)
                return run_rule(rule, instance, profile)

            warm, outcome = timed(once)
            samples = [warm]
            if warm <= slow:
                samples = []
                for _ in range(runs):
                    seconds, outcome = timed(once)
                    samples.append(seconds)
            sel_col, time_col = COLUMNS[rule]
            cell = row.get(sel_col)
            timing = row.get("pabutools_equal_shares_s", "")
            if cell is None:
                verdict = "n/a (not in reference.csv)"
            elif rule.startswith("equal-shares") and timing.startswith("timeout"):
                verdict = f"n/a ({timing})"  # pabutools never finished: nothing to compare
            elif set(outcome.selected) == set(cell.split()):  # an empty cell: nothing selected
                verdict = "yes"
            else:
                verdict = "NO"
                mismatches += 1
            pabu = row.get(time_col, "") if time_col else ""
            source = "ref"
            # Live only where reference.csv shows pabutools finishing in seconds (Budapest's
            # Add1 ran past 10 minutes there).
            quick = pabu.replace(".", "", 1).isdigit() and float(pabu) < 10
            if len(election.votes) <= live_max_voters and quick:
                live = pabutools_live_seconds(path, election.vote_type, rule)
                if live is not None:
                    pabu, source = f"{live:.3f}", "live"
            ours = statistics.median(samples)
            try:
                ratio = f"{float(pabu) / ours:,.0f}x" if ours > 0 else ""
            except ValueError:
                ratio = ""
            pabu_cell = f"{pabu} {source}" if pabu else ""
            print(
                f"{path.name[:44]:<44} {election.vote_type:<10} {len(election.votes):>7} "
                f"{len(election.projects):>5} {t_read * 1000:>8.0f} {t_prep * 1000:>8.0f} "
                f"{rule:<20} {ours * 1000:>9.1f} {len(samples):>2} "
                f"{pabu_cell:>13} {ratio:>8}  {verdict}",
                flush=True,
            )
    print("-" * len(header))
    print("all outcomes match reference.csv" if not mismatches else f"{mismatches} MISMATCHES")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
