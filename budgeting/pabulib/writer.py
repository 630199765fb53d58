"""Writer for pabulib ``.pb`` files: what :func:`read_pabulib` reads back to an equal election.

Output is UTF-8 text with LF line ends, ``;`` separators, and ``"`` quotes only where a field
needs them (a ``;``, a quote, a line break, or leading/trailing spaces that would be trimmed).
Missing values are written as ``None``; categories and targets as comma-separated lists; costs
and the budget as the exact decimals they are (``10000.0`` stays ``10000.0``).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from typing import IO

from budgeting.pabulib.model import POINTS_VOTE_TYPES, PabulibElection, PabulibProject, PabulibVote

_LIST_FIELDS = {"category": "categories", "categories": "categories"}
_LIST_FIELDS |= {"target": "targets", "targets": "targets"}


def _fmt(value: str | None) -> str:
    return "None" if value is None else value


def _project_row(p: PabulibProject, columns: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for c in columns:
        if c == "project_id":
            out.append(p.project_id)
        elif c == "cost":
            out.append(str(p.cost))
        elif c in _LIST_FIELDS:
            items = p.categories if _LIST_FIELDS[c] == "categories" else p.targets
            out.append(",".join(items) if items else "None")
        else:
            out.append(_fmt(p.fields.get(c)))
    return out


def _vote_row(v: PabulibVote, columns: tuple[str, ...], with_points: bool) -> list[str]:
    out: list[str] = []
    for c in columns:
        if c == "voter_id":
            out.append(v.voter_id)
        elif c == "vote":
            out.append(",".join(v.projects))
        elif c == "points" and with_points:
            out.append(",".join(str(x) for x in (v.points or ())))
        else:
            out.append(_fmt(v.extra.get(c)))
    return out


def _columns(
    declared: tuple[str, ...], required: tuple[str, ...], present: Iterable[str]
) -> tuple[str, ...]:
    """Declared columns in their order; a missing required column goes right after the
    required one before it (so headers start ``project_id;cost`` / ``voter_id;vote;points``);
    columns only seen in the data are appended."""
    cols = list(declared)
    for i, r in enumerate(required):
        if r not in cols:
            at = cols.index(required[i - 1]) + 1 if i else 0
            cols.insert(at, r)
    for c in present:
        if c not in cols:
            cols.append(c)
    return tuple(cols)


def write_pabulib(election: PabulibElection, target: str | os.PathLike[str] | IO[str]) -> None:
    """Write ``election`` to a path or a text stream (the stream is not closed)."""
    if isinstance(target, str | os.PathLike):
        with open(target, "w", encoding="utf-8", newline="") as fh:
            _write(election, fh)
    else:
        _write(election, target)


def dumps_pabulib(election: PabulibElection) -> str:
    """The ``.pb`` text of ``election``."""
    buf = io.StringIO()
    _write(election, buf)
    return buf.getvalue()


class _Quoting(csv.Dialect):
    delimiter = ";"
    quotechar = '"'
    doublequote = True
    lineterminator = "\n"
    quoting = csv.QUOTE_MINIMAL
    skipinitialspace = False


def _needs_quotes(value: str) -> bool:
    return value != value.strip() or any(ch in value for ch in ';"\r\n')


def _write(election: PabulibElection, fh: IO[str]) -> None:
    writer = csv.writer(fh, dialect=_Quoting)

    def row(cells: list[str]) -> None:
        # csv's minimal quoting does not protect leading/trailing spaces: quote those too
        if any(c != c.strip() for c in cells):
            fh.write(
                ";".join('"' + c.replace('"', '""') + '"' if _needs_quotes(c) else c for c in cells)
                + "\n"
            )
        else:
            writer.writerow(cells)

    fh.write("META\n")
    row(["key", "value"])
    for k, v in election.meta.items():
        row([k, v])

    extra_project_cols = {
        k for p in election.projects for k in p.fields if k not in election.project_columns
    }
    pcols = _columns(election.project_columns, ("project_id", "cost"), sorted(extra_project_cols))
    if any(p.categories for p in election.projects) and not any(
        c in pcols for c in ("category", "categories")
    ):
        pcols = (*pcols, "category")
    if any(p.targets for p in election.projects) and not any(
        c in pcols for c in ("target", "targets")
    ):
        pcols = (*pcols, "target")
    fh.write("PROJECTS\n")
    row(list(pcols))
    for p in election.projects:
        row(_project_row(p, pcols))

    with_points = election.meta.get("vote_type") in POINTS_VOTE_TYPES
    extra_vote_cols = {k for v in election.votes for k in v.extra if k not in election.vote_columns}
    required = ("voter_id", "vote", "points") if with_points else ("voter_id", "vote")
    vcols = _columns(election.vote_columns, required, sorted(extra_vote_cols))
    fh.write("VOTES\n")
    row(list(vcols))
    for v in election.votes:
        row(_vote_row(v, vcols, with_points))
