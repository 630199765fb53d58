"""Streaming reader for pabulib ``.pb`` files.

The format: UTF-8 text, ``;``-separated CSV with ``"`` quotes (a quoted field may hold ``;`` or
a line break), CRLF or LF line ends, an optional BOM.  Three sections in this order, each
opened by a line holding only its name (matched case-insensitively, trimmed) and followed by a
header row: ``META`` (``key;value``), ``PROJECTS`` (``project_id;cost;…``), ``VOTES``
(``voter_id;vote;…``).  Columns are read by name; ``None`` means missing.

:func:`iter_pabulib` yields one record at a time, each with its source line number, so a bulk
importer can stream 78,000 ballots into the database without holding the file twice;
:func:`read_pabulib` collects the records into a :class:`PabulibElection`.  Both raise
:class:`PabulibFormatError` — whose ``str`` is one line, ``line 57: …`` — on the first problem,
which for an importer inside a transaction means nothing is half-imported.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from budgeting.pabulib.model import (
    ESSENTIAL_META_KEYS,
    POINTS_VOTE_TYPES,
    REQUIRED_META_KEYS,
    VOTE_TYPES,
    PabulibElection,
    PabulibProject,
    PabulibVote,
    parse_amount,
)

Source = str | os.PathLike[str] | IO[str] | IO[bytes]

SECTIONS = ("meta", "projects", "votes")
_LIST_COLUMNS = {"category": "categories", "categories": "categories", "target": "targets"}
_LIST_COLUMNS["targets"] = "targets"
_MAX_WARNINGS = 20


class PabulibFormatError(ValueError):
    """A ``.pb`` file that cannot be read; ``str(err)`` is ``"line <n>: <message>"``."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(line, message)
        self.line = line
        self.message = message

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class MetaRecord:
    """The whole META section (yielded first, once it is complete and valid)."""

    line: int  # line of the META section name
    meta: dict[str, str]
    key_lines: dict[str, int]


@dataclass(frozen=True, slots=True)
class SectionRecord:
    """The start of PROJECTS or VOTES with its header columns (stripped, in file order)."""

    line: int
    section: str
    columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProjectRecord:
    line: int
    project: PabulibProject


@dataclass(frozen=True, slots=True)
class VoteRecord:
    line: int
    vote: PabulibVote


Record = MetaRecord | SectionRecord | ProjectRecord | VoteRecord


def _is_none(value: str) -> bool:
    return value.lower() == "none"


