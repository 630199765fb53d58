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
