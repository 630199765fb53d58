"""Participation statistics that never expose a person.

Counts are of **people** (distinct voters, registered residents, contributors), grouped by
district of residence, by age band and (staff) by EmPaci target group. Every count below
:data:`THRESHOLD` (5 — zero included) is suppressed: shown as ``null`` with
``suppressed: true``. Groups that partition a published total also get **complementary
suppression**: when a single cell is hidden, or the hidden cells add up to less than the
threshold, the smallest visible cells are hidden too, so "total minus the others" never
gives back a small group. A total below the threshold hides the whole table.

The suppression rules are pure functions (:func:`suppress_partition`, :func:`suppress_cells`)
tested without a database; the selectors only count.

During voting the public sees no breakdown at all (comparing two moments would reveal who
just voted); staff see the same suppressed figures at any time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.core.cache import cache
from django.db.models import Case, CharField, Count, Min, OuterRef, Q, Subquery, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from engagement.people.models import Residence, ResidentProfile, TargetGroup

if TYPE_CHECKING:
    from budgeting.models import BudgetRound

THRESHOLD = 5

UNKNOWN = "unknown"
AGE_BANDS: list[tuple[str, Any, int | None, int | None]] = [
    # key, label, lowest age, highest age (inclusive)
    ("under_26", _("Under 26"), None, 25),
    ("26_40", _("26–40"), 26, 40),  # noqa: RUF001
    ("41_64", _("41–64"), 41, 64),  # noqa: RUF001
    ("65_plus", _("65 and over"), 65, None),
]

# Answers are kept this long per round, phase and language: the counting queries scan every
# participation of the round, and the endpoint is public.
CACHE_SECONDS = 60

# Phases in which the public sees breakdowns: voting is over.
PUBLIC_BREAKDOWN_PHASES = ("tallying", "results", "implementation", "evaluation", "closed")


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


def _cell(value: int | None) -> dict[str, Any]:
    return {"count": value, "suppressed": value is None}


def _percent(part: int | None, whole: int | None) -> dict[str, Any]:
    if part is None or whole is None or whole == 0:
        return {"percent": None, "suppressed": part is None or whole is None}
    return {"percent": round(100 * part / whole, 1), "suppressed": False}


def _table(
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
        row: dict[str, Any] = {"key": key, "label": str(label), name: _cell(voter_cells[key])}
        if residents is not None:
            row["residents"] = _cell(resident_cells[key])
            row["turnout"] = _percent(voter_cells[key], resident_cells[key])
        rows.append(row)
    answer: dict[str, Any] = {f"{name}_total": _cell(voter_total), "groups": rows}
    if residents is not None:
        answer["residents_total"] = _cell(resident_total)
    return answer


# --- counting --------------------------------------------------------------------------------


def reference_year(budget_round: BudgetRound) -> int:
    """The voting year in the city's calendar (first ballot, else today) — for age bands."""
    from budgeting.models import Participation

    first = Participation.objects.filter(round=budget_round).aggregate(first=Min("cast_at"))[
        "first"
    ]
    moment: datetime = first or timezone.now()
    return timezone.localtime(moment, ZoneInfo(budget_round.organisation.time_zone)).year


def _band_expression(field: str, year: int) -> Case:
    whens = []
    for key, _label, low, high in AGE_BANDS:
        condition = Q(**{f"{field}__isnull": False})
        if low is not None:  # age >= low  <=>  birth_year <= year - low
            condition &= Q(**{f"{field}__lte": year - low})
        if high is not None:  # age <= high  <=>  birth_year >= year - high
            condition &= Q(**{f"{field}__gte": year - high})
        whens.append(When(condition, then=Value(key)))
    return Case(*whens, default=Value(UNKNOWN), output_field=CharField())


def _grouped(rows: Iterable[dict[str, Any]], key: str) -> dict[str, int]:
    return {str(row[key]) if row[key] is not None else UNKNOWN: row["n"] for row in rows}


def _district_groups(budget_round: BudgetRound) -> list[tuple[str, str]]:
    return _organisation_districts(budget_round.organisation_id)


