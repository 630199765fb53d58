"""Casting, changing and withdrawing ballots; eligibility; receipts (no HTTP)."""

from __future__ import annotations

import json
import re
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.utils import timezone

from budgeting.models import Ballot, BudgetRound, DistrictBudget, Participation, Project
from budgeting.services import ballot_box, voting
from budgeting.services.voting import AlreadyVoted
from tests import factories

pytestmark = pytest.mark.django_db

RECEIPT = re.compile(r"^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$")
THIS_YEAR = timezone.now().year


def codes(error: ValidationError) -> dict[str, list[str | None]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def budget_of(budget_round: BudgetRound, key: str = "city") -> DistrictBudget:
    return budget_round.districts.get(key=key)


def pk_of(budget_round: BudgetRound, external_id: str) -> int:
    return Project.objects.get(round=budget_round, external_id=external_id).pk


def cast(voter, budget_round, projects, *, district="city", points=None, receipt=None):
    return voting.ballot_cast(
        voter=voter,
        budget_round=budget_round,
        district_budget=budget_of(budget_round, district),
        projects=projects,
        points=points,
        receipt=receipt,
    )


ballots = factories.ballots_in_box


def ballot_districts() -> list[str]:
    """The district budget of every ballot."""
    return sorted(
        district_budget.key
        for district_budget in DistrictBudget.objects.all()
        for _ballot in ballot_box.district_ballots(district_budget)
    )


def only_ballot() -> ballot_box.BoxBallot:
    (ballot,) = ballots()
    return ballot


def stored() -> tuple[int, int]:
    return Participation.objects.count(), len(ballots())


def counted(budget_round, code) -> bool:
    return voting.receipt_check(budget_round=budget_round, code=code)["counted"]


@pytest.fixture
def secret_round(riga):
    return factories.voting_round(organisation=riga, secret_ballot=True)


@pytest.fixture
def open_round(riga):
    """Not secret: the ballot is linked to its voter."""
    return factories.voting_round(organisation=riga, secret_ballot=False)


# --- casting --------------------------------------------------------------------------------


class TestCastRefuses:
    @pytest.mark.parametrize(
        "phase",
        ["draft", "information", "proposals", "review", "tallying", "results", "closed"],
    )
    def test_outside_the_voting_phase(self, riga, resident, phase):
        budget_round = factories.voting_round(organisation=riga)
        BudgetRound.objects.filter(pk=budget_round.pk).update(phase=phase)
        budget_round.refresh_from_db()
        with pytest.raises(ValidationError) as error:
            cast(resident, budget_round, ["p1"])
        assert codes(error.value) == {"phase": ["voting_closed"]}
        assert stored() == (0, 0)

    def test_an_invalid_ballot_with_its_codes_and_amounts_in_the_rounds_currency(
        self, riga, resident
    ):
        budget_round = factories.voting_round(organisation=riga, knapsack=True)
        with pytest.raises(ValidationError) as error:
            cast(resident, budget_round, ["p1", "p2", "p4"])  # 120,000 of 100,000
        assert codes(error.value) == {"projects": ["over_budget"]}
        assert "EUR" in error.value.message_dict["projects"][0]
        assert "20" in error.value.error_dict["projects"][0].params["over_by"]
        assert stored() == (0, 0)

    def test_every_ballot_error_at_once(self, riga, resident):
        budget_round = factories.voting_round(organisation=riga, max_projects=2)
        with pytest.raises(ValidationError) as error:
            cast(resident, budget_round, ["p1", "p1", "nope"], points=[1, 2, 3])
        assert codes(error.value) == {
            "projects": ["duplicate_project", "unknown_project", "too_many_projects"],
            "points": ["points_not_allowed"],
        }
        assert stored() == (0, 0)

    def test_a_ballot_just_under_the_minimum_spend_percentage(self, riga, resident):
        # 50 % of 9.99 EUR is 4.995 EUR: 4.99 EUR is not enough, 5.00 EUR is.
        budget_round = factories.voting_round(
            organisation=riga, budget=999, costs=(499, 500), min_spend_percent=50
        )
        with pytest.raises(ValidationError) as error:
            cast(resident, budget_round, ["p1"])
        assert codes(error.value) == {"projects": ["under_min_spend"]}
        assert stored() == (0, 0)
        cast(resident, budget_round, ["p2"])
        assert stored() == (1, 1)

    def test_a_district_budget_of_another_round(self, riga, resident, open_round):
        other = factories.voting_round(organisation=riga)
        with pytest.raises(ValidationError) as error:
            voting.ballot_cast(
                voter=resident,
                budget_round=open_round,
                district_budget=budget_of(other),
                projects=["p1"],
            )
        assert codes(error.value) == {"district": ["wrong_round"]}
        assert stored() == (0, 0)

    def test_an_anonymous_visitor(self, open_round):
        with pytest.raises(PermissionDenied):
            cast(AnonymousUser(), open_round, ["p1"])
        assert stored() == (0, 0)


class TestCast:
    def test_stores_the_ballot_by_project_pk_in_ballot_order(self, riga, resident):
        budget_round = factories.voting_round(organisation=riga, ballot_format="ordinal")
        cast(resident, budget_round, ["p3", "p1", "p4"])
        ballot = only_ballot()
        assert ballot.projects == tuple(pk_of(budget_round, p) for p in ("p3", "p1", "p4"))
        assert ballot.points is None
        assert ballot_box.district_ballots(budget_of(budget_round)) == [ballot]

    def test_stores_cumulative_points_alongside(self, riga, resident):
        budget_round = factories.voting_round(
            organisation=riga, ballot_format="cumulative", points_budget=10
        )
        cast(resident, budget_round, ["p2", "p1"], points=[7, 3])
        ballot = only_ballot()
        assert ballot.projects == (pk_of(budget_round, "p2"), pk_of(budget_round, "p1"))
        assert ballot.points == (7, 3)

    def test_records_who_voted_where(self, open_round, resident):
        cast(resident, open_round, ["p1"])
        participation = Participation.objects.get()
        assert (participation.voter, participation.voter_key) == (resident, f"user:{resident.pk}")
        assert (participation.channel, participation.limits_district) == ("online", False)
        assert participation.district_budget == budget_of(open_round)

    def test_gives_a_receipt_of_which_only_a_keyed_hash_is_stored(self, open_round, resident):
        receipt = cast(resident, open_round, ["p1", "p2"])
        assert RECEIPT.match(receipt.receipt), receipt.receipt
        assert (receipt.district, receipt.changed) == ("city", False)
        plain = receipt.receipt.replace("-", "")
        participation = Participation.objects.get()
        assert participation.ballot_seal == voting.receipt_seal(receipt.receipt)
        ballot_box.box_open(open_round)
        rows = [model_to_dict(r) for r in (Ballot.objects.get(), Participation.objects.get())]
        assert plain not in json.dumps(rows, default=str)
        assert plain.encode() not in participation.sealed_ballot

    def test_receipts_differ_between_voters(self, open_round):
        codes_ = {cast(factories.UserFactory(), open_round, ["p1"]).receipt for _ in range(5)}
        assert len(codes_) == 5


class TestSecrecy:
    def test_until_the_box_opens_the_ballot_is_only_sealed(self, secret_round, resident):
        cast(resident, secret_round, ["p1"])
        assert not Ballot.objects.exists()
        participation = Participation.objects.get()
        assert participation.sealed_ballot is not None
        assert participation.tally_pending is True

    def test_an_opened_secret_ballot_carries_no_link_to_its_voter_and_no_time(
        self, secret_round, resident
    ):
        cast(resident, secret_round, ["p1"])
        assert ballot_box.box_open(secret_round) == 1
        ballot = Ballot.objects.get()
        assert ballot.participation_id is None
        assert ballot.cast_at is None
        assert ballot.projects == [pk_of(secret_round, "p1")]
        participation = Participation.objects.get()
        assert (participation.sealed_ballot, participation.tallied_ballot) == (None, None)

    def test_the_seal_on_the_participation_needs_the_code(self, secret_round, resident):
        code = cast(resident, secret_round, ["p1"]).receipt
        participation = Participation.objects.get()
        assert participation.ballot_seal == voting.receipt_seal(code)
        # The seal is keyed: the same code under another secret key seals differently.
        with mock.patch.object(voting.settings, "SECRET_KEY", "another key"):
            assert voting.receipt_seal(code) != participation.ballot_seal

    def test_an_opened_open_ballot_is_linked_and_timed(self, open_round, resident):
        cast(resident, open_round, ["p1"])
        ballot_box.box_open(open_round)
        participation, ballot = Participation.objects.get(), Ballot.objects.get()
        assert ballot.participation == participation
        assert ballot.cast_at == participation.cast_at


# --- changing -------------------------------------------------------------------------------


class TestChangeRefuses:
    def test_when_the_round_does_not_allow_changes(self, riga, resident):
        budget_round = factories.voting_round(organisation=riga, ballot_changes_allowed=False)
        first = cast(resident, budget_round, ["p1"])
        with pytest.raises(AlreadyVoted) as error:
            cast(resident, budget_round, ["p2"])
        assert error.value.code == "already_voted"
        assert only_ballot().projects == (pk_of(budget_round, "p1"),)
        assert counted(budget_round, first.receipt)

    def test_a_secret_ballot_without_the_receipt(self, secret_round, resident):
        first = cast(resident, secret_round, ["p1"])
        with pytest.raises(ValidationError) as error:
            cast(resident, secret_round, ["p2"])
        assert codes(error.value) == {"receipt": ["receipt_required"]}
        self.assert_unchanged(secret_round, first.receipt)

    @pytest.mark.parametrize("wrong", ["AAAA-BBBB-CCCC-DDDD", "not even close"])
    def test_a_secret_ballot_with_a_wrong_receipt(self, secret_round, resident, wrong):
        first = cast(resident, secret_round, ["p1"])
        with pytest.raises(ValidationError) as error:
            cast(resident, secret_round, ["p2"], receipt=wrong)
        assert codes(error.value) == {"receipt": ["receipt_mismatch"]}
        self.assert_unchanged(secret_round, first.receipt)

    def test_a_secret_ballot_with_someone_elses_receipt(self, secret_round, resident):
        first = cast(resident, secret_round, ["p1"])
        other = cast(factories.UserFactory(), secret_round, ["p3"])
        with pytest.raises(ValidationError) as error:
            cast(resident, secret_round, ["p2"], receipt=other.receipt)
        assert codes(error.value) == {"receipt": ["receipt_mismatch"]}
        assert sorted(b.projects for b in ballots()) == sorted(
            [(pk_of(secret_round, "p1"),), (pk_of(secret_round, "p3"),)]
        )
        assert counted(secret_round, first.receipt)
        assert counted(secret_round, other.receipt)

    def test_an_invalid_replacement_keeps_the_first_ballot(self, open_round, resident):
        first = cast(resident, open_round, ["p1"])
        with pytest.raises(ValidationError):
            cast(resident, open_round, ["p1", "p1"])
        assert only_ballot().projects == (pk_of(open_round, "p1"),)
        assert counted(open_round, first.receipt)

    @staticmethod
    def assert_unchanged(budget_round, receipt):
        assert only_ballot().projects == (pk_of(budget_round, "p1"),)
        assert Participation.objects.get().ballot_seal == voting.receipt_seal(receipt)
        assert counted(budget_round, receipt)


class TestChange:
    def test_replaces_an_open_ballot_in_place(self, open_round, resident):
        first = cast(resident, open_round, ["p1"])
        participation_pk = Participation.objects.get().pk
        second = cast(resident, open_round, ["p2", "p3"])
        assert second.changed is True
        assert second.receipt != first.receipt
        assert stored() == (1, 1)
        assert Participation.objects.get().pk == participation_pk
        assert only_ballot().projects == (pk_of(open_round, "p2"), pk_of(open_round, "p3"))
        assert not counted(open_round, first.receipt)
        assert counted(open_round, second.receipt)

    def test_replaces_a_secret_ballot_given_its_receipt(self, secret_round, resident):
        first = cast(resident, secret_round, ["p1"])
        second = cast(resident, secret_round, ["p2"], receipt=first.receipt.lower())
        assert second.changed is True
        assert stored() == (1, 1)
        assert only_ballot().projects == (pk_of(secret_round, "p2"),)
        assert Participation.objects.get().ballot_seal == voting.receipt_seal(second.receipt)
        assert not counted(secret_round, first.receipt)
        assert counted(secret_round, second.receipt)
        # The old code no longer opens the ballot; the new one does.
        with pytest.raises(ValidationError):
            cast(resident, secret_round, ["p3"], receipt=first.receipt)
        assert cast(resident, secret_round, ["p3"], receipt=second.receipt).changed

    def test_is_atomic_a_failure_midway_leaves_the_first_ballot(self, secret_round, resident):
        first = cast(resident, secret_round, ["p1"])
        with (
            mock.patch.object(Participation, "save", side_effect=RuntimeError("crash")),
            pytest.raises(RuntimeError),
        ):
            cast(resident, secret_round, ["p2"], receipt=first.receipt)
        assert only_ballot().projects == (pk_of(secret_round, "p1"),)
        assert counted(secret_round, first.receipt)
        assert Participation.objects.get().ballot_seal == voting.receipt_seal(first.receipt)


# --- withdrawing ----------------------------------------------------------------------------


def withdraw(voter, budget_round, *, district="city", receipt=None):
    voting.ballot_withdraw(
        voter=voter,
        budget_round=budget_round,
        district_budget=budget_of(budget_round, district),
        receipt=receipt,
    )


class TestWithdrawRefuses:
    def test_when_changes_are_not_allowed(self, riga, resident):
        budget_round = factories.voting_round(organisation=riga, ballot_changes_allowed=False)
        cast(resident, budget_round, ["p1"])
        with pytest.raises(ValidationError) as error:
            withdraw(resident, budget_round)
        assert codes(error.value) == {"phase": ["changes_not_allowed"]}
        assert stored() == (1, 1)

    def test_without_a_ballot(self, open_round, resident):
        cast(factories.UserFactory(), open_round, ["p1"])
        with pytest.raises(ValidationError) as error:
            withdraw(resident, open_round)
        assert codes(error.value) == {"district": ["no_ballot"]}
        assert stored() == (1, 1)

    def test_a_secret_ballot_without_its_receipt(self, secret_round, resident):
        first = cast(resident, secret_round, ["p1"])
        for wrong, code in ((None, "receipt_required"), ("AAAA-AAAA", "receipt_mismatch")):
            with pytest.raises(ValidationError) as error:
                withdraw(resident, secret_round, receipt=wrong)
            assert codes(error.value) == {"receipt": [code]}
        assert stored() == (1, 1)
        assert counted(secret_round, first.receipt)

    def test_once_voting_has_closed(self, open_round, resident):
        cast(resident, open_round, ["p1"])
        BudgetRound.objects.filter(pk=open_round.pk).update(phase="tallying")
        open_round.refresh_from_db()
        with pytest.raises(ValidationError) as error:
            withdraw(resident, open_round)
        assert codes(error.value) == {"phase": ["voting_closed"]}
        assert stored() == (1, 1)


class TestWithdraw:
    def test_removes_the_ballot_and_the_participation(self, open_round, resident):
        first = cast(resident, open_round, ["p1"])
        withdraw(resident, open_round)
        assert stored() == (0, 0)
        assert not counted(open_round, first.receipt)

    def test_a_secret_ballot_with_its_receipt(self, secret_round, resident):
        code = cast(resident, secret_round, ["p1"]).receipt
        other = cast(factories.UserFactory(), secret_round, ["p2"])
        withdraw(resident, secret_round, receipt=code)
        assert stored() == (1, 1)
        assert only_ballot().projects == (pk_of(secret_round, "p2"),)
        assert counted(secret_round, other.receipt)
        assert not counted(secret_round, code)

    def test_the_voter_may_vote_again_afterwards(self, open_round, resident):
        cast(resident, open_round, ["p1"])
        withdraw(resident, open_round)
        assert cast(resident, open_round, ["p4"]).changed is False
        assert only_ballot().projects == (pk_of(open_round, "p4"),)


# --- eligibility ----------------------------------------------------------------------------


class TestEligibilityRefuses:
    def test_a_voter_below_the_minimum_age(self, riga):
        budget_round = factories.voting_round(organisation=riga, min_age=16)
        young = factories.eligible_voter(riga, birth_year=THIS_YEAR - 15)
        with pytest.raises(PermissionDenied, match="below the minimum age"):
            cast(young, budget_round, ["p1"])
        assert stored() == (0, 0)

    def test_a_voter_without_a_profile_when_there_is_a_minimum_age(self, riga, resident):
        budget_round = factories.voting_round(organisation=riga, min_age=16)
        with pytest.raises(PermissionDenied, match="birth year"):
            cast(resident, budget_round, ["p1"])
        assert stored() == (0, 0)

    def test_a_voter_whose_profile_has_no_birth_year(self, riga):
        budget_round = factories.voting_round(organisation=riga, min_age=16)
        voter = factories.eligible_voter(riga, birth_year=None)
        with pytest.raises(PermissionDenied, match="birth year"):
            cast(voter, budget_round, ["p1"])
        assert stored() == (0, 0)

    def test_a_voter_without_any_email_address_record(self, riga, resident):
        budget_round = factories.voting_round(organisation=riga, verified_email_required=True)
        with pytest.raises(PermissionDenied, match="Confirm your email"):
            cast(resident, budget_round, ["p1"])
        assert stored() == (0, 0)

    def test_a_voter_with_an_unverified_email(self, riga, resident):
        budget_round = factories.voting_round(organisation=riga, verified_email_required=True)
        factories.verified_email(resident, verified=False)
        with pytest.raises(PermissionDenied, match="Confirm your email"):
            cast(resident, budget_round, ["p1"])
        assert stored() == (0, 0)

    def test_a_non_resident_in_a_district_ballot(self, riga):
        budget_round = factories.district_voting_round(organisation=riga, residence_required=True)
        south = budget_of(budget_round, "south").district
        voter = factories.eligible_voter(riga, district=south)
        with pytest.raises(PermissionDenied, match="residents only"):
            cast(voter, budget_round, ["north-1"], district="north")
        assert stored() == (0, 0)

    def test_a_voter_without_a_known_district_in_a_district_ballot(self, riga, resident):
        budget_round = factories.district_voting_round(organisation=riga, residence_required=True)
        with pytest.raises(PermissionDenied, match="set your district"):
            cast(resident, budget_round, ["north-1"], district="north")
        assert stored() == (0, 0)

    def test_a_residence_in_another_organisation_does_not_count(self, riga, gdansk):
        budget_round = factories.district_voting_round(organisation=riga, residence_required=True)
        gdansk_north = factories.DistrictFactory(organisation=gdansk, slug="north")
        voter = factories.UserFactory()
        factories.residence(voter, gdansk, gdansk_north)
        with pytest.raises(PermissionDenied):
            cast(voter, budget_round, ["north-1"], district="north")
        assert stored() == (0, 0)


class TestEligibility:
    def test_a_voter_turning_the_minimum_age_this_year(self, riga):
        budget_round = factories.voting_round(organisation=riga, min_age=16)
        voter = factories.eligible_voter(riga, birth_year=THIS_YEAR - 16)
        cast(voter, budget_round, ["p1"])
        assert stored() == (1, 1)

    def test_a_verified_email(self, riga, resident):
        budget_round = factories.voting_round(organisation=riga, verified_email_required=True)
        factories.verified_email(resident)
        cast(resident, budget_round, ["p1"])
        assert stored() == (1, 1)

    def test_a_resident_votes_in_their_district_and_the_city_wide_pot(self, riga):
        budget_round = factories.district_voting_round(organisation=riga, residence_required=True)
        voter = factories.eligible_voter(riga, district=budget_of(budget_round, "north").district)
        cast(voter, budget_round, ["north-1"], district="north")
        cast(voter, budget_round, ["city-1"], district="city")
        assert set(Participation.objects.values_list("district_budget__key", flat=True)) == {
            "north",
            "city",
        }

    def test_the_city_wide_pot_needs_no_residence(self, riga, resident):
        budget_round = factories.district_voting_round(organisation=riga, residence_required=True)
        cast(resident, budget_round, ["city-1"], district="city")
        assert stored() == (1, 1)


# --- one district per voter -----------------------------------------------------------------


class TestOneDistrictPerVoter:
    @pytest.fixture
    def budget_round(self, riga):
        return factories.district_voting_round(
            organisation=riga, one_district_per_voter=True, secret_ballot=False
        )

    def test_a_second_district_is_refused(self, budget_round, resident):
        cast(resident, budget_round, ["north-1"], district="north")
        with pytest.raises(AlreadyVoted) as error:
            cast(resident, budget_round, ["south-1"], district="south")
        assert error.value.code == "voted_in_other_district"
        assert not Participation.objects.filter(district_budget__key="south").exists()
        assert ballot_box.district_ballots(budget_of(budget_round, "south")) == []
        assert stored() == (1, 1)

    def test_the_city_wide_pot_is_still_allowed(self, budget_round, resident):
        cast(resident, budget_round, ["north-1"], district="north")
        cast(resident, budget_round, ["city-1"], district="city")
        assert ballot_districts() == ["city", "north"]
        assert Participation.objects.get(district_budget__key="city").limits_district is False
        assert Participation.objects.get(district_budget__key="north").limits_district is True

    def test_the_chosen_district_ballot_may_still_be_changed(self, budget_round, resident):
        cast(resident, budget_round, ["north-1"], district="north")
        assert cast(resident, budget_round, ["north-2"], district="north").changed
        assert only_ballot().projects == (pk_of(budget_round, "north-2"),)

    def test_after_withdrawing_another_district_may_be_chosen(self, budget_round, resident):
        cast(resident, budget_round, ["north-1"], district="north")
        withdraw(resident, budget_round, district="north")
        cast(resident, budget_round, ["south-1"], district="south")
        assert ballot_districts() == ["south"]

    def test_without_the_rule_a_voter_may_vote_in_every_district(self, riga, resident):
        budget_round = factories.district_voting_round(organisation=riga)
        for key in ("north", "south", "city"):
            cast(resident, budget_round, [f"{key}-1"], district=key)
        assert stored() == (3, 3)


# --- receipts and the voter's own view ------------------------------------------------------


class TestReceiptCheck:
    def test_reveals_only_whether_counted_and_where(self, secret_round, resident):
        code = cast(resident, secret_round, ["p1", "p2"]).receipt
        assert voting.receipt_check(budget_round=secret_round, code=code) == {
            "counted": True,
            "district": "city",
        }

    @pytest.mark.parametrize("transform", [str.lower, lambda c: c.replace("-", " ")])
    def test_accepts_the_code_as_people_copy_it(self, open_round, resident, transform):
        code = cast(resident, open_round, ["p1"]).receipt
        assert counted(open_round, transform(code))

    def test_an_unknown_code_is_not_counted(self, open_round, resident):
        cast(resident, open_round, ["p1"])
        assert voting.receipt_check(budget_round=open_round, code="AAAA-BBBB-CCCC-DDDD") == {
            "counted": False,
            "district": None,
        }

    def test_a_code_of_another_round_is_not_counted_here(self, riga, open_round, resident):
        other = factories.voting_round(organisation=riga)
        code = cast(resident, other, ["p1"]).receipt
        assert not counted(open_round, code)
        assert counted(other, code)


class TestMyParticipation:
    def test_a_secret_round_shows_where_but_never_what(self, secret_round, resident):
        cast(resident, secret_round, ["p1", "p3"])
        [entry] = voting.my_participation(resident, secret_round)
        assert (entry["district"], entry["channel"]) == ("city", "online")
        assert (entry["projects"], entry["points"]) == (None, None)

    def test_an_open_round_shows_the_ballot_by_project_id_in_order(self, riga, resident):
        budget_round = factories.voting_round(
            organisation=riga, secret_ballot=False, ballot_format="ordinal"
        )
        cast(resident, budget_round, ["p4", "p2"])
        [entry] = voting.my_participation(resident, budget_round)
        assert (entry["projects"], entry["points"]) == (["p4", "p2"], None)

    def test_an_open_round_shows_points(self, riga, resident):
        budget_round = factories.voting_round(
            organisation=riga, secret_ballot=False, ballot_format="cumulative", points_budget=5
        )
        cast(resident, budget_round, ["p2", "p1"], points=[4, 1])
        [entry] = voting.my_participation(resident, budget_round)
        assert (entry["projects"], entry["points"]) == (["p2", "p1"], [4, 1])

    def test_lists_only_the_voters_own_districts(self, riga, resident):
        budget_round = factories.district_voting_round(organisation=riga)
        cast(resident, budget_round, ["south-1"], district="south")
        cast(resident, budget_round, ["city-1"], district="city")
        cast(factories.UserFactory(), budget_round, ["north-1"], district="north")
        assert [e["district"] for e in voting.my_participation(resident, budget_round)] == [
            "city",
            "south",
        ]
