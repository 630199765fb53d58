"""Reads the API composes from selectors and services, so the views stay one call each.

Also the two lookups every round endpoint starts with: the round if the visitor may see it
(drafts are a 404 to everyone but the organisation's staff), and the round for staff reads
whose selectors have no permission check of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from budgeting import phases
from budgeting.messages import eligibility_reasons
from budgeting.models import BudgetRound, DistrictBudget, OutcomeRule, Project, TallyResult
from budgeting.phases import Action
from budgeting.selectors import rounds as selectors
from budgeting.services import ballot_box, results, voting
from budgeting.tally import natural_key


def visible_round(user: Any, slug: str, *, detail: bool = False) -> BudgetRound:
    """The round called ``slug`` if ``user`` may see it; otherwise 404 (drafts stay hidden)."""
    rounds = BudgetRound.objects.select_related("organisation")
    if detail:
        rounds = rounds.prefetch_related(
            Prefetch("districts", DistrictBudget.objects.select_related("district")), "schedule"
        )
    budget_round = rounds.filter(slug=slug).first()
    if budget_round is None or not selectors.round_is_visible(user, budget_round):
        raise Http404
    return budget_round


def round_for_ballot(user: Any, slug: str) -> BudgetRound:
    """The round of a cast, for the API and the ballot page alike: like
    :func:`visible_round`, from the short-lived voting cache (the ballot insert re-checks
    the phase in the database)."""
    budget_round = voting.round_for_voting(slug)
    if budget_round is None or not selectors.round_is_visible(user, budget_round):
        raise Http404
    return budget_round


def round_detail(budget_round: BudgetRound) -> BudgetRound:
    """The round again with what the detail view shows (after a write changed it)."""
    return (
        BudgetRound.objects.select_related("organisation")
        .prefetch_related(
            Prefetch("districts", DistrictBudget.objects.select_related("district")), "schedule"
        )
        .get(pk=budget_round.pk)
    )


def staff_round(
    user: Any, slug: str, allowed: Callable[[Any, Any], bool], message: str
) -> BudgetRound:
    """A visible round whose staff-only reads ``user`` may make, else 404 / 403."""
    budget_round = visible_round(user, slug)
    if not allowed(user, budget_round.organisation):
        raise PermissionDenied(str(message))
    return budget_round


def public_support(budget_round: BudgetRound) -> dict[str, int] | None:
    """Support per project id when vote counts are public, else ``None``.

    Once results are published, their figures (the numbers the outcome was computed from);
    before, the live tallies, which move by whole batches of ballots.
    """
    if not selectors.counts_are_public(budget_round):
        return None
    support: dict[str, int] = {}
    for result in selectors.published_results(budget_round):
        support.update(result.support)
    if support:
        return support
    external = dict(
        Project.objects.filter(round=budget_round, status__in=results.COUNTED_STATUSES)
        .order_by("external_id")
        .values_list("pk", "external_id")
    )
    support = dict.fromkeys(external.values(), 0)
    for pk, n in ballot_box.live_votes(budget_round)["projects"].items():
        if int(pk) in external:
            support[external[int(pk)]] = n
    return support


def ballot_overview(user: Any, budget_round: BudgetRound) -> dict[str, Any]:
    """Per district budget: may the person vote here, and have they (and what, if not secret)."""
    voted = {row["district"]: row for row in voting.my_participation(user, budget_round)}
    districts = []
    for district_budget in budget_round.districts.all():
        reasons = voting.eligibility_errors(user, budget_round, district_budget)
        row = voted.get(district_budget.key)
        districts.append(
            {
                "district": district_budget.key,
                "name": district_budget.name,
                "eligible": not reasons,
                "eligibility_errors": eligibility_reasons(reasons),
                "participation": None
                if row is None
                else {k: row[k] for k in ("channel", "cast_at", "projects", "points")},
            }
        )
    return {
        "round": budget_round.slug,
        "voting_open": phases.allows(budget_round.phase, Action.VOTE),
        "secret_ballot": budget_round.secret_ballot,
        "ballot_changes_allowed": budget_round.ballot_changes_allowed,
        "districts": districts,
    }


def rules_side_by_side(runs: Mapping[str, Iterable[TallyResult]]) -> list[dict[str, Any]]:
    """Results of several rules, per district budget (in the order first met).

    Each entry: ``district_budget``, ``results`` (rule -> result, in the order of ``runs``),
    ``selected_by_all`` (projects every rule funds, in id order) and ``disputed`` (projects
    some rule funds and another does not).
    """
    entries: dict[int, dict[str, Any]] = {}
    for rule, district_results in runs.items():
        for result in district_results:
            entry = entries.setdefault(
                result.district_budget_id,
                {"district_budget": result.district_budget, "results": {}},
            )
            entry["results"][rule] = result
    for entry in entries.values():
        funded = [set(result.selected) for result in entry["results"].values()]
        common = set.intersection(*funded)
        entry["selected_by_all"] = sorted(common, key=natural_key)
        entry["disputed"] = set.union(*funded) - common
    return list(entries.values())


def rule_comparison(actor: Any, budget_round: BudgetRound) -> list[dict[str, Any]]:
    """Run every outcome rule on the round; per district, the funded sets side by side."""
    runs: dict[str, list[TallyResult]] = {
        rule: results.tally_run(actor=actor, budget_round=budget_round, rule=rule)
        for rule in OutcomeRule.values
    }
    rows = []
    for entry in rules_side_by_side(runs):
        district_budget = entry["district_budget"]
        first = next(iter(entry["results"].values()))
        rows.append(
            {
                "district": district_budget.key,
                "name": district_budget.name,
                "budget": first.budget,
                "ballot_count": first.ballot_count,
                "rules": [
                    {"rule": rule, "selected": list(result.selected), "spent": result.spent}
                    for rule, result in entry["results"].items()
                ],
                "selected_by_all": entry["selected_by_all"],
            }
        )
    return rows


NOT_ADMIN = _("Only administrators of this organisation can see tally previews.")
NOT_OFFICER = _("Only officers of this organisation can follow paper-ballot entry.")
