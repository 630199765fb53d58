"""Ballot secrecy against someone who reads the database (docs/budgeting.md, "Ballot secrecy").

A secret round: every voter casts a ballot nobody else casts, so a correct guess of who cast
a ballot is unmistakable. The attacker reads the tables as a read replica, a backup or a
staff member with SQL access would — system columns included — while voting is open and
after the ballot box is opened, and tries to tie ballots to voters. Whatever they try, no
ballot may be narrowed to fewer than ``KOPA_BALLOT_BATCH`` voters, and orderings may guess
right no more often than chance (one right guess expected among N for a random order).

The live vote counts of a round that shows them during voting are an attack surface too:
someone who watches the counts and knows when a person voted must not see that person's
ballot alone in a change of the counts.
"""

from __future__ import annotations

import itertools
import json
import random

import pytest
from django.conf import settings
from django.db import connection

from budgeting.live import topics as live
from budgeting.models import Ballot, Participation
from budgeting.sealing import BallotSealer, SealError, derive_key, election_label
from budgeting.services import ballot_box, reads, results, rounds, voting
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

VOTERS = 120
PROJECTS = 8
# A random order puts on average one ballot beside its own voter; more than this many right
# guesses happens by chance less than once in a million runs (Poisson with mean 1).
CHANCE_BOUND = 8


def _batch() -> int:
    return min(settings.KOPA_BALLOT_BATCH, VOTERS)


@pytest.fixture
def secret_round():
    """A secret round in voting and its voters, each with a ballot nobody else casts."""
    budget_round = factories.voting_round(
        costs=(10_000_00,) * PROJECTS, budget=100_000_00, secret_ballot=True
    )
    city = budget_round.districts.get()
    subsets = [
        combo
        for size in range(1, PROJECTS + 1)
        for combo in itertools.combinations(range(1, PROJECTS + 1), size)
    ]
    chosen = random.Random(7).sample(subsets, VOTERS)
    pks = voting.offered_projects(budget_round)
    truth: dict[int, frozenset[int]] = {}
    for combo in chosen:
        voter = factories.UserFactory()
        projects = [f"p{n}" for n in combo]
        voting.ballot_cast(
            voter=voter, budget_round=budget_round, district_budget=city, projects=projects
        )
        truth[voter.pk] = frozenset(pks[p].pk for p in projects)
    return budget_round, truth


def _close_and_publish(budget_round, admin) -> None:
    rounds.phase_advance(actor=admin, budget_round=budget_round, to_phase="tallying")
    results.results_publish(actor=admin, budget_round=budget_round)
    rounds.phase_advance(actor=admin, budget_round=budget_round, to_phase="results")


def _admin(budget_round):
    from engagement.people.models import Role

    return factories.staff(budget_round.organisation, Role.ADMINISTRATOR)


