"""``python manage.py survey_recount [SLUG ...]``: rebuild surveys' answer counts from their
counted answers (every survey without slugs). Results read these counts; they are kept by
each response's transaction, so this is for answers written around the services (a bulk
load) or to check them. An unknown slug stops it before anything is rebuilt."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys.models import Survey
from surveys.services.results import recount


class Command(BaseCommand):
    help = "Rebuild the answer counts of the surveys named (of every survey without names)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", metavar="SLUG", help="survey slug")

    def handle(self, *args: Any, **options: Any) -> None:
        slugs: list[str] = options["slugs"]
        surveys = Survey.objects.order_by("slug")
        if slugs:
            surveys = surveys.filter(slug__in=slugs)
            unknown = sorted(set(slugs) - {s.slug for s in surveys})
            if unknown:
                raise CommandError(f"no survey with slug {', '.join(map(repr, unknown))}")
        for survey in surveys:
            n = recount(survey)
            self.stdout.write(f"{survey.slug}: {n} counts")
