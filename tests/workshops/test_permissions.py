"""The permission predicates: staff (administrators), facilitators, moderators, residents
and another organisation's staff, over published and draft workshops."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from engagement.people.models import Role
from engagement.people.permissions import SYSTEM
from tests import factories
from tests.workshops.factories import WorkshopFactory
from workshops import permissions
from workshops.models import WorkshopStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    organisation = factories.OrganisationFactory()
    workshop = WorkshopFactory(organisation=organisation, status=WorkshopStatus.DRAFT)
    facilitator = factories.UserFactory()
    workshop.facilitators.add(facilitator)
    return workshop, {
        "administrator": factories.staff(organisation, Role.ADMINISTRATOR),
        "moderator": factories.staff(organisation, Role.MODERATOR),
        "facilitator": facilitator,
        "resident": factories.UserFactory(),
        "anonymous": AnonymousUser(),
        "other_administrator": factories.staff(factories.OrganisationFactory(), Role.ADMINISTRATOR),
        "system": SYSTEM,
    }


def matrix(workshop, people, check) -> set[str]:
    return {name for name, user in people.items() if check(user, workshop)}


def test_who_manages(people):
    workshop, everyone = people
    allowed = matrix(workshop, everyone, lambda u, w: permissions.can_manage(u, w.organisation))
    assert allowed == {"administrator", "system"}


def test_who_facilitates_and_checks_in(people):
    workshop, everyone = people
    assert matrix(workshop, everyone, permissions.can_facilitate) == {
        "administrator",
        "facilitator",
        "system",
    }
    assert matrix(workshop, everyone, permissions.can_check_in) == {
        "administrator",
        "facilitator",
        "system",
    }


def test_who_moderates_the_board(people):
    workshop, everyone = people
    assert matrix(workshop, everyone, permissions.can_moderate_board) == {
        "administrator",
        "moderator",
        "facilitator",
        "system",
    }


def test_who_sees_a_draft_and_a_published_workshop(people):
    workshop, everyone = people
    assert matrix(workshop, everyone, permissions.can_see) == {
        "administrator",
        "moderator",
        "facilitator",
        "system",
    }
    workshop.status = WorkshopStatus.PUBLISHED
    assert matrix(workshop, everyone, permissions.can_see) == set(everyone)
