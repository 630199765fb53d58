"""The ballot box: sealed while ballots come in, opened in a random order for good.

While a round votes and tallies, a ballot exists only sealed on its participation (who voted
and, encrypted, what: ``budgeting/sealing.py``). Everything that needs what was voted before
the box is opened unseals in memory: the tally, exports, the voter's own view of a ballot
that is not secret, and the live vote counts. When the round moves to results the box is
opened: every district budget's ballots are unsealed, shuffled and written to the ballot
table in one transaction, and the sealed copies are erased (docs/budgeting.md, "Ballot
secrecy" has the argument).

Live vote counts (rounds that show them during voting) come from a ``LiveTally`` per
district budget, which moves only when at least ``KOPA_BALLOT_BATCH`` ballots were cast,
changed or withdrawn since it last moved: whoever watches the counts and knows when someone
voted sees that person's ballot only inside a batch.
"""

from __future__ import annotations

import functools
import json
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F

from budgeting.ballots import ballot_support
from budgeting.models import (
    Ballot,
    BudgetRound,
    DistrictBudget,
    LiveTally,
    PaperBallotEntry,
    Participation,
    Phase,
    Project,
    WithdrawnBallot,
)
from budgeting.sealing import BallotContent, BallotSealer, derive_key, election_label
from budgeting.selectors import rounds as selectors

_shuffle = random.SystemRandom().shuffle


# --- sealing ---------------------------------------------------------------------------------


@functools.cache
def _sealer(keys: tuple[str, ...]) -> BallotSealer:
    return BallotSealer([derive_key(key) for key in keys])


def sealer() -> BallotSealer:
    """The sealer for the configured ballot key and its fallbacks."""
    return _sealer((settings.KOPA_BALLOT_KEY, *settings.KOPA_BALLOT_KEY_FALLBACKS))


def seal(
    district_budget: DistrictBudget,
    projects: Iterable[int],
    points: Iterable[int] | None,
    *,
    projects_in_district: int,
    changed: bool = False,
) -> bytes:
    content = BallotContent(
        projects=tuple(projects),
        points=tuple(points) if points is not None else None,
        changed=changed,
    )
    return sealer().seal(
        content,
        label=election_label(district_budget.round_id, district_budget.pk),
        projects_in_district=projects_in_district,
    )


def unseal(district_budget: DistrictBudget, blob: bytes | memoryview) -> BallotContent:
    return sealer().open(blob, label=election_label(district_budget.round_id, district_budget.pk))


# --- reading what was voted ------------------------------------------------------------------


@dataclass(frozen=True)
class BoxBallot:
    """One ballot as the count reads it (project primary keys; pabulib columns if imported)."""

    projects: tuple[int, ...]
    points: tuple[int, ...] | None
    source_voter_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