def _rows(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def _ballot(projects: str | list[int]) -> frozenset[int]:
    return frozenset(json.loads(projects) if isinstance(projects, str) else projects)


def _attributed_by_join(pairs: list[tuple[int, str]], truth) -> int:
    """Ballots the join narrows to fewer than K voters, the true one among them."""
    candidates: dict[frozenset[int], set[int]] = {}
    for voter_id, projects in pairs:
        candidates.setdefault(_ballot(projects), set()).add(voter_id)
    owner = {ballot: voter for voter, ballot in truth.items()}
    return sum(
        1
        for ballot, voters in candidates.items()
        if len(voters) < _batch() and owner.get(ballot) in voters
    )


def _attributed_by_order(order_by: str, truth) -> int:
    """Zip voters and ballots, each in the given order: how many guesses are right."""
    voters = [
        row[0]
        for row in _rows(
            "SELECT voter_id FROM budgeting_participation WHERE voter_id IS NOT NULL"
            f" ORDER BY {order_by}"
        )
    ]
    rows = _rows(f"SELECT projects FROM budgeting_ballot ORDER BY {order_by}")
    ballots = [_ballot(row[0]) for row in rows]
    return sum(1 for voter, ballot in zip(voters, ballots, strict=False) if truth[voter] == ballot)


XMIN_JOIN = (
    "SELECT p.voter_id, b.projects FROM budgeting_ballot b JOIN budgeting_participation p"
    " ON p.xmin = b.xmin AND p.district_budget_id = b.district_budget_id"
)


@pytest.mark.postgres
class TestADatabaseReaderCannotTieBallotsToVoters:
    def test_not_by_a_shared_transaction_id_while_voting(self, secret_round):
        _budget_round, truth = secret_round
        assert _attributed_by_join(_rows(XMIN_JOIN), truth) == 0

    def test_not_by_a_shared_transaction_id_once_the_box_is_opened(self, secret_round):
        budget_round, truth = secret_round
        _close_and_publish(budget_round, _admin(budget_round))
        assert Ballot.objects.filter(district_budget__round=budget_round).count() == VOTERS
        assert _attributed_by_join(_rows(XMIN_JOIN), truth) == 0

    def test_not_by_id_order(self, secret_round):
        budget_round, truth = secret_round
        _close_and_publish(budget_round, _admin(budget_round))
        assert _attributed_by_order("id", truth) <= CHANCE_BOUND

    def test_not_by_physical_order(self, secret_round):
        budget_round, truth = secret_round
        _close_and_publish(budget_round, _admin(budget_round))
        assert _attributed_by_order("ctid", truth) <= CHANCE_BOUND

    def test_ballots_carry_no_time_and_no_voter(self, secret_round):
        budget_round, _truth = secret_round
        _close_and_publish(budget_round, _admin(budget_round))
        ballots = Ballot.objects.filter(district_budget__round=budget_round)
        assert not ballots.filter(cast_at__isnull=False).exists()
        assert not ballots.filter(participation__isnull=False).exists()

    def test_sealed_ballots_show_neither_content_nor_size(self, secret_round):
        """While voting, what was voted is stored only sealed: unreadable without the ballot
        key, and every sealed ballot of a district the same length whatever it holds."""
        budget_round, truth = secret_round
        rows = _rows(
            "SELECT voter_id, district_budget_id, sealed_ballot FROM budgeting_participation"
            " WHERE voter_id IS NOT NULL"
        )
        assert len(rows) == VOTERS
        assert len({len(bytes(blob)) for _v, _d, blob in rows}) == 1
        assert not Ballot.objects.filter(district_budget__round=budget_round).exists()
        city = budget_round.districts.get()
        someone_else = BallotSealer([derive_key("a key the reader guessed")])
        for voter_id, _district, blob in rows:
            blob = bytes(blob)
            assert json.dumps(sorted(truth[voter_id])).encode() not in blob
            assert b'"p"' not in blob
            with pytest.raises(SealError):
                someone_else.open(blob, label=election_label(budget_round.pk, city.pk))
            assert set(ballot_box.unseal(city, blob).projects) == truth[voter_id]


@pytest.mark.postgres
def test_receipt_seal_and_ballot_share_nothing_a_reader_can_match(secret_round):
    budget_round, _truth = secret_round
    seals = set(
        Participation.objects.filter(round=budget_round).values_list("ballot_seal", flat=True)
    )
    _close_and_publish(budget_round, _admin(budget_round))
    columns = {f.column for f in Ballot._meta.concrete_fields}
    text = {
        str(value)
        for row in Ballot.objects.filter(district_budget__round=budget_round).values_list(
            *[f.attname for f in Ballot._meta.concrete_fields]
        )
        for value in row
    }
    assert "ballot_seal" not in columns
    assert not (seals & text)


def _live_count_changes(budget_round, snapshot) -> list[int]:
    """Cast the round's ballots one by one while watching ``snapshot``; the number of new
    ballots behind each change of the published counts."""
    city = budget_round.districts.get()
    batches, since_change, last = [], 0, snapshot()
    for number in range(VOTERS):
        voting.ballot_cast(
            voter=factories.UserFactory(),
            budget_round=budget_round,
            district_budget=city,
            projects=[f"p{number % PROJECTS + 1}"],
        )
        since_change += 1
        current = snapshot()
        if current != last:
            batches.append(since_change)
            since_change, last = 0, current
    return batches


@pytest.mark.parametrize("where", ["websocket", "http"])
def test_live_vote_counts_move_only_by_whole_batches(where):
    budget_round = factories.voting_round(
        costs=(10_000_00,) * PROJECTS, secret_ballot=True, live_counts_public=True
    )
    if where == "websocket":
        snapshot = lambda: live.votes_snapshot(budget_round.slug)  # noqa: E731
    else:
        snapshot = lambda: reads.public_support(budget_round)  # noqa: E731
    batches = _live_count_changes(budget_round, snapshot)
    assert batches, "the counts never moved: they are not live at all"
    assert min(batches) >= _batch()
    assert sum(batches) > VOTERS - 2 * _batch()