def _split_list(value: str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(x for x in (s.strip() for s in value.split(",")) if x)


class PabulibStream:
    """Iterator over the records of one file; ``warnings`` fills in as it goes.

    Use it through :func:`iter_pabulib`.  Records come in file order: one
    :class:`MetaRecord`, a :class:`SectionRecord` for PROJECTS, the :class:`ProjectRecord`\\ s,
    a :class:`SectionRecord` for VOTES, the :class:`VoteRecord`\\ s.
    """

    def __init__(self, source: Source, *, strict_meta: bool = True) -> None:
        self._source = source
        self._required = REQUIRED_META_KEYS if strict_meta else ESSENTIAL_META_KEYS
        self.warnings: list[str] = []
        self.meta: dict[str, str] = {}
        self.vote_type: str | None = None
        self.project_lines: dict[str, int] = {}
        self.num_votes = 0
        self._iter = self._records()

    def __iter__(self) -> Iterator[Record]:
        return self

    def __next__(self) -> Record:
        return next(self._iter)

    def _warn(self, line: int, message: str) -> None:
        if len(self.warnings) < _MAX_WARNINGS:
            self.warnings.append(f"line {line}: {message}")
        elif len(self.warnings) == _MAX_WARNINGS:
            self.warnings.append("… more warnings omitted")

    # -------------------------------------------------------------------- rows
    def _open(self) -> tuple[IO[str], bool]:
        src: Any = self._source
        if isinstance(src, str | os.PathLike):
            return open(src, encoding="utf-8-sig", newline=""), True
        if isinstance(src, io.RawIOBase | io.BufferedIOBase) or "b" in getattr(src, "mode", ""):
            return io.TextIOWrapper(src, encoding="utf-8-sig", newline=""), False
        return src, False

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        """Non-blank CSV rows with the line each starts on."""
        stream, owned = self._open()
        try:
            reader = csv.reader(stream, delimiter=";", quotechar='"')
            prev = 0
            first = True
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    raise PabulibFormatError(prev + 1, f"malformed CSV: {exc}") from None
                except UnicodeDecodeError:
                    raise PabulibFormatError(prev + 1, "the file is not UTF-8 text") from None
                start = prev + 1
                prev = reader.line_num
                if first and row:
                    row[0] = row[0].lstrip("\ufeff")
                    first = False
                if not row or all(not c.strip() for c in row):
                    continue
                yield start, row
            self.last_line = prev
        finally:
            if owned:
                stream.close()

    @staticmethod
    def _section_of(row: list[str]) -> str | None:
        name = row[0].strip().lower()
        if name in SECTIONS and all(not c.strip() for c in row[1:]):
            return name
        return None

    # ----------------------------------------------------------------- records
    def _records(self) -> Iterator[Record]:
        self.last_line = 0
        rows = self._rows()
        section: str | None = None
        columns: tuple[str, ...] = ()
        col_index: dict[str, int] = {}
        meta_line = 0
        key_lines: dict[str, int] = {}
        seen_sections: list[str] = []
        seen_voters: dict[str, int] = {}
        project_ids: dict[str, int] = {}
        pending_header: tuple[str, int] | None = None
        for line, row in rows:
            name = self._section_of(row)
            if pending_header is not None:
                sec, sec_line = pending_header
                if name is not None:
                    raise PabulibFormatError(line, f"{sec.upper()} section has no header row")
                columns = tuple(c.strip() for c in row)
                col_index = self._check_header(sec, columns, line)
                pending_header = None
                if sec != "meta":
                    yield SectionRecord(sec_line, sec, columns)
                continue
            if name is not None:
                expected = SECTIONS[len(seen_sections)] if len(seen_sections) < 3 else None
                if name in seen_sections:
                    raise PabulibFormatError(line, f"second {name.upper()} section")
                if name != expected:
                    raise PabulibFormatError(
                        line,
                        f"{name.upper()} section where {expected.upper()} was expected"
                        if expected
                        else f"unexpected {name.upper()} section",
                    )
                if name == "projects":
                    yield self._meta_record(meta_line, key_lines)
                seen_sections.append(name)
                section = name
                if name == "meta":
                    meta_line = line
                pending_header = (name, line)
                continue
            if section is None:
                raise PabulibFormatError(line, f"expected the META section, found {row[0]!r}")
            if section == "meta":
                key = row[0].strip()
                if not key:
                    raise PabulibFormatError(line, "META row without a key")
                if key in self.meta:
                    raise PabulibFormatError(
                        line, f"duplicate META key {key!r} (first on line {key_lines[key]})"
                    )
                self.meta[key] = ";".join(row[1:]).strip()
                key_lines[key] = line
            elif section == "projects":
                project = self._project(row, line, columns, col_index)
                if project.project_id in project_ids:
                    raise PabulibFormatError(
                        line,
                        f"duplicate project id {project.project_id!r} "
                        f"(first on line {project_ids[project.project_id]})",
                    )
                project_ids[project.project_id] = line
                yield ProjectRecord(line, project)
            else:
                vote = self._vote(row, line, columns, col_index, project_ids)
                if vote.voter_id in seen_voters:
                    raise PabulibFormatError(
                        line,
                        f"duplicate voter id {vote.voter_id!r} "
                        f"(first on line {seen_voters[vote.voter_id]})",
                    )
                seen_voters[vote.voter_id] = line
                self.num_votes += 1
                yield VoteRecord(line, vote)
        end = max(self.last_line, 1)
        if pending_header is not None:
            raise PabulibFormatError(end, f"{pending_header[0].upper()} section has no header row")
        if not seen_sections:
            raise PabulibFormatError(1, "empty file (no META section)")
        for sec in SECTIONS:
            if sec not in seen_sections:
                raise PabulibFormatError(end, f"missing {sec.upper()} section")
        self.project_lines = project_ids
        self._final_warnings(len(project_ids), end)

    def _meta_record(self, meta_line: int, key_lines: dict[str, int]) -> MetaRecord:
        meta = self.meta
        missing = [k for k in self._required if k not in meta]
        if missing:
            raise PabulibFormatError(
                meta_line, f"META is missing required key(s): {', '.join(missing)}"
            )
        vt = meta.get("vote_type", "").strip().lower()
        if vt not in VOTE_TYPES:
            raise PabulibFormatError(
                key_lines.get("vote_type", meta_line),
                f"unknown vote_type {meta.get('vote_type')!r} "
                f"(expected one of {', '.join(VOTE_TYPES)})",
            )
        meta["vote_type"] = vt
        self.vote_type = vt
        line = key_lines.get("budget", meta_line)
        try:
            budget = parse_amount(meta["budget"])
        except ValueError:
            raise PabulibFormatError(line, f"budget {meta['budget']!r} is not a number") from None
        if budget < 0:
            raise PabulibFormatError(line, f"negative budget {meta['budget']!r}")
        return MetaRecord(meta_line, meta, dict(key_lines))

    def _check_header(self, section: str, columns: tuple[str, ...], line: int) -> dict[str, int]:
        index: dict[str, int] = {}
        for i, c in enumerate(columns):
            if not c:
                raise PabulibFormatError(line, f"{section.upper()} header has an empty column name")
            if c in index:
                raise PabulibFormatError(line, f"{section.upper()} header repeats column {c!r}")
            index[c] = i
        need = {"meta": (), "projects": ("project_id", "cost"), "votes": ("voter_id", "vote")}
        for c in need[section]:
            if c not in index:
                raise PabulibFormatError(line, f"{section.upper()} header has no {c!r} column")
        if section == "votes" and self.vote_type in POINTS_VOTE_TYPES and "points" not in index:
            raise PabulibFormatError(line, f"{self.vote_type} VOTES header has no 'points' column")
        return index

    @staticmethod
    def _cells(
        row: list[str], line: int, columns: tuple[str, ...], section: str
    ) -> list[str | None]:
        if len(row) > len(columns):
            if any(c.strip() for c in row[len(columns) :]):
                raise PabulibFormatError(
                    line, f"{section} row has {len(row)} fields but the header has {len(columns)}"
                )
            row = row[: len(columns)]
        cells: list[str | None] = []
        for c in row:
            v = c.strip()
            cells.append(None if _is_none(v) else v)
        cells.extend([None] * (len(columns) - len(cells)))
        return cells

    def _project(
        self, row: list[str], line: int, columns: tuple[str, ...], index: dict[str, int]
    ) -> PabulibProject:
        cells = self._cells(row, line, columns, "PROJECTS")
        pid = cells[index["project_id"]]
        if not pid:
            raise PabulibFormatError(line, "project without a project_id")
        raw_cost = cells[index["cost"]]
        if raw_cost is None or raw_cost == "":
            raise PabulibFormatError(line, f"project {pid!r} has no cost")
        try:
            cost = parse_amount(raw_cost)
        except ValueError:
            raise PabulibFormatError(
                line, f"project {pid!r}: cost {raw_cost!r} is not a number"
            ) from None
        if cost < 0:
            raise PabulibFormatError(line, f"project {pid!r}: negative cost {raw_cost!r}")
        lists: dict[str, tuple[str, ...]] = {}
        fields: dict[str, str | None] = {}
        for name, value in zip(columns, cells, strict=True):
            if name in ("project_id", "cost"):
                continue
            if name in _LIST_COLUMNS:
                lists[_LIST_COLUMNS[name]] = _split_list(value)
            else:
                fields[name] = value
        return PabulibProject(
            pid, cost, lists.get("categories", ()), lists.get("targets", ()), fields
        )

    def _vote(
        self,
        row: list[str],
        line: int,
        columns: tuple[str, ...],
        index: dict[str, int],
        project_ids: dict[str, int],
    ) -> PabulibVote:
        cells = self._cells(row, line, columns, "VOTES")
        voter = cells[index["voter_id"]]
        if not voter:
            raise PabulibFormatError(line, "vote without a voter_id")
        raw = cells[index["vote"]]
        projects = [p for p in (s.strip() for s in (raw or "").split(",")) if p]
        for p in projects:
            if p not in project_ids:
                raise PabulibFormatError(line, f"vote references unknown project {p!r}")
        vt = self.vote_type
        points: list[int] | None = None
        skip = {"voter_id", "vote"}
        if vt in POINTS_VOTE_TYPES:
            skip.add("points")
            raw_pts = cells[index["points"]]
            items = [s.strip() for s in (raw_pts or "").split(",")] if raw_pts else []
            if len(items) != len(projects):
                raise PabulibFormatError(
                    line,
                    f"vote lists {len(projects)} project(s) but {len(items)} point value(s)",
                )
            points = []
            for s in items:
                try:
                    d = Decimal(s)
                    if not d.is_finite() or d != d.to_integral_value():
                        raise ValueError
                except (ArithmeticError, ValueError):
                    raise PabulibFormatError(line, f"points {s!r} is not an integer") from None
                if vt == "cumulative" and d < 0:
                    raise PabulibFormatError(line, f"negative points {s!r} in a cumulative vote")
                points.append(int(d))
        if len(set(projects)) != len(projects):
            self._warn(line, f"voter {voter!r} names a project more than once")
            if points is None:
                projects = list(dict.fromkeys(projects))
            else:
                last: dict[str, int] = {}
                for p, pt in zip(projects, points, strict=True):
                    last[p] = pt  # keeps the first position, the last points
                projects, points = list(last), list(last.values())
        if vt == "choose-1" and len(projects) > 1:
            self._warn(line, f"choose-1 voter {voter!r} names {len(projects)} projects")
        extra = {c: cells[i] for c, i in index.items() if c not in skip}
        return PabulibVote(voter, tuple(projects), None if points is None else tuple(points), extra)

    def _final_warnings(self, n_projects: int, end: int) -> None:
        for key, actual in (("num_projects", n_projects), ("num_votes", self.num_votes)):
            declared = self.meta.get(key)
            if declared is not None and declared != str(actual):
                self._warn(end, f"META {key}={declared} but the file has {actual}")


def iter_pabulib(source: Source, *, strict_meta: bool = True) -> PabulibStream:
    """Stream the records of a ``.pb`` file (path, text stream or binary stream).

    Validation happens as the records are consumed; errors raise :class:`PabulibFormatError`.
    ``strict_meta=False`` requires only :data:`ESSENTIAL_META_KEYS` in META.
    """
    return PabulibStream(source, strict_meta=strict_meta)


def read_pabulib(source: Source, *, strict_meta: bool = True) -> PabulibElection:
    """Read a whole ``.pb`` file into a :class:`PabulibElection`."""
    stream = iter_pabulib(source, strict_meta=strict_meta)
    meta: dict[str, str] = {}
    projects: list[PabulibProject] = []
    votes: list[PabulibVote] = []
    project_columns: tuple[str, ...] = ("project_id", "cost")
    vote_columns: tuple[str, ...] = ("voter_id", "vote")
    for rec in stream:
        if isinstance(rec, VoteRecord):
            votes.append(rec.vote)
        elif isinstance(rec, ProjectRecord):
            projects.append(rec.project)
        elif isinstance(rec, SectionRecord):
            if rec.section == "projects":
                project_columns = rec.columns
            else:
                vote_columns = rec.columns
        else:
            meta = rec.meta
    warnings = list(stream.warnings)
    _recount_warnings(projects, votes, warnings)
    return PabulibElection(
        meta=meta,
        projects=tuple(projects),
        votes=tuple(votes),
        project_columns=project_columns,
        vote_columns=vote_columns,
        warnings=tuple(warnings),
    )


def _recount_warnings(
    projects: list[PabulibProject], votes: list[PabulibVote], warnings: list[str]
) -> None:
    counts = dict.fromkeys((p.project_id for p in projects), 0)
    for v in votes:
        for p in v.projects:
            counts[p] += 1
    off = [
        p.project_id for p in projects if p.votes is not None and p.votes != counts[p.project_id]
    ]
    if off:
        shown = ", ".join(repr(x) for x in off[:5])
        more = f" and {len(off) - 5} more" if len(off) > 5 else ""
        warnings.append(f"declared votes differ from a recount of VOTES for {shown}{more}")
