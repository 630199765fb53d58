"""Designing a round: settings, review, phase changes and the phase scheduler (no HTTP)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from budgeting.models import (
    BudgetRound,
    DistrictBudget,
    Phase,
    PhaseSchedule,
    Project,
    ProjectStatus,
    TallyResult,
)
from budgeting.services import rounds
from engagement.people.models import Role
from engagement.people.permissions import SYSTEM
from tests import factories

pytestmark = pytest.mark.django_db

AFTER_VOTING_OPENS = ["voting", "tallying", "results", "implementation", "evaluation", "closed"]
BEFORE_VOTING = ["draft", "information", "proposals", "review"]


def codes(error: ValidationError) -> dict[str, list[str | None]]:
    """Field -> error codes, as the API and the forms see them."""
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def create(actor, organisation, **settings):
    fields = {"title": "Budget 2027", "slug": "budget-2027", "citywide_budget": 100_000_00}
    fields.update(settings)
    return rounds.round_create(actor=actor, organisation=organisation, **fields)


@pytest.fixture
def riga_reviewer(riga):
    return factories.staff(riga, Role.REVIEWER, email="reviewer@riga.example")


@pytest.fixture
def draft_round(riga):
    budget_round = factories.BudgetRoundFactory(organisation=riga, phase="draft")
    factories.DistrictBudgetFactory(round=budget_round)
    return budget_round


def round_in(phase: str, organisation, **settings) -> BudgetRound:
    budget_round = factories.BudgetRoundFactory(organisation=organisation, phase=phase, **settings)
    factories.DistrictBudgetFactory(round=budget_round)
    return budget_round


# --- round_create ---------------------------------------------------------------------------


class TestRoundCreateRefuses:
    def test_a_moderator(self, riga, riga_moderator):
        with pytest.raises(PermissionDenied):
            create(riga_moderator, riga)
        assert not BudgetRound.objects.exists()

    def test_an_administrator_of_another_organisation(self, riga, gdansk_admin):
        with pytest.raises(PermissionDenied):
            create(gdansk_admin, riga)
        assert not BudgetRound.objects.exists()

    @pytest.mark.parametrize(
        ("settings", "field", "code"),
        [
            ({"ballot_format": "cumulative"}, "points_budget", "required"),
            ({"points_budget": 10}, "points_budget", "not_allowed"),
            ({"max_points_per_project": 3}, "points_budget", "not_allowed"),
            ({"max_rank": 3}, "max_rank", "not_allowed"),
            ({"ballot_format": "ordinal", "knapsack": True}, "knapsack", "not_allowed"),
            (
                {"ballot_format": "cumulative", "points_budget": 10, "min_spend_percent": 50},
                "knapsack",
                "not_allowed",
            ),
            ({"tie_break": "lottery"}, "lottery_seed", "required"),
            ({"currency": "PLN"}, "currency", "currency_mismatch"),
            # Limits that would make every ballot invalid, or silently no limit at all.
            ({"min_projects": 0, "max_projects": 0}, "max_projects", "min_value"),
            ({"ballot_format": "ordinal", "max_rank": 0}, "max_rank", "min_value"),
            ({"ballot_format": "choose-1", "min_projects": 2}, "min_projects", "above_maximum"),
            (
                {"ballot_format": "ordinal", "min_projects": 3, "max_rank": 2},
                "min_projects",
                "above_maximum",
            ),
            ({"min_spend_percent": 101}, "min_spend_percent", "max_value"),
            ({"min_age": 121}, "min_age", "max_value"),
            ({"ballot_format": "plurality"}, "ballot_format", "invalid_choice"),
            ({"outcome_rule": "dictator"}, "outcome_rule", "invalid_choice"),
            ({"slug": "not a slug"}, "slug", "invalid"),
            ({"title": ""}, "title", "blank"),
        ],
    )
    def test_invalid_settings_by_field_and_code(self, riga, riga_admin, settings, field, code):
        with pytest.raises(ValidationError) as error:
            create(riga_admin, riga, **settings)
        assert code in codes(error.value).get(field, []), codes(error.value)
        assert not BudgetRound.objects.exists()

    def test_several_setting_errors_at_once(self, riga, riga_admin):
        with pytest.raises(ValidationError) as error:
            create(riga_admin, riga, ballot_format="cumulative", max_rank=2, tie_break="lottery")
        assert set(codes(error.value)) >= {"points_budget", "max_rank", "lottery_seed"}

    def test_max_projects_below_min_projects(self, riga, riga_admin):
        with pytest.raises(ValidationError):
            create(riga_admin, riga, min_projects=3, max_projects=2)
        assert not BudgetRound.objects.exists()

    def test_a_round_without_any_budget(self, riga, riga_admin):
        with pytest.raises(ValidationError) as error:
            create(riga_admin, riga, citywide_budget=None)
        assert codes(error.value) == {"citywide_budget": ["no_budget"]}
        assert not BudgetRound.objects.exists()

    def test_a_negative_budget(self, riga, riga_admin):
        with pytest.raises(ValidationError) as error:
            create(riga_admin, riga, citywide_budget=-1)
        assert "budget" in codes(error.value)
        assert not BudgetRound.objects.exists()

    def test_a_district_of_another_organisation(self, riga, gdansk, riga_admin):
        foreign = factories.DistrictFactory(organisation=gdansk)
        with pytest.raises(ValidationError) as error:
            create(riga_admin, riga, district_budgets=[(foreign, 10_000_00)])
        assert codes(error.value) == {"district": ["wrong_organisation"]}
        assert not BudgetRound.objects.exists()
        assert not DistrictBudget.objects.exists()

    def test_an_unknown_setting(self, riga, riga_admin):
        with pytest.raises(ValidationError) as error:
            create(riga_admin, riga, phase="voting")
        assert "phase" in error.value.message_dict
        assert not BudgetRound.objects.exists()

    def test_a_slug_already_taken(self, riga, riga_admin):
        create(riga_admin, riga)
        with pytest.raises(ValidationError) as error:
            create(riga_admin, riga, title="Another")
        assert "slug" in error.value.message_dict
        assert BudgetRound.objects.get().title == "Budget 2027"


class TestRoundCreate:
    def test_makes_a_draft_with_a_city_pot_and_district_budgets_in_order(self, riga, riga_admin):
        north = factories.DistrictFactory(organisation=riga, slug="north", name="North")
        south = factories.DistrictFactory(organisation=riga, slug="south", name="South")
        budget_round = create(
            riga_admin,
            riga,
            district_budgets=[(north, 20_000_00), (south, 30_000_00)],
            ballot_format="cumulative",
            points_budget=10,
        )
        budget_round.refresh_from_db()
        assert (budget_round.phase, budget_round.currency) == ("draft", "EUR")
        assert (budget_round.ballot_format, budget_round.points_budget) == ("cumulative", 10)
        assert list(
            budget_round.districts.order_by("position").values_list(
                "key", "district", "budget", "position"
            )
        ) == [
            ("city", None, 100_000_00, 0),
            ("north", north.pk, 20_000_00, 1),
            ("south", south.pk, 30_000_00, 2),
        ]

    def test_district_budgets_alone_are_enough(self, riga, riga_admin):
        north = factories.DistrictFactory(organisation=riga, slug="north")
        budget_round = create(
            riga_admin, riga, citywide_budget=None, district_budgets=[(north, 1_000_00)]
        )
        assert list(budget_round.districts.values_list("key", flat=True)) == ["north"]

    def test_takes_the_organisations_currency(self, gdansk, gdansk_admin):
        assert create(gdansk_admin, gdansk).currency == "PLN"

    def test_a_lottery_with_a_published_seed(self, riga, riga_admin):
        budget_round = create(riga_admin, riga, tie_break="lottery", lottery_seed=2027)
        assert BudgetRound.objects.get(pk=budget_round.pk).lottery_seed == 2027

    def test_an_import_may_keep_the_files_currency(self, riga):
        budget_round = create(SYSTEM, riga, currency="PLN", source_meta={"country": "Poland"})
        assert budget_round.currency == "PLN"


# --- round_update ---------------------------------------------------------------------------


class TestRoundUpdateRefuses:
    def test_a_moderator(self, draft_round, riga_moderator):
        with pytest.raises(PermissionDenied):
            rounds.round_update(actor=riga_moderator, budget_round=draft_round, title="Hijacked")
        draft_round.refresh_from_db()
        assert draft_round.title != "Hijacked"

    def test_an_administrator_of_another_organisation(self, draft_round, gdansk_admin):
        with pytest.raises(PermissionDenied):
            rounds.round_update(actor=gdansk_admin, budget_round=draft_round, min_age=99)
        assert BudgetRound.objects.get(pk=draft_round.pk).min_age is None

    @pytest.mark.parametrize("phase", AFTER_VOTING_OPENS)
    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("ballot_format", "choose-1"),
            ("secret_ballot", False),
            ("ballot_changes_allowed", False),
            ("max_projects", 1),
            ("outcome_rule", "mes"),
            ("min_age", 18),
            ("live_counts_public", True),
        ],
    )
    def test_rules_once_voting_has_opened(self, riga, riga_admin, phase, field, value):
        budget_round = round_in(phase, riga)
        before = getattr(budget_round, field)
        with pytest.raises(ValidationError) as error:
            rounds.round_update(actor=riga_admin, budget_round=budget_round, **{field: value})
        assert codes(error.value) == {"phase": ["wrong_phase"]}
        assert getattr(BudgetRound.objects.get(pk=budget_round.pk), field) == before

    def test_a_wording_fix_bundled_with_a_rule_change_once_voting_opened(self, riga, riga_admin):
        budget_round = round_in("voting", riga, title="Old")
        with pytest.raises(ValidationError):
            rounds.round_update(
                actor=riga_admin, budget_round=budget_round, title="New", min_age=18
            )
        stored = BudgetRound.objects.get(pk=budget_round.pk)
        assert (stored.title, stored.min_age) == ("Old", None)

    def test_an_invalid_combination_and_keeps_the_stored_round(self, draft_round, riga_admin):
        with pytest.raises(ValidationError) as error:
            rounds.round_update(
                actor=riga_admin, budget_round=draft_round, ballot_format="cumulative"
            )
        assert codes(error.value) == {"points_budget": ["required"]}
        assert BudgetRound.objects.get(pk=draft_round.pk).ballot_format == "approval"

    def test_an_unknown_or_protected_field(self, draft_round, riga_admin):
        with pytest.raises(ValidationError) as error:
            rounds.round_update(actor=riga_admin, budget_round=draft_round, phase="voting")
        assert "phase" in error.value.message_dict
        assert BudgetRound.objects.get(pk=draft_round.pk).phase == "draft"


class TestRoundUpdate:
    @pytest.mark.parametrize("phase", BEFORE_VOTING)
    def test_rules_may_change_while_the_round_is_designed(self, riga, riga_admin, phase):
        budget_round = round_in(phase, riga)
        rounds.round_update(
            actor=riga_admin,
            budget_round=budget_round,
            ballot_format="ordinal",
            max_rank=3,
            secret_ballot=False,
        )
        stored = BudgetRound.objects.get(pk=budget_round.pk)
        assert (stored.ballot_format, stored.max_rank, stored.secret_ballot) == (
            "ordinal",
            3,
            False,
        )

    @pytest.mark.parametrize("phase", AFTER_VOTING_OPENS)
    def test_title_and_description_may_be_corrected_at_any_time(self, riga, riga_admin, phase):
        budget_round = round_in(phase, riga)
        rounds.round_update(
            actor=riga_admin, budget_round=budget_round, title="Fixed", description="Typo fixed"
        )
        stored = BudgetRound.objects.get(pk=budget_round.pk)
        assert (stored.title, stored.description, stored.phase) == ("Fixed", "Typo fixed", phase)


# --- project_review -------------------------------------------------------------------------


@pytest.fixture
def proposal(riga):
    budget_round = round_in("review", riga)
    return factories.ProjectFactory(
        district_budget=budget_round.districts.get(), status="proposed", cost=10_000_00
    )


class TestProjectReviewRefuses:
    def test_a_moderator(self, proposal, riga_moderator):
        with pytest.raises(PermissionDenied):
            rounds.project_review(actor=riga_moderator, project=proposal, feasible=True)
        assert Project.objects.get(pk=proposal.pk).status == "proposed"

    def test_a_resident(self, proposal, resident):
        with pytest.raises(PermissionDenied):
            rounds.project_review(actor=resident, project=proposal, feasible=True)
        assert Project.objects.get(pk=proposal.pk).status == "proposed"

    def test_a_reviewer_of_another_organisation(self, proposal, gdansk):
        outsider = factories.staff(gdansk, Role.REVIEWER)
        with pytest.raises(PermissionDenied):
            rounds.project_review(
                actor=outsider, project=proposal, feasible=False, public_reason="x"
            )
        assert Project.objects.get(pk=proposal.pk).status == "proposed"

    def test_an_administrator_of_another_organisation(self, proposal, gdansk_admin):
        with pytest.raises(PermissionDenied):
            rounds.project_review(actor=gdansk_admin, project=proposal, feasible=True)
        assert Project.objects.get(pk=proposal.pk).status == "proposed"

    @pytest.mark.parametrize("reason", ["", "   \n"])
    def test_a_rejection_without_a_public_reason(self, proposal, riga_reviewer, reason):
        with pytest.raises(ValidationError) as error:
            rounds.project_review(
                actor=riga_reviewer, project=proposal, feasible=False, public_reason=reason
            )
        assert codes(error.value) == {"public_reason": ["reason_required"]}
        assert Project.objects.get(pk=proposal.pk).status == "proposed"

    def test_once_voting_has_opened(self, riga, riga_reviewer):
        budget_round = round_in("voting", riga)
        project = factories.ProjectFactory(district_budget=budget_round.districts.get())
        with pytest.raises(ValidationError) as error:
            rounds.project_review(
                actor=riga_reviewer, project=project, feasible=False, public_reason="Too late"
            )
        assert codes(error.value) == {"phase": ["wrong_phase"]}
        assert Project.objects.get(pk=project.pk).status == "on_ballot"

    def test_a_negative_cost_estimate(self, proposal, riga_reviewer):
        with pytest.raises(ValidationError) as error:
            rounds.project_review(actor=riga_reviewer, project=proposal, feasible=True, cost=-5)
        assert "cost" in error.value.message_dict
        stored = Project.objects.get(pk=proposal.pk)
        assert (stored.status, stored.cost) == ("proposed", 10_000_00)


class TestProjectReview:
    def test_a_reviewer_finds_it_feasible_with_their_own_cost(self, proposal, riga_reviewer):
        rounds.project_review(actor=riga_reviewer, project=proposal, feasible=True, cost=12_345_00)
        stored = Project.objects.get(pk=proposal.pk)
        assert (stored.status, stored.cost) == ("feasible", 12_345_00)

    def test_a_rejection_keeps_its_public_reason(self, proposal, riga_reviewer):
        rounds.project_review(
            actor=riga_reviewer,
            project=proposal,
            feasible=False,
            public_reason="  On private land.  ",
        )
        stored = Project.objects.get(pk=proposal.pk)
        assert (stored.status, stored.public_reason) == ("rejected", "On private land.")

    def test_an_administrator_of_the_organisation_may_review(self, proposal, riga_admin):
        rounds.project_review(actor=riga_admin, project=proposal, feasible=True)
        assert Project.objects.get(pk=proposal.pk).status == "feasible"


# --- phase_advance --------------------------------------------------------------------------


def advance(actor, budget_round, to_phase):
    return rounds.phase_advance(actor=actor, budget_round=budget_round, to_phase=to_phase)


def stored_phase(budget_round) -> str:
    return BudgetRound.objects.get(pk=budget_round.pk).phase


class TestPhaseAdvanceRefuses:
    @pytest.mark.parametrize(
        ("current", "target"),
        [
            ("draft", "tallying"),
            ("draft", "results"),
            ("voting", "results"),
            ("voting", "review"),
            ("tallying", "voting"),
            ("proposals", "voting"),
            ("closed", "draft"),
            ("results", "results"),
            ("draft", "nonsense"),
        ],
    )
    def test_moves_the_phase_machine_does_not_allow(self, riga, riga_admin, current, target):
        budget_round = round_in(current, riga)
        with pytest.raises(ValidationError) as error:
            advance(riga_admin, budget_round, target)
        assert codes(error.value) == {"phase": ["invalid_transition"]}
        assert stored_phase(budget_round) == current

    def test_a_moderator(self, draft_round, riga_moderator):
        with pytest.raises(PermissionDenied):
            advance(riga_moderator, draft_round, "information")
        assert stored_phase(draft_round) == "draft"

    def test_a_reviewer(self, draft_round, riga_reviewer):
        with pytest.raises(PermissionDenied):
            advance(riga_reviewer, draft_round, "information")
        assert stored_phase(draft_round) == "draft"

    def test_an_administrator_of_another_organisation(self, draft_round, gdansk_admin):
        with pytest.raises(PermissionDenied):
            advance(gdansk_admin, draft_round, "information")
        assert stored_phase(draft_round) == "draft"

    def test_voting_when_a_district_has_no_feasible_project(self, riga, riga_admin):
        budget_round = round_in("review", riga)
        city = budget_round.districts.get()
        north = factories.DistrictBudgetFactory(round=budget_round, key="north", name="North")
        ready = factories.ProjectFactory(district_budget=city, status="feasible")
        factories.ProjectFactory(district_budget=north, status="proposed")
        factories.ProjectFactory(district_budget=north, status="rejected")
        with pytest.raises(ValidationError) as error:
            advance(riga_admin, budget_round, "voting")
        assert codes(error.value) == {"phase": ["empty_ballot"]}
        assert "North" in error.value.message_dict["phase"][0]
        assert "City" not in error.value.message_dict["phase"][0]
        assert stored_phase(budget_round) == "review"
        assert Project.objects.get(pk=ready.pk).status == "feasible"

    def test_results_before_every_district_has_a_published_result(self, riga, riga_admin):
        budget_round = round_in("tallying", riga)
        city = budget_round.districts.get()
        north = factories.DistrictBudgetFactory(round=budget_round, key="north", name="North")
        publish(city)
        unpublished(north)
        with pytest.raises(ValidationError) as error:
            advance(riga_admin, budget_round, "results")
        assert codes(error.value) == {"phase": ["results_not_published"]}
        assert "North" in error.value.message_dict["phase"][0]
        assert stored_phase(budget_round) == "tallying"


def _result(district_budget, published: bool, digest: str) -> TallyResult:
    return TallyResult.objects.create(
        district_budget=district_budget,
        rule="greedy",
        tie_break="project-id",
        input_digest=digest,
        ballot_count=0,
        selected=[],
        spent=0,
        budget=district_budget.budget,
        explanations={},
        support={},
        published_at=timezone.now() if published else None,
    )


def publish(district_budget) -> TallyResult:
    return _result(district_budget, True, "published")


def unpublished(district_budget) -> TallyResult:
    return _result(district_budget, False, "draft")


class TestPhaseAdvance:
    def test_entering_voting_puts_feasible_projects_on_the_ballot(self, riga, riga_admin):
        budget_round = round_in("review", riga)
        city = budget_round.districts.get()
        statuses = ["feasible", "feasible", "proposed", "rejected"]
        projects = [factories.ProjectFactory(district_budget=city, status=s) for s in statuses]
        advance(riga_admin, budget_round, "voting")
        assert stored_phase(budget_round) == "voting"
        assert [Project.objects.get(pk=p.pk).status for p in projects] == [
            "on_ballot",
            "on_ballot",
            "proposed",
            "rejected",
        ]

    def test_records_when_and_updates_the_callers_object(self, draft_round, riga_admin):
        before = timezone.now()
        returned = advance(riga_admin, draft_round, "information")
        stored = BudgetRound.objects.get(pk=draft_round.pk)
        assert returned is draft_round
        assert draft_round.phase == stored.phase == "information"
        assert stored.phase_changed_at >= before
        assert draft_round.phase_changed_at == stored.phase_changed_at

    def test_entering_results_once_every_district_is_published(self, riga, riga_admin):
        budget_round = round_in("tallying", riga)
        publish(budget_round.districts.get())
        advance(riga_admin, budget_round, "results")
        assert stored_phase(budget_round) == "results"

    def test_a_platform_operator_may_move_any_round(self, draft_round, platform_admin):
        advance(platform_admin, draft_round, "information")
        assert stored_phase(draft_round) == "information"

    def test_marks_a_schedule_for_that_phase_as_done(self, draft_round, riga_admin):
        later = timezone.now() + timedelta(days=3)
        entry = PhaseSchedule.objects.create(
            round=draft_round, phase="information", starts_at=later
        )
        advance(riga_admin, draft_round, "information")
        entry.refresh_from_db()
        assert entry.done_at is not None

    def test_the_whole_cycle_with_skips(self, riga, riga_admin):
        budget_round = round_in("draft", riga)
        factories.ProjectFactory(district_budget=budget_round.districts.get(), status="feasible")
        for phase in ("voting", "tallying"):
            advance(riga_admin, budget_round, phase)
        publish(budget_round.districts.get())
        for phase in ("results", "implementation", "evaluation", "closed"):
            advance(riga_admin, budget_round, phase)
        assert stored_phase(budget_round) == "closed"


# --- the phase scheduler --------------------------------------------------------------------


def schedule(budget_round, phase, starts_at):
    return PhaseSchedule.objects.create(round=budget_round, phase=phase, starts_at=starts_at)


class TestScheduledPhasesRun:
    def test_moves_due_rounds_and_only_them_and_is_harmless_twice(self, riga):
        now = timezone.now()
        due = round_in("draft", riga)
        not_yet = round_in("draft", riga)
        invalid = round_in("draft", riga)
        failing = round_in("review", riga)  # nothing feasible: entering voting must fail
        schedule(due, "information", now - timedelta(minutes=1))
        schedule(not_yet, "information", now + timedelta(minutes=1))
        schedule(invalid, "results", now - timedelta(hours=1))
        schedule(failing, "voting", now - timedelta(hours=1))

        assert rounds.scheduled_phases_run(now=now) == [(due.slug, "information")]
        phases_after = {r.slug: stored_phase(r) for r in (due, not_yet, invalid, failing)}
        assert phases_after == {
            due.slug: "information",
            not_yet.slug: "draft",
            invalid.slug: "draft",
            failing.slug: "review",
        }
        changed_at = BudgetRound.objects.get(pk=due.pk).phase_changed_at
        assert PhaseSchedule.objects.get(round=due).done_at is not None
        assert PhaseSchedule.objects.get(round=failing).done_at is None

        assert rounds.scheduled_phases_run(now=now) == []
        assert BudgetRound.objects.get(pk=due.pk).phase_changed_at == changed_at
        assert {r.slug: stored_phase(r) for r in (due, not_yet, invalid, failing)} == phases_after

    def test_the_future_entry_moves_when_its_time_comes(self, riga):
        now = timezone.now()
        budget_round = round_in("draft", riga)
        schedule(budget_round, "information", now + timedelta(minutes=5))
        assert rounds.scheduled_phases_run(now=now) == []
        later = now + timedelta(minutes=5)
        assert rounds.scheduled_phases_run(now=later) == [(budget_round.slug, "information")]

    def test_several_due_phases_of_one_round_apply_in_order(self, riga):
        now = timezone.now()
        budget_round = round_in("draft", riga)
        factories.ProjectFactory(district_budget=budget_round.districts.get(), status="feasible")
        schedule(budget_round, "voting", now - timedelta(hours=1))
        schedule(budget_round, "information", now - timedelta(hours=3))
        schedule(budget_round, "proposals", now - timedelta(hours=2))
        moved = rounds.scheduled_phases_run(now=now)
        assert moved == [
            (budget_round.slug, "information"),
            (budget_round.slug, "proposals"),
        ]
        # proposals -> voting skips review, which the machine does not allow
        assert stored_phase(budget_round) == "proposals"

    def test_entering_voting_by_schedule_puts_projects_on_the_ballot(self, riga):
        now = timezone.now()
        budget_round = round_in("review", riga)
        project = factories.ProjectFactory(
            district_budget=budget_round.districts.get(), status="feasible"
        )
        schedule(budget_round, "voting", now)
        assert rounds.scheduled_phases_run(now=now) == [(budget_round.slug, "voting")]
        assert Project.objects.get(pk=project.pk).status == ProjectStatus.ON_BALLOT
        assert stored_phase(budget_round) == Phase.VOTING

    def test_a_round_catches_up_on_every_due_phase_in_one_run(self, riga):
        # E.g. the scheduler was down while voting opened and closed.
        now = timezone.now()
        budget_round = round_in("review", riga)
        factories.ProjectFactory(district_budget=budget_round.districts.get(), status="feasible")
        schedule(budget_round, "voting", now - timedelta(days=7))
        schedule(budget_round, "tallying", now - timedelta(hours=1))
        assert rounds.scheduled_phases_run(now=now) == [
            (budget_round.slug, "voting"),
            (budget_round.slug, "tallying"),
        ]
        assert stored_phase(budget_round) == "tallying"
        assert not PhaseSchedule.objects.filter(round=budget_round, done_at__isnull=True).exists()


# --- who may design and move a round: role x organisation -----------------------------------

PERSONAS = {
    # name: (organisation slug or None, roles, superuser)
    "riga administrator": ("riga", [Role.ADMINISTRATOR], False),
    "riga moderator": ("riga", [Role.MODERATOR], False),
    "riga reviewer": ("riga", [Role.REVIEWER], False),
    "riga officer": ("riga", [Role.OFFICER], False),
    "gdansk administrator": ("gdansk", [Role.ADMINISTRATOR], False),
    "resident": (None, [], False),
    "platform operator": (None, [], True),
}
MAY_MANAGE = {"riga administrator", "platform operator"}
MAY_REVIEW = MAY_MANAGE | {"riga reviewer"}


@pytest.fixture
def persona(request, riga, gdansk):
    organisation_slug, roles, superuser = PERSONAS[request.param]
    organisation = {"riga": riga, "gdansk": gdansk}.get(organisation_slug)
    if organisation is not None:
        return factories.staff(organisation, *roles)
    return factories.UserFactory(is_superuser=superuser, is_staff=superuser)


@pytest.mark.parametrize("persona", sorted(PERSONAS), indirect=True)
def test_round_update_by_role_and_organisation(request, draft_round, persona):
    name = request.node.callspec.params["persona"]
    if name in MAY_MANAGE:
        rounds.round_update(actor=persona, budget_round=draft_round, min_age=16)
    else:
        with pytest.raises(PermissionDenied):
            rounds.round_update(actor=persona, budget_round=draft_round, min_age=16)
    expected = 16 if name in MAY_MANAGE else None
    assert BudgetRound.objects.get(pk=draft_round.pk).min_age == expected


@pytest.mark.parametrize("persona", sorted(PERSONAS), indirect=True)
def test_phase_advance_by_role_and_organisation(request, draft_round, persona):
    name = request.node.callspec.params["persona"]
    if name in MAY_MANAGE:
        advance(persona, draft_round, "information")
    else:
        with pytest.raises(PermissionDenied):
            advance(persona, draft_round, "information")
    expected = "information" if name in MAY_MANAGE else "draft"
    assert stored_phase(draft_round) == expected


@pytest.mark.parametrize("persona", sorted(PERSONAS), indirect=True)
def test_project_review_by_role_and_organisation(request, proposal, persona):
    name = request.node.callspec.params["persona"]
    if name in MAY_REVIEW:
        rounds.project_review(actor=persona, project=proposal, feasible=True)
    else:
        with pytest.raises(PermissionDenied):
            rounds.project_review(actor=persona, project=proposal, feasible=True)
    expected = "feasible" if name in MAY_REVIEW else "proposed"
    assert Project.objects.get(pk=proposal.pk).status == expected