def _organisation_districts(organisation_id: int) -> list[tuple[str, str]]:
    from engagement.people.models import District

    districts = District.objects.filter(organisation_id=organisation_id)
    return [(d.slug, d.name) for d in districts.order_by("name")] + [(UNKNOWN, str(_("Unknown")))]


def _age_groups() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label, _l, _h in AGE_BANDS] + [(UNKNOWN, str(_("Unknown")))]


def round_counts(budget_round: BudgetRound) -> dict[str, Any]:
    """Raw, unsuppressed counts of a round. Never return these to anyone: see
    :func:`round_statistics`."""
    from budgeting.models import Participation

    organisation_id = budget_round.organisation_id
    year = reference_year(budget_round)
    participations = Participation.objects.filter(round=budget_round)
    residence_district = Subquery(
        Residence.objects.filter(
            user_id=OuterRef("voter_id"), organisation_id=organisation_id
        ).values("district__slug")[:1]
    )
    voters_by_district = _grouped(
        participations.annotate(group=residence_district)
        .values("group")
        .annotate(n=Count("voter_key", distinct=True)),
        "group",
    )
    voters_by_age = _grouped(
        participations.annotate(group=_band_expression("voter__resident_profile__birth_year", year))
        .values("group")
        .annotate(n=Count("voter_key", distinct=True)),
        "group",
    )
    residences = Residence.objects.filter(organisation_id=organisation_id)
    residents_by_district = _grouped(
        residences.values("district__slug").annotate(n=Count("user_id", distinct=True)),
        "district__slug",
    )
    residents_by_age = _grouped(
        residences.annotate(group=_band_expression("user__resident_profile__birth_year", year))
        .values("group")
        .annotate(n=Count("user_id", distinct=True)),
        "group",
    )
    process = _process_of(budget_round)
    voter_ids = participations.filter(voter__isnull=False).values("voter_id")
    by_target: Counter[str] = Counter()
    for groups in ResidentProfile.objects.filter(user_id__in=voter_ids).values_list(
        "target_groups", flat=True
    ):
        by_target.update(set(groups or []))
    ballots_by_channel = _grouped(
        participations.values("channel").annotate(n=Count("id")), "channel"
    )
    return {
        "year": year,
        "voters_by_district": voters_by_district,
        "voters_by_age": voters_by_age,
        "residents_by_district": residents_by_district,
        "residents_by_age": residents_by_age,
        "voters_by_target_group": dict(by_target),
        "ballots_by_channel": ballots_by_channel,
        "contributions": contribution_counts(process, year) if process is not None else None,
    }


