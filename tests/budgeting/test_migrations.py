"""Sealing the ballot box keeps every ballot that rounds still voting had before the upgrade."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from budgeting.services import ballot_box, paper
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("budgeting", "0004_live_counter_logs")]
AFTER = [("budgeting", "0005_sealed_ballot_box")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def _latest_schema_afterwards():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_ballots_of_open_rounds_stay_counted_and_open_ones_become_sealed():
    city = factories.OrganisationFactory(slug="riga")
    officer = factories.UserFactory(email="officer@riga.example")
    apps = migrate(BEFORE)
    BudgetRound = apps.get_model("budgeting", "BudgetRound")
    DistrictBudget = apps.get_model("budgeting", "DistrictBudget")
    Project = apps.get_model("budgeting", "Project")
    Participation = apps.get_model("budgeting", "Participation")
    Ballot = apps.get_model("budgeting", "Ballot")
    Sheet = apps.get_model("budgeting", "PaperBallotSheet")
    Entry = apps.get_model("budgeting", "PaperBallotEntry")

    budgets, projects = {}, {}
    for slug, secret in (("open", False), ("secret", True)):
        budget_round = BudgetRound.objects.create(
            organisation_id=city.pk, slug=slug, title=slug, phase="voting", secret_ballot=secret
        )
        budgets[slug] = DistrictBudget.objects.create(
            round=budget_round, key="city", name="City", budget=100
        )
        projects[slug] = [
            Project.objects.create(
                round=budget_round,
                district_budget=budgets[slug],
                external_id=f"p{n}",
                title=f"P{n}",
                cost=10,
                status="on_ballot",
            ).pk
            for n in (1, 2)
        ]
    for n, slug in enumerate(("open", "secret", "open")):
        participation = Participation.objects.create(
            round_id=budgets[slug].round_id,
            district_budget=budgets[slug],
            voter_key=f"user:{n}",
            channel="online",
        )
        Ballot.objects.create(
            district_budget=budgets[slug],
            participation=participation if slug == "open" else None,
            projects=[projects[slug][n % 2]],
            channel="online",
            receipt_hash=f"{n:064d}",
        )
    sheet = Sheet.objects.create(district_budget=budgets["open"], serial="S-1", voter_key="ref:x")
    Entry.objects.create(
        sheet=sheet, entered_by_id=officer.pk, voter_key="ref:x", projects=[projects["open"][1]]
    )

    migrate(AFTER)
    from budgeting.models import Ballot as NewBallot
    from budgeting.models import DistrictBudget as NewDistrictBudget
    from budgeting.models import PaperBallotEntry as NewEntry

    def box(slug):
        district_budget = NewDistrictBudget.objects.get(round__slug=slug)
        return sorted(b.projects for b in ballot_box.district_ballots(district_budget))

    # Not secret: each ballot moved into its participation, sealed; nothing lost.
    assert box("open") == sorted([(projects["open"][0],), (projects["open"][0],)])
    assert not NewBallot.objects.filter(district_budget__round__slug="open").exists()
    # Secret: never linked to anyone, so it stays in the ballot table, counted.
    assert box("secret") == [(projects["secret"][1],)]
    assert NewBallot.objects.filter(district_budget__round__slug="secret").count() == 1
    # The officer's reading of the sheet is sealed.
    assert paper.paper_entry_choices(NewEntry.objects.get()) == ((projects["open"][1],), None)
