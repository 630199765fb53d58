"""The demo workshops: a past in-person workshop with its board, minutes and an idea made from
a cluster; an upcoming hybrid one that is full with a waiting list; an upcoming online one.
Seeding twice changes nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from engagement.ideas.ports import idea_origins
from workshops import demo
from workshops.board_state import board_state
from workshops.models import (
    BoardStage,
    DotVote,
    Note,
    Registration,
    RegistrationStatus,
    Workshop,
    WorkshopFormat,
    WorkshopStatus,
)

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count() for model in (Workshop, Registration, Note, DotVote)
    }


def test_the_demo_workshops_are_there_as_the_issue_describes_them_and_seeding_twice_adds_nothing():
    call_command("seed_demo")
    first = _counts()
    the_past_workshop_has_a_voted_board_minutes_and_an_idea_from_a_cluster()
    the_hybrid_workshop_is_full_with_a_waiting_list()
    the_online_workshop_is_upcoming()
    call_command("seed_demo")
    assert _counts() == first


def the_past_workshop_has_a_voted_board_minutes_and_an_idea_from_a_cluster():
    past = Workshop.objects.get(title=demo.PAST_TITLE)
    assert past.format == WorkshopFormat.IN_PERSON
    assert past.ends_at < timezone.now()
    assert past.board_stage == BoardStage.CLOSED
    assert past.outcome_published_at is not None
    assert "Getting there safely" in past.minutes
    state = board_state(past.pk)
    assert len(state["notes"]) >= 10
    clustered = [cluster for cluster in state["clusters"] if cluster["dots"] > 0]
    assert len(state["clusters"]) >= 2
    assert len(clustered) >= 2
    assert (
        sum(note["dots"] for note in state["notes"])
        + sum(cluster["dots"] for cluster in state["clusters"])
        == DotVote.objects.filter(workshop=past).count()
    )
    assert past.registrations.filter(attended=True).count() == 12
    [from_cluster] = [cluster for cluster in state["clusters"] if cluster["idea"]]
    origin = idea_origins([from_cluster["idea"]])[from_cluster["idea"]]
    assert origin["workshop"] == past.pk
    assert origin["cluster"] == from_cluster["id"]


def the_hybrid_workshop_is_full_with_a_waiting_list():
    hybrid = Workshop.objects.get(title=demo.HYBRID_TITLE)
    assert hybrid.format == WorkshopFormat.HYBRID
    assert hybrid.status == WorkshopStatus.PUBLISHED
    assert hybrid.starts_at > timezone.now()
    confirmed = hybrid.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
    assert confirmed == hybrid.capacity == hybrid.registered
    assert hybrid.registrations.filter(status=RegistrationStatus.WAITLISTED).count() >= 1


def the_online_workshop_is_upcoming():
    online = Workshop.objects.get(title=demo.ONLINE_TITLE)
    assert online.format == WorkshopFormat.ONLINE
    assert online.starts_at > timezone.now()
    assert online.online_url
    assert online.address == ""
