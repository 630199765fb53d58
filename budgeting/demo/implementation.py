"""Demo data for implementation tracking: progress reports on the finished round's projects.

Runs after ``budgeting.demo.rounds`` (the round ``demo-city-2026`` is then in the results phase).
Idempotent: a project that already has updates is left alone; follows are get-or-create.
Followers are added after the updates, so seeding sends no notifications. No project is
marked completed: a completed project becomes ``implemented``, and the demo round keeps the
published selection (``selected``) that ``tests/budgeting/test_demo.py`` checks.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from budgeting.demo.rounds import FINISHED_SLUG
from budgeting.models import BudgetRound, ImplementationStatus, ProjectFollow
from budgeting.services import implementation
from engagement.people.permissions import SYSTEM

if TYPE_CHECKING:
    from engagement.people.demo import DemoContext

# (days ago, text, status, progress) per selected project, oldest first.
STORIES: list[list[tuple[int, str, str, int]]] = [
    [
        (120, "<p>Design approved by the city council; tender published.</p>", "planned", 5),
        (
            75,
            "<p>Contract signed with a local contractor. Work starts in spring.</p>",
            "in_progress",
            20,
        ),
        (
            30,
            "<p>Foundations done. <strong>Thank you</strong> for your patience while the path "
            "is closed.</p>",
            "in_progress",
            60,
        ),
        (3, "<p>Almost there: the last planting is done this week.</p>", "in_progress", 90),
    ],
    [
        (
            90,
            "<p>Suppliers asked for offers; delivery expected in early summer.</p>",
            "in_progress",
            15,
        ),
        (20, "<p>The supplier is late: installation moves by about six weeks.</p>", "delayed", 35),
    ],
    [(45, "<p>Planning with the neighbourhood association has begun.</p>", "planned", 5)],
]


@transaction.atomic
def seed(context: DemoContext) -> None:
    budget_round = BudgetRound.objects.filter(slug=FINISHED_SLUG).first()
    if budget_round is None:
        return
    projects = list(implementation.trackable_projects(budget_round).order_by("external_id"))
    today = timezone.localdate()
    for project, story in zip(projects, STORIES, strict=False):
        project.round = budget_round
        if project.implementation_updates.exists():
            continue
        for days_ago, text, status, progress in story:
            implementation.implementation_update_post(
                actor=SYSTEM,
                project=project,
                text=text,
                happened_on=today - datetime.timedelta(days=days_ago),
                status=ImplementationStatus(status),
                progress=progress,
            )
    for number, resident in enumerate(context.residents[:12]):
        for project in projects[number % 3 : number % 3 + 2]:
            ProjectFollow.objects.get_or_create(project=project, user=resident)
