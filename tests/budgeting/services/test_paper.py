"""Paper ballots: double entry by two officers, conflicts, de-duplication against online votes."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from budgeting.models import (
    Ballot,
    BudgetRound,
    PaperBallotEntry,
    PaperBallotSheet,
    Participation,
    Project,
)
from budgeting.services import ballot_box, paper, voting
from budgeting.services.voting import AlreadyVoted
from engagement.people.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


def codes(error: ValidationError) -> dict[str, list[str | None]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


@pytest.fixture
def officers(riga):
    return [
        factories.staff(riga, Role.OFFICER, email=f"officer{n}@riga.example") for n in (1, 2, 3)
    ]


@pytest.fixture
def budget_round(riga):
    return factories.voting_round(organisation=riga, secret_ballot=False)


def enter(officer, budget_round, *, serial="S-001", voter="Vilis Paper 123", projects=("p1",)):
    return paper.paper_entry_submit(
        officer=officer,
        budget_round=budget_round,
        district_budget=budget_round.districts.get(key="city"),
        serial=serial,
        voter_reference=voter,
        projects=list(projects),
    )


def status(serial="S-001") -> str:
    return PaperBallotSheet.objects.get(serial=serial).status


def paper_ballots() -> int:
    return Participation.objects.filter(channel="paper", sealed_ballot__isnull=False).count()


def only_ballot():
    (ballot,) = factories.ballots_in_box()
    return ballot


def pk_of(budget_round, external_id):
    return Project.objects.get(round=budget_round, external_id=external_id).pk


class TestPaperEntryRefuses:
    def test_a_moderator(self, budget_round, riga_moderator):
        with pytest.raises(PermissionDenied):
            enter(riga_moderator, budget_round)
        assert not PaperBallotSheet.objects.exists()

    def test_a_resident(self, budget_round, resident):
        with pytest.raises(PermissionDenied):
            enter(resident, budget_round)
        assert not PaperBallotSheet.objects.exists()

    def test_an_officer_of_another_organisation(self, budget_round, gdansk):
        outsider = factories.staff(gdansk, Role.OFFICER)
        with pytest.raises(PermissionDenied):
            enter(outsider, budget_round)
        assert not PaperBallotSheet.objects.exists()

    @pytest.mark.parametrize("phase", ["review", "results", "closed"])
    def test_outside_voting_and_tallying(self, budget_round, officers, phase):
        BudgetRound.objects.filter(pk=budget_round.pk).update(phase=phase)
        budget_round.refresh_from_db()
        with pytest.raises(ValidationError) as error:
            enter(officers[0], budget_round)
        assert codes(error.value) == {"phase": ["wrong_phase"]}
        assert not PaperBallotSheet.objects.exists()

    def test_the_same_officer_twice(self, budget_round, officers):
        enter(officers[0], budget_round)
        with pytest.raises(ValidationError) as error:
            enter(officers[0], budget_round)
        assert codes(error.value) == {"serial": ["same_officer"]}
        assert PaperBallotEntry.objects.count() == 1
        assert status() == "awaiting_second"
        assert paper_ballots() == 0

    def test_an_invalid_ballot_with_the_validation_codes(self, riga, officers):
        budget_round = factories.voting_round(organisation=riga, max_projects=1)
        with pytest.raises(ValidationError) as error:
            enter(officers[0], budget_round, projects=("p1", "p9"))
        assert codes(error.value) == {"projects": ["unknown_project", "too_many_projects"]}
        assert not PaperBallotSheet.objects.exists()

    @pytest.mark.parametrize(
        ("serial", "voter", "field"), [("  ", "x", "serial"), ("S", " ", "voter_reference")]
    )
    def test_a_missing_serial_or_voter_reference(
        self, budget_round, officers, serial, voter, field
    ):
        with pytest.raises(ValidationError) as error:
            enter(officers[0], budget_round, serial=serial, voter=voter)
        assert codes(error.value) == {field: ["required"]}
        assert not PaperBallotSheet.objects.exists()

    def test_a_further_entry_once_the_sheet_is_counted(self, budget_round, officers):
        enter(officers[0], budget_round)
        enter(officers[1], budget_round)
        with pytest.raises(ValidationError) as error:
            enter(officers[2], budget_round, projects=("p2",))
        assert codes(error.value) == {"serial": ["sheet_decided"]}
        assert only_ballot().projects == (pk_of(budget_round, "p1"),)


class TestDoubleEntry:
    def test_one_entry_does_not_count(self, budget_round, officers):
        enter(officers[0], budget_round)
        assert status() == "awaiting_second"
        assert paper_ballots() == 0
        assert not Participation.objects.exists()

    def test_two_officers_agreeing_count_one_paper_ballot(self, budget_round, officers):
        enter(officers[0], budget_round, projects=("p2", "p3"))
        sheet = enter(officers[1], budget_round, projects=("p2", "p3"))
        assert sheet.status == status() == "counted"
        assert sheet.resolved_at is not None
        assert only_ballot().projects == (pk_of(budget_round, "p2"), pk_of(budget_round, "p3"))
        participation = Participation.objects.get()
        assert participation.channel == "paper"
        assert participation.voter is None
        assert participation.voter_key == voting.voter_key_for_reference("vilis paper 123")

    def test_an_administrator_may_be_one_of_the_two(self, budget_round, officers, riga_admin):
        enter(officers[0], budget_round)
        enter(riga_admin, budget_round)
        assert status() == "counted"

    def test_may_be_entered_while_tallying(self, budget_round, officers):
        BudgetRound.objects.filter(pk=budget_round.pk).update(phase="tallying")
        budget_round.refresh_from_db()
        enter(officers[0], budget_round)
        enter(officers[1], budget_round)
        assert paper_ballots() == 1

    @pytest.mark.parametrize(
        "second",
        [{"projects": ("p2",)}, {"voter": "Someone Else 999"}, {"projects": ("p1", "p2")}],
    )
    def test_disagreeing_entries_are_a_conflict_and_count_nothing(
        self, budget_round, officers, second
    ):
        enter(officers[0], budget_round)
        enter(officers[1], budget_round, **second)
        assert status() == "conflict"
        assert paper_ballots() == 0
        assert not Participation.objects.exists()

    def test_a_third_entry_agreeing_with_one_resolves_the_conflict(self, budget_round, officers):
        enter(officers[0], budget_round, projects=("p1",))
        enter(officers[1], budget_round, projects=("p2",))
        sheet = enter(officers[2], budget_round, projects=("p2",))
        assert sheet.status == "counted"
        assert only_ballot().projects == (pk_of(budget_round, "p2"),)

    def test_a_third_entry_agreeing_with_neither_keeps_the_conflict(self, budget_round, officers):
        enter(officers[0], budget_round, projects=("p1",))
        enter(officers[1], budget_round, projects=("p2",))
        enter(officers[2], budget_round, projects=("p3",))
        assert status() == "conflict"
        assert paper_ballots() == 0

    def test_the_voter_reference_is_read_loosely(self, budget_round, officers):
        enter(officers[0], budget_round, voter="Vilis  Paper 123")
        enter(officers[1], budget_round, voter=" vilis paper 123 ")
        assert status() == "counted"

    def test_a_secret_round_keeps_paper_ballots_unlinked(self, riga, officers):
        budget_round = factories.voting_round(organisation=riga, secret_ballot=True)
        enter(officers[0], budget_round)
        enter(officers[1], budget_round)
        ballot_box.box_open(budget_round)
        ballot = Ballot.objects.get()
        assert (ballot.participation_id, ballot.cast_at, ballot.channel) == (None, None, "paper")

    def test_the_readings_are_sealed_and_erased_when_the_box_opens(self, riga, officers):
        budget_round = factories.voting_round(organisation=riga, secret_ballot=True)
        for officer in officers[:2]:
            enter(officer, budget_round, projects=("p2", "p3"))
        entries = list(PaperBallotEntry.objects.all())
        assert [paper.paper_entry_choices(e) for e in entries] == [
            ((pk_of(budget_round, "p2"), pk_of(budget_round, "p3")), None)
        ] * 2
        # Whose sheet, in the clear; what it says, only sealed.
        assert {f.name for f in PaperBallotEntry._meta.concrete_fields} == {
            "id",
            "sheet",
            "entered_by",
            "voter_key",
            "sealed_ballot",
            "created_at",
        }
        plain = json.dumps([pk_of(budget_round, "p2"), pk_of(budget_round, "p3")]).encode()
        assert all(plain not in bytes(e.sealed_ballot) for e in entries)
        ballot_box.box_open(budget_round)
        assert not PaperBallotEntry.objects.filter(sealed_ballot__isnull=False).exists()
        assert PaperBallotEntry.objects.count() == 2


class TestOnlineAndPaper:
    def test_a_voter_who_voted_online_is_not_counted_again_on_paper(
        self, budget_round, officers, resident
    ):
        online = voting.ballot_cast(
            voter=resident,
            budget_round=budget_round,
            district_budget=budget_round.districts.get(),
            projects=["p4"],
        )
        enter(officers[0], budget_round, voter="Resident@Example.org", projects=("p1",))
        sheet = enter(officers[1], budget_round, voter="resident@example.org", projects=("p1",))
        assert sheet.status == status() == "duplicate_voter"
        assert paper_ballots() == 0
        assert only_ballot().projects == (pk_of(budget_round, "p4"),)
        assert voting.receipt_check(budget_round=budget_round, code=online.receipt)["counted"]

    def test_a_paper_voter_with_an_account_cannot_then_vote_online(
        self, budget_round, officers, resident
    ):
        enter(officers[0], budget_round, voter="resident@example.org")
        enter(officers[1], budget_round, voter="resident@example.org")
        assert Participation.objects.get().voter == resident
        with pytest.raises(AlreadyVoted) as error:
            voting.ballot_cast(
                voter=resident,
                budget_round=budget_round,
                district_budget=budget_round.districts.get(),
                projects=["p2"],
            )
        assert error.value.code == "voted_on_paper"
        assert stored_channels() == ["paper"]
        assert only_ballot().projects == (pk_of(budget_round, "p1"),)

    def test_a_paper_voter_who_signs_up_later_cannot_then_vote_online(self, budget_round, officers):
        enter(officers[0], budget_round, voter="later@example.org")
        enter(officers[1], budget_round, voter="later@example.org")
        newcomer = factories.UserFactory(email="later@example.org")
        with pytest.raises(AlreadyVoted) as error:
            voting.ballot_cast(
                voter=newcomer,
                budget_round=budget_round,
                district_budget=budget_round.districts.get(),
                projects=["p2"],
            )
        assert error.value.code == "voted_on_paper"
        assert stored_channels() == ["paper"]

    def test_a_paper_ballot_cannot_be_withdrawn_online(self, budget_round, officers, resident):
        enter(officers[0], budget_round, voter="resident@example.org")
        enter(officers[1], budget_round, voter="resident@example.org")
        with pytest.raises(ValidationError) as error:
            voting.ballot_withdraw(
                voter=resident,
                budget_round=budget_round,
                district_budget=budget_round.districts.get(),
            )
        assert codes(error.value) == {"district": ["no_ballot"]}
        assert stored_channels() == ["paper"]

    def test_the_same_voter_on_two_sheets_counts_once(self, budget_round, officers):
        for serial, choice in (("S-1", "p1"), ("S-2", "p2")):
            enter(officers[0], budget_round, serial=serial, projects=(choice,))
            enter(officers[1], budget_round, serial=serial, projects=(choice,))
        assert (status("S-1"), status("S-2")) == ("counted", "duplicate_voter")
        assert only_ballot().projects == (pk_of(budget_round, "p1"),)


def stored_channels() -> list[str]:
    """The channel of every ballot in the box."""
    return list(
        Participation.objects.filter(sealed_ballot__isnull=False).values_list("channel", flat=True)
    )


def test_paper_progress_counts_sheets_by_status_and_ballots(budget_round, officers, resident):
    voting.ballot_cast(
        voter=resident,
        budget_round=budget_round,
        district_budget=budget_round.districts.get(),
        projects=["p1"],
    )
    first, second, third = officers
    # counted
    enter(first, budget_round, serial="A", voter="a 1")
    enter(second, budget_round, serial="A", voter="a 1")
    enter(first, budget_round, serial="B", voter="b 2")
    enter(second, budget_round, serial="B", voter="b 2")
    # awaiting a second entry
    enter(first, budget_round, serial="C", voter="c 3")
    # conflict
    enter(first, budget_round, serial="D", voter="d 4", projects=("p1",))
    enter(second, budget_round, serial="D", voter="d 4", projects=("p2",))
    # duplicate of the online voter
    enter(first, budget_round, serial="E", voter=resident.email)
    enter(third, budget_round, serial="E", voter=resident.email)
    other_round = factories.voting_round(organisation=budget_round.organisation)
    enter(first, other_round, serial="A", voter="a 1")

    assert paper.paper_progress(budget_round) == {
        "awaiting_second": 1,
        "counted": 2,
        "conflict": 1,
        "duplicate_voter": 1,
        "paper_ballots": 2,
    }


@pytest.mark.parametrize(
    ("organisation", "role", "allowed"),
    [
        ("riga", Role.OFFICER, True),
        ("riga", Role.ADMINISTRATOR, True),
        ("riga", Role.MODERATOR, False),
        ("riga", Role.REVIEWER, False),
        ("gdansk", Role.OFFICER, False),
        ("gdansk", Role.ADMINISTRATOR, False),
    ],
)
def test_who_may_enter_paper_ballots(budget_round, riga, gdansk, organisation, role, allowed):
    person = factories.staff({"riga": riga, "gdansk": gdansk}[organisation], role)
    if allowed:
        enter(person, budget_round)
    else:
        with pytest.raises(PermissionDenied):
            enter(person, budget_round)
    assert PaperBallotEntry.objects.filter(entered_by=person).exists() is allowed
