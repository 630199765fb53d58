"""A round's participation statistics: voters by district, age band, target group, channel.

Counted here, suppressed by the kernel's rules (``engagement.statistics``). During voting
the public sees no breakdown at all (comparing two moments would reveal who just voted);
staff see the same suppressed figures at any time.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Count, Min, OuterRef, Subquery
from django.utils import timezone, translation

from budgeting.models import BudgetRound, Participation
from engagement.people.models import Residence, ResidentProfile, TargetGroup
from engagement.statistics import (
    THRESHOLD,
    age_groups,
    band_expression,
    cell,
    contributions_answer,
    contributions_linked_to,
    contributions_totals,
    grouped,
    organisation_districts,
    suppress_cells,
    suppress_partition,
    table,
)

# Answers are kept this long per round, phase and language: the counting queries scan every
# participation of the round, and the endpoint is public.
CACHE_SECONDS = 60

# Phases in which the public sees breakdowns: voting is over.
PUBLIC_BREAKDOWN_PHASES = ("tallying", "results", "implementation", "evaluation", "closed")


def reference_year(budget_round: BudgetRound) -> int:
    """The voting year in the city's calendar (first ballot, else today) — for age bands."""
    first = Participation.objects.filter(round=budget_round).aggregate(first=Min("cast_at"))[
        "first"
    ]
    moment: datetime = first or timezone.now()
    return timezone.localtime(moment, ZoneInfo(budget_round.organisation.time_zone)).year


def _district_groups(budget_round: BudgetRound) -> list[tuple[str, str]]:
    return organisation_districts(budget_round.organisation_id)


def round_counts(budget_round: BudgetRound) -> dict[str, Any]:
    """Raw, unsuppressed counts of a round. Never return these to anyone: see
    :func:`round_statistics`."""
    organisation_id = budget_round.organisation_id
    year = reference_year(budget_round)
    participations = Participation.objects.filter(round=budget_round)
    residence_district = Subquery(
        Residence.objects.filter(
            user_id=OuterRef("voter_id"), organisation_id=organisation_id
        ).values("district__slug")[:1]
    )
    voters_by_district = grouped(
        participations.annotate(group=residence_district)
        .values("group")
        .annotate(n=Count("voter_key", distinct=True)),
        "group",
    )
    voters_by_age = grouped(
        participations.annotate(group=band_expression("voter__resident_profile__birth_year", year))
        .values("group")
        .annotate(n=Count("voter_key", distinct=True)),
        "group",
    )
    residences = Residence.objects.filter(organisation_id=organisation_id)
    residents_by_district = grouped(
        residences.values("district__slug").annotate(n=Count("user_id", distinct=True)),
        "district__slug",
    )
    residents_by_age = grouped(
        residences.annotate(group=band_expression("user__resident_profile__birth_year", year))
        .values("group")
        .annotate(n=Count("user_id", distinct=True)),
        "group",
    )
    voter_ids = participations.filter(voter__isnull=False).values("voter_id")
    by_target: Counter[str] = Counter()
    for groups in ResidentProfile.objects.filter(user_id__in=voter_ids).values_list(
        "target_groups", flat=True
    ):
        by_target.update(set(groups or []))
    ballots_by_channel = grouped(
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
        # The ideas, comments and supports of the round's idea phase, if a feature has them.
        "contributions": contributions_linked_to(budget_round, year),
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
        by_district = table(
            _district_groups(budget_round),
            counts["voters_by_district"],
            counts["residents_by_district"],
        )
        by_age = table(age_groups(), counts["voters_by_age"], counts["residents_by_age"])
    voters_total = sum(counts["voters_by_age"].values())
    answer: dict[str, Any] = {
        "round": budget_round.slug,
        "phase": budget_round.phase,
        "threshold": THRESHOLD,
        "reference_year": counts["year"],
        "breakdowns_public": budget_round.phase in PUBLIC_BREAKDOWN_PHASES,
        "voters": cell(voters_total if voters_total >= THRESHOLD else None),
        "by_district": by_district,
        "by_age_group": by_age,
        "contributions": (
            contributions_answer(counts["contributions"], _district_groups(budget_round))
            if breakdowns or counts["contributions"] is None
            else contributions_totals(counts["contributions"])
        ),
    }
    if staff:
        # Target groups overlap; the voters outside a group (the total minus it) are a
        # group of people too, and must not be small either.
        target = suppress_cells(
            {code: counts["voters_by_target_group"].get(code, 0) for code in TargetGroup.values},
            total=voters_total,
        )
        answer["by_target_group"] = [
            {"key": code, "label": str(label), "voters": cell(target[code])}
            for code, label in TargetGroup.choices
        ]
        channels, total = suppress_partition(counts["ballots_by_channel"])
        answer["ballots_by_channel"] = {
            "total": cell(total),
            "groups": [{"key": k, "ballots": cell(v)} for k, v in sorted(channels.items())],
        }
    return answer
