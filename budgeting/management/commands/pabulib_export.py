"""``python manage.py pabulib_export ROUND [-o FILE] [--district KEY]``

Writes a round's district budget as a pabulib file (to stdout without ``-o``). Importing
the export and tallying it gives the same outcome. A round with several district budgets
needs ``--district``, or ``-o`` names a file per district (``FILE`` with ``_<key>``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from budgeting import pabulib
from budgeting.models import BudgetRound
from budgeting.services.pabulib_io import pabulib_election


class Command(BaseCommand):
    help = "Export a round (or one district budget of it) as a pabulib .pb file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("round", help="round slug")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")
        parser.add_argument("--district", help="district budget key (default: every one)")

    def handle(self, *args: Any, **options: Any) -> None:
        budget_round = (
            BudgetRound.objects.select_related("organisation").filter(slug=options["round"]).first()
        )
        if budget_round is None:
            raise CommandError(f"no round with slug {options['round']!r}")
        districts = list(budget_round.districts.order_by("position", "key"))
        if options["district"]:
            districts = [d for d in districts if d.key == options["district"]]
            if not districts:
                raise CommandError(
                    f"round {budget_round.slug!r} has no district {options['district']!r}"
                )
        output = options["output"]
        if len(districts) > 1 and not output:
            raise CommandError("this round has several district budgets: give --district or -o")
        for district_budget in districts:
            election = pabulib_election(budget_round, district_budget)
            if not output:
                pabulib.write_pabulib(election, sys.stdout)
                continue
            path = Path(output)
            if len(districts) > 1:
                path = path.with_name(f"{path.stem}_{district_budget.key}{path.suffix or '.pb'}")
            try:
                pabulib.write_pabulib(election, path)
            except OSError as error:
                raise CommandError(f"{path}: {error.strerror}") from None
            self.stderr.write(f"wrote {path} ({len(election.votes):,} ballots)")
