"""The suppression rules of every statistic: small groups are hidden, and so are the groups
that would let a small one be recomputed from a total (pure, no database)."""

from __future__ import annotations

import random

import pytest

from engagement.statistics import THRESHOLD, age_band, suppress_cells, suppress_partition


def _recoverable(cells: dict[str, int], shown: dict[str, int | None], total: int | None) -> bool:
    """Can some hidden cell be recomputed exactly from what is shown?"""
    hidden = [k for k, v in shown.items() if v is None]
    if total is None or not hidden:
        return False
    return len(hidden) == 1 or sum(cells[k] for k in hidden) < THRESHOLD


def test_small_groups_are_hidden_and_zero_counts_too():
    shown, total = suppress_partition({"a": 20, "b": 12, "c": 3, "d": 0})
    assert shown == {"a": 20, "b": None, "c": None, "d": None}
    assert total == 35


def test_a_single_hidden_group_takes_the_smallest_other_with_it():
    cells = {"a": 20, "b": 12, "c": 3, "unknown": 7}
    shown, total = suppress_partition(cells)
    assert shown == {"a": 20, "b": 12, "c": None, "unknown": None}
    assert total == 42
    # total minus the shown ones gives 10: the 3 cannot be told apart from the 7
    assert total - 20 - 12 == 10


def test_hidden_groups_that_add_up_to_a_small_number_take_more_with_them():
    shown, total = suppress_partition({"a": 30, "b": 9, "c": 1, "d": 2})
    assert shown == {"a": 30, "b": None, "c": None, "d": None}
    assert total == 42


def test_a_small_total_hides_everything():
    assert suppress_partition({"a": 2, "b": 2}) == ({"a": None, "b": None}, None)
    assert suppress_partition({}) == ({}, None)


def test_nothing_is_hidden_when_every_group_is_big_enough():
    assert suppress_partition({"a": 5, "b": 6}) == ({"a": 5, "b": 6}, 11)


def test_no_hidden_group_is_ever_recoverable_from_the_total():
    rng = random.Random(4)
    for _ in range(3000):
        cells = {
            f"g{i}": rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 15, 40]) for i in range(rng.randint(1, 6))
        }
        shown, total = suppress_partition(cells)
        assert all(v is None or v >= THRESHOLD for v in shown.values())
        assert all(shown[k] in (None, cells[k]) for k in cells)
        assert not _recoverable(cells, shown, total), cells


def test_overlapping_groups_hide_small_cells_only():
    assert suppress_cells({"young": 4, "elderly": 7, "migrant": 0}) == {
        "young": None,
        "elderly": 7,
        "migrant": None,
    }


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (16, "under_26"),
        (25, "under_26"),
        (26, "26_40"),
        (40, "26_40"),
        (41, "41_64"),
        (64, "41_64"),
        (65, "65_plus"),
        (99, "65_plus"),
    ],
)
def test_age_bands(age, band):
    assert age_band(2026 - age, 2026) == band
    assert age_band(None, 2026) == "unknown"


# --- one function for every table: a two-way table with its totals ---------------------------

from itertools import product  # noqa: E402

from engagement.statistics import suppress_table  # noqa: E402


def _attack(cells, rows, cols, published, *, zeros_known=False, window=3):
    """A brute-force attacker: every table of non-negative counts agreeing with everything
    published (shown cells and totals; with ``zeros_known`` also knowing which hidden cells
    are empty). Returns, per hidden entry, the set of values it takes over those tables.

    Each hidden cell is tried within ``window`` of its true value: fewer candidate tables
    can only make the attacker look luckier, never hide a leak."""
    hidden = [
        (r, c)
        for r in rows
        for c in cols
        if published.cells[(r, c)] is None and not (zeros_known and cells[(r, c)] == 0)
    ]
    fixed = {
        (r, c): cells[(r, c)] if published.cells[(r, c)] is None else published.cells[(r, c)]
        for r in rows
        for c in cols
    }
    seen: dict[tuple, set[int]] = {}
    ranges = [range(max(0, cells[k] - window), cells[k] + window + 1) for k in hidden]
    for guess in product(*ranges):
        table = dict(fixed)
        table.update(zip(hidden, guess, strict=True))
        row_totals = {r: sum(table[(r, c)] for c in cols) for r in rows}
        col_totals = {c: sum(table[(r, c)] for r in rows) for c in cols}
        total = sum(row_totals.values())
        if any(published.row_totals[r] not in (None, row_totals[r]) for r in rows):
            continue
        if any(published.column_totals[c] not in (None, col_totals[c]) for c in cols):
            continue
        if published.total not in (None, total):
            continue
        for k in hidden:
            seen.setdefault(("cell", *k), set()).add(table[k])
        for r in rows:
            if published.row_totals[r] is None:
                seen.setdefault(("row", r), set()).add(row_totals[r])
        for c in cols:
            if published.column_totals[c] is None:
                seen.setdefault(("column", c), set()).add(col_totals[c])
    return seen


def _empty_groups(cells, rows, cols):
    """The entries of a two-way table's empty rows and columns (nobody in them): shown
    hidden, but their zero describes nobody and may be worked out."""
    if len(rows) < 2 or len(cols) < 2:
        return set()
    empty = set()
    for r in rows:
        if not any(cells[(r, c)] for c in cols):
            empty |= {("row", r)} | {("cell", r, c) for c in cols}
    for c in cols:
        if not any(cells[(r, c)] for r in rows):
            empty |= {("column", c)} | {("cell", r, c) for r in rows}
    return empty


def _random_tables(seed, count, shapes):
    rng = random.Random(seed)
    for _ in range(count):
        n_rows, n_cols = rng.choice(shapes)
        rows = [f"r{i}" for i in range(n_rows)]
        cols = [f"c{j}" for j in range(n_cols)]
        cells = {
            (r, c): rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 8, 12, 20]) for r in rows for c in cols
        }
        yield rows, cols, cells


