"""Reads: lists and their counts, the online link's window, the lists of a round or
process, a person's registration and place in the queue, the check-in list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from engagement.people.models import Role
from tests import factories
from tests.workshops.factories import RegistrationFactory, WorkshopFactory
from workshops import selectors
from workshops.models import RegistrationStatus, WorkshopStatus

pytestmark = pytest.mark.django_db


def test_a_draft_is_not_found_by_residents():
    draft = WorkshopFactory(status=WorkshopStatus.DRAFT)
    with pytest.raises(Http404):
        selectors.visible_workshop(factories.UserFactory(), draft.pk)
    with pytest.raises(Http404):
        selectors.visible_workshop(AnonymousUser(), draft.pk)


def test_waiting_count_is_not_multiplied_by_facilitators():
    facilitator = factories.UserFactory()
    workshop = WorkshopFactory()
    workshop.facilitators.add(facilitator, factories.UserFactory(), factories.UserFactory())
    RegistrationFactory(workshop=workshop, status=RegistrationStatus.WAITLISTED)
    RegistrationFactory(workshop=workshop, status=RegistrationStatus.CANCELLED)
    for viewer in (facilitator, factories.UserFactory(), AnonymousUser()):
        (listed,) = selectors.workshop_list(viewer, organisation=workshop.organisation)
        assert listed.waitlisted == 1
    assert selectors.visible_workshop(facilitator, workshop.pk).waitlisted == 1


def test_online_link_window_and_who_gets_it():
    now = timezone.now()
    workshop = WorkshopFactory(
        format="online",
        online_url="https://meet.example/x",
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
    )
    person = RegistrationFactory(workshop=workshop).user
    waiting = RegistrationFactory(workshop=workshop, status=RegistrationStatus.WAITLISTED).user
    admin = factories.staff(workshop.organisation, Role.ADMINISTRATOR)
    link = selectors.online_link_for
    assert link(person, workshop, now=now) is None  # an hour before: not yet
    shortly = workshop.starts_at - timedelta(minutes=30)
    assert link(person, workshop, now=shortly) == "https://meet.example/x"
    assert link(admin, workshop, now=shortly) == "https://meet.example/x"
    assert link(waiting, workshop, now=shortly) is None
    assert link(AnonymousUser(), workshop, now=shortly) is None
    assert link(person, workshop, now=workshop.ends_at) is None  # over


def test_round_and_process_lists_hold_published_only():
    process = factories.budget_process()
    budget_round = process.budget_round
    shown = WorkshopFactory(organisation=budget_round.organisation, budget_round=budget_round)
    WorkshopFactory(
        organisation=budget_round.organisation,
        budget_round=budget_round,
        status=WorkshopStatus.DRAFT,
    )
    at_process = WorkshopFactory(organisation=process.organisation, process=process)
    assert [w.pk for w in selectors.workshops_for_round(budget_round.pk)] == [shown.pk]
    assert [w.pk for w in selectors.workshops_for_process(process.pk)] == [at_process.pk]


def test_waitlist_position_and_my_registration():
    workshop = WorkshopFactory(capacity=1)
    RegistrationFactory(workshop=workshop)
    first = RegistrationFactory(workshop=workshop, status=RegistrationStatus.WAITLISTED)
    second = RegistrationFactory(workshop=workshop, status=RegistrationStatus.WAITLISTED)
    assert selectors.waitlist_position(first) == 1
    assert selectors.waitlist_position(second) == 2
    assert selectors.my_registration(second.user, workshop) == second
    assert selectors.my_registration(AnonymousUser(), workshop) is None


def test_upcoming_and_attendance():
    now = timezone.now()
    organisation = factories.OrganisationFactory()
    soon = WorkshopFactory(organisation=organisation)
    WorkshopFactory(
        organisation=organisation,
        starts_at=now - timedelta(days=2),
        ends_at=now - timedelta(days=1),
    )
    WorkshopFactory(organisation=organisation, status=WorkshopStatus.CANCELLED)
    assert list(selectors.upcoming_workshops(organisation)) == [soon]
    b = RegistrationFactory(workshop=soon, user=factories.UserFactory(display_name="Bea"))
    a = RegistrationFactory(workshop=soon, user=factories.UserFactory(display_name="Ana"))
    RegistrationFactory(workshop=soon, status=RegistrationStatus.WAITLISTED)
    assert list(selectors.attendance(soon)) == [a, b]