def _as_tuple(value: Any) -> tuple[int, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = json.loads(value)
    return tuple(value)


def district_ballots(district_budget: DistrictBudget) -> list[BoxBallot]:
    """Every ballot of the district budget: those in the ballot table in their (random or
    imported) order, then those still sealed, ordered by content — never by casting."""
    ballots = [
        BoxBallot(_as_tuple(projects) or (), _as_tuple(points), voter_id or "", extra or {})
        for projects, points, voter_id, extra in Ballot.objects.filter(
            district_budget=district_budget
        )
        .order_by("pk")
        .values_list("projects", "points", "source_voter_id", "extra")
        .iterator(chunk_size=5000)
    ]
    sealed = [
        unseal(district_budget, blob)
        for blob in Participation.objects.filter(
            district_budget=district_budget, sealed_ballot__isnull=False
        )
        .values_list("sealed_ballot", flat=True)
        .iterator(chunk_size=5000)
    ]
    sealed.sort(key=lambda c: (c.projects, c.points or ()))
    ballots.extend(BoxBallot(c.projects, c.points) for c in sealed)
    return ballots


def ballot_count(budget_round: BudgetRound) -> int:
    """Ballots of the round, opened or sealed."""
    return (
        Ballot.objects.filter(district_budget__round=budget_round).count()
        + Participation.objects.filter(round=budget_round, sealed_ballot__isnull=False).count()
    )


# --- opening the box -------------------------------------------------------------------------


BALLOT_COLUMNS = (
    "district_budget_id",
    "projects",
    "points",
    "channel",
    "source_voter_id",
    "extra",
    "participation_id",
    "cast_at",
)


def write_ballots(rows: list[tuple[Any, ...]]) -> None:
    """Append ballots to the ballot table in the order given, fast: ``COPY`` on PostgreSQL.
    Each row holds ``BALLOT_COLUMNS``, ``projects``/``points``/``extra`` as JSON text."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        columns = ", ".join(BALLOT_COLUMNS)
        # wrap_database_errors: the driver's errors on the raw cursor become Django's
        with connection.cursor() as cursor, connection.wrap_database_errors:
            raw = cursor.connection.cursor()
            with raw.copy(f"COPY {Ballot._meta.db_table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    ballots = []
    for row in rows:
        values = dict(zip(BALLOT_COLUMNS, row, strict=True))
        for name in ("projects", "points", "extra"):
            if values[name] is not None:
                values[name] = json.loads(values[name])
        ballots.append(Ballot(**values))
    Ballot.objects.bulk_create(ballots, batch_size=1000)


def box_open(budget_round: BudgetRound) -> int:
    """Unseal every ballot of the round into the ballot table, shuffled, and erase the sealed
    copies; in the caller's transaction (the move to results). Returns the ballots opened.

    One district budget's ballots are written in one random order, so neither their ids nor
    their place on disk follows the order of casting; the participations are updated in the
    same transaction, so the transaction id ties each ballot to all of them at once. The
    officers' sealed readings of paper sheets are erased with them.
    """
    opened = 0
    secret = budget_round.secret_ballot
    for district_budget in budget_round.districts.all():
        label = election_label(district_budget.round_id, district_budget.pk)
        open_one = sealer().open
        rows = []
        for participation_id, blob, channel, cast_at in (
            Participation.objects.filter(
                district_budget=district_budget, sealed_ballot__isnull=False
            )
            .values_list("pk", "sealed_ballot", "channel", "cast_at")
            .iterator(chunk_size=5000)
        ):
            content = open_one(blob, label=label)
            rows.append(
                (
                    district_budget.pk,
                    json.dumps(content.projects),
                    json.dumps(content.points) if content.points is not None else None,
                    channel,
                    "",
                    "{}",
                    None if secret else participation_id,
                    None if secret else cast_at,
                )
            )
        _shuffle(rows)
        write_ballots(rows)
        opened += len(rows)
    Participation.objects.filter(round=budget_round).exclude(
        sealed_ballot__isnull=True, tallied_ballot__isnull=True, tally_pending=False
    ).update(sealed_ballot=None, tallied_ballot=None, tally_pending=False)
    PaperBallotEntry.objects.filter(sheet__district_budget__round=budget_round).exclude(
        sealed_ballot__isnull=True
    ).update(sealed_ballot=None)
    WithdrawnBallot.objects.filter(district_budget__round=budget_round).delete()
    LiveTally.objects.filter(district_budget__round=budget_round).delete()
    return opened


# --- live vote counts ------------------------------------------------------------------------


def batch_size(budget_round: BudgetRound) -> int:
    """Ballots the live counts wait for before they move: one when ballots are not secret."""
    return settings.KOPA_BALLOT_BATCH if budget_round.secret_ballot else 1


def _opened_support(budget_round: BudgetRound, district_budget: DistrictBudget) -> LiveTally:
    """A first tally of what the ballot table holds (imported ballots), nothing sealed."""
    support: Counter[int] = Counter()
    ballots = 0
    for projects, points in (
        Ballot.objects.filter(district_budget=district_budget)
        .values_list("projects", "points")
        .iterator(chunk_size=5000)
    ):
        ballots += 1
        for pk, n in ballot_support(budget_round.ballot_format, _as_tuple(projects) or (), points):
            support[pk] += n
    return LiveTally(
        district_budget=district_budget,
        ballots=ballots,
        support={str(pk): n for pk, n in support.items()},
    )


def _move(budget_round: BudgetRound, district_budget: DistrictBudget) -> None:
    """Fold the pending casts, changes and withdrawals into the tally if there are enough.

    One caller at a time per district budget (the tally row is locked; others skip); the
    pending participations are locked too, so a change arriving meanwhile waits and stays
    pending for the next move.
    """
    with transaction.atomic():
        tally = (
            LiveTally.objects.select_for_update(skip_locked=True)
            .filter(district_budget=district_budget)
            .first()
        )
        if tally is None:
            return
        pending = list(
            Participation.objects.select_for_update()
            .filter(district_budget=district_budget, tally_pending=True)
            .values_list("pk", "sealed_ballot", "tallied_ballot")
        )
        withdrawn = list(
            WithdrawnBallot.objects.select_for_update()
            .filter(district_budget=district_budget)
            .values_list("pk", "sealed_ballot")
        )
        if len(pending) + len(withdrawn) < batch_size(budget_round):
            return
        support = Counter({int(pk): n for pk, n in tally.support.items()})
        kind = budget_round.ballot_format

        def add(blob: Any, sign: int) -> None:
            content = unseal(district_budget, blob)
            for pk, n in ballot_support(kind, content.projects, content.points):
                support[pk] += sign * n

        for _pk, sealed, tallied in pending:
            if tallied is not None:
                add(tallied, -1)
            else:
                tally.ballots += 1
            if sealed is not None:
                add(sealed, +1)
        for _pk, sealed in withdrawn:
            add(sealed, -1)
            tally.ballots -= 1
        Participation.objects.filter(pk__in=[row[0] for row in pending]).update(
            tallied_ballot=F("sealed_ballot"), tally_pending=False
        )
        WithdrawnBallot.objects.filter(pk__in=[row[0] for row in withdrawn]).delete()
        tally.support = {str(pk): n for pk, n in sorted(support.items()) if n}
        tally.batches += 1
        tally.save(update_fields=["ballots", "support", "batches"])


def live_tallies(budget_round: BudgetRound) -> list[LiveTally]:
    """The round's live tallies, one per district budget, moved first if enough is pending."""
    districts = list(budget_round.districts.order_by("position", "key"))
    tallies = {
        t.district_budget_id: t for t in LiveTally.objects.filter(district_budget__in=districts)
    }
    missing = [d for d in districts if d.pk not in tallies]
    if missing:
        LiveTally.objects.bulk_create(
            [_opened_support(budget_round, d) for d in missing], ignore_conflicts=True
        )
    pending = Counter(
        dict(
            Participation.objects.filter(round=budget_round, tally_pending=True)
            .values("district_budget_id")
            .annotate(n=Count("pk"))
            .values_list("district_budget_id", "n")
        )
    )
    pending.update(
        dict(
            WithdrawnBallot.objects.filter(district_budget__in=districts)
            .values("district_budget_id")
            .annotate(n=Count("pk"))
            .values_list("district_budget_id", "n")
        )
    )
    moved = [d for d in districts if pending[d.pk] >= batch_size(budget_round)]
    for district_budget in moved:
        _move(budget_round, district_budget)
    if missing or moved:
        tallies = {
            t.district_budget_id: t for t in LiveTally.objects.filter(district_budget__in=districts)
        }
    return [tallies[d.pk] for d in districts if d.pk in tallies]


def live_votes(budget_round: BudgetRound) -> dict[str, Any]:
    """Ballots and support per project primary key, as the live tallies last moved."""
    ballots = 0
    support: Counter[str] = Counter()
    for tally in live_tallies(budget_round):
        ballots += tally.ballots
        support.update(tally.support)
    return {"ballots": ballots, "projects": dict(sorted(support.items(), key=lambda i: int(i[0])))}


def public_votes(budget_round: BudgetRound) -> dict[str, Any]:
    """Ballots and support per project primary key as the public may see them: the
    published results' figures once there are any, the live tallies before."""
    published = selectors.published_results(budget_round)
    if not published and budget_round.phase in (Phase.VOTING, Phase.TALLYING):
        return live_votes(budget_round)
    pks = dict(Project.objects.filter(round=budget_round).values_list("external_id", "pk"))
    ballots, support = 0, Counter[str]()
    for result in published:
        ballots += result.ballot_count
        support.update({str(pks[ext]): n for ext, n in result.support.items() if ext in pks})
    return {"ballots": ballots, "projects": dict(sorted(support.items(), key=lambda i: int(i[0])))}
