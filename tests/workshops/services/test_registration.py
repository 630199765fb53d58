"""Registering and cancelling: refusals with their codes first, then places, the waiting
list and its promotion (the person promoted is told), and check-in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from engagement.notifications.models import Notification
from engagement.people.models import ResidentProfile, Role
from tests import factories
from tests.workshops.factories import RegistrationFactory, WorkshopFactory
from workshops.models import Registration, RegistrationStatus, Workshop, WorkshopStatus
from workshops.services import registration as registering

pytestmark = pytest.mark.django_db


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def refused(code: str, **kwargs) -> None:
    with pytest.raises(ValidationError) as caught:
        registering.register(**kwargs)
    assert codes(caught.value) == {"registration": [code]}


# --- refusals --------------------------------------------------------------------------------


def test_anonymous_cannot_register():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        registering.register(user=AnonymousUser(), workshop=WorkshopFactory())


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"status": WorkshopStatus.DRAFT}, "not_published"),
        ({"status": WorkshopStatus.CANCELLED}, "cancelled"),
        (
            {
                "starts_at": timezone.now() - timedelta(minutes=5),
                "ends_at": timezone.now() + timedelta(hours=1),
            },
            "started",
        ),
        ({"registration_closes_at": timezone.now() - timedelta(minutes=1)}, "registration_closed"),
    ],
)
def test_refused_with_the_reason(fields, code):
    workshop = WorkshopFactory(**fields)
    refused(code, user=factories.UserFactory(), workshop=workshop)
    assert not Registration.objects.exists()
    workshop.refresh_from_db()
    assert workshop.registered == 0


def test_minimum_age_needs_a_birth_year_and_says_how():
    workshop = WorkshopFactory(minimum_age=16)
    person = factories.UserFactory()
    with pytest.raises(ValidationError) as caught:
        registering.register(user=person, workshop=workshop)
    assert codes(caught.value) == {"registration": ["age_unknown"]}
    assert "add your birth year to your profile" in caught.value.messages[0]


def test_too_young_is_refused_and_old_enough_registers():
    workshop = WorkshopFactory(minimum_age=16)
    year = timezone.localtime(workshop.starts_at).year
    young = factories.UserFactory()
    ResidentProfile.objects.create(user=young, birth_year=year - 15)
    refused("too_young", user=young, workshop=workshop)
    # Only the year is known: turning 16 in the workshop's year is enough.
    turning = factories.UserFactory()
    ResidentProfile.objects.create(user=turning, birth_year=year - 16)
    assert registering.register(user=turning, workshop=workshop).status == "confirmed"


def test_registering_twice_is_refused():
    workshop = WorkshopFactory()
    person = factories.UserFactory()
    registering.register(user=person, workshop=workshop)
    refused("already_registered", user=person, workshop=workshop)
    workshop.refresh_from_db()
    assert workshop.registered == 1


def test_full_without_a_waiting_list_is_refused():
    workshop = WorkshopFactory(capacity=1, waitlist_enabled=False)
    registering.register(user=factories.UserFactory(), workshop=workshop)
    refused("full", user=factories.UserFactory(), workshop=workshop)
    workshop.refresh_from_db()
    assert workshop.registered == 1
    assert Registration.objects.count() == 1


def test_the_database_refuses_overbooking_whatever_the_code_does():
    workshop = WorkshopFactory(capacity=1)
    Workshop.objects.filter(pk=workshop.pk).update(registered=1)
    from django.db.models import F

    with pytest.raises(IntegrityError), transaction.atomic():
        Workshop.objects.filter(pk=workshop.pk).update(registered=F("registered") + 1)


def test_cancel_without_registration_is_refused():
    with pytest.raises(ValidationError) as caught:
        registering.cancel_registration(user=factories.UserFactory(), workshop=WorkshopFactory())
    assert codes(caught.value) == {"registration": ["not_registered"]}


def test_cancel_after_the_start_is_refused():
    now = timezone.now()
    workshop = WorkshopFactory(
        starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=1)
    )
    registration = RegistrationFactory(workshop=workshop)
    with pytest.raises(ValidationError) as caught:
        registering.cancel_registration(user=registration.user, workshop=workshop)
    assert codes(caught.value) == {"registration": ["started"]}


def test_an_answer_too_long_is_refused():
    workshop = WorkshopFactory(asks_accessibility_needs=True)
    with pytest.raises(ValidationError) as caught:
        registering.register(
            user=factories.UserFactory(), workshop=workshop, accessibility_needs="x" * 1001
        )
    assert codes(caught.value) == {"accessibility_needs": ["max_length"]}


# --- places and the waiting list -------------------------------------------------------------


def test_places_then_waiting_list_in_order():
    workshop = WorkshopFactory(capacity=2)
    people = [factories.UserFactory() for _ in range(4)]
    statuses = [registering.register(user=p, workshop=workshop).status for p in people]
    assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    workshop.refresh_from_db()
    assert workshop.registered == 2


def test_answers_kept_only_when_asked():
    workshop = WorkshopFactory(asks_accessibility_needs=True, asks_dietary_needs=False)
    registration = registering.register(
        user=factories.UserFactory(),
        workshop=workshop,
        accessibility_needs="Step-free access <b>please</b>",
        dietary_needs="vegan",
    )
    registration.refresh_from_db()
    assert registration.accessibility_needs == "Step-free access please"
    assert registration.dietary_needs == ""


def test_unlimited_capacity_always_confirms():
    workshop = WorkshopFactory(capacity=None)
    for _ in range(3):
        assert registering.register(user=factories.UserFactory(), workshop=workshop).status == (
            "confirmed"
        )
    workshop.refresh_from_db()
    assert workshop.registered == 3


def test_cancel_promotes_the_first_waiting_and_tells_only_them():
    workshop = WorkshopFactory(capacity=1)
    first, second, third = (factories.UserFactory() for _ in range(3))
    registering.register(user=first, workshop=workshop)
    registering.register(user=second, workshop=workshop)
    registering.register(user=third, workshop=workshop)

    cancelled = registering.cancel_registration(user=first, workshop=workshop)

    assert cancelled.status == RegistrationStatus.CANCELLED
    statuses = dict(Registration.objects.values_list("user_id", "status"))
    assert statuses == {first.pk: "cancelled", second.pk: "confirmed", third.pk: "waitlisted"}
    promoted = Registration.objects.get(user=second)
    assert promoted.promoted_at is not None
    workshop.refresh_from_db()
    assert workshop.registered == 1
    told = list(Notification.objects.filter(event="workshop.promoted"))
    assert [n.recipient_id for n in told] == [second.pk]
    assert told[0].actor_id is None  # who cancelled is not revealed
    assert told[0].context["title"] == workshop.title
    assert "EET" in told[0].context["when"] or "EEST" in told[0].context["when"]


def test_leaving_the_waiting_list_promotes_nobody():
    workshop = WorkshopFactory(capacity=1)
    first, waiting = factories.UserFactory(), factories.UserFactory()
    registering.register(user=first, workshop=workshop)
    registering.register(user=waiting, workshop=workshop)
    registering.cancel_registration(user=waiting, workshop=workshop)
    workshop.refresh_from_db()
    assert workshop.registered == 1
    assert not Notification.objects.filter(event="workshop.promoted").exists()


def test_registering_again_after_cancelling_goes_to_the_end_of_the_queue():
    workshop = WorkshopFactory(capacity=1)
    a, b = factories.UserFactory(), factories.UserFactory()
    registering.register(user=a, workshop=workshop)
    registering.cancel_registration(user=a, workshop=workshop)
    registering.register(user=b, workshop=workshop)
    again = registering.register(user=a, workshop=workshop)
    assert again.status == "waitlisted"
    assert Registration.objects.filter(user=a).count() == 1


def test_more_places_fill_from_the_waiting_list():
    from workshops.services import events

    organisation = factories.OrganisationFactory()
    admin = factories.staff(organisation, Role.ADMINISTRATOR)
    workshop = WorkshopFactory(organisation=organisation, capacity=1)
    people = [factories.UserFactory() for _ in range(3)]
    for person in people:
        registering.register(user=person, workshop=workshop)
    events.update_workshop(actor=admin, workshop=workshop, capacity=2)
    assert Registration.objects.get(user=people[1]).status == "confirmed"
    assert Registration.objects.get(user=people[2]).status == "waitlisted"
    workshop.refresh_from_db()
    assert workshop.registered == 2
    assert Notification.objects.filter(event="workshop.promoted").count() == 1


# --- check-in --------------------------------------------------------------------------------


def test_check_in_needs_a_facilitator_or_administrator():
    workshop = WorkshopFactory()
    registration = RegistrationFactory(workshop=workshop)
    with pytest.raises(PermissionDenied):
        registering.check_in(
            actor=factories.UserFactory(), registration=registration, attended=True
        )
    facilitator = factories.UserFactory()
    workshop.facilitators.add(facilitator)
    checked = registering.check_in(actor=facilitator, registration=registration, attended=True)
    assert checked.attended is True
    assert checked.checked_in_at is not None
    undone = registering.check_in(actor=facilitator, registration=registration, attended=False)
    assert (undone.attended, undone.checked_in_at) == (False, None)


def test_only_confirmed_people_are_checked_in():
    workshop = WorkshopFactory()
    waiting = RegistrationFactory(workshop=workshop, status=RegistrationStatus.WAITLISTED)
    admin = factories.staff(workshop.organisation, Role.ADMINISTRATOR)
    with pytest.raises(ValidationError) as caught:
        registering.check_in(actor=admin, registration=waiting, attended=True)
    assert codes(caught.value) == {"registration": ["not_confirmed"]}
