"""``python manage.py seed_demo`` — a living demo city. Safe to run again and again."""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import BaseCommand

# Each package that has demo data exposes ``seed(context)`` in its ``demo`` module; they
# run in this order, each building on what the previous ones created.
DEMO_SEEDERS = (
    "budgeting.demo.rounds",
    "budgeting.demo.implementation",
    "engagement.ideas.demo",
    "surveys.demo",
)


class Command(BaseCommand):
    help = "Create (or complete) the demo city with staff, residents and their activity."

    def handle(self, *args: Any, **options: Any) -> None:
        from engagement.people import demo

        context = demo.seed()
        for module_name in DEMO_SEEDERS:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as error:
                if error.name != module_name:
                    raise
                continue
            module.seed(context)
        self.stdout.write(
            f"Demo city '{context.organisation.slug}' ready: {len(context.residents)} residents, "
            f"{len(context.staff)} staff (password: {demo.DEMO_PASSWORD})."
        )
