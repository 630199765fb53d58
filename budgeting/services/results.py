"""Running outcome rules on stored ballots, and publishing results.

The rules themselves are pure (``budgeting.tally``); this module turns a district budget's
projects and ballots into the rules' plain input, stores each run with its explanations
(idempotently: the same input, rule and tie-break give the same stored row), and publishes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budgeting import phases, tally
from budgeting.ballots import ballot_support
from budgeting.models import (
    BudgetRound,
    DistrictBudget,
    Project,
    ProjectStatus,
    TallyResult,
    TieBreak,
)
from budgeting.phases import Action
from budgeting.services import ballot_box
from budgeting.services import live_updates as live
from engagement.money import minor_per_unit
from engagement.people import permissions

# Round tie-break setting -> the tally package's name for it.
TIE_BREAKS = {
    TieBreak.PROJECT_ID: "lexicographic",
    TieBreak.LOWER_COST: "cost",
    TieBreak.LOTTERY: "lottery",
}

COUNTED_STATUSES = (
    ProjectStatus.ON_BALLOT,
    ProjectStatus.SELECTED,
    ProjectStatus.NOT_SELECTED,
    ProjectStatus.IMPLEMENTED,
)


@dataclass(frozen=True)
class ElectionInput:
    """One district budget as the rules see it, plus what is needed to store the result."""

    instance: tally.Instance
    profile: tally.Profile
    support: dict[str, int]
    digest: str


def _support(
    kind: str, ballots: list[tuple[list[int], list[int] | None]], ids: dict[int, str]
) -> dict[str, int]:
    support = dict.fromkeys(ids.values(), 0)
    for projects, points in ballots:
        for pk, value in ballot_support(kind, projects, points):
            support[ids[pk]] += value
    return support


def election_input(budget_round: BudgetRound, district_budget: DistrictBudget) -> ElectionInput:
    """Load projects on the ballot and every counted ballot of one district budget."""
    projects = list(
        Project.objects.filter(district_budget=district_budget, status__in=COUNTED_STATUSES)
        .order_by("external_id")
        .values_list("pk", "external_id", "cost")
    )
    index = {pk: i for i, (pk, _ext, _cost) in enumerate(projects)}
    ids = {pk: ext for pk, ext, _cost in projects}
    instance = tally.Instance(
        budget=district_budget.budget,
        project_ids=tuple(ext for _pk, ext, _cost in projects),
        costs=tuple(cost for _pk, _ext, cost in projects),
        unit=minor_per_unit(budget_round.currency),
    )
    kind = budget_round.ballot_format
    ballots = [
        ([pk for pk in ballot.projects if pk in index], ballot.points and list(ballot.points))
        for ballot in ballot_box.district_ballots(district_budget)
    ]
    profile = tally.Profile.from_ids(
        kind,
        instance,
        [[ids[pk] for pk in b] for b, _p in ballots],
        [p or [] for _b, p in ballots] if kind == "cumulative" else None,
    )
    digest = hashlib.sha256(
        json.dumps(
            {
                "budget": instance.budget,
                "projects": list(zip(instance.project_ids, instance.costs, strict=True)),
                "ballots": sorted(json.dumps(b) for b in ballots),
            },
            separators=(",", ":"),
        ).encode()
    ).hexdigest()
    return ElectionInput(instance, profile, _support(kind, ballots, ids), digest)


def require_tally_rights(actor: Any, budget_round: BudgetRound) -> None:
    """Administrators of the round's organisation, or the system (``permissions.SYSTEM``)."""
    if not permissions.can_manage_organisation(actor, budget_round.organisation):
        raise PermissionDenied(_("Only administrators of this organisation can run the tally."))


def check_tally(actor: Any, budget_round: BudgetRound) -> None:
    """May ``actor`` run the tally now: an administrator, once voting has closed."""
    require_tally_rights(actor, budget_round)
    if not phases.allows(budget_round.phase, Action.TALLY):
        raise ValidationError(
            {
                "phase": ValidationError(
                    _("The tally runs once voting has closed."), code="wrong_phase"
                )
            }
        )