def _people_groups(
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


def contribution_counts(process: Any, year: int) -> dict[str, Any]:
    """Public ideas, their visible comments and supports in ``process``, and the people
    behind them (distinct authors and supporters) by district and age band. Drafts, hidden
    and deleted content are not counted."""
    from engagement.ideas.models import Comment, Idea, IdeaStatus, Support

    ideas = Idea.objects.filter(process=process, hidden=False, submitted_at__isnull=False).exclude(
        status=IdeaStatus.DRAFT
    )
    comments = Comment.objects.filter(idea__in=ideas, hidden=False, deleted_at__isnull=True)
    supports = Support.objects.filter(idea__in=ideas)
    people: set[int] = set()
    for rows in (
        ideas.exclude(author=None).values_list("author_id", flat=True),
        comments.exclude(author=None).values_list("author_id", flat=True),
        supports.values_list("user_id", flat=True),
    ):
        people.update(rows)
    by_district, by_age = _people_groups(people, process.organisation_id, year)
    return {
        "ideas": ideas.count(),
        "comments": comments.count(),
        "supports": supports.count(),
        "contributors_by_district": by_district,
        "contributors_by_age": by_age,
    }


def _process_of(budget_round: BudgetRound) -> Any:
    try:
        process_model = apps.get_model("engagement", "ParticipatoryProcess")
    except LookupError:  # ideas not installed
        return None
    return process_model.objects.filter(budget_round=budget_round).first()


def _contributions_answer(
    counts: Mapping[str, Any] | None, districts: list[tuple[str, str]]
) -> dict[str, Any] | None:
    if counts is None:
        return None
    contributors = sum(counts["contributors_by_age"].values())
    return {
        "ideas": _cell(_small(counts["ideas"])),
        "comments": _cell(_small(counts["comments"])),
        "supports": _cell(_small(counts["supports"])),
        "contributors": _cell(_small(contributors)),
        "by_district": _table(districts, counts["contributors_by_district"], None, "people"),
        "by_age_group": _table(_age_groups(), counts["contributors_by_age"], None, "people"),
    }


def _small(n: int) -> int | None:
    return None if n < THRESHOLD else n


def process_statistics(process: Any) -> dict[str, Any]:
    """Suppressed contribution statistics of a participatory process (ideas, comments,
    supports and the people behind them) — for idea collections without a round."""
    organisation = process.organisation
    year = timezone.localtime(timezone.now(), ZoneInfo(organisation.time_zone)).year
    districts = _organisation_districts(process.organisation_id)
    return {
        "process": process.slug,
        "threshold": THRESHOLD,
        "reference_year": year,
        "contributions": _contributions_answer(contribution_counts(process, year), districts),
    }


def round_statistics(budget_round: BudgetRound, *, staff: bool = False) -> dict[str, Any]:
    """Suppressed statistics of a round (cached for :data:`CACHE_SECONDS`)."""
    if CACHE_SECONDS <= 0:
        return _round_statistics(budget_round, staff=staff)
    key = ":".join(
        [
            "kopa-statistics",
            str(budget_round.pk),
            budget_round.phase,
            "staff" if staff else "public",
            translation.get_language() or "",
        ]
    )
    return cache.get_or_set(
        key, lambda: _round_statistics(budget_round, staff=staff), CACHE_SECONDS
    )


def _round_statistics(budget_round: BudgetRound, *, staff: bool) -> dict[str, Any]:
    """The public gets breakdowns once voting is over; staff always, and by target group
    and channel too."""
    counts = round_counts(budget_round)
    breakdowns = staff or budget_round.phase in PUBLIC_BREAKDOWN_PHASES
    by_district = by_age = None
    if breakdowns:
        by_district = _table(
            _district_groups(budget_round),
            counts["voters_by_district"],
            counts["residents_by_district"],
        )
        by_age = _table(_age_groups(), counts["voters_by_age"], counts["residents_by_age"])
    voters_total = sum(counts["voters_by_age"].values())
    answer: dict[str, Any] = {
        "round": budget_round.slug,
        "phase": budget_round.phase,
        "threshold": THRESHOLD,
        "reference_year": counts["year"],
        "breakdowns_public": budget_round.phase in PUBLIC_BREAKDOWN_PHASES,
        "voters": _cell(voters_total if voters_total >= THRESHOLD else None),
        "by_district": by_district,
        "by_age_group": by_age,
        "contributions": (
            _contributions_answer(counts["contributions"], _district_groups(budget_round))
            if breakdowns or counts["contributions"] is None
            else _contributions_totals(counts["contributions"])
        ),
    }
    if staff:
        target = suppress_cells(
            {code: counts["voters_by_target_group"].get(code, 0) for code in TargetGroup.values}
        )
        answer["by_target_group"] = [
            {"key": code, "label": str(label), "voters": _cell(target[code])}
            for code, label in TargetGroup.choices
        ]
        channels, total = suppress_partition(counts["ballots_by_channel"])
        answer["ballots_by_channel"] = {
            "total": _cell(total),
            "groups": [{"key": k, "ballots": _cell(v)} for k, v in sorted(channels.items())],
        }
    return answer


def _contributions_totals(counts: Mapping[str, Any]) -> dict[str, Any]:
    answer = _contributions_answer(counts, [])
    assert answer is not None
    answer["by_district"] = answer["by_age_group"] = None
    return answer
