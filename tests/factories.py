"""Factories for the whole suite. Named personas live in conftest.py."""

from __future__ import annotations

import functools

import factory
from django.contrib.auth.hashers import make_password

from engagement.models import District, Membership, Organisation, ResidentProfile, Role, User

TEST_PASSWORD = "correct horse battery staple"


@functools.cache
def _password_hash() -> str:
    # Argon2 is deliberately slow; hash once and share it between factory users.
    return make_password(TEST_PASSWORD)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Town {n}")
    slug = factory.Sequence(lambda n: f"town-{n}")
    country = "LV"
    time_zone = "Europe/Riga"
    languages = factory.LazyFunction(lambda: ["lv", "en"])
    currency = "EUR"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"District {n}")
    slug = factory.Sequence(lambda n: f"district-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.LazyFunction(_password_hash)


class ResidentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResidentProfile

    user = factory.SubFactory(UserFactory)
    birth_year = 1990


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.ADMINISTRATOR


def staff(organisation: Organisation, *roles: str, **user_fields: object) -> User:
    """A user holding ``roles`` in ``organisation``."""
    user = UserFactory(**user_fields)
    for role in roles:
        MembershipFactory(user=user, organisation=organisation, role=role)
    return user