def tally_district(
    budget_round: BudgetRound, district_budget: DistrictBudget, rule: str
) -> TallyResult:
    """Run ``rule`` on one district budget; reuse the stored run if the input is unchanged."""
    data = election_input(budget_round, district_budget)
    tie_break = budget_round.tie_break
    seed = (budget_round.lottery_seed or 0) if tie_break == TieBreak.LOTTERY else 0
    existing = TallyResult.objects.filter(
        district_budget=district_budget,
        rule=rule,
        tie_break=tie_break,
        lottery_seed=seed,
        input_digest=data.digest,
    ).first()
    if existing is not None:
        return existing
    outcome = tally.run_rule(
        rule, data.instance, data.profile, tie_break=TIE_BREAKS[tie_break], seed=seed
    )
    try:
        with transaction.atomic():
            return TallyResult.objects.create(
                district_budget=district_budget,
                rule=rule,
                tie_break=tie_break,
                lottery_seed=seed,
                input_digest=data.digest,
                ballot_count=data.profile.num_voters,
                selected=list(outcome.selection_order or outcome.selected),
                spent=outcome.spent,
                budget=outcome.budget,
                explanations={k: e.to_dict() for k, e in outcome.explanations.items()},
                support=data.support,
            )
    except IntegrityError:  # a concurrent run stored the same result first
        return TallyResult.objects.get(
            district_budget=district_budget,
            rule=rule,
            tie_break=tie_break,
            lottery_seed=seed,
            input_digest=data.digest,
        )


def tally_run(
    *, actor: Any, budget_round: BudgetRound, rule: str | None = None
) -> list[TallyResult]:
    """Compute (or reuse) the outcome of ``rule`` (default: the round's) for every district,
    if :func:`check_tally` lets ``actor`` run it now."""
    check_tally(actor, budget_round)
    return tally_compute(budget_round, rule=rule)


def tally_compute(budget_round: BudgetRound, *, rule: str | None = None) -> list[TallyResult]:
    """The tally itself, in any phase, with no one to check: callers checked first —
    :func:`tally_run`, :func:`results_publish`, and the background task that a page queues
    after its own check (the task's result is a preview until results are published)."""
    rule = rule or budget_round.outcome_rule
    if rule not in tally.RULES:
        raise ValidationError(
            {"rule": ValidationError(_("Unknown outcome rule."), code="unknown_rule")}
        )
    return [
        tally_district(budget_round, district_budget, rule)
        for district_budget in budget_round.districts.order_by("position", "key")
    ]


@transaction.atomic
def results_publish(*, actor: Any, budget_round: BudgetRound) -> list[TallyResult]:
    """Publish the round's rule outcome per district and mark projects selected or not."""
    require_tally_rights(actor, budget_round)
    if not phases.allows(budget_round.phase, Action.PUBLISH):
        raise ValidationError(
            {
                "phase": ValidationError(
                    _("Results are published from the tallying phase."), code="wrong_phase"
                )
            }
        )
    results = tally_compute(budget_round)  # the administrator and the phase were checked above
    now = timezone.now()
    TallyResult.objects.filter(
        district_budget__round=budget_round, published_at__isnull=False
    ).update(published_at=None)
    for result in results:
        result.published_at = now
        result.save(update_fields=["published_at"])
        selected = set(result.selected)
        counted = Project.objects.filter(
            district_budget=result.district_budget_id, status__in=COUNTED_STATUSES
        ).exclude(status=ProjectStatus.IMPLEMENTED)
        counted.filter(external_id__in=selected).update(status=ProjectStatus.SELECTED)
        counted.exclude(external_id__in=selected).update(status=ProjectStatus.NOT_SELECTED)
    live.publish_results(budget_round)
    return results
