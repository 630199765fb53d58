"""The demo ideas: every status, discussion, a report, a moderation decision, a ballot link."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from engagement.ideas.models import (
    Comment,
    Follow,
    Idea,
    IdeaStatus,
    ModerationLog,
    ParticipatoryProcess,
    Report,
    Support,
)

pytestmark = pytest.mark.django_db

MODELS = (ParticipatoryProcess, Idea, Comment, Support, Follow, Report, ModerationLog)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seeding_twice_changes_nothing():
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first


def test_the_demo_has_what_a_visitor_should_see():
    call_command("seed_demo")
    budget = ParticipatoryProcess.objects.get(slug="demo-city-2027")
    assert budget.kind == "budget"
    assert set(budget.ideas.values_list("status", flat=True)) == set(IdeaStatus.values)
    accepted = budget.ideas.get(status="accepted")
    assert accepted.project.round == budget.budget_round
    assert accepted.project.idea == accepted
    merged = budget.ideas.get(status="merged")
    assert merged.merged_into == accepted
    assert Comment.objects.filter(idea=accepted, depth__gt=0).exists()
    waterfront = ParticipatoryProcess.objects.get(slug="waterfront-ideas")
    assert (waterfront.kind, waterfront.title) == ("ideas", "Ideas for the waterfront")
    assert waterfront.ideas.filter(status="submitted").count() >= 4
    assert Report.objects.filter(status="open").count() == 1
    hidden = Comment.objects.get(hidden=True)
    entry = ModerationLog.objects.get(comment=hidden)
    assert (entry.action, entry.actor.email) == ("hide", "moderator@demo.kopa.local")
    assert Support.objects.count() > 20
