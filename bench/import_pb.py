"""Import the largest public pabulib files into PostgreSQL.

``python -m bench import [--files NAME ...]`` — seconds, ballots/s and ballot-project rows/s
per file (target: the largest file in under 30 s).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from bench import harness

DEFAULT_FILES = ("Poland_Wroclaw_2023.pb", "Poland_Lodz_2023.pb", "Poland_Krakow_2021.pb")


def pabulib_dir() -> Path:
    return Path(os.environ.get("KOPA_PABULIB_DIR", harness.ROOT.parent / "shared" / "pabulib"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench import")
    parser.add_argument("--files", nargs="*", default=list(DEFAULT_FILES))
    args = parser.parse_args(argv)
    files = [pabulib_dir() / name for name in args.files]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        print(f"  skipped: pabulib files not found ({missing[0]}); set KOPA_PABULIB_DIR")
        return 0
    with harness.scratch_database("kopa_bench_import") as url:
        harness.setup_django(url)
        from budgeting.models import Ballot
        from budgeting.services.pabulib_io import pabulib_import
        from engagement.people.permissions import SYSTEM

        print(f"  {'file':<34} {'ballots':>8} {'seconds':>8} {'ballots/s':>10} {'rows/s':>10}")
        for path in files:
            started = time.perf_counter()
            report = pabulib_import(str(path), actor=SYSTEM)
            elapsed = time.perf_counter() - started
            rows = sum(
                len(p)
                for p in Ballot.objects.filter(
                    district_budget__round=report.budget_round
                ).values_list("projects", flat=True)
            )
            print(
                f"  {path.name:<34} {report.ballots:>8,} {elapsed:>8.2f} "
                f"{report.ballots / elapsed:>10,.0f} {rows / elapsed:>10,.0f}"
            )
            if elapsed > 30:
                print("  over the 30 s target")
                return 1
    return 0
