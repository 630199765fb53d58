"""Shared helpers for the tally and pabulib tests: where the real elections are, and a cache.

The 25 real elections live outside the repository (``KOPA_PABULIB_DIR``, default: the
``shared/pabulib`` folder beside the project root) and are never copied into it.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from budgeting.pabulib import PabulibElection, read_pabulib, to_tally_input
from budgeting.tally import Instance, Profile

PROJECT_ROOT = Path(__file__).resolve().parents[3]
PABULIB_DIR = Path(os.environ.get("KOPA_PABULIB_DIR") or PROJECT_ROOT.parent / "shared" / "pabulib")
REFERENCE_CSV = PABULIB_DIR / "reference.csv"
MISSING_REASON = (
    f"no pabulib files at {PABULIB_DIR} (set KOPA_PABULIB_DIR to the shared/pabulib folder)"
)

RULE_COLUMNS = {
    "greedy": "greedy_selected",
    "mes": "mes_selected",
    "equal-shares": "equal_shares_selected",
    "equal-shares-greedy": "equal_shares_greedy_selected",
}


def pb_files() -> list[Path]:
    """The shared ``.pb`` files, smallest first (empty when the folder is missing)."""
    if not PABULIB_DIR.is_dir():
        return []
    return sorted(PABULIB_DIR.glob("*.pb"), key=lambda p: (p.stat().st_size, p.name))


@cache
def reference() -> dict[str, dict[str, str]]:
    """reference.csv rows by file name."""
    if not REFERENCE_CSV.is_file():
        return {}
    with REFERENCE_CSV.open(encoding="utf-8", newline="") as fh:
        return {row["file"]: row for row in csv.DictReader(fh)}


@dataclass(frozen=True, eq=False)
class Loaded:
    election: PabulibElection
    instance: Instance
    profile: Profile


@cache
def load(name: str) -> Loaded:
    """Parse one shared file once per test session (profiles also cache their arrays)."""
    election = read_pabulib(PABULIB_DIR / name)
    instance, profile = to_tally_input(election)
    return Loaded(election, instance, profile)
