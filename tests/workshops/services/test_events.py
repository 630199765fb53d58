"""Staff run workshops: refusals first (role, bad input with codes, state), then create,
publish, cancel (participants told), copy and the agenda."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from engagement.notifications.models import Notification
from engagement.people.models import Role
from tests import factories
from tests.workshops.factories import PromptFactory, RegistrationFactory, WorkshopFactory
from workshops.models import AgendaItem, RegistrationStatus, WorkshopStatus
from workshops.services import events

pytestmark = pytest.mark.django_db


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


@pytest.fixture
def organisation():
    return factories.OrganisationFactory(time_zone="Europe/Riga")


@pytest.fixture
def admin(organisation):
    return factories.staff(organisation, Role.ADMINISTRATOR)


def valid(**overrides):
    fields = {
        "title": "Ideas for the riverside",
        "format": "in_person",
        "starts_at": datetime(2030, 6, 15, 10, 0),
        "ends_at": datetime(2030, 6, 15, 12, 30),
        "venue": "Library",
    }
    return {**fields, **overrides}


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.REVIEWER, None])
def test_only_administrators_create(organisation, role):
    actor = factories.staff(organisation, role) if role else factories.UserFactory()
    with pytest.raises(PermissionDenied):
        events.create_workshop(actor=actor, organisation=organisation, **valid())


def test_another_organisations_administrator_cannot_change_it(organisation):
    other = factories.staff(factories.OrganisationFactory(), Role.ADMINISTRATOR)
    workshop = WorkshopFactory(organisation=organisation)
    with pytest.raises(PermissionDenied):
        events.update_workshop(actor=other, workshop=workshop, title="Mine now")
    with pytest.raises(PermissionDenied):
        events.cancel_workshop(actor=other, workshop=workshop, reason="")


def test_every_problem_is_named_with_its_code(organisation, admin):
    with pytest.raises(ValidationError) as caught:
        events.create_workshop(
            actor=admin,
            organisation=organisation,
            title="  ",
            format="picnic",
            starts_at=datetime(2030, 6, 15, 10),
            ends_at=datetime(2030, 6, 15, 9),
            latitude="north",
            capacity=0,
            target_groups=["astronauts"],
        )
    assert codes(caught.value) == {
        "title": ["required"],
        "format": ["invalid_choice"],
        "latitude": ["invalid"],
        "capacity": ["out_of_range"],
        "target_groups": ["invalid_choice"],
    }


@pytest.mark.parametrize(
    ("latitude", "longitude", "refused"),
    [
        ("NaN", "24.1", {"latitude": ["invalid"]}),
        ("Infinity", "24.1", {"latitude": ["invalid"]}),
        (91, 24.1, {"latitude": ["max_value"]}),
        (56.9, -181, {"longitude": ["min_value"]}),
        ("91", "24.1", {"latitude": ["invalid"]}),
    ],
)
def test_coordinates_that_are_no_place_are_refused_on_their_field(
    organisation, admin, latitude, longitude, refused
):
    workshop = WorkshopFactory(organisation=organisation, latitude=None, longitude=None)
    with pytest.raises(ValidationError) as caught:
        events.update_workshop(
            actor=admin, workshop=workshop, latitude=latitude, longitude=longitude
        )
    assert codes(caught.value) == refused
    workshop.refresh_from_db()
    assert (workshop.latitude, workshop.longitude) == (None, None)


def test_end_before_start_is_refused(organisation, admin):
    with pytest.raises(ValidationError) as caught:
        events.create_workshop(
            actor=admin, organisation=organisation, **valid(ends_at=datetime(2030, 6, 15, 9))
        )
    assert codes(caught.value) == {"ends_at": ["ends_before_start"]}


def test_a_skipped_wall_clock_time_is_refused(organisation, admin):
    with pytest.raises(ValidationError) as caught:
        events.create_workshop(
            actor=admin,
            organisation=organisation,
            **valid(starts_at=datetime(2026, 3, 29, 3, 30), ends_at=datetime(2026, 3, 29, 6)),
        )
    assert codes(caught.value) == {"starts_at": ["nonexistent_time"]}


def test_links_must_belong_to_the_organisation(organisation, admin):
    foreign = factories.DistrictFactory()
    with pytest.raises(ValidationError) as caught:
        events.create_workshop(
            actor=admin, organisation=organisation, **valid(district_id=foreign.pk)
        )
    assert codes(caught.value) == {"district_id": ["does_not_exist"]}


def test_capacity_cannot_drop_below_the_confirmed(organisation, admin):
    workshop = WorkshopFactory(organisation=organisation, capacity=5)
    for _ in range(3):
        RegistrationFactory(workshop=workshop)
    workshop.registered = 3
    workshop.save()
    with pytest.raises(ValidationError) as caught:
        events.update_workshop(actor=admin, workshop=workshop, capacity=2)
    assert codes(caught.value) == {"capacity": ["capacity_below_registered"]}


def test_publishing_needs_a_place_or_a_link(organisation, admin):
    workshop = WorkshopFactory(
        organisation=organisation,
        status=WorkshopStatus.DRAFT,
        format="hybrid",
        venue="",
        address="",
    )
    with pytest.raises(ValidationError) as caught:
        events.publish_workshop(actor=admin, workshop=workshop)
    assert codes(caught.value) == {
        "venue": ["place_required"],
        "online_url": ["online_url_required"],
    }


def test_publish_twice_and_cancel_twice_are_refused(organisation, admin):
    workshop = WorkshopFactory(organisation=organisation)
    with pytest.raises(ValidationError) as caught:
        events.publish_workshop(actor=admin, workshop=workshop)
    assert codes(caught.value) == {"status": ["not_draft"]}
    events.cancel_workshop(actor=admin, workshop=workshop, reason="")
    with pytest.raises(ValidationError) as caught:
        events.cancel_workshop(actor=admin, workshop=workshop, reason="")
    assert codes(caught.value) == {"status": ["already_cancelled"]}
    with pytest.raises(ValidationError) as caught:
        events.update_workshop(actor=admin, workshop=workshop, title="Back on")
    assert codes(caught.value) == {"status": ["cancelled"]}


def test_a_past_workshop_cannot_be_cancelled(organisation, admin):
    now = timezone.now()
    workshop = WorkshopFactory(
        organisation=organisation,
        starts_at=now - timedelta(days=2),
        ends_at=now - timedelta(days=1),
    )
    with pytest.raises(ValidationError) as caught:
        events.cancel_workshop(actor=admin, workshop=workshop, reason="")
    assert codes(caught.value) == {"status": ["already_ended"]}


def test_agenda_problems_by_path(organisation, admin):
    workshop = WorkshopFactory(organisation=organisation)
    with pytest.raises(ValidationError) as caught:
        events.set_agenda(
            actor=admin,
            workshop=workshop,
            items=[{"title": "Welcome"}, {"title": "", "starts_after_minutes": 9999}],
        )
    assert codes(caught.value) == {
        "agenda.1.title": ["required"],
        "agenda.1.starts_after_minutes": ["out_of_range"],
    }
    assert not AgendaItem.objects.exists()


# --- what works ------------------------------------------------------------------------------


def test_create_a_draft_in_the_organisations_zone(organisation, admin):
    workshop = events.create_workshop(
        actor=admin,
        organisation=organisation,
        **valid(description="<p>Bring <script>x</script>ideas</p>", capacity=12),
    )
    assert workshop.status == WorkshopStatus.DRAFT
    # 10:00 in Riga in June is 07:00 UTC (EEST).
    assert workshop.starts_at == datetime(2030, 6, 15, 7, 0, tzinfo=UTC)
    assert "<script>" not in workshop.description
    assert workshop.created_by == admin
    assert workshop.registered == 0


def test_cancel_tells_confirmed_and_waiting_not_cancelled(organisation, admin):
    workshop = WorkshopFactory(organisation=organisation)
    confirmed = RegistrationFactory(workshop=workshop).user
    waiting = RegistrationFactory(workshop=workshop, status=RegistrationStatus.WAITLISTED).user
    RegistrationFactory(workshop=workshop, status=RegistrationStatus.CANCELLED)

    events.cancel_workshop(actor=admin, workshop=workshop, reason="The hall is flooded.")

    workshop.refresh_from_db()
    assert workshop.status == WorkshopStatus.CANCELLED
    assert workshop.cancellation_reason == "The hall is flooded."
    told = Notification.objects.filter(event="workshop.cancelled")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted([confirmed.pk, waiting.pk])
    assert {n.context["reason"] for n in told} == {"The hall is flooded."}


def test_copy_is_a_draft_with_agenda_prompts_and_no_people(organisation, admin):
    workshop = WorkshopFactory(organisation=organisation, capacity=8, minutes="<p>Notes</p>")
    facilitator = factories.UserFactory()
    workshop.facilitators.add(facilitator)
    events.set_agenda(
        actor=admin,
        workshop=workshop,
        items=[{"title": "Welcome"}, {"title": "Groups", "starts_after_minutes": 30}],
    )
    PromptFactory(workshop=workshop, text="What works?")
    RegistrationFactory(workshop=workshop)

    copy = events.copy_workshop(
        actor=admin, workshop=workshop, starts_at=datetime(2031, 1, 10, 17, 0)
    )

    assert copy.status == WorkshopStatus.DRAFT
    assert copy.copied_from == workshop
    assert copy.starts_at == datetime(2031, 1, 10, 15, 0, tzinfo=UTC)  # 17:00 EET
    assert copy.ends_at - copy.starts_at == workshop.ends_at - workshop.starts_at
    assert (copy.title, copy.capacity, copy.minutes) == (workshop.title, 8, "")
    assert [(a.title, a.starts_after_minutes) for a in copy.agenda.all()] == [
        ("Welcome", 0),
        ("Groups", 30),
    ]
    assert [p.text for p in copy.prompts.all()] == ["What works?"]
    assert list(copy.facilitators.all()) == [facilitator]
    assert copy.registrations.count() == 0
    assert copy.registered == 0


def test_publish_a_draft(organisation, admin):
    workshop = WorkshopFactory(organisation=organisation, status=WorkshopStatus.DRAFT)
    assert events.publish_workshop(actor=admin, workshop=workshop).status == "published"


def test_a_draft_is_not_cancelled_so_it_stays_hidden(organisation, admin):
    workshop = WorkshopFactory(organisation=organisation, status=WorkshopStatus.DRAFT)
    with pytest.raises(ValidationError) as caught:
        events.cancel_workshop(actor=admin, workshop=workshop, reason="")
    assert codes(caught.value) == {"status": ["not_published"]}
    workshop.refresh_from_db()
    assert workshop.status == WorkshopStatus.DRAFT


def test_a_missing_title_is_named_once(organisation, admin):
    with pytest.raises(ValidationError) as caught:
        events.create_workshop(actor=admin, organisation=organisation, **valid(title=""))
    assert codes(caught.value) == {"title": ["required"]}
    workshop = WorkshopFactory(organisation=organisation)
    with pytest.raises(ValidationError) as caught:
        events.update_workshop(actor=admin, workshop=workshop, title="", starts_at=None)
    assert codes(caught.value) == {"title": ["required"], "starts_at": ["required"]}
