"""``python manage.py pabulib_import FILE [--organisation SLUG] [--slug SLUG]
[--accept-count-mismatch]``

Creates a round with its projects and ballots and prints the round slug as the last line.
A bad file exits non-zero with one line, ``FILE:line N: reason``; nothing of it is stored.
A file whose declared counts (META ``num_projects``, ``num_votes``, a project's ``votes``)
differ from its rows is a bad file too — a cut file looks like that — unless
``--accept-count-mismatch`` is given: then it is imported as it is, with a one-line warning
per difference naming the declared and the actual count.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from budgeting.services.pabulib_io import PabulibImportError, pabulib_import
from engagement.people.models import Organisation
from engagement.people.permissions import SYSTEM


class Command(BaseCommand):
    help = "Import a pabulib .pb election as a budget round (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path to a .pb file")
        parser.add_argument("--organisation", help="slug of an existing organisation")
        parser.add_argument("--slug", help="slug for the new round (default: from META)")
        parser.add_argument(
            "--accept-count-mismatch",
            action="store_true",
            help="import a file whose declared num_projects, num_votes or project votes differ "
            "from its rows (when its META comment explains why), with a warning",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"no organisation with slug {options['organisation']!r}")
        interactive = sys.stderr.isatty()
        started = time.perf_counter()

        shown = False

        def progress(ballots: int) -> None:
            nonlocal shown
            if interactive:
                shown = True
                rate = ballots / max(time.perf_counter() - started, 1e-6)
                sys.stderr.write(f"\r  {ballots:,} ballots ({rate:,.0f}/s)")
                sys.stderr.flush()

        path = options["file"]
        try:
            report = pabulib_import(
                path,
                actor=SYSTEM,  # whoever runs manage.py operates the platform
                organisation=organisation,
                slug=options["slug"],
                accept_count_mismatch=options["accept_count_mismatch"],
                progress=progress,
            )
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except UnicodeDecodeError as error:
            raise CommandError(f"{path}: not UTF-8 text ({error.reason})") from None
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from None
        except PabulibImportError as error:
            if shown:
                sys.stderr.write("\n")  # end the progress line before the error
            hint = " (--accept-count-mismatch imports it as it is)" if error.count_mismatch else ""
            where = f"{path}:" if error.line is not None else f"{path}: "
            raise CommandError(f"{where}{error}{hint}") from None
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
