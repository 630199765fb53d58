"""The session user lookup returns exactly what the ORM would, and nobody it should not."""

import pytest

from engagement.people.auth import UserBackend, user_by_id
from engagement.people.models import User
from tests import factories

pytestmark = pytest.mark.django_db


def test_user_by_id_builds_the_same_user_as_the_orm():
    created = factories.UserFactory(display_name="Līga", language="lv", is_staff=True)
    fetched = user_by_id(created.pk)
    expected = User.objects.get(pk=created.pk)
    assert fetched == expected
    assert {f.attname: getattr(fetched, f.attname) for f in User._meta.concrete_fields} == {
        f.attname: getattr(expected, f.attname) for f in User._meta.concrete_fields
    }
    assert fetched._state.adding is False


@pytest.mark.parametrize("user_id", [None, "", "abc", 10**12])
def test_unknown_or_malformed_ids_give_nobody(user_id):
    assert UserBackend().get_user(user_id) is None


def test_deactivated_users_are_not_signed_in():
    user = factories.UserFactory(is_active=False)
    assert UserBackend().get_user(user.pk) is None
    assert UserBackend().get_user(factories.UserFactory().pk) is not None
