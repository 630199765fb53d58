"""Incremental live counters of budget rounds: turnout and turnout over time.

The cost of a push must not grow with the number of ballots (DESIGN.md §6). Each process
keeps, for the rounds someone watches through it, the counts it has already read, and on
every refresh reads only what is new:

- participations with ``id`` above the highest it has seen (casts),
- the append-only log of withdrawals (``budgeting/models/live.py``).

Nothing is written on the voting path for this — no counter row, no trigger — except one
log row in the (rare, already transactional) withdrawal path. Vote counts are not kept
here: they move by whole batches of ballots (``budgeting/services/ballot_box.py``).

Ids are handed out before commit, so a row with a lower id can become visible after a higher
one: ids skipped over are kept as *gaps* and looked up again on every refresh until they
appear, are resolved by a log row (created and withdrawn before we saw it), or expire
(rolled back). All reads of one refresh happen in one REPEATABLE READ snapshot, so the
tables and the logs agree with each other.

A round is loaded (one full count, filtered to exactly the ids already accounted for) the
first time a process needs it; afterwards only increments are read. Rounds nobody asked for
in ``IDLE_SECONDS`` are forgotten.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Q

from budgeting.models import (
    BudgetRound,
    Channel,
    DistrictBudget,
    Participation,
    ParticipationRemoval,
)

BUCKET_SECONDS = 600  # turnout over time, per 10 minutes
MAX_TIMELINE_POINTS = 144  # longer phases get wider buckets
# Ids skipped over are looked up again until they appear; "already voted" attempts burn ids
# too (INSERT … ON CONFLICT), so gaps must not live long. No voting transaction holds a new
# ballot uncommitted for two minutes (a big import may: it is counted when the round is
# next loaded).
GAP_EXPIRY_SECONDS = 120.0
MAX_GAPS = 5_000
INITIAL_GAP_WINDOW = 2_000  # ids below the newest one that may still be in flight at start
IDLE_SECONDS = 600.0


class _IdReader:
    """Which ids of one table this process has accounted for: all ``<= horizon`` but gaps."""

    def __init__(self, model: type) -> None:
        self.model = model
        self.horizon = 0
        self.gaps: dict[int, float] = {}

    def start(self) -> None:
        """Begin at the newest row; recent missing ids may still be in flight."""
        newest = self.model.objects.aggregate(m=Max("id"))["m"] or 0
        self.horizon = newest
        low = max(0, newest - INITIAL_GAP_WINDOW)
        present = set(
            self.model.objects.filter(id__gt=low, id__lte=newest).values_list("id", flat=True)
        )
        now = time.monotonic()
        self.gaps = {i: now for i in range(low + 1, newest + 1) if i not in present}

    def counted(self, row_id: int) -> bool:
        return row_id <= self.horizon and row_id not in self.gaps

    def new_rows(self, *columns: str) -> list[tuple[Any, ...]]:
        """Rows not accounted for yet (``id`` first); call :meth:`advance` with their ids."""
        wanted = Q(id__gt=self.horizon)
        if self.gaps:
            wanted |= Q(id__in=list(self.gaps))
        return list(self.model.objects.filter(wanted).values_list("id", *columns))

    def advance(self, seen: Iterable[int], resolved: Iterable[int] = ()) -> None:
        now = time.monotonic()
        seen = set(seen)
        top = max(seen, default=self.horizon)
        for row_id in seen:
            self.gaps.pop(row_id, None)
        if top > self.horizon:
            for row_id in range(self.horizon + 1, top):
                if row_id not in seen:
                    self.gaps[row_id] = now
            self.horizon = top
        for row_id in resolved:
            self.gaps.pop(row_id, None)
        if self.gaps:
            expired = [i for i, t in self.gaps.items() if now - t > GAP_EXPIRY_SECONDS]
            for row_id in expired:
                del self.gaps[row_id]
            while len(self.gaps) > MAX_GAPS:
                del self.gaps[min(self.gaps)]

    def accounted_filter(self) -> Q:
        """The rows this reader has accounted for, as a filter (for loading a round)."""
        accounted = Q(id__lte=self.horizon)
        if self.gaps:
            accounted &= ~Q(id__in=list(self.gaps))
        return accounted


@dataclass
class RoundCounts:
    round_id: int
    slug: str
    districts: dict[int, str]  # district budget id -> key, in display order
    channels: dict[int, dict[str, int]] = field(default_factory=dict)
    voters: int = 0
    timeline: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    used_at: float = 0.0

    def turnout(self) -> dict[str, Any]:
        districts = {}
        for district_id, key in self.districts.items():
            by_channel = self.channels.get(district_id, {})
            entry = {"total": 0, **dict.fromkeys(Channel.values, 0)}
            for channel, n in by_channel.items():
                entry[channel] = entry.get(channel, 0) + n
                entry["total"] += n
            districts[key] = entry
        return {"voters": self.voters, "districts": districts}

    def timeline_points(self, start: datetime | None = None) -> list[dict[str, Any]]:
        """Participations per bucket from the first bucket (or ``start``), bounded in length:
        when there would be more than ``MAX_TIMELINE_POINTS``, buckets are merged."""
        buckets = {b: n for b, n in self.timeline.items() if n}
        if not buckets:
            return []
        first = min(buckets)
        if start is not None:
            first = min(first, int(start.timestamp()) // BUCKET_SECONDS)
        last = max(buckets)
        span = last - first + 1
        width = -(-span // MAX_TIMELINE_POINTS)
        merged: dict[int, int] = {}
        for bucket in range(first, last + 1, width):
            merged[bucket] = sum(buckets.get(b, 0) for b in range(bucket, bucket + width))
        return [
            {
                "at": datetime.fromtimestamp(bucket * BUCKET_SECONDS, UTC).isoformat(),
                "ballots": n,
            }
            for bucket, n in merged.items()
        ]


def _bucket(moment: datetime) -> int:
    return int(moment.timestamp()) // BUCKET_SECONDS


class LiveCounters:
    """This process's counters (one per process; thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rounds: dict[int, RoundCounts] = {}
        self._by_slug: dict[str, int] = {}
        self._district_round: dict[int, int] = {}
        self._readers: dict[str, _IdReader] | None = None

    def reset(self) -> None:
        with self._lock:
            self._rounds.clear()
            self._by_slug.clear()
            self._district_round.clear()
            self._readers = None

    # public

    def counts(self, budget_round: BudgetRound) -> RoundCounts:
        """The round's counts, brought up to date with everything committed."""
        if connection.in_atomic_block:
            # Inside someone's transaction (a test, a page in an atomic block) there is no
            # snapshot of our own to read increments in: count this once, keep nothing.
            return self._count(budget_round, accounted=False)
        with self._lock, transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            if self._readers is None:
                self._readers = {
                    "participation": _IdReader(Participation),
                    "removal": _IdReader(ParticipationRemoval),
                }
                for reader in self._readers.values():
                    reader.start()
            else:
                self._refresh()
            counts = self._rounds.get(budget_round.pk)
            if counts is None:
                counts = self._load(budget_round)
            counts.used_at = time.monotonic()
            self._forget_idle()
            return counts

    # internals

    def _forget_idle(self) -> None:
        now = time.monotonic()
        for round_id, counts in list(self._rounds.items()):
            if now - counts.used_at > IDLE_SECONDS:
                del self._rounds[round_id]
                self._by_slug.pop(counts.slug, None)
                for district_id in counts.districts:
                    self._district_round.pop(district_id, None)
        if not self._rounds:
            self._readers = None  # start afresh when next needed, not from a stale horizon

    def _load(self, budget_round: BudgetRound) -> RoundCounts:
        """One full count of the round, of exactly the rows the readers accounted for."""
        counts = self._count(budget_round, accounted=True)
        self._rounds[budget_round.pk] = counts
        self._by_slug[budget_round.slug] = budget_round.pk
        for district_id in counts.districts:
            self._district_round[district_id] = budget_round.pk
        return counts

    def _count(self, budget_round: BudgetRound, *, accounted: bool) -> RoundCounts:
        def only(reader: str) -> Q:
            if not accounted:
                return Q()
            assert self._readers is not None
            return self._readers[reader].accounted_filter()

        districts = dict(
            DistrictBudget.objects.filter(round=budget_round)
            .order_by("position", "key")
            .values_list("id", "key")
        )
        counts = RoundCounts(budget_round.pk, budget_round.slug, districts)
        participations = Participation.objects.filter(only("participation"), round=budget_round)
        for district_id, channel, n in (
            participations.values("district_budget_id", "channel")
            .annotate(n=Count("id"))
            .values_list("district_budget_id", "channel", "n")
        ):
            counts.channels.setdefault(district_id, {})[channel] = n
        counts.voters = participations.values("voter_key").distinct().count()
        for cast_at in participations.values_list("cast_at", flat=True).iterator(chunk_size=5000):
            counts.timeline[_bucket(cast_at)] += 1
        return counts

    def _refresh(self) -> None:
        assert self._readers is not None
        readers = self._readers
        watched = self._district_round
        new_participations = readers["participation"].new_rows(
            "district_budget_id", "channel", "voter_key", "cast_at"
        )
        removals = readers["removal"].new_rows(
            "district_budget_id", "participation_id", "channel", "voter_key", "cast_at"
        )
        # Voters: a person counts once however many district budgets they voted in. For
        # each person touched, compare "had a counted participation before" with "has one
        # now" in this snapshot (an indexed lookup per person touched, never a recount).
        was_counted = readers["participation"].counted
        touched: dict[int, set[str]] = defaultdict(set)
        had_before: dict[int, set[str]] = defaultdict(set)

        for _id, district_id, channel, voter_key, cast_at in new_participations:
            round_id = watched.get(district_id)
            if round_id is None:
                continue
            counts = self._rounds[round_id]
            by_channel = counts.channels.setdefault(district_id, {})
            by_channel[channel] = by_channel.get(channel, 0) + 1
            counts.timeline[_bucket(cast_at)] += 1
            touched[round_id].add(voter_key)
        for _id, district_id, participation_id, channel, voter_key, cast_at in removals:
            round_id = watched.get(district_id)
            if round_id is None or not was_counted(participation_id):
                continue
            counts = self._rounds[round_id]
            by_channel = counts.channels.setdefault(district_id, {})
            by_channel[channel] = by_channel.get(channel, 0) - 1
            counts.timeline[_bucket(cast_at)] -= 1
            touched[round_id].add(voter_key)
            had_before[round_id].add(voter_key)
        for round_id, keys in touched.items():
            counts = self._rounds[round_id]
            present: set[str] = set()
            for row_id, voter_key in Participation.objects.filter(
                district_budget_id__in=list(counts.districts), voter_key__in=list(keys)
            ).values_list("id", "voter_key"):
                present.add(voter_key)
                if was_counted(row_id):
                    had_before[round_id].add(voter_key)
            counts.voters += len(present) - len(had_before[round_id] & keys)

        readers["participation"].advance(
            (row[0] for row in new_participations), (row[2] for row in removals)
        )
        readers["removal"].advance(row[0] for row in removals)


counters = LiveCounters()
