"""Participation statistics that never expose a person: the rules every feature counts by.

Counts are of **people** (distinct voters, registered residents, contributors), grouped by
district of residence, by age band and (staff) by EmPaci target group. Every count below
:data:`THRESHOLD` (5 — zero included) is suppressed: shown as ``null`` with
``suppressed: true``. Groups that partition a published total also get **complementary
suppression**: when a single cell is hidden, or the hidden cells add up to less than the
threshold, the smallest visible cells are hidden too, so "total minus the others" never
gives back a small group. A total below the threshold hides the whole table.

The suppression rules are pure functions (:func:`suppress_partition`, :func:`suppress_cells`)
tested without a database; the grouping helpers only count. Features build their
statistics on these (``budgeting.statistics`` for a round's voters) and register what they
add to another's (:func:`register_contributions`: the ideas feature's contributions to the
process linked to a round).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
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


def suppress_cells(counts: Mapping[str, int], threshold: int = THRESHOLD) -> dict[str, int | None]:
    """Hide every count below ``threshold`` (for groups that overlap: no total to subtract
    from)."""
    return {key: (None if n < threshold else n) for key, n in counts.items()}


def suppress_partition(
    counts: Mapping[str, int], threshold: int = THRESHOLD
) -> tuple[dict[str, int | None], int | None]:
    """Cells of a partition and their total, with primary and complementary suppression.

    Returns the cells (``None`` = hidden) and the total (``None`` if below the threshold,
    in which case every cell is hidden). Hidden cells are never recoverable exactly: there
    are at least two of them, or none, and together they hold at least ``threshold``
    people. Which visible cells are sacrificed: smallest first, then by key.
    """
    total = sum(counts.values())
    if total < threshold:
        return dict.fromkeys(counts), None
    hidden = {key for key, n in counts.items() if n < threshold}
    if hidden:
        visible = sorted((n, key) for key, n in counts.items() if key not in hidden)
        while visible and (len(hidden) < 2 or sum(counts[k] for k in hidden) < threshold):
            hidden.add(visible.pop(0)[1])
    return {key: (None if key in hidden else n) for key, n in counts.items()}, total


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
    the registered residents and the turnout."""
    voter_cells, voter_total = suppress_partition({k: voters.get(k, 0) for k, _l in groups})
    resident_cells: dict[str, int | None] = {}
    resident_total = None
    if residents is not None:
        resident_cells, resident_total = suppress_partition(
            {k: residents.get(k, 0) for k, _l in groups}
        )
    rows = []
    for key, label in groups:
        row: dict[str, Any] = {"key": key, "label": str(label), name: cell(voter_cells[key])}
        if residents is not None:
            row["residents"] = cell(resident_cells[key])
            row["turnout"] = percent(voter_cells[key], resident_cells[key])
        rows.append(row)
    answer: dict[str, Any] = {f"{name}_total": cell(voter_total), "groups": rows}
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
