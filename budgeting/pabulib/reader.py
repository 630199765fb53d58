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

A damaged or absurd file is refused, never read in part: bytes that are not UTF-8 and control
characters (NUL and the like; tab and line breaks are text), numbers out of range
(:data:`~budgeting.pabulib.model.MAX_AMOUNT` and the other bounds), and a last line cut short.
A file need not end with a line break, so its last line is judged by what it holds: if it
does not parse, has fewer fields than its header or leaves a quote open, the file is reported
as truncated.  Declared counts — META ``num_projects`` and ``num_votes``, a project's
``votes`` — must match the rows, which also catches a file cut at a line break
(:class:`PabulibCountMismatch`, unless ``accept_count_mismatch=True`` turns them into
warnings).
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import IO, Any

from budgeting.pabulib.model import (
    ESSENTIAL_META_KEYS,
    MAX_AMOUNT,
    MAX_META_KEYS,
    MAX_POINTS,
    MAX_PROJECTS,
    MAX_VOTES,
    POINTS_VOTE_TYPES,
    REQUIRED_META_KEYS,
    VOTE_TYPES,
    PabulibElection,
    PabulibProject,
    PabulibVote,
    parse_amount,
    whole_number,
)

Source = str | os.PathLike[str] | IO[str] | IO[bytes]

SECTIONS = ("meta", "projects", "votes")
_LIST_COLUMNS = {"category": "categories", "categories": "categories", "target": "targets"}
_LIST_COLUMNS["targets"] = "targets"
_MAX_WARNINGS = 20

# What a line of text may not hold: C0 controls but tab, CR and LF; DEL and the C1 controls;
# surrogates, which decoding with surrogateescape makes of bytes that are not UTF-8.
_BLOCK = 1 << 16  # characters of lines read and checked at a time
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_BYTES = bytes(
    [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]
)  # the same, ASCII


class PabulibFormatError(ValueError):
    """A ``.pb`` file that cannot be read; ``str(err)`` is ``"line <n>: <message>"``.

    ``maybe_cut`` marks the problems a line cut short can cause (an id missing its end, fewer
    fields or points than expected); on a last line without a line break they are reported as
    a truncated file.
    """

    def __init__(self, line: int, message: str, *, maybe_cut: bool = False) -> None:
        super().__init__(line, message)
        self.line = line
        self.message = message
        self.maybe_cut = maybe_cut

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class PabulibCountMismatch(PabulibFormatError):
    """Declared ``num_projects``, ``num_votes`` or project ``votes`` that differ from the rows;
    refused unless the reader is told to accept the mismatch."""


def _cut_short(error: PabulibFormatError) -> PabulibFormatError:
    """``error``, found on the last line of a file that does not end with a line break: that
    line was most likely cut, and saying so beats naming the half value it ends with."""
    return PabulibFormatError(
        error.line, f"the file is truncated: its last line is incomplete ({error.message})"
    )


