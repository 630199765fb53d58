"""Demo data for budgeting: a round open for voting and a finished round with results.

Idempotent: rounds are created once; ballots only when the round has none yet.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from budgeting.models import BudgetRound, DistrictBudget, Phase, ProjectStatus
from budgeting.services import results, rounds, voting
from engagement.people.permissions import SYSTEM

if TYPE_CHECKING:
    from engagement.people.demo import DemoContext

VOTING_SLUG = "demo-city-2027"
FINISHED_SLUG = "demo-city-2026"

# (title, district key or "city", cost in EUR, categories)
PROJECTS = [
    ("Shade trees along the harbour promenade", "harbour", 42_000, ["environment"]),
    ("Lit bicycle path to the ferry", "harbour", 85_000, ["mobility"]),
    ("Net boxes for the fishermen's pier", "harbour", 18_500, ["economy"]),
    ("Outdoor gym at the beach", "harbour", 26_000, ["sport"]),
    ("Repair the Old Town well", "old-town", 15_000, ["heritage"]),
    ("Benches and drinking fountain on Market Square", "old-town", 22_000, ["public space"]),
    ("Night-time safe-route lighting", "old-town", 48_000, ["safety"]),
    ("Storytelling evenings in the library courtyard", "old-town", 9_500, ["culture"]),
    ("Playground for toddlers in Pine Hills park", "pine-hills", 55_000, ["children"]),
    ("Forest trail signposts and map", "pine-hills", 12_000, ["environment"]),
    ("Community garden with raised beds", "pine-hills", 31_000, ["environment", "seniors"]),
    ("Skate park extension", "pine-hills", 64_000, ["youth", "sport"]),
    ("Riverside kayak launch", "riverside", 27_000, ["sport"]),
    ("Flood-proof bench line on the embankment", "riverside", 33_000, ["public space"]),
    ("Riverside open-air cinema equipment", "riverside", 19_000, ["culture"]),
    ("Pollinator meadows in four parks", "city", 38_000, ["environment"]),
    ("Free Wi-Fi in libraries and the town hall square", "city", 45_000, ["digital"]),
    ("Accessible ramps at twelve public buildings", "city", 96_000, ["accessibility"]),
    ("Cargo bikes to borrow", "city", 28_000, ["mobility"]),
    ("Senior digital-skills classes", "city", 14_000, ["seniors", "digital"]),
    ("Drinking water stations at bus stops", "city", 36_000, ["health"]),
]

DISTRICT_BUDGET_EUR = 120_000
CITYWIDE_BUDGET_EUR = 150_000


def _create_round(context: DemoContext, slug: str, title: str, year: int) -> BudgetRound:
    organisation = context.organisation
    budget_round = rounds.round_create(
        actor=SYSTEM,
        organisation=organisation,
        title=title,
        slug=slug,
        citywide_budget=CITYWIDE_BUDGET_EUR * 100,
        district_budgets=[(d, DISTRICT_BUDGET_EUR * 100) for d in context.districts],
        description=(
            f"Residents of Demo City decide how to spend EUR {CITYWIDE_BUDGET_EUR:,} city-wide and "
            f"EUR {DISTRICT_BUDGET_EUR:,} in each district in {year}. Choose the projects you "
            "want within each budget; projects are funded with the Method of Equal Shares."
        ),
        ballot_format="approval",
        knapsack=True,
        outcome_rule="equal-shares",
        one_district_per_voter=True,
        verified_email_required=True,
        live_counts_public=False,
        secret_ballot=True,
    )
    districts = {d.key: d for d in DistrictBudget.objects.filter(round=budget_round)}
    for number, (project_title, key, cost, categories) in enumerate(PROJECTS, start=1):
        rounds.project_create(
            actor=SYSTEM,
            budget_round=budget_round,
            district_budget=districts[key],
            external_id=f"{year}-{number:02d}",
            title=project_title,
            cost=cost * 100,
            categories=categories,
            status=ProjectStatus.FEASIBLE,
            description=f"{project_title}. Proposed by residents and checked by the city.",
        )
    rounds.phase_advance(actor=SYSTEM, budget_round=budget_round, to_phase=Phase.INFORMATION)
    rounds.phase_advance(actor=SYSTEM, budget_round=budget_round, to_phase=Phase.VOTING)
    return budget_round


def _vote(context: DemoContext, budget_round: BudgetRound, rng: random.Random) -> None:
    if budget_round.participations.exists():
        return
    offered = voting.offered_projects(budget_round)
    by_district: dict[str, list[str]] = {}
    for external_id, project in offered.items():
        by_district.setdefault(project.district_key, []).append(external_id)
    districts = {d.district_id: d for d in budget_round.districts.all()}
    city = budget_round.districts.get(key="city")
    for resident in context.residents[: int(len(context.residents) * 0.8)]:
        residence = resident.residences.filter(organisation=context.organisation).first()
        for district_budget in (city, districts.get(residence.district_id if residence else None)):
            if district_budget is None:
                continue
            choices, spent = [], 0
            for external_id in rng.sample(
                by_district[district_budget.key], k=len(by_district[district_budget.key])
            ):
                cost = offered[external_id].cost
                if spent + cost <= district_budget.budget and rng.random() < 0.6:
                    choices.append(external_id)
                    spent += cost
            if choices:
                voting.ballot_cast(
                    voter=resident,
                    budget_round=budget_round,
                    district_budget=district_budget,
                    projects=choices,
                )


@transaction.atomic
def seed(context: DemoContext) -> None:
    rng = random.Random(2027)
    finished = BudgetRound.objects.filter(slug=FINISHED_SLUG).first()
    if finished is None:
        finished = _create_round(context, FINISHED_SLUG, "Demo City budget 2026", 2026)
    if finished.phase == Phase.VOTING:
        _vote(context, finished, rng)
        rounds.phase_advance(actor=SYSTEM, budget_round=finished, to_phase=Phase.TALLYING)
    if finished.phase == Phase.TALLYING:
        results.results_publish(actor=SYSTEM, budget_round=finished)
        rounds.phase_advance(actor=SYSTEM, budget_round=finished, to_phase=Phase.RESULTS)

    current = BudgetRound.objects.filter(slug=VOTING_SLUG).first()
    if current is None:
        current = _create_round(context, VOTING_SLUG, "Demo City budget 2027", 2027)
        rounds.phase_schedule_set(
            actor=SYSTEM,
            budget_round=current,
            phase=Phase.TALLYING,
            starts_at=timezone.now() + timedelta(days=21),
        )
    if current.phase == Phase.VOTING:
        _vote(context, current, rng)
    context.extra["budget_rounds"] = {"voting": current, "finished": finished}
