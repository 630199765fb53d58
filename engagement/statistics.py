"""Participation statistics that never expose a person: the rules every feature counts by.

Counts are of **people** (distinct voters, registered residents, contributors), grouped by
district of residence, by age band and (staff) by EmPaci target group. Every count below
:data:`THRESHOLD` (5 — zero included) is suppressed: shown as ``null`` with
``suppressed: true``. Groups that partition a published total also get **complementary
suppression**: when a single cell is hidden, or the hidden cells add up to less than the
threshold, the smallest visible cells are hidden too, so "total minus the others" never
gives back a small group. A total below the threshold hides the whole table.

The suppression rules are pure functions — one for every table, :func:`suppress_table`, with
:func:`suppress_partition` and :func:`suppress_cells` its one-column cases — tested without a
database; the grouping helpers only count. Features build their
statistics on these (``budgeting.statistics`` for a round's voters) and register what they
add to another's (:func:`register_contributions`: the ideas feature's contributions to the
process linked to a round).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, CharField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from engagement.people.models import District, Residence, ResidentProfile

THRESHOLD = 5

UNKNOWN = "unknown"
AGE_BANDS: list[tuple[str, Any, int | None, int | None]] = [
    # key, label, lowest age, highest age (inclusive)
    ("under_26", _("Under 26"), None, 25),
    ("26_40", _("26–40"), 26, 40),  # noqa: RUF001
    ("41_64", _("41–64"), 41, 64),  # noqa: RUF001
    ("65_plus", _("65 and over"), 65, None),
]


# --- pure suppression ------------------------------------------------------------------------
#
# Every published figure goes through :func:`suppress_table`: a two-way table of counts of
# people with its row, column and grand totals. A one-way breakdown is a table of one column
# (:func:`suppress_partition`), overlapping groups (target groups, several answers ticked) a
# table whose dimension "overlaps" (:func:`suppress_cells`).
#
# The model: every published figure is an *entry*; entries are tied by *lines*, exact sums
# ("this total is the sum of these parts") that anyone can write down from the page. An
# overlapping group adds the people *not* in it as an unpublished entry (the total minus the
# group): it is a group of people too, so it must not be small either. Rules:
#
# 1. primary: every entry below the threshold (zero included) is hidden;
# 2. per line: a line holding a hidden (or small unpublished) entry has at least two unknown
#    entries, and when its total is shown its unknown parts hold at least ``threshold``
#    people — so "total minus the shown parts" never gives back a small group;
# 3. across lines: no hidden entry is determined by the published ones through any
#    combination of lines (checked by elimination); for an attacker who also knows which
#    hidden entries are zero ("unknown district" rows are usually empty, and everyone knows
#    it), a hidden zero gives no cover: no small group is determined, and a larger hidden
#    one gets another part hidden beside it wherever its lines have one.
#
# Which further entries are hidden to satisfy 2 and 3: a part before a total, a non-zero
# entry before a zero, the smallest first, then in the order given.

_PRIME = (1 << 61) - 1  # elimination modulo a large prime: exact for these 0/±1 systems


@dataclass(frozen=True)
class SuppressedTable:
    """A table with its totals as published: ``None`` = hidden."""

    cells: dict[tuple[str, str], int | None]
    row_totals: dict[str, int | None]
    column_totals: dict[str, int | None]
    total: int | None


def _states(members: Sequence[str], overlapping: bool) -> list[list[tuple[str, bool]]]:
    """The partitions of a dimension: one of all members, or one per member of an
    overlapping dimension (the member and its complement, "everyone else")."""
    if not overlapping:
        return [[(m, True) for m in members]]
    return [[(m, True), (m, False)] for m in members]


def suppress_table(
    counts: Mapping[tuple[str, str], int],
    rows: Sequence[str],
    columns: Sequence[str],
    *,
    row_totals: Mapping[str, int] | None = None,
    column_totals: Mapping[str, int] | None = None,
    total: int | None = None,
    overlapping_rows: bool = False,
    overlapping_columns: bool = False,
    hide: Iterable[tuple[str, ...]] = (),
    threshold: int = THRESHOLD,
) -> SuppressedTable:
    """The one suppression function: a table of people counted by row group by column group,
    with primary and complementary suppression over its cells and totals.

    ``counts[(row, column)]`` are people in both groups (missing = 0). When the groups of a
    dimension overlap (a person may be in several, or in none), the totals along it cannot
    be added up from the cells: give ``column_totals`` (if rows overlap), ``row_totals`` (if
    columns overlap) and ``total`` (people counted at all). ``hide`` forces entries hidden —
    ``("cell", row, column)``, ``("row", row)``, ``("column", column)``, ``("total",)`` — for
    a table whose rows are sub-counts of another table's hidden ones.

    A table of a single column publishes no row totals of its own (they are the cells);
    pure: no database.
    """
    single_column = len(columns) == 1 and not overlapping_columns
    single_row = len(rows) == 1 and not overlapping_rows

    def value(rs: tuple[str, bool], cs: tuple[str, bool]) -> int:
        r, r_in = rs
        c, c_in = cs
        n = counts.get((r, c), 0)
        if r_in and c_in:
            return n
        if r_in:  # in row r, not in column c
            return row_total(rs) - n
        if c_in:  # in column c, not in row r
            return column_total(cs) - n
        return grand - row_total((r, True)) - column_total((c, True)) + n

    def row_total(rs: tuple[str, bool]) -> int:
        r, r_in = rs
        if row_totals is not None and r in row_totals:
            n = row_totals[r]
        else:
            n = sum(counts.get((r, c), 0) for c in columns)
        return n if r_in else grand - n

    def column_total(cs: tuple[str, bool]) -> int:
        c, c_in = cs
        if column_totals is not None and c in column_totals:
            n = column_totals[c]
        else:
            n = sum(counts.get((r, c), 0) for r in rows)
        return n if c_in else grand - n

    if total is not None:
        grand = total
    elif not overlapping_rows:
        grand = sum(row_total((r, True)) for r in rows)
    else:
        grand = sum(column_total((c, True)) for c in columns)

    def cell_key(rs: tuple[str, bool], cs: tuple[str, bool]) -> tuple:
        return ("cell", rs, cs)

    def row_key(rs: tuple[str, bool]) -> tuple:
        if single_column:  # a row total of one column is that column's cell
            return cell_key(rs, (columns[0], True))
        return ("row", rs)

    def column_key(cs: tuple[str, bool]) -> tuple:
        if single_row:
            return cell_key((rows[0], True), cs)
        return ("column", cs)

    def total_key() -> tuple:
        if single_column:
            return column_key((columns[0], True))
        if single_row:
            return row_key((rows[0], True))
        return ("total",)

    values: dict[tuple, int] = {}
    order: dict[tuple, int] = {}
    lines: dict[frozenset, tuple[tuple, list[tuple]]] = {}

    def entry(key: tuple, n: int) -> tuple:
        if key not in values:
            values[key] = n
            order[key] = len(order)
        return key

    def line(total_entry: tuple, parts: list[tuple]) -> None:
        if total_entry in parts or not parts:
            return
        lines.setdefault(frozenset([total_entry, *parts]), (total_entry, parts))

    g = entry(total_key(), grand)
    for row_partition in _states(rows, overlapping_rows):
        for column_partition in _states(columns, overlapping_columns):
            row_entries = {rs: entry(row_key(rs), row_total(rs)) for rs in row_partition}
            column_entries = {
                cs: entry(column_key(cs), column_total(cs)) for cs in column_partition
            }
            cells = {
                (rs, cs): entry(cell_key(rs, cs), value(rs, cs))
                for rs in row_partition
                for cs in column_partition
            }
            for rs in row_partition:
                line(row_entries[rs], [cells[(rs, cs)] for cs in column_partition])
            for cs in column_partition:
                line(column_entries[cs], [cells[(rs, cs)] for rs in row_partition])
            line(g, list(row_entries.values()))
            line(g, list(column_entries.values()))

    forced = set()
    for name, *rest in hide:
        if name == "cell":
            forced.add(cell_key((rest[0], True), (rest[1], True)))
        elif name == "row":
            forced.add(row_key((rest[0], True)))
        elif name == "column":
            forced.add(column_key((rest[0], True)))
        elif name == "total":
            forced.add(g)
    unpublished = {k for k in values if any(state[1] is False for state in k[1:])}
    # A two-way table's empty group (a row or column nobody is in: total zero) describes
    # nobody: it is shown hidden, but neither needs cover nor gives any — its zero can be
    # worked out, and says nothing about a person. (In a one-way breakdown a zero is the
    # group's own figure, and is protected like any small one.)
    empty: set[tuple] = set()
    if not (single_column or single_row):
        for t, parts in lines.values():
            if values[t] == 0 and t[0] in ("row", "column"):
                empty.update([t, *parts])
    kept = [
        (t, [p for p in parts if p not in empty]) for t, parts in lines.values() if t not in empty
    ]
    kept = [(t, parts) for t, parts in kept if parts]
    hidden = empty | _protect(
        {k: n for k, n in values.items() if k not in empty},
        kept,
        order,
        (forced & values.keys()) - empty,
        unpublished - empty,
        threshold,
    )

    def shown(key: tuple) -> int | None:
        return None if key in hidden else values[key]

    return SuppressedTable(
        cells={(r, c): shown(cell_key((r, True), (c, True))) for r in rows for c in columns},
        row_totals={r: shown(row_key((r, True))) for r in rows},
        column_totals={c: shown(column_key((c, True))) for c in columns},
        total=shown(g),
    )


def _protect(
    values: Mapping[Hashable, int],
    lines: list[tuple[Hashable, list[Hashable]]],
    order: Mapping[Hashable, int],
    forced: set[Hashable],
    unpublished: set[Hashable],
    threshold: int,
) -> set[Hashable]:
    """The hidden entries: primary, then complementary until rules 2 and 3 hold.

    ``unpublished`` entries (the people outside an overlapping group) are never shown; they
    are only known where the lines give them away, which is harmless unless they are small.
    """
    hidden = {k for k, n in values.items() if n < threshold and k not in unpublished} | forced
    small_unpublished = {k for k in unpublished if values[k] < threshold}
    rank = lambda k: (values[k] == 0, values[k], order[k])  # noqa: E731

    def cover(
        entries: list[Hashable], parts: list[Hashable], totals: bool = True
    ) -> Hashable | None:
        """The entry of a line to hide next: a shown part, else (if allowed) the total."""
        for pool in (parts, entries) if totals else (parts,):
            shown = sorted((e for e in pool if e not in hidden and e not in unpublished), key=rank)
            if shown:
                return shown[0]
        return None

    def cover_pinned(key: Hashable, totals: bool) -> Hashable | None:
        for total_entry, parts in lines:
            if key == total_entry or key in parts:
                pick = cover([total_entry, *parts], parts, totals)
                if pick is not None:
                    return pick
        return None

    while True:
        unknown = hidden | unpublished
        protected = hidden | small_unpublished
        pick = None
        for total_entry, parts in lines:
            entries = [total_entry, *parts]
            if not protected.intersection(entries):
                continue
            unknown_here = [e for e in entries if e in unknown]
            small_sum = total_entry not in unknown and (
                sum(values[p] for p in parts if p in unknown) < threshold
            )
            if len(unknown_here) < 2 or small_sum:
                pick = cover(entries, parts)
                if pick is not None:
                    break
        if pick is None:
            # An attacker who knows nothing more must not pin any hidden entry.
            for key in _pinned(lines, unknown):
                if key in protected:
                    pick = cover_pinned(key, totals=True)
                    if pick is None:  # known through lines whose entries are all hidden
                        shown = [k for k in values if k not in hidden and k not in unpublished]
                        pick = min(shown, key=rank) if shown else None
                    if pick is not None:
                        break
        if pick is None:
            # One who knows which entries are zero must not pin a small group; a larger
            # hidden group gets another part hidden beside it where its lines have one
            # (a lone group of its total is no secret: the total says as much).
            nonzero = {k for k in unknown if values[k] > 0}
            for key in _pinned(lines, nonzero):
                if key in protected:
                    pick = cover_pinned(key, totals=values[key] < threshold)
                    if pick is not None:
                        break
        if pick is None:
            return hidden
        hidden.add(pick)


def _pinned(lines: list[tuple[Hashable, list[Hashable]]], unknown: set[Hashable]) -> list[Hashable]:
    """Gaussian elimination over the unknowns: an unknown is pinned when its unit vector lies
    in the span of the lines (its pivot row has nothing in the free columns)."""
    columns = sorted(unknown, key=repr)
    index = {k: i for i, k in enumerate(columns)}
    matrix: list[list[int]] = []
    for total_entry, parts in lines:
        row = [0] * len(columns)
        for part in parts:
            if part in index:
                row[index[part]] = (row[index[part]] + 1) % _PRIME
        if total_entry in index:
            row[index[total_entry]] = (row[index[total_entry]] - 1) % _PRIME
        if any(row):
            matrix.append(row)
    pivots: list[int] = []
    r = 0
    for c in range(len(columns)):
        pivot = next((i for i in range(r, len(matrix)) if matrix[i][c]), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        inverse = pow(matrix[r][c], _PRIME - 2, _PRIME)
        matrix[r] = [x * inverse % _PRIME for x in matrix[r]]
        for i in range(len(matrix)):
            if i != r and matrix[i][c]:
                f = matrix[i][c]
                matrix[i] = [
                    (x - f * y) % _PRIME for x, y in zip(matrix[i], matrix[r], strict=True)
                ]
        pivots.append(c)
        r += 1
    free = [f for f in range(len(columns)) if f not in set(pivots)]
    return [
        columns[c]
        for row_index, c in enumerate(pivots)
        if not any(matrix[row_index][f] for f in free)
    ]


def suppress_cells(
    counts: Mapping[str, int], total: int | None = None, threshold: int = THRESHOLD
) -> dict[str, int | None]:
    """Groups that overlap (a person may be in several or none) out of ``total`` people: a
    group is hidden when it is small, and when the people *outside* it are (total minus the
    group). Without a total only small groups are hidden."""
    keys = list(counts)
    if total is None:
        return {key: (None if n < threshold else n) for key, n in counts.items()}
    result = suppress_table(
        {(k, "n"): n for k, n in counts.items()},
        keys,
        ["n"],
        column_totals={"n": total},
        total=total,
        overlapping_rows=True,
        threshold=threshold,
    )
    return {k: result.cells[(k, "n")] for k in keys}


def suppress_partition(
    counts: Mapping[str, int], threshold: int = THRESHOLD
) -> tuple[dict[str, int | None], int | None]:
    """Cells of a partition and their total (a table of one column): ``None`` = hidden.
    The total is ``None`` if below the threshold, and then every cell is hidden."""
    keys = list(counts)
    result = suppress_table(
        {(k, "n"): n for k, n in counts.items()}, keys, ["n"], threshold=threshold
    )
    if result.total is None:
        return dict.fromkeys(keys), None
    return {k: result.cells[(k, "n")] for k in keys}, result.total


def age_band(birth_year: int | None, year: int) -> str:
    """The band of someone born in ``birth_year``, by the age reached during ``year``."""
    if birth_year is None:
        return UNKNOWN
    age = year - birth_year
    for key, _label, low, high in AGE_BANDS:
        if (low is None or age >= low) and (high is None or age <= high):
            return key
    return UNKNOWN


def cell(value: int | None) -> dict[str, Any]:
    return {"count": value, "suppressed": value is None}


def percent(part: int | None, whole: int | None) -> dict[str, Any]:
    if part is None or whole is None or whole == 0:
        return {"percent": None, "suppressed": part is None or whole is None}
    return {"percent": round(100 * part / whole, 1), "suppressed": False}


def table(
    groups: list[tuple[str, str]],
    voters: Mapping[str, int],
    residents: Mapping[str, int] | None,
    name: str = "voters",
) -> dict[str, Any]:
    """Rows of one breakdown: ``name`` (voters or people) per group, and with ``residents``
    the registered residents and the turnout.

    Voters of a group are some of its residents: where the residents of a group are hidden,
    its voters are hidden too (else "6 voters" would sit beside residents shown as "fewer
    than 5", and bound the hidden figure), and so is the turnout derived from both. When no
    residents' figure is published at all (fewer than the threshold registered), there is
    nothing to contradict and the voters stand alone.
    """
    keys = [k for k, _l in groups]
    resident_cells: dict[str, int | None] = {}
    resident_total = None
    hide: list[tuple[str, ...]] = []
    if residents is not None:
        registered = suppress_table({(k, "n"): residents.get(k, 0) for k in keys}, keys, ["n"])
        resident_total = registered.total
        resident_cells = {k: registered.cells[(k, "n")] for k in keys}
        if resident_total is not None:
            hide = [("cell", k, "n") for k in keys if resident_cells[k] is None]
    counted = suppress_table({(k, "n"): voters.get(k, 0) for k in keys}, keys, ["n"], hide=hide)
    rows = []
    for key, label in groups:
        shown = counted.cells[(key, "n")]
        row: dict[str, Any] = {"key": key, "label": str(label), name: cell(shown)}
        if residents is not None:
            row["residents"] = cell(resident_cells[key])
            row["turnout"] = percent(shown, resident_cells[key])
        rows.append(row)
    answer: dict[str, Any] = {f"{name}_total": cell(counted.total), "groups": rows}
    if residents is not None:
        answer["residents_total"] = cell(resident_total)
    return answer


# --- counting people --------------------------------------------------------------------------


def band_expression(field: str, year: int) -> Case:
    whens = []
    for key, _label, low, high in AGE_BANDS:
        condition = Q(**{f"{field}__isnull": False})
        if low is not None:  # age >= low  <=>  birth_year <= year - low
            condition &= Q(**{f"{field}__lte": year - low})
        if high is not None:  # age <= high  <=>  birth_year >= year - high
            condition &= Q(**{f"{field}__gte": year - high})
        whens.append(When(condition, then=Value(key)))
    return Case(*whens, default=Value(UNKNOWN), output_field=CharField())


def grouped(rows: Iterable[dict[str, Any]], key: str) -> dict[str, int]:
    return {str(row[key]) if row[key] is not None else UNKNOWN: row["n"] for row in rows}


def organisation_districts(organisation_id: int) -> list[tuple[str, str]]:
    districts = District.objects.filter(organisation_id=organisation_id)
    return [(d.slug, d.name) for d in districts.order_by("name")] + [(UNKNOWN, str(_("Unknown")))]


def age_groups() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label, _l, _h in AGE_BANDS] + [(UNKNOWN, str(_("Unknown")))]


def people_groups(
    user_ids: set[int], organisation_id: int, year: int
) -> tuple[dict[str, int], dict[str, int]]:
    """People by district of residence and by age band (each person counted once)."""
    districts = dict(
        Residence.objects.filter(user_id__in=user_ids, organisation_id=organisation_id).values_list(
            "user_id", "district__slug"
        )
    )
    births = dict(
        ResidentProfile.objects.filter(user_id__in=user_ids).values_list("user_id", "birth_year")
    )
    by_district = Counter(districts.get(uid) or UNKNOWN for uid in user_ids)
    by_age = Counter(age_band(births.get(uid), year) for uid in user_ids)
    return dict(by_district), dict(by_age)


def small(n: int) -> int | None:
    return None if n < THRESHOLD else n


def contributions_answer(
    counts: Mapping[str, Any] | None, districts: list[tuple[str, str]]
) -> dict[str, Any] | None:
    if counts is None:
        return None
    contributors = sum(counts["contributors_by_age"].values())
    return {
        "ideas": cell(small(counts["ideas"])),
        "comments": cell(small(counts["comments"])),
        "supports": cell(small(counts["supports"])),
        "contributors": cell(small(contributors)),
        "by_district": table(districts, counts["contributors_by_district"], None, "people"),
        "by_age_group": table(age_groups(), counts["contributors_by_age"], None, "people"),
    }


def contributions_totals(counts: Mapping[str, Any]) -> dict[str, Any]:
    answer = contributions_answer(counts, [])
    assert answer is not None
    answer["by_district"] = answer["by_age_group"] = None
    return answer


# --- what features add to each other's statistics ---------------------------------------------

# (linked object, reference year) -> raw contribution counts, or None if it knows no such link.
ContributionCounter = Callable[[Any, int], "dict[str, Any] | None"]
_contribution_counters: list[ContributionCounter] = []


def register_contributions(counter: ContributionCounter) -> None:
    """A feature whose contributions (ideas, comments, supports) may belong to another's
    object (a budget round's idea phase) says how to count them."""
    if counter not in _contribution_counters:
        _contribution_counters.append(counter)


def contributions_linked_to(linked: Any, year: int) -> dict[str, Any] | None:
    """Raw contribution counts linked to ``linked`` (the first counter that knows it)."""
    for counter in _contribution_counters:
        counts = counter(linked, year)
        if counts is not None:
            return counts
    return None
