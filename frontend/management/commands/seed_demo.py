"""``python manage.py seed_demo`` — a living demo city. Safe to run again and again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from budgeting.demo import implementation as implementation_demo
from budgeting.demo import rounds as rounds_demo
from engagement.ideas import demo as ideas_demo
from engagement.people import demo
from surveys import demo as surveys_demo
from workshops import demo as workshops_demo

# Each feature's demo exposes ``seed(context)``; they run in this order, each building on
# what the previous ones created (the people and the city come first).
DEMO_SEEDERS = (rounds_demo, implementation_demo, ideas_demo, surveys_demo, workshops_demo)


class Command(BaseCommand):
    help = "Create (or complete) the demo city with staff, residents and their activity."

    def handle(self, *args: Any, **options: Any) -> None:
        context = demo.seed()
        for feature_demo in DEMO_SEEDERS:
            feature_demo.seed(context)
        self.stdout.write(
            f"Demo city '{context.organisation.slug}' ready: {len(context.residents)} residents, "
            f"{len(context.staff)} staff (password: {demo.DEMO_PASSWORD})."
        )
