"""The demo seed: a complete demo city, and running it twice changes nothing."""

import pytest
from django.core.management import call_command

from engagement.people import permissions
from engagement.people.demo import DEMO_PASSWORD
from engagement.people.models import (
    District,
    Membership,
    Organisation,
    Residence,
    ResidentProfile,
    User,
)

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Organisation, District, User, Membership, ResidentProfile, Residence)
    }


def test_seed_demo_is_idempotent(capsys):
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    assert "demo-city" in capsys.readouterr().out


def test_seed_demo_creates_working_staff_and_residents():
    call_command("seed_demo")
    city = Organisation.objects.get(slug="demo-city")
    admin = User.objects.get(email="admin@demo.kopa.local")
    reviewer = User.objects.get(email="reviewer@demo.kopa.local")
    assert admin.check_password(DEMO_PASSWORD)
    assert permissions.can_manage_organisation(admin, city)
    assert permissions.can_review(reviewer, city)
    assert not permissions.can_moderate(reviewer, city)
    assert Residence.objects.filter(organisation=city, district__isnull=False).count() >= 20
    assert ResidentProfile.objects.filter(birth_year__isnull=False).count() >= 20