def _not_text(text: str, at: int) -> str:
    char = text[at]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte
        if text[-1] not in "\r\n" and all(0xDC80 <= ord(c) <= 0xDCFF for c in text[at:]):
            return "the file is truncated in the middle of a character"
        return "the file is not UTF-8 text"
    if 0xD800 <= code <= 0xDFFF:
        return f"lone surrogate U+{code:04X} (not text)"
    name = " (NUL)" if code == 0 else ""
    return f"control character U+{code:04X}{name}: a .pb file holds text only"


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
    a :class:`SectionRecord` for VOTES, the :class:`VoteRecord`\\ s.  Declared counts are
    checked as soon as they can be (too many rows at the first extra row, too few projects at
    VOTES, too few ballots and project ``votes`` at the end); accepted mismatches are listed in
    ``count_mismatches``, one line each.
    """

    def __init__(
        self, source: Source, *, strict_meta: bool = True, accept_count_mismatch: bool = False
    ) -> None:
        self._source = source
        self._required = REQUIRED_META_KEYS if strict_meta else ESSENTIAL_META_KEYS
        self._accept_count_mismatch = accept_count_mismatch
        self.warnings: list[str] = []
        self.count_mismatches: list[str] = []
        self.meta: dict[str, str] = {}
        self.vote_type: str | None = None
        self.project_lines: dict[str, int] = {}
        self.num_votes = 0
        self.last_line = 0
        self.line = 0  # of the record last handed out
        self._physical_lines = 0
        self._ends_cleanly = True
        self._last_row = (0, 0)
        self._row_iter: Iterator[tuple[int, list[str]]] = iter(())
        self._declared: dict[str, int] = {}
        self._declared_support: dict[str, tuple[int, int]] = {}
        self._support: dict[str, int] = {}
        self._iter = self._records()

    def __iter__(self) -> Iterator[Record]:
        return self

    def __next__(self) -> Record:
        try:
            record = next(self._iter)
        except PabulibFormatError as error:
            if error.maybe_cut and self._is_cut(error.line):
                raise _cut_short(error) from None
            raise
        self.line = record.line
        return record

    def _warn(self, line: int, message: str) -> None:
        if len(self.warnings) < _MAX_WARNINGS:
            self.warnings.append(f"line {line}: {message}")
        elif len(self.warnings) == _MAX_WARNINGS:
            self.warnings.append("… more warnings omitted")

    def _count_mismatch(self, line: int, message: str) -> None:
        """Declared counts that differ from the rows: an error unless the caller accepts it."""
        if not self._accept_count_mismatch:
            raise PabulibCountMismatch(line, message)
        self.count_mismatches.append(f"line {line}: {message}")

    # -------------------------------------------------------------------- rows
    def _open(self) -> tuple[IO[str], bool]:
        # surrogateescape: bytes that are not UTF-8 reach _lines, which names their line
        # (a strict decoder fails a whole 8 KB chunk ahead of the line being read).
        src: Any = self._source
        if isinstance(src, str | os.PathLike):
            return (
                open(src, encoding="utf-8-sig", errors="surrogateescape", newline=""),
                True,
            )
        if isinstance(src, io.RawIOBase | io.BufferedIOBase) or "b" in getattr(src, "mode", ""):
            return (
                io.TextIOWrapper(src, encoding="utf-8-sig", errors="surrogateescape", newline=""),
                False,
            )
        return src, False

    def _lines(self, stream: IO[str]) -> Iterator[str]:
        """The physical lines, refusing what is not text; notes how many there are and whether
        the last one ends with a line break (one that does not may have been cut short).

        Lines are checked a block at a time, so csv pulls them through C iterators only.
        """
        return itertools.chain.from_iterable(
            map(self._checked, iter(partial(stream.readlines, _BLOCK), []))
        )

    def _checked(self, lines: list[str]) -> list[str]:
        first = self._physical_lines
        self._physical_lines += len(lines)
        self._ends_cleanly = lines[-1][-1] in "\r\n"
        block = "".join(lines)
        if block.isascii():  # most blocks: a byte table is ten times faster than the regex
            raw = block.encode("ascii")
            clean = len(raw.translate(None, _CONTROL_BYTES)) == len(raw)
        else:
            clean = _NOT_TEXT.search(block) is None
        if not clean:
            for number, text in enumerate(lines, start=first + 1):
                found = _NOT_TEXT.search(text)
                if found is not None:
                    raise PabulibFormatError(number, _not_text(text, found.start()))
        return lines

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        """Non-blank CSV rows with the line each starts on; at the end, where the last one
        starts and ends (see :meth:`_last_row_is_cut`)."""
        stream, owned = self._open()
        try:
            reader = csv.reader(self._lines(stream), delimiter=";", quotechar='"', strict=True)
            prev = 0
            first = True
            last_start = last_end = 0
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    if str(exc) == "unexpected end of data":
                        raise PabulibFormatError(
                            prev + 1,
                            "a quote opened in this row is never closed "
                            "(the file is truncated, or a quote is missing)",
                        ) from None
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
                last_start, last_end = start, prev
                yield start, row
            self.last_line = prev
            self._last_row = (last_start, last_end)
        finally:
            if owned:
                stream.close()

    def _last_row_is_cut(self, line: int) -> bool:
        """Whether the row starting on ``line`` is the last one and the file ends inside it,
        without a line break (call once the rows are exhausted)."""
        start, end = self._last_row
        return line == start and end == self._physical_lines and not self._ends_cleanly

    def _is_cut(self, line: int) -> bool:
        """Whether the row on ``line``, which has a problem, is a last line cut short: reads
        on to see if any row follows (the read is over anyway)."""
        try:
            next(self._row_iter)
        except StopIteration:
            return self._last_row_is_cut(line)
        except PabulibFormatError:
            return False
        return False

    @staticmethod
    def _section_of(row: list[str]) -> str | None:
        name = row[0].strip().lower()
        if name in SECTIONS and all(not c.strip() for c in row[1:]):
            return name
        return None

    # ----------------------------------------------------------------- records
    def _records(self) -> Iterator[Record]:
        section: str | None = None
        columns: tuple[str, ...] = ()
        col_index: dict[str, int] = {}
        meta_line = 0
        key_lines: dict[str, int] = {}
        seen_sections: list[str] = []
        seen_voters: dict[str, int] = {}
        project_ids: dict[str, int] = {}
        pending_header: tuple[str, int] | None = None
        most_projects = most_votes = 0
        last_data_line = 0  # the last PROJECTS or VOTES row, checked for a cut at the end
        last_data_fields = 0
        rows = self._row_iter = self._rows()
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
                    record = self._meta_record(meta_line, key_lines)
                    most_projects = self._row_limit("num_projects", MAX_PROJECTS)
                    yield record
                elif name == "votes":
                    self._check_project_count(line, len(project_ids))
                    most_votes = self._row_limit("num_votes", MAX_VOTES)
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
                if len(self.meta) >= MAX_META_KEYS:
                    raise PabulibFormatError(line, f"more than {MAX_META_KEYS:,} META rows")
                self.meta[key] = ";".join(row[1:]).strip()
                key_lines[key] = line
            elif section == "projects":
                project = self._project(row, line, columns, col_index)
                if project.project_id in project_ids:
                    raise PabulibFormatError(
                        line,
                        f"duplicate project id {project.project_id!r} "
                        f"(first on line {project_ids[project.project_id]})",
                        maybe_cut=True,
                    )
                project_ids[project.project_id] = line
                last_data_line, last_data_fields = line, len(row)
                if len(project_ids) > most_projects:
                    self._too_many(line, "num_projects", len(project_ids), MAX_PROJECTS)
                yield ProjectRecord(line, project)
            else:
                vote = self._vote(row, line, columns, col_index)
                if vote.voter_id in seen_voters:
                    raise PabulibFormatError(
                        line,
                        f"duplicate voter id {vote.voter_id!r} "
                        f"(first on line {seen_voters[vote.voter_id]})",
                        maybe_cut=True,
                    )
                seen_voters[vote.voter_id] = line
                last_data_line, last_data_fields = line, len(row)
                self.num_votes += 1
                if self.num_votes > most_votes:
                    self._too_many(line, "num_votes", self.num_votes, MAX_VOTES)
                yield VoteRecord(line, vote)
        if last_data_fields < len(columns) and self._last_row_is_cut(last_data_line):
            # a short row is padded with None, but a last one without a line break was cut
            raise _cut_short(
                PabulibFormatError(
                    last_data_line, f"{last_data_fields} of the {len(columns)} fields of its header"
                )
            )
        end = max(self.last_line, 1)
        try:
            if pending_header is not None:
                raise PabulibFormatError(
                    end, f"{pending_header[0].upper()} section has no header row"
                )
            if not seen_sections:
                raise PabulibFormatError(1, "empty file (no META section)")
            for sec in SECTIONS:
                if sec not in seen_sections:
                    raise PabulibFormatError(end, f"missing {sec.upper()} section")
        except PabulibFormatError as error:
            if not self._ends_cleanly:
                raise _cut_short(error) from None
            raise
        self.project_lines = project_ids
        self._check_vote_counts(end)

    # ------------------------------------------------------------ declared counts
    def _row_limit(self, key: str, bound: int) -> int:
        """How many rows may follow before the count is wrong: the declared number (unless a
        mismatch is accepted), never more than the bound."""
        declared = self._declared.get(key)
        if declared is None or self._accept_count_mismatch:
            return bound
        return declared

    def _too_many(self, line: int, key: str, actual: int, bound: int) -> None:
        declared = self._declared.get(key)
        what = "ballots" if key == "num_votes" else "projects"
        if actual > bound:
            raise PabulibFormatError(line, f"more than {bound:,} {what} (the most Kopa reads)")
        self._count_mismatch(
            line, f"META {key}={declared} but the file has more {what} (this is number {actual})"
        )

    def _check_project_count(self, line: int, actual: int) -> None:
        declared = self._declared.get("num_projects")
        if declared is not None and declared != actual:
            self._count_mismatch(
                line, f"META num_projects={declared} but PROJECTS has {actual} projects"
            )

    def _check_vote_counts(self, end: int) -> None:
        declared = self._declared.get("num_votes")
        actual = self.num_votes
        if declared is not None and declared != actual:
            if actual < declared:
                detail = f"the file ends after {actual} ballots (truncated, or the count is wrong)"
            else:
                detail = f"VOTES has {actual} ballots"
            self._count_mismatch(end, f"META num_votes={declared} but {detail}")
        support = self._support
        off = [
            (pid, line, declared_votes, support[pid])
            for pid, (line, declared_votes) in self._declared_support.items()
            if support[pid] != declared_votes
        ]
        if off:
            pid, line, declared_votes, counted = off[0]
            more = f"; {len(off) - 1} more project(s) differ" if len(off) > 1 else ""
            cut = "" if self._ends_cleanly else " (the file ends mid-line: truncated?)"
            self._count_mismatch(
                line,
                f"project {pid!r} declares votes={declared_votes} "
                f"but {counted} ballot(s) in VOTES name it{more}{cut}",
            )

    def _declared_count(self, key: str, bound: int, line: int) -> int | None:
        value = self.meta.get(key)
        if value is None or _is_none(value):
            return None
        try:
            number = Decimal(value)
            whole = number.is_finite() and number == number.to_integral_value() and number >= 0
        except ArithmeticError:
            whole = False
        if not whole:
            raise PabulibFormatError(line, f"META {key}={value!r} is not a whole number")
        if number > bound:
            raise PabulibFormatError(
                line, f"META {key}={value} is more than {bound:,} (the most Kopa reads)"
            )
        return int(number)

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
        if budget > MAX_AMOUNT:
            raise PabulibFormatError(
                line, f"budget {meta['budget']!r} is more than {MAX_AMOUNT:,} (the most Kopa reads)"
            )
        for key, bound in (("num_projects", MAX_PROJECTS), ("num_votes", MAX_VOTES)):
            declared = self._declared_count(key, bound, key_lines.get(key, meta_line))
            if declared is not None:
                self._declared[key] = declared
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
                raise PabulibFormatError(
                    line, f"{section.upper()} header has no {c!r} column", maybe_cut=True
                )
        if section == "votes" and self.vote_type in POINTS_VOTE_TYPES and "points" not in index:
            raise PabulibFormatError(
                line, f"{self.vote_type} VOTES header has no 'points' column", maybe_cut=True
            )
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
        # "None" is missing; the length test spares a lower() of every other value
        cells: list[str | None] = [
            None if len(v := c.strip()) == 4 and _is_none(v) else v for c in row
        ]
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
            raise PabulibFormatError(line, f"project {pid!r} has no cost", maybe_cut=True)
        try:
            cost = parse_amount(raw_cost)
        except ValueError:
            raise PabulibFormatError(
                line, f"project {pid!r}: cost {raw_cost!r} is not a number", maybe_cut=True
            ) from None
        if cost < 0:
            raise PabulibFormatError(line, f"project {pid!r}: negative cost {raw_cost!r}")
        if cost > MAX_AMOUNT:
            raise PabulibFormatError(
                line,
                f"project {pid!r}: cost {raw_cost!r} is more than {MAX_AMOUNT:,} "
                "(the most Kopa reads)",
            )
        lists: dict[str, tuple[str, ...]] = {}
        fields: dict[str, str | None] = {}
        for name, value in zip(columns, cells, strict=True):
            if name in ("project_id", "cost"):
                continue
            if name in _LIST_COLUMNS:
                lists[_LIST_COLUMNS[name]] = _split_list(value)
            else:
                fields[name] = value
        votes = fields.get("votes")
        if votes is not None:
            declared = whole_number(votes, 0, MAX_VOTES)
            if declared is None:
                raise PabulibFormatError(
                    line,
                    f"project {pid!r}: votes {votes!r} is not a whole number "
                    f"from 0 to {MAX_VOTES:,}",
                )
            self._declared_support[pid] = (line, declared)
        self._support.setdefault(pid, 0)
        return PabulibProject(
            pid, cost, lists.get("categories", ()), lists.get("targets", ()), fields
        )

    def _vote(
        self,
        row: list[str],
        line: int,
        columns: tuple[str, ...],
        index: dict[str, int],
    ) -> PabulibVote:
        cells = self._cells(row, line, columns, "VOTES")
        voter = cells[index["voter_id"]]
        if not voter:
            raise PabulibFormatError(line, "vote without a voter_id")
        raw = cells[index["vote"]]
        projects = [p for s in raw.split(",") if (p := s.strip())] if raw else []
        support = self._support
        try:
            for p in projects:  # counts each mention; a project named twice is undone below
                support[p] += 1
        except KeyError as unknown:
            raise PabulibFormatError(
                line, f"vote references unknown project {unknown.args[0]!r}", maybe_cut=True
            ) from None
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
                    maybe_cut=True,
                )
            points = []
            for s in items:
                try:
                    d = Decimal(s)
                    if not d.is_finite() or d != d.to_integral_value():
                        raise ValueError
                except (ArithmeticError, ValueError):
                    raise PabulibFormatError(
                        line, f"points {s!r} is not an integer", maybe_cut=True
                    ) from None
                if vt == "cumulative" and d < 0:
                    raise PabulibFormatError(line, f"negative points {s!r} in a cumulative vote")
                if not -MAX_POINTS <= d <= MAX_POINTS:  # abs() would overflow on 1e999999999
                    raise PabulibFormatError(
                        line, f"points {s!r} is beyond {MAX_POINTS:,} (the most Kopa reads)"
                    )
                points.append(int(d))
        if len(set(projects)) != len(projects):
            self._warn(line, f"voter {voter!r} names a project more than once")
            for p, times in Counter(projects).items():
                support[p] -= times - 1  # the ballot supports each project once
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


def iter_pabulib(
    source: Source, *, strict_meta: bool = True, accept_count_mismatch: bool = False
) -> PabulibStream:
    """Stream the records of a ``.pb`` file (path, text stream or binary stream).

    Validation happens as the records are consumed; errors raise :class:`PabulibFormatError`.
    ``strict_meta=False`` requires only :data:`ESSENTIAL_META_KEYS` in META.
    ``accept_count_mismatch=True`` reads a file whose declared counts differ from its rows
    (listing each difference in ``count_mismatches``) instead of raising
    :class:`PabulibCountMismatch`.
    """
    return PabulibStream(
        source, strict_meta=strict_meta, accept_count_mismatch=accept_count_mismatch
    )


def read_pabulib(
    source: Source, *, strict_meta: bool = True, accept_count_mismatch: bool = False
) -> PabulibElection:
    """Read a whole ``.pb`` file into a :class:`PabulibElection`; accepted count mismatches
    come first in its ``warnings``."""
    stream = iter_pabulib(
        source, strict_meta=strict_meta, accept_count_mismatch=accept_count_mismatch
    )
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
    return PabulibElection(
        meta=meta,
        projects=tuple(projects),
        votes=tuple(votes),
        project_columns=project_columns,
        vote_columns=vote_columns,
        warnings=(*stream.count_mismatches, *stream.warnings),
    )
