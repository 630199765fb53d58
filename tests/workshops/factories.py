"""Factories for workshops: an event, its registrations, and its board."""

from __future__ import annotations

import uuid
from datetime import timedelta

import factory
from django.utils import timezone

from tests.factories import OrganisationFactory, UserFactory
from workshops.models import (
    BoardParticipant,
    BoardStage,
    Cluster,
    Note,
    Prompt,
    Registration,
    RegistrationStatus,
    Workshop,
    WorkshopFormat,
    WorkshopStatus,
)


def _in_days(days: int, hours: int = 0) -> object:
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    return start + timedelta(days=days, hours=hours)


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Ideas for the riverside park ({n})")
    format = WorkshopFormat.IN_PERSON
    status = WorkshopStatus.PUBLISHED
    starts_at = factory.LazyFunction(lambda: _in_days(7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2, minutes=30))
    venue = "Community centre"
    address = "Brīvības iela 1"
    capacity = 20


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    workshop = factory.SubFactory(WorkshopFactory)
    user = factory.SubFactory(UserFactory)
    status = RegistrationStatus.CONFIRMED
    registered_at = factory.LazyFunction(timezone.now)


def board_workshop(**fields: object) -> Workshop:
    """A workshop running now with an open board and two prompts."""
    now = timezone.now()
    fields.setdefault("starts_at", now - timedelta(minutes=30))
    fields.setdefault("ends_at", now + timedelta(hours=2))
    fields.setdefault("board_stage", BoardStage.IDEATION)
    fields.setdefault("join_code", uuid.uuid4().hex[:6].upper())
    workshop = WorkshopFactory(**fields)
    PromptFactory(workshop=workshop, position=0, text="What works well here?")
    PromptFactory(workshop=workshop, position=1, text="What should change?")
    return workshop


class PromptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prompt

    workshop = factory.SubFactory(WorkshopFactory)
    position = factory.Sequence(lambda n: n)
    text = "What should change?"


class BoardParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BoardParticipant

    workshop = factory.SubFactory(WorkshopFactory)
    user = factory.SubFactory(UserFactory)


class ClusterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cluster

    workshop = factory.SubFactory(WorkshopFactory)
    title = factory.Sequence(lambda n: f"Theme {n + 1}")
    position = factory.Sequence(lambda n: n)


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Note

    workshop = factory.SubFactory(WorkshopFactory)
    prompt = factory.LazyAttribute(
        lambda o: o.workshop.prompts.first() or PromptFactory(workshop=o.workshop)
    )
    participant = factory.LazyAttribute(lambda o: BoardParticipantFactory(workshop=o.workshop))
    client_id = factory.LazyFunction(uuid.uuid4)
    text = factory.Sequence(lambda n: f"More benches along the river ({n})")
