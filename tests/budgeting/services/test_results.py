"""Running outcome rules on stored ballots, publishing results, and what the public may see."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from budgeting.models import BudgetRound, Phase, Project, TallyResult
from budgeting.selectors import rounds as selectors
from budgeting.services import paper, results, rounds, voting
from engagement.people.models import Role
from tests import factories

pytestmark = pytest.mark.django_db

# Costs (EUR cents) of p1..p4 in factories.voting_round, budget 100,000 EUR:
# p1 40,000  p2 30,000  p3 20,000  p4 50,000.
BALLOTS = [["p1", "p4"], ["p1", "p4"], ["p1", "p2"], ["p3"]]
BALLOTS_BY_KEY = [["city-1"], ["city-1", "city-2"]]


def codes(error: ValidationError) -> dict[str, list[str | None]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def cast_all(budget_round, ballots, *, district="city", points=None):
    for number, projects in enumerate(ballots):
        voting.ballot_cast(
            voter=factories.UserFactory(),
            budget_round=budget_round,
            district_budget=budget_round.districts.get(key=district),
            projects=projects,
            points=None if points is None else points[number],
        )


def to_tallying(budget_round, actor):
    rounds.phase_advance(actor=actor, budget_round=budget_round, to_phase="tallying")


def statuses(budget_round) -> dict[str, str]:
    return dict(Project.objects.filter(round=budget_round).values_list("external_id", "status"))


@pytest.fixture
def tallying_round(riga, riga_admin):
    """Four ballots cast, voting closed."""
    budget_round = factories.voting_round(organisation=riga)
    cast_all(budget_round, BALLOTS)
    to_tallying(budget_round, riga_admin)
    return budget_round


# --- tally_run ------------------------------------------------------------------------------


class TestTallyRunRefuses:
    def test_a_moderator(self, tallying_round, riga_moderator):
        with pytest.raises(PermissionDenied):
            results.tally_run(actor=riga_moderator, budget_round=tallying_round)
        assert not TallyResult.objects.exists()

    def test_an_officer(self, tallying_round, riga):
        officer = factories.staff(riga, Role.OFFICER)
        with pytest.raises(PermissionDenied):
            results.tally_run(actor=officer, budget_round=tallying_round)
        assert not TallyResult.objects.exists()

    def test_an_administrator_of_another_organisation(self, tallying_round, gdansk_admin):
        with pytest.raises(PermissionDenied):
            results.tally_run(actor=gdansk_admin, budget_round=tallying_round)
        assert not TallyResult.objects.exists()

    def test_staff_while_voting_is_still_open(self, riga, riga_admin):
        budget_round = factories.voting_round(organisation=riga)
        cast_all(budget_round, BALLOTS)
        with pytest.raises(ValidationError) as error:
            results.tally_run(actor=riga_admin, budget_round=budget_round)
        assert codes(error.value) == {"phase": ["wrong_phase"]}
        assert not TallyResult.objects.exists()

    def test_an_unknown_rule(self, tallying_round, riga_admin):
        with pytest.raises(ValidationError) as error:
            results.tally_run(actor=riga_admin, budget_round=tallying_round, rule="dictator")
        assert codes(error.value) == {"rule": ["unknown_rule"]}
        assert not TallyResult.objects.exists()


class TestTallyRun:
    def test_stores_the_outcome_with_support_and_explanations(self, tallying_round, riga_admin):
        [result] = results.tally_run(actor=riga_admin, budget_round=tallying_round)
        stored = TallyResult.objects.get()
        assert stored.pk == result.pk
        assert stored.district_budget == tallying_round.districts.get()
        assert (stored.rule, stored.tie_break, stored.lottery_seed) == ("greedy", "project-id", 0)
        assert stored.ballot_count == 4
        # Greedy: p1 (3 votes) and p4 (2) fit; p2 and p3 (1 each) no longer do.
        assert stored.selected == ["p1", "p4"]
        assert (stored.spent, stored.budget) == (90_000_00, 100_000_00)
        assert stored.support == {"p1": 3, "p2": 1, "p3": 1, "p4": 2}
        assert set(stored.explanations) == {"p1", "p2", "p3", "p4"}
        assert {k: (e["selected"], e["reason"]) for k, e in stored.explanations.items()} == {
            "p1": (True, "selected"),
            "p2": (False, "not_affordable"),
            "p3": (False, "not_affordable"),
            "p4": (True, "selected"),
        }
        assert stored.published_at is None
        assert len(stored.input_digest) == 64

    def test_running_again_on_unchanged_ballots_reuses_the_stored_row(
        self, tallying_round, riga_admin
    ):
        [first] = results.tally_run(actor=riga_admin, budget_round=tallying_round)
        [again] = results.tally_run(actor=riga_admin, budget_round=tallying_round)
        assert again.pk == first.pk
        assert TallyResult.objects.count() == 1

    def test_a_new_ballot_gives_a_new_run(self, riga):
        budget_round = factories.voting_round(organisation=riga)
        cast_all(budget_round, BALLOTS)
        [before] = results.tally_compute(budget_round)  # the background task, in any phase
        cast_all(budget_round, [["p2", "p3"]] * 3)
        [after] = results.tally_compute(budget_round)
        assert after.pk != before.pk
        assert after.input_digest != before.input_digest
        assert TallyResult.objects.count() == 2
        assert (before.ballot_count, after.ballot_count) == (4, 7)
        assert after.support == {"p1": 3, "p2": 4, "p3": 4, "p4": 2}
        assert after.selected == ["p2", "p3", "p1"]

    def test_a_changed_ballot_gives_a_new_run(self, riga, resident):
        budget_round = factories.voting_round(organisation=riga, secret_ballot=False)
        cast_all(budget_round, BALLOTS)
        district = budget_round.districts.get()
        voting.ballot_cast(
            voter=resident, budget_round=budget_round, district_budget=district, projects=["p3"]
        )
        [before] = results.tally_compute(budget_round)
        voting.ballot_cast(
            voter=resident, budget_round=budget_round, district_budget=district, projects=["p2"]
        )
        [after] = results.tally_compute(budget_round)
        assert after.pk != before.pk
        assert (before.support["p3"], after.support["p3"]) == (2, 1)
        assert after.ballot_count == before.ballot_count == 5

    def test_another_rule_is_stored_separately(self, tallying_round, riga_admin):
        [greedy] = results.tally_run(actor=riga_admin, budget_round=tallying_round)
        [mes] = results.tally_run(actor=riga_admin, budget_round=tallying_round, rule="mes")
        assert mes.pk != greedy.pk
        assert (mes.rule, mes.input_digest) == ("mes", greedy.input_digest)
        assert set(mes.explanations) == {"p1", "p2", "p3", "p4"}
        assert mes.spent <= mes.budget

    def test_a_lottery_tie_break_stores_its_seed(self, riga, riga_admin):
        budget_round = factories.voting_round(
            organisation=riga, tie_break="lottery", lottery_seed=424242
        )
        cast_all(budget_round, BALLOTS)
        to_tallying(budget_round, riga_admin)
        [result] = results.tally_run(actor=riga_admin, budget_round=budget_round)
        assert (result.tie_break, result.lottery_seed) == ("lottery", 424242)

    def test_each_district_budget_is_its_own_election(self, riga, riga_admin):
        budget_round = factories.district_voting_round(organisation=riga)
        cast_all(budget_round, [["north-1"], ["north-1", "north-2"]], district="north")
        cast_all(budget_round, [["city-2"]], district="city")
        to_tallying(budget_round, riga_admin)
        found = {
            r.district_budget.key: r
            for r in results.tally_run(actor=riga_admin, budget_round=budget_round)
        }
        assert set(found) == {"city", "north", "south"}
        assert found["north"].support == {"north-1": 2, "north-2": 1}
        assert found["city"].support == {"city-1": 0, "city-2": 1}
        assert (found["south"].ballot_count, found["south"].support) == (
            0,
            {"south-1": 0, "south-2": 0},
        )
        assert found["north"].budget == 50_000_00

    def test_cumulative_support_is_total_points(self, riga):
        budget_round = factories.voting_round(
            organisation=riga, ballot_format="cumulative", points_budget=10
        )
        cast_all(budget_round, [["p1", "p2"], ["p2"]], points=[[7, 3], [10]])
        [result] = results.tally_compute(budget_round)
        assert result.support == {"p1": 7, "p2": 13, "p3": 0, "p4": 0}

    def test_ordinal_support_is_length_minus_rank(self, riga):
        budget_round = factories.voting_round(organisation=riga, ballot_format="ordinal")
        cast_all(budget_round, [["p3", "p1", "p4"], ["p1"]])
        [result] = results.tally_compute(budget_round)
        assert result.support == {"p1": 3, "p2": 0, "p3": 3, "p4": 1}

    def test_paper_ballots_count_once_agreed(self, tallying_round, riga, riga_admin):
        first, second = (factories.staff(riga, Role.OFFICER) for _ in range(2))
        for officer in (first, second):
            paper.paper_entry_submit(
                officer=officer,
                budget_round=tallying_round,
                district_budget=tallying_round.districts.get(),
                serial="P-1",
                voter_reference="paper voter 1",
                projects=["p3"],
            )
        [result] = results.tally_run(actor=riga_admin, budget_round=tallying_round)
        assert (result.ballot_count, result.support["p3"]) == (5, 2)


# --- results_publish ------------------------------------------------------------------------


def published_per_district(budget_round) -> dict[str, int]:
    counts = {d.key: 0 for d in budget_round.districts.all()}
    for result in TallyResult.objects.filter(
        district_budget__round=budget_round, published_at__isnull=False
    ):
        counts[result.district_budget.key] += 1
    return counts


class TestResultsPublishRefuses:
    def test_a_moderator(self, tallying_round, riga_moderator):
        with pytest.raises(PermissionDenied):
            results.results_publish(actor=riga_moderator, budget_round=tallying_round)
        assert not TallyResult.objects.filter(published_at__isnull=False).exists()
        assert set(statuses(tallying_round).values()) == {"on_ballot"}

    def test_while_voting_is_open(self, riga, riga_admin):
        budget_round = factories.voting_round(organisation=riga)
        with pytest.raises(ValidationError) as error:
            results.results_publish(actor=riga_admin, budget_round=budget_round)
        assert codes(error.value) == {"phase": ["wrong_phase"]}
        assert not TallyResult.objects.exists()


class TestResultsPublish:
    def test_marks_projects_and_publishes_one_result_per_district(self, riga, riga_admin):
        budget_round = factories.district_voting_round(organisation=riga)
        cast_all(budget_round, BALLOTS_BY_KEY, district="city")
        cast_all(budget_round, [["north-2"]], district="north")
        to_tallying(budget_round, riga_admin)
        published = results.results_publish(actor=riga_admin, budget_round=budget_round)
        assert len(published) == 3
        assert all(r.published_at is not None for r in published)
        assert published_per_district(budget_round) == {"city": 1, "north": 1, "south": 1}
        # Each district budget (city 100,000, districts 50,000) funds both 20,000 projects,
        # supported or not: greedy funds whatever still fits.
        assert set(statuses(budget_round).values()) == {"selected"}

    def test_marks_the_unfunded_projects_not_selected(self, tallying_round, riga_admin):
        results.results_publish(actor=riga_admin, budget_round=tallying_round)
        assert statuses(tallying_round) == {
            "p1": "selected",
            "p2": "not_selected",
            "p3": "not_selected",
            "p4": "selected",
        }

    def test_publishing_again_keeps_one_published_result(self, tallying_round, riga_admin):
        [first] = results.results_publish(actor=riga_admin, budget_round=tallying_round)
        [second] = results.results_publish(actor=riga_admin, budget_round=tallying_round)
        assert second.pk == first.pk
        assert published_per_district(tallying_round) == {"city": 1}
        assert statuses(tallying_round)["p1"] == "selected"

    def test_a_late_paper_ballot_then_publishing_again_replaces_the_published_result(
        self, tallying_round, riga, riga_admin
    ):
        [first] = results.results_publish(actor=riga_admin, budget_round=tallying_round)
        officers = [factories.staff(riga, Role.OFFICER) for _ in range(2)]
        for number in range(3):
            for officer in officers:
                paper.paper_entry_submit(
                    officer=officer,
                    budget_round=tallying_round,
                    district_budget=tallying_round.districts.get(),
                    serial=f"late-{number}",
                    voter_reference=f"paper voter {number}",
                    projects=["p2", "p3"],
                )
        [second] = results.results_publish(actor=riga_admin, budget_round=tallying_round)
        assert second.pk != first.pk
        assert published_per_district(tallying_round) == {"city": 1}
        assert TallyResult.objects.get(pk=second.pk).published_at is not None
        assert TallyResult.objects.get(pk=first.pk).published_at is None
        assert statuses(tallying_round) == {
            "p1": "selected",
            "p2": "selected",
            "p3": "selected",
            "p4": "not_selected",
        }

    def test_results_may_then_be_entered(self, tallying_round, riga_admin):
        results.results_publish(actor=riga_admin, budget_round=tallying_round)
        rounds.phase_advance(actor=riga_admin, budget_round=tallying_round, to_phase="results")
        assert BudgetRound.objects.get(pk=tallying_round.pk).phase == "results"
        assert [r.district_budget.key for r in selectors.published_results(tallying_round)] == [
            "city"
        ]


# --- what the public may see ----------------------------------------------------------------

PUBLIC_AFTER_RESULTS = {"results", "implementation", "evaluation", "closed"}


@pytest.mark.parametrize(
    ("phase", "live_counts_public"),
    list(itertools.product(Phase.values, [False, True])),
)
def test_counts_are_public_by_phase_and_setting(riga, phase, live_counts_public):
    budget_round = factories.BudgetRoundFactory(
        organisation=riga, phase=phase, live_counts_public=live_counts_public
    )
    if phase in ("voting", "tallying"):
        expected = live_counts_public
    else:
        expected = phase in PUBLIC_AFTER_RESULTS
    assert selectors.counts_are_public(budget_round) is expected


def test_turnout_counts_voters_per_district_and_channel(riga):
    budget_round = factories.district_voting_round(organisation=riga)
    both = factories.UserFactory()
    for key in ("city", "north"):
        voting.ballot_cast(
            voter=both,
            budget_round=budget_round,
            district_budget=budget_round.districts.get(key=key),
            projects=[f"{key}-1"],
        )
    cast_all(budget_round, [["north-2"]], district="north")
    officers = [factories.staff(riga, Role.OFFICER) for _ in range(2)]
    for officer in officers:
        paper.paper_entry_submit(
            officer=officer,
            budget_round=budget_round,
            district_budget=budget_round.districts.get(key="north"),
            serial="N-1",
            voter_reference="someone on paper",
            projects=["north-1"],
        )
    other_round = factories.voting_round(organisation=riga)
    cast_all(other_round, [["p1"]])

    assert selectors.turnout(budget_round) == {
        "voters": 3,
        "districts": {
            "city": {"total": 1, "online": 1, "paper": 0, "imported": 0},
            "north": {"total": 3, "online": 2, "paper": 1, "imported": 0},
            "south": {"total": 0, "online": 0, "paper": 0, "imported": 0},
        },
    }