def _lines(cells, rows, cols, published):
    """Every published line: (its total or None if hidden, [(key, true value, shown)])."""
    row_totals = {r: sum(cells[(r, c)] for c in cols) for r in rows}
    col_totals = {c: sum(cells[(r, c)] for r in rows) for c in cols}
    for r in rows:
        yield (
            published.row_totals[r],
            [(("cell", r, c), cells[(r, c)], published.cells[(r, c)]) for c in cols],
        )
    for c in cols:
        yield (
            published.column_totals[c],
            [(("cell", r, c), cells[(r, c)], published.cells[(r, c)]) for r in rows],
        )
    yield published.total, [(("row", r), row_totals[r], published.row_totals[r]) for r in rows]
    yield (
        published.total,
        [(("column", c), col_totals[c], published.column_totals[c]) for c in cols],
    )


def test_a_two_way_table_hides_small_cells_and_totals():
    cells = {("yes", "north"): 3, ("yes", "south"): 12, ("no", "north"): 9, ("no", "south"): 20}
    shown = suppress_table(cells, ["yes", "no"], ["north", "south"])
    assert shown.cells[("yes", "north")] is None
    # the 3 is not the row total minus the other cell, nor the column total minus the other
    assert shown.cells[("yes", "south")] is None or shown.row_totals["yes"] is None
    assert shown.cells[("no", "north")] is None or shown.column_totals["north"] is None
    assert shown.total == 44


def test_the_subtraction_attack_on_a_single_hidden_cell_fails():
    # Without complementary suppression, 15 - 12 = 3 would give the hidden cell back.
    cells = {("yes", "north"): 3, ("yes", "south"): 12, ("no", "north"): 9, ("no", "south"): 20}
    shown = suppress_table(cells, ["yes", "no"], ["north", "south"])
    seen = _attack(cells, ["yes", "no"], ["north", "south"], shown, window=5)
    assert len(seen[("cell", "yes", "north")]) > 1
    assert all(len(values) > 1 for values in seen.values()), seen


def test_a_zero_is_no_cover_for_an_attacker_who_knows_it():
    # The demo city: six residents in each district and an "unknown" row everyone knows is
    # empty. Hiding one district beside it gave that district back: 24 - 18 = 6.
    shown, total = suppress_partition({"h": 6, "o": 6, "p": 6, "r": 6, "unknown": 0})
    assert total == 24
    assert [k for k, v in shown.items() if v is None and k != "unknown"] != ["h"]
    assert sum(1 for k, v in shown.items() if v is None and k != "unknown") >= 2


@pytest.mark.parametrize("seed", range(3))
def test_every_published_line_leaves_its_hidden_cells_in_twos_summing_past_the_threshold(seed):
    for rows, cols, cells in _random_tables(seed, 150, [(2, 2), (2, 3), (3, 3), (4, 2), (5, 1)]):
        shown = suppress_table(cells, rows, cols)
        for (r, c), value in shown.cells.items():
            assert value in (None, cells[(r, c)])
            assert value is None or value >= THRESHOLD
        empty = _empty_groups(cells, rows, cols)
        for total, parts in _lines(cells, rows, cols, shown):
            if total is None:
                continue
            hidden = [true for key, true, value in parts if value is None and key not in empty]
            assert len(hidden) == 0 or (len(hidden) >= 2 and sum(hidden) >= THRESHOLD), (
                cells,
                shown,
            )


@pytest.mark.parametrize("seed", range(2))
def test_no_hidden_entry_is_pinned_down_by_a_brute_force_attacker(seed):
    shapes = [(2, 2), (2, 3), (3, 2), (4, 1)]
    for rows, cols, cells in _random_tables(100 + seed, 40, shapes):
        shown = suppress_table(cells, rows, cols)
        if sum(1 for v in shown.cells.values() if v is None) > 5:
            continue  # too many to enumerate; the line rules above cover them
        empty = _empty_groups(cells, rows, cols)
        for key, values in _attack(cells, rows, cols, shown).items():
            assert len(values) > 1 or key in empty, (key, cells, shown)
        # knowing the empty cells pins no small group either
        for key, values in _attack(cells, rows, cols, shown, zeros_known=True).items():
            true = cells[key[1:]] if key[0] == "cell" else None
            if true is not None and 0 < true < THRESHOLD:
                assert len(values) > 1, (key, cells, shown)


def test_overlapping_groups_hide_a_group_of_nearly_everyone():
    # 42 of 44 are parents: the 2 who are not would be the total minus the group.
    assert suppress_cells({"parent": 42, "young": 0, "migrant": 10}, total=44) == {
        "parent": None,
        "young": None,
        "migrant": 10,
    }


def test_a_cross_tab_by_overlapping_groups_protects_the_people_outside_them():
    # Respondents choosing each option, by target group (a person in several or none).
    cells = {("o1", "young"): 8, ("o2", "young"): 6, ("o1", "parent"): 10, ("o2", "parent"): 0}
    shown = suppress_table(
        cells,
        ["o1", "o2"],
        ["young", "parent"],
        row_totals={"o1": 12, "o2": 20},
        overlapping_columns=True,
        total=32,
    )
    # o1: 12 people, 8 of them young -> 4 not young: small, so "8 young" cannot stand
    # beside "12"; and 10 of 12 parents leaves 2 who are not.
    assert shown.cells[("o1", "young")] is None or shown.row_totals["o1"] is None
    assert shown.cells[("o1", "parent")] is None or shown.row_totals["o1"] is None
    assert shown.cells[("o2", "parent")] is None
    assert shown.total == 32
