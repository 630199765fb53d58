"""Staff predicates as a matrix: role x organisation (own / other) x action."""

import pytest
from django.contrib.auth.models import AnonymousUser

from engagement.people import permissions
from engagement.people.models import Role
from tests import factories

pytestmark = pytest.mark.django_db

ACTIONS = {
    "manage": permissions.can_manage_organisation,
    "moderate": permissions.can_moderate,
    "review": permissions.can_review,
    "paper_ballots": permissions.can_enter_paper_ballots,
    "staff_area": permissions.is_staff_of,
}

# What each role may do in its OWN organisation.
ALLOWED = {
    Role.ADMINISTRATOR: {"manage", "moderate", "review", "paper_ballots", "staff_area"},
    Role.MODERATOR: {"moderate", "staff_area"},
    Role.REVIEWER: {"review", "staff_area"},
    Role.OFFICER: {"paper_ballots", "staff_area"},
    None: set(),  # a resident with no role
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("role", list(ALLOWED), ids=lambda r: r or "resident")
def test_role_in_own_organisation(riga, role, action):
    user = factories.staff(riga, role) if role else factories.UserFactory()
    assert ACTIONS[action](user, riga) is (action in ALLOWED[role])


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("role", [r for r in ALLOWED if r], ids=str)
def test_staff_of_one_organisation_cannot_act_in_another(riga, gdansk, role, action):
    user = factories.staff(riga, role)
    assert ACTIONS[action](user, gdansk) is False


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_anonymous_can_do_nothing(riga, action):
    assert ACTIONS[action](AnonymousUser(), riga) is False


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_deactivated_administrator_loses_every_right(riga, action):
    user = factories.staff(riga, Role.ADMINISTRATOR, is_active=False)
    assert ACTIONS[action](user, riga) is False


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_platform_admin_may_act_everywhere(riga, gdansk, platform_admin, action):
    assert ACTIONS[action](platform_admin, riga) is True
    assert ACTIONS[action](platform_admin, gdansk) is True


def test_roles_are_loaded_once_per_user(riga, gdansk, django_assert_num_queries):
    user = factories.staff(riga, Role.MODERATOR, Role.REVIEWER)
    factories.MembershipFactory(user=user, organisation=gdansk, role=Role.OFFICER)
    with django_assert_num_queries(1):
        assert permissions.roles_in(user, riga) == {Role.MODERATOR, Role.REVIEWER}
        assert permissions.roles_in(user, gdansk) == {Role.OFFICER}
        assert permissions.can_review(user, riga)
        assert not permissions.can_review(user, gdansk)


def test_staff_organisation_ids(riga, gdansk, platform_admin):
    user = factories.staff(riga, Role.OFFICER)
    assert permissions.staff_organisation_ids(user) == {riga.pk}
    assert permissions.staff_organisation_ids(factories.UserFactory()) == set()
    assert permissions.staff_organisation_ids(platform_admin) is None
