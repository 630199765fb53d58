"""A small synthetic pabulib file for the import tests (the real ones are never copied here)."""

from __future__ import annotations

from pathlib import Path

META = {
    "description": "Test",
    "country": "Poland",
    "unit": "Town",
    "instance": "2024",
    "num_projects": "3",
    "num_votes": "19",
    "budget": "1000",
    "vote_type": "approval",
    "rule": "greedy",
    "date_begin": "01.01.2024",
    "date_end": "02.01.2024",
    "currency": "PLN",
}


def election(voters: int = 19, **meta: str) -> str:
    """``voters`` ballots for three projects, as declared; ``meta`` changes or adds META rows.

    Lines: META keys 3-14 (num_votes on 8, budget on 9), added keys after them, then PROJECTS
    with p1-p3 on 17-19 and VOTES with v1-v19 on 22-40 (when no key is added).
    """
    declared = META | {"num_votes": str(voters)} | meta
    rows = ["META", "key;value", *(f"{k};{v}" for k, v in declared.items())]
    rows += ["PROJECTS", "project_id;cost;name;latitude", "p1;500;Park;56.9"]
    rows += ["p2;300;Library;None", "p3;700;Bridge;None", "VOTES", "voter_id;vote"]
    rows += [f"v{i};p{i % 3 + 1}" for i in range(1, voters + 1)]
    return "\n".join(rows) + "\n"


def write(tmp_path: Path, text: str | bytes) -> str:
    path = tmp_path / "election.pb"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return str(path)


CUT_AFTER_11 = election()[: election().index("v12;")]
"""The file cut after 11 of its 19 declared ballots, at a line break (v11 is on line 32)."""
