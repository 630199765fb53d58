"""``python manage.py pabulib_import FILE [--organisation SLUG] [--slug SLUG]``

Creates a round with its projects and ballots and prints the round slug as the last line.
A bad file exits non-zero with one line naming the line number and the reason; nothing of
it is stored.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from budgeting.services.pabulib_io import PabulibImportError, pabulib_import
from engagement.models import Organisation


class Command(BaseCommand):
    help = "Import a pabulib .pb election as a budget round (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path to a .pb file")
        parser.add_argument("--organisation", help="slug of an existing organisation")
        parser.add_argument("--slug", help="slug for the new round (default: from META)")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"no organisation with slug {options['organisation']!r}")
        interactive = sys.stderr.isatty()
        started = time.perf_counter()

        def progress(ballots: int) -> None:
            if interactive:
                rate = ballots / max(time.perf_counter() - started, 1e-6)
                sys.stderr.write(f"\r  {ballots:,} ballots ({rate:,.0f}/s)")
                sys.stderr.flush()

        try:
            report = pabulib_import(
                options["file"], organisation=organisation, slug=options["slug"], progress=progress
            )
        except FileNotFoundError:
            raise CommandError(f"{options['file']}: no such file") from None
        except UnicodeDecodeError as error:
            raise CommandError(f"{options['file']}: not UTF-8 text ({error.reason})") from None
        except PabulibImportError as error:
            raise CommandError(f"{options['file']}: {error}") from None
        if interactive:
            sys.stderr.write("\n")
        elapsed = time.perf_counter() - started
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(
            f"Imported {report.projects} projects and {report.ballots:,} ballots "
            f"in {elapsed:.1f}s into {report.budget_round.organisation.slug}."
        )
        self.stdout.write(report.budget_round.slug)
