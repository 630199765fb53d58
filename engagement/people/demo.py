"""Demo data for the engagement package: a demo city, its districts, staff and residents.

Idempotent: running it again changes nothing that is already there. Every demo account
shares the password ``DEMO_PASSWORD`` (documented in the README; demo installs only).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction

from engagement.people import services
from engagement.people.models import District, Organisation, Residence, ResidentProfile, Role, User
from engagement.people.permissions import SYSTEM

DEMO_PASSWORD = "kopa-demo-password"
DEMO_ORGANISATION_SLUG = "demo-city"

DISTRICTS = [
    ("Old Town", "old-town"),
    ("Harbour", "harbour"),
    ("Pine Hills", "pine-hills"),
    ("Riverside", "riverside"),
]

STAFF = [
    ("admin@demo.kopa.local", "Anna Administrator", Role.ADMINISTRATOR),
    ("moderator@demo.kopa.local", "Mārtiņš Moderator", Role.MODERATOR),
    ("reviewer@demo.kopa.local", "Rasa Reviewer", Role.REVIEWER),
    ("officer@demo.kopa.local", "Oskars Officer", Role.OFFICER),
]

RESIDENT_COUNT = 24


@dataclass
class DemoContext:
    """What one seeder hands to the next (later packages add rounds, ideas...)."""

    organisation: Organisation
    districts: list[District]
    staff: dict[str, User]
    residents: list[User]
    extra: dict[str, Any] = field(default_factory=dict)


def _user(email: str, display_name: str, **extra: Any) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, display_name=display_name, **extra
        )
        _verify_email(user)
    return user


def _verify_email(user: User) -> None:
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


@transaction.atomic
def seed() -> DemoContext:
    organisation = Organisation.objects.filter(slug=DEMO_ORGANISATION_SLUG).first()
    if organisation is None:
        organisation = services.organisation_create(
            actor=SYSTEM,
            name="Demo City",
            slug=DEMO_ORGANISATION_SLUG,
            country="LV",
            region="Kurzeme",
            time_zone="Europe/Riga",
            languages=["en", "lv", "pl", "de"],
            currency="EUR",
        )
    districts = []
    for name, slug in DISTRICTS:
        district = District.objects.filter(organisation=organisation, slug=slug).first()
        districts.append(
            district
            or services.district_create(
                actor=SYSTEM, organisation=organisation, name=name, slug=slug
            )
        )

    _user("platform@kopa.local", "Platform Operator", is_staff=True, is_superuser=True)

    staff = {}
    for email, name, role in STAFF:
        user = _user(email, name)
        services.membership_grant(actor=SYSTEM, organisation=organisation, user=user, role=role)
        staff[role] = user

    rng = random.Random(20261122)  # same residents on every run
    residents = []
    for number in range(1, RESIDENT_COUNT + 1):
        user = _user(f"resident{number}@demo.kopa.local", f"Resident {number}")
        if not ResidentProfile.objects.filter(user=user).exists():
            services.resident_profile_update(
                user=user,
                birth_year=rng.randint(1940, 2008),
                target_groups=rng.sample(
                    ["young", "elderly", "parent", "migrant"], k=rng.randint(0, 1)
                ),
            )
        if not Residence.objects.filter(user=user, organisation=organisation).exists():
            services.residence_set(
                user=user, organisation=organisation, district=districts[number % len(districts)]
            )
        residents.append(user)

    return DemoContext(
        organisation=organisation, districts=districts, staff=staff, residents=residents
    )
