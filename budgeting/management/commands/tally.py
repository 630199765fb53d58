"""``python manage.py tally ROUND --rule {greedy,mes,equal-shares,equal-shares-greedy} [--json]``

With ``--json`` prints one JSON object: round, rule, selected project ids, spent and budget
in currency units (as in the pabulib file for imported rounds).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from budgeting import tally
from budgeting.models import BudgetRound
from budgeting.services.results import tally_district
from engagement.money import from_minor


def _number(minor: int, currency: str) -> int | float:
    value: Decimal = from_minor(minor, currency)
    return int(value) if value == value.to_integral_value() else float(value)


class Command(BaseCommand):
    help = "Run an outcome rule on a round's ballots and print the funded projects."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("round", help="round slug")
        parser.add_argument("--rule", choices=sorted(tally.RULES), help="default: the round's rule")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        budget_round = (
            BudgetRound.objects.select_related("organisation").filter(slug=options["round"]).first()
        )
        if budget_round is None:
            raise CommandError(f"no round with slug {options['round']!r}")
        rule = options["rule"] or budget_round.outcome_rule
        districts = list(budget_round.districts.order_by("position", "key"))
        if not districts:
            raise CommandError(f"round {budget_round.slug!r} has no budget")
        results = [tally_district(budget_round, d, rule) for d in districts]
        currency = budget_round.currency
        selected = [p for r in results for p in r.selected]
        spent = sum(r.spent for r in results)
        budget = sum(r.budget for r in results)
        if options["json"]:
            payload: dict[str, Any] = {
                "round": budget_round.slug,
                "rule": rule,
                "selected": selected,
                "spent": _number(spent, currency),
                "budget": _number(budget, currency),
            }
            if len(results) > 1:
                payload["districts"] = [
                    {
                        "district": r.district_budget.key,
                        "selected": r.selected,
                        "spent": _number(r.spent, currency),
                        "budget": _number(r.budget, currency),
                    }
                    for r in results
                ]
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        for result in results:
            self.stdout.write(
                f"{result.district_budget.name}: {len(result.selected)} projects, "
                f"{from_minor(result.spent, currency)} of {from_minor(result.budget, currency)} "
                f"{currency} ({rule}, {result.ballot_count:,} ballots)"
            )
            for project_id in result.selected:
                self.stdout.write(f"  {project_id}")
