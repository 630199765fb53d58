"""The ballot box: sealed ballots, live tallies that move by batches, opening for good."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from budgeting.models import Ballot, LiveTally, Participation, WithdrawnBallot
from budgeting.sealing import BallotContent, BallotSealer, SealError, derive_key, election_label
from budgeting.services import ballot_box, voting
from tests import factories

pytestmark = pytest.mark.django_db


def cast(budget_round, projects, voter=None, receipt=None, key="city"):
    voter = voter or factories.UserFactory()
    answer = voting.ballot_cast(
        voter=voter,
        budget_round=budget_round,
        district_budget=budget_round.districts.get(key=key),
        projects=projects,
        receipt=receipt,
    )
    return voter, answer.receipt


def fresh_count(budget_round) -> dict[str, int]:
    """Support per project pk, counted afresh from every ballot in the box."""
    support: Counter[str] = Counter()
    for ballot in factories.ballots_in_box(budget_round):
        support.update(str(pk) for pk in ballot.projects)
    return dict(sorted(support.items(), key=lambda item: int(item[0])))


class TestSealing:
    label = election_label(1, 2)

    def test_opens_to_what_was_sealed(self):
        sealer = BallotSealer([derive_key("k")])
        content = BallotContent(projects=(7, 3), points=(2, 5), changed=True)
        blob = sealer.seal(content, label=self.label, projects_in_district=4)
        assert sealer.open(blob, label=self.label) == content

    def test_every_ballot_of_a_district_has_one_length_and_a_fresh_nonce(self):
        sealer = BallotSealer([derive_key("k")])
        small = sealer.seal(BallotContent((1,), None), label=self.label, projects_in_district=40)
        large = sealer.seal(
            BallotContent(tuple(range(10**12, 10**12 + 40)), tuple(range(40))),
            label=self.label,
            projects_in_district=40,
        )
        again = sealer.seal(BallotContent((1,), None), label=self.label, projects_in_district=40)
        assert len(small) == len(large) == len(again)
        assert small != again

    def test_does_not_open_in_another_election_or_with_another_key(self):
        sealer = BallotSealer([derive_key("k")])
        blob = sealer.seal(BallotContent((1,), None), label=self.label, projects_in_district=2)
        with pytest.raises(SealError):
            sealer.open(blob, label=election_label(1, 3))
        with pytest.raises(SealError):
            BallotSealer([derive_key("other")]).open(blob, label=self.label)
        tampered = blob[:-1] + bytes([blob[-1] ^ 1])
        with pytest.raises(SealError):
            sealer.open(tampered, label=self.label)

    def test_a_rotated_key_still_opens_what_it_sealed(self):
        old = BallotSealer([derive_key("old")])
        blob = old.seal(BallotContent((5,), None), label=self.label, projects_in_district=2)
        rotated = BallotSealer([derive_key("new"), derive_key("old")])
        assert rotated.open(blob, label=self.label).projects == (5,)
        fresh = rotated.seal(BallotContent((5,), None), label=self.label, projects_in_district=2)
        with pytest.raises(SealError):
            old.open(fresh, label=self.label)

    def test_the_configured_fallback_keys_open(self, settings, riga):
        budget_round = factories.voting_round(organisation=riga)
        cast(budget_round, ["p1"])
        settings.KOPA_BALLOT_KEY_FALLBACKS = [settings.KOPA_BALLOT_KEY]
        settings.KOPA_BALLOT_KEY = "a new key"
        assert [b.projects for b in factories.ballots_in_box(budget_round)] == [
            (budget_round.projects.get(external_id="p1").pk,)
        ]
        settings.KOPA_BALLOT_KEY_FALLBACKS = []
        with pytest.raises(SealError):
            factories.ballots_in_box(budget_round)


class TestLiveTally:
    @pytest.fixture
    def budget_round(self, riga, settings):
        settings.KOPA_BALLOT_BATCH = 3
        return factories.voting_round(
            organisation=riga, live_counts_public=True, ballot_changes_allowed=True
        )

    def test_moves_only_once_a_whole_batch_is_pending(self, budget_round):
        for _ in range(2):
            cast(budget_round, ["p1"])
            assert ballot_box.live_votes(budget_round) == {"ballots": 0, "projects": {}}
        cast(budget_round, ["p2"])
        votes = ballot_box.live_votes(budget_round)
        assert votes == {"ballots": 3, "projects": fresh_count(budget_round)}
        assert LiveTally.objects.get().batches == 1
        assert not Participation.objects.filter(tally_pending=True).exists()

    def test_changes_and_withdrawals_count_toward_a_batch_and_equal_a_fresh_count(
        self, budget_round
    ):
        voters = [cast(budget_round, ["p1", "p2"]) for _ in range(3)]
        assert ballot_box.live_votes(budget_round)["ballots"] == 3
        (first, first_code), (second, second_code), _third = voters
        cast(budget_round, ["p3"], voter=first, receipt=first_code)  # a change
        voting.ballot_withdraw(
            voter=second,
            budget_round=budget_round,
            district_budget=budget_round.districts.get(),
            receipt=second_code,
        )
        assert WithdrawnBallot.objects.count() == 1  # the tally still includes it
        assert ballot_box.live_votes(budget_round)["ballots"] == 3  # two pending: no move
        cast(budget_round, ["p4"])
        votes = ballot_box.live_votes(budget_round)
        assert votes == {"ballots": 3, "projects": fresh_count(budget_round)}
        assert not WithdrawnBallot.objects.exists()

    def test_a_ballot_withdrawn_before_it_was_counted_leaves_nothing_to_subtract(
        self, budget_round
    ):
        voter, code = cast(budget_round, ["p1"])
        voting.ballot_withdraw(
            voter=voter,
            budget_round=budget_round,
            district_budget=budget_round.districts.get(),
            receipt=code,
        )
        assert not WithdrawnBallot.objects.exists()
        for _ in range(3):
            cast(budget_round, ["p2"])
        assert ballot_box.live_votes(budget_round) == {
            "ballots": 3,
            "projects": fresh_count(budget_round),
        }

    def test_open_ballots_move_with_every_ballot(self, riga):
        budget_round = factories.voting_round(
            organisation=riga, live_counts_public=True, secret_ballot=False
        )
        cast(budget_round, ["p1"])
        assert ballot_box.live_votes(budget_round)["ballots"] == 1

    def test_imported_ballots_are_counted_from_the_start(self, budget_round):
        city = budget_round.districts.get()
        p1 = budget_round.projects.get(external_id="p1").pk
        Ballot.objects.create(district_budget=city, projects=[p1], channel="imported")
        assert ballot_box.live_votes(budget_round) == {"ballots": 1, "projects": {str(p1): 1}}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_readers_moving_the_tally_at_once_count_every_ballot_once(settings):
    settings.KOPA_BALLOT_BATCH = 5
    budget_round = factories.voting_round(live_counts_public=True)
    for n in range(40):
        cast(budget_round, [f"p{n % 4 + 1}"])
    barrier = threading.Barrier(8)

    def read():
        try:
            barrier.wait()
            ballot_box.live_votes(budget_round)
        finally:
            connection.close()

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ballot_box.live_votes(budget_round) == {
        "ballots": 40,
        "projects": fresh_count(budget_round),
    }


class TestOpeningTheBox:
    def test_every_ballot_is_opened_once_and_the_sealed_copies_erased(self, riga):
        budget_round = factories.voting_round(organisation=riga, live_counts_public=True)
        for n in range(12):
            cast(budget_round, [f"p{n % 4 + 1}", "p3"] if n % 4 in (0, 3) else [f"p{n % 4 + 1}"])
        before = sorted(b.projects for b in factories.ballots_in_box(budget_round))
        ballot_box.live_votes(budget_round)
        assert ballot_box.box_open(budget_round) == 12
        after = sorted(
            tuple(p)
            for p in Ballot.objects.filter(district_budget__round=budget_round).values_list(
                "projects", flat=True
            )
        )
        assert after == before
        assert not Participation.objects.filter(sealed_ballot__isnull=False).exists()
        assert not Participation.objects.filter(tallied_ballot__isnull=False).exists()
        assert not LiveTally.objects.exists()
        assert sorted(b.projects for b in factories.ballots_in_box(budget_round)) == before
        assert ballot_box.box_open(budget_round) == 0  # nothing is opened twice

    def test_ballots_that_are_not_secret_keep_their_voter_and_time(self, riga):
        budget_round = factories.voting_round(organisation=riga, secret_ballot=False)
        voter, _code = cast(budget_round, ["p3"])
        ballot_box.box_open(budget_round)
        ballot = Ballot.objects.get()
        participation = Participation.objects.get(voter=voter)
        assert (ballot.participation_id, ballot.cast_at) == (
            participation.pk,
            participation.cast_at,
        )
        assert voting.my_participation(voter, budget_round)[0]["projects"] == ["p3"]
