"""Demo citizen ideas: the 2027 budget's idea phase and an idea collection for the waterfront.

Runs after ``budgeting.demo.rounds`` (``seed_demo``). Idempotent: processes are found by slug,
ideas by title within their process, and discussion, supports, the report and the
moderation decision are only added where they are missing.

The 2027 round is already voting, so its ideas are written as the history they would have:
one at every status, the accepted one linked to the ballot project it became. The
waterfront collection is open, and its ideas, report and moderation go through the services.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from budgeting.ports import BudgetRound, Project
from engagement.content import sanitise
from engagement.ideas.models import (
    Comment,
    Follow,
    Idea,
    IdeaStatus,
    ParticipatoryProcess,
    ProcessKind,
    Report,
    ReportStatus,
    Support,
)
from engagement.ideas.services import ideas, moderation, processes
from engagement.people.models import District, Role, User
from engagement.people.permissions import SYSTEM

if TYPE_CHECKING:
    from engagement.people.demo import DemoContext

BUDGET_CATEGORIES = [
    "environment",
    "mobility",
    "economy",
    "sport",
    "heritage",
    "public space",
    "safety",
    "culture",
    "children",
    "youth",
    "seniors",
    "digital",
    "accessibility",
    "health",
]
WATERFRONT_SLUG = "waterfront-ideas"
WATERFRONT_CATEGORIES = ["green space", "play", "culture", "access"]

# (title, status, district slug, category, description, extra)
BUDGET_IDEAS: list[tuple[str, str, str | None, str, str, dict[str, Any]]] = [
    (
        "Shade trees along the harbour promenade",
        IdeaStatus.ACCEPTED,
        "harbour",
        "environment",
        "<p>The promenade is <strong>too hot</strong> in summer. Plant a row of lindens "
        "with benches in their shade.</p>",
        {"project": "2027-01", "estimated_cost": 35_000_00},
    ),
    (
        "More trees by the harbour",
        IdeaStatus.MERGED,
        "harbour",
        "environment",
        "<p>Trees near the ferry terminal, please.</p>",
        {"merged_into": "Shade trees along the harbour promenade"},
    ),
    (
        "Heated pavements in the Old Town",
        IdeaStatus.REJECTED,
        "old-town",
        "safety",
        "<p>No more ice on the cobbles in winter.</p>",
        {
            "reason": "Heating the streets would cost about EUR 400,000 a year to run, far "
            "more than this budget can commit to. The city will grit the steepest streets "
            "earlier instead.",
            "estimated_cost": 90_000_00,
        },
    ),
    (
        "Bicycle repair stations at the stations",
        IdeaStatus.UNDER_REVIEW,
        None,
        "mobility",
        "<p>A pump and tools on a post at the train and bus stations.</p>",
        {"estimated_cost": 6_000_00},
    ),
    (
        "Public toilets at the beach",
        IdeaStatus.SUBMITTED,
        "harbour",
        "health",
        "<ul><li>open all year</li><li>accessible</li></ul>",
        {},
    ),
    (
        "Pop-up café on the ferry pier",
        IdeaStatus.WITHDRAWN,
        "harbour",
        "economy",
        "<p>A summer café run by the youth club.</p>",
        {},
    ),
    (
        "Dog park in Riverside",
        IdeaStatus.DRAFT,
        "riverside",
        "public space",
        "<p>A fenced meadow where dogs can run.</p>",
        {},
    ),
]

WATERFRONT_IDEAS = [
    (
        "Floating swimming pool in the harbour basin",
        "play",
        "harbour",
        "<p>Like Copenhagen: a safe pool <em>in</em> the sea water, free for everyone.</p>",
    ),
    (
        "Wildflower dunes instead of lawn",
        "green space",
        "harbour",
        "<p>Let the dunes grow back with native plants; fewer mowers, more bees.</p>",
    ),
    (
        "Open-air stage for local bands",
        "culture",
        None,
        "<p>A small stage by the old warehouses, bookable for free.</p>",
    ),
    (
        "Step-free path from the bus stop to the beach",
        "access",
        "harbour",
        "<p>Today there are only stairs: wheelchairs and prams cannot get down.</p>",
    ),
]

COMMENTS = [
    "<p>Yes please — my children would love this.</p>",
    "<p>What would it cost to maintain every year?</p>",
    "<p>The city maintains the beach already; it could be part of that contract.</p>",
    "<p>Good point, thank you.</p>",
]


def _district(context: DemoContext, slug: str | None) -> District | None:
    return next((d for d in context.districts if d.slug == slug), None) if slug else None


def _thread(idea: Idea, people: list[User], texts: list[str]) -> list[Comment]:
    """A top-level comment with a chain of replies (depth 0, 1, 2, ...)."""
    comments: list[Comment] = []
    for number, text in enumerate(texts):
        parent = comments[-1] if comments else None
        comments.append(
            Comment.objects.create(
                idea=idea,
                author=people[number % len(people)],
                parent=parent,
                root=comments[0] if comments else None,
                depth=number,
                body=sanitise.rich_text(text),
            )
        )
    return comments


def _support(idea: Idea, people: list[User]) -> None:
    for person in people:
        Support.objects.get_or_create(idea=idea, user=person)


def _budget_process(context: DemoContext, budget_round: BudgetRound) -> ParticipatoryProcess:
    process = ParticipatoryProcess.objects.filter(budget_round=budget_round).first()
    if process is None:
        process = processes.process_create(
            actor=SYSTEM,
            organisation=context.organisation,
            kind=ProcessKind.BUDGET,
            slug=budget_round.slug,
            title=f"Ideas for the {budget_round.title}",
            budget_round=budget_round,
            categories=BUDGET_CATEGORIES,
            description="<p>Residents proposed ideas; the city checked each one. Accepted "
            "ideas are on the ballot now.</p>",
        )
    return process


def _budget_ideas(
    context: DemoContext, process: ParticipatoryProcess, budget_round: BudgetRound
) -> None:
    residents = context.residents
    reviewer = context.staff[Role.REVIEWER]
    started = budget_round.created_at or timezone.now()
    by_title: dict[str, Idea] = {idea.title: idea for idea in Idea.objects.filter(process=process)}
    for number, (title, status, district, category, description, extra) in enumerate(BUDGET_IDEAS):
        if title in by_title:
            continue
        submitted = None if status == IdeaStatus.DRAFT else started + timedelta(days=number)
        idea = Idea(
            process=process,
            author=residents[number % len(residents)],
            title=title,
            description=sanitise.rich_text(description),
            category=category,
            district=_district(context, district),
            estimated_cost=extra.get("estimated_cost"),
            status=status,
            submitted_at=submitted,
            status_changed_at=submitted or timezone.now(),
        )
        if status in (IdeaStatus.ACCEPTED, IdeaStatus.REJECTED, IdeaStatus.MERGED):
            idea.reviewed_by = reviewer
            idea.reviewed_at = (submitted or timezone.now()) + timedelta(days=14)
            idea.public_reason = extra.get("reason", "")
        if status == IdeaStatus.ACCEPTED:
            project = Project.objects.get(round=budget_round, external_id=extra["project"])
            idea.project = project
            idea.admin_cost = project.cost
            idea.feasible = True
        if status == IdeaStatus.REJECTED:
            idea.feasible = False
        if status == IdeaStatus.MERGED:
            idea.merged_into = by_title[extra["merged_into"]]
            idea.public_reason = "The same trees: discussed together in the accepted idea."
        idea.full_clean()
        idea.save()
        by_title[title] = idea
        if idea.author_id:
            Follow.objects.get_or_create(idea=idea, user=idea.author)

    accepted = by_title["Shade trees along the harbour promenade"]
    if not accepted.comments.exists():
        _thread(accepted, residents[3:6], COMMENTS[:3])
        _thread(accepted, residents[6:8], COMMENTS[3:4])
    _support(accepted, residents[:12])
    _support(by_title["More trees by the harbour"], residents[12:14])
    _support(by_title["Bicycle repair stations at the stations"], residents[2:9])
    _support(by_title["Public toilets at the beach"], residents[5:8])


def _waterfront(context: DemoContext) -> None:
    organisation = context.organisation
    residents = context.residents
    process = ParticipatoryProcess.objects.filter(slug=WATERFRONT_SLUG).first()
    if process is None:
        now = timezone.now()
        process = processes.process_create(
            actor=SYSTEM,
            organisation=organisation,
            kind=ProcessKind.IDEAS,
            slug=WATERFRONT_SLUG,
            title="Ideas for the waterfront",
            description="<p>The old harbour is being redesigned. What should the waterfront "
            "offer? Share your ideas until the end of the month; the planners answer each "
            "one.</p>",
            categories=WATERFRONT_CATEGORIES,
            collecting_from=now - timedelta(days=7),
            reviewing_from=now + timedelta(days=24),
            closes_at=now + timedelta(days=60),
        )
    existing = {idea.title: idea for idea in Idea.objects.filter(process=process)}
    for number, (title, category, district, description) in enumerate(WATERFRONT_IDEAS):
        if title not in existing:
            existing[title] = ideas.idea_create(
                author=residents[(number * 5) % len(residents)],
                process=process,
                title=title,
                description=description,
                category=category,
                district=_district(context, district),
                submit=True,
            )
    pool = existing["Floating swimming pool in the harbour basin"]
    stage = existing["Open-air stage for local bands"]
    if not pool.comments.exists():
        thread = _thread(pool, residents[10:13], COMMENTS[:3])
        rude = Comment.objects.create(
            idea=pool,
            author=residents[20],
            parent=thread[0],
            root=thread[0],
            depth=1,
            body=sanitise.rich_text("<p>Only idiots swim in the harbour. Call me: 555-0199.</p>"),
        )
        moderation.content_hide(
            actor=context.staff[Role.MODERATOR],
            comment=rude,
            note="Hidden: it insults other residents and shares a phone number.",
        )
    _support(pool, residents[:9])
    _support(existing["Wildflower dunes instead of lawn"], residents[4:10])
    _support(existing["Step-free path from the bus stop to the beach"], residents[1:15])
    if not Report.objects.filter(idea=stage, status=ReportStatus.OPEN).exists():
        moderation.report_create(
            reporter=residents[7],
            idea=stage,
            reason="off_topic",
            details="The warehouses are not part of the waterfront plan, are they?",
        )


@transaction.atomic
def seed(context: DemoContext) -> None:
    rounds = context.extra.get("budget_rounds", {})
    budget_round = rounds.get("voting") or BudgetRound.objects.filter(slug="demo-city-2027").first()
    if budget_round is not None:
        process = _budget_process(context, budget_round)
        _budget_ideas(context, process, budget_round)
        context.extra["idea_processes"] = {"budget": process}
    _waterfront(context)
    context.extra.setdefault("idea_processes", {})["waterfront"] = ParticipatoryProcess.objects.get(
        slug=WATERFRONT_SLUG
    )
