"""The workshop API: bad input and refusals first (400 with field messages and codes), then
the list and detail bodies, the calendar file, registration and the staff actions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from engagement.notifications.models import Notification
from engagement.people.models import ResidentProfile, Role
from tests import factories
from tests.workshops.factories import RegistrationFactory, WorkshopFactory
from workshops.models import Registration, RegistrationStatus, Workshop, WorkshopStatus

pytestmark = pytest.mark.django_db

LIST = "/api/v1/workshops/"


def detail(workshop) -> str:
    return f"/api/v1/workshops/{workshop.pk}/"


@pytest.fixture
def warsaw():
    return factories.OrganisationFactory(slug="warsaw", time_zone="Europe/Warsaw")


@pytest.fixture
def admin(warsaw):
    return factories.staff(warsaw, Role.ADMINISTRATOR)


# --- bad input and refusals ---------------------------------------------------------------


def test_list_filters_are_checked(as_user):
    response = as_user().get(LIST, {"when": "soon", "format": "carrier-pigeon"})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"when", "format"}


def test_create_bad_input_has_field_messages_and_codes(as_user, warsaw, admin):
    response = as_user(admin).post(
        "/api/v1/organisations/warsaw/workshops/",
        {"title": "Park", "format": "picnic", "starts_at": "tomorrow", "capacity": "ten"},
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body["error_codes"]) == {"format", "starts_at", "ends_at", "capacity"}
    assert body["error_codes"]["format"] == ["invalid_choice"]
    assert body["error_codes"]["ends_at"] == ["required"]
    assert body["capacity"]


def test_create_on_a_skipped_hour_is_refused_with_its_code(as_user, warsaw, admin):
    response = as_user(admin).post(
        "/api/v1/organisations/warsaw/workshops/",
        {
            "title": "Early birds",
            "format": "online",
            "starts_at": "2026-03-29T02:30:00",
            "ends_at": "2026-03-29T05:00:00",
        },
    )
    assert response.status_code == 400
    assert response.json()["error_codes"] == {"starts_at": ["nonexistent_time"]}
    assert not Workshop.objects.exists()


def test_register_refusals_have_codes(as_user, warsaw):
    workshop = WorkshopFactory(
        organisation=warsaw, capacity=1, waitlist_enabled=False, minimum_age=18
    )
    person = factories.UserFactory()
    url = detail(workshop) + "registration/"
    response = as_user(person).post(url, {})
    assert response.status_code == 400
    assert response.json()["error_codes"] == {"registration": ["age_unknown"]}
    assert "birth year" in response.json()["registration"][0]
    ResidentProfile.objects.create(user=person, birth_year=1990)
    assert as_user(person).post(url, {}).status_code == 201
    again = as_user(person).post(url, {})
    assert again.json()["error_codes"] == {"registration": ["already_registered"]}
    other = factories.UserFactory()
    ResidentProfile.objects.create(user=other, birth_year=1990)
    full = as_user(other).post(url, {})
    assert full.status_code == 400
    assert full.json()["error_codes"] == {"registration": ["full"]}
    not_registered = as_user(other).delete(url)
    assert not_registered.json()["error_codes"] == {"registration": ["not_registered"]}


def test_answers_must_be_text(as_user):
    workshop = WorkshopFactory()
    response = as_user(factories.UserFactory()).post(
        detail(workshop) + "registration/", {"accessibility_needs": 42}
    )
    assert response.status_code == 400
    assert "accessibility_needs" in response.json()


# --- list and detail bodies -----------------------------------------------------------------


def test_list_items_have_the_contract_fields(as_user, warsaw):
    district = factories.DistrictFactory(organisation=warsaw, slug="old-town")
    workshop = WorkshopFactory(
        organisation=warsaw,
        title="Riverside",
        format="hybrid",
        online_url="https://meet.example/secret",
        starts_at=datetime(2030, 6, 15, 8, 0, tzinfo=UTC),
        ends_at=datetime(2030, 6, 15, 10, 30, tzinfo=UTC),
        capacity=2,
        district=district,
    )
    RegistrationFactory(workshop=workshop)
    Workshop.objects.filter(pk=workshop.pk).update(registered=1)
    RegistrationFactory(workshop=workshop, status=RegistrationStatus.WAITLISTED)
    WorkshopFactory(title="Elsewhere")
    WorkshopFactory(organisation=warsaw, title="Hidden draft", status=WorkshopStatus.DRAFT)

    response = as_user().get(LIST, {"organisation": "warsaw"})

    assert response.status_code == 200
    (item,) = response.json()["results"]
    assert item["id"] == workshop.pk
    assert item["title"] == "Riverside"
    assert item["starts_at"] == "2030-06-15T10:00:00+02:00"
    assert item["ends_at"] == "2030-06-15T12:30:00+02:00"
    assert item["when"] == "Sat 15 June 2030, 10:00\u201312:30 CEST"
    assert item["format"] == "hybrid"
    assert (item["capacity"], item["registered"], item["waitlisted"]) == (2, 1, 1)
    assert item["places_left"] == 1
    assert item["status"] == "published"
    assert item["organisation"] == "warsaw"
    assert item["district"] == "old-town"
    assert item["links"]["calendar"] == f"/api/v1/workshops/{workshop.pk}/calendar.ics"
    assert "secret" not in response.content.decode()


def test_list_filters_upcoming_past_format_district(as_user, warsaw):
    now = timezone.now()
    past = WorkshopFactory(
        organisation=warsaw,
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=3, hours=-2),
    )
    upcoming = WorkshopFactory(organisation=warsaw, format="online")
    client = as_user()

    def ids(**query):
        return [
            w["id"] for w in client.get(LIST, {"organisation": "warsaw", **query}).json()["results"]
        ]

    assert ids(when="past") == [past.pk]
    assert ids(when="upcoming") == [upcoming.pk]
    assert ids(format="online") == [upcoming.pk]
    assert ids(district="nowhere") == []


def test_detail_body_and_my_registration(as_user, warsaw):
    workshop = WorkshopFactory(organisation=warsaw, minutes="<p>Secret until published</p>")
    person = factories.UserFactory()
    RegistrationFactory(workshop=workshop, user=person, status=RegistrationStatus.WAITLISTED)
    anonymous = as_user().get(detail(workshop)).json()
    assert anonymous["my_registration"] is None
    assert anonymous["minutes"] == ""
    assert anonymous["online_url"] is None
    assert "meeting_url" not in anonymous
    mine = as_user(person).get(detail(workshop)).json()["my_registration"]
    assert mine["status"] == "waitlisted"
    assert mine["waitlist_position"] == 1


def test_online_link_only_for_the_registered_shortly_before(as_user):
    now = timezone.now()
    workshop = WorkshopFactory(
        format="online",
        online_url="https://meet.example/room",
        starts_at=now + timedelta(minutes=20),
        ends_at=now + timedelta(hours=2),
    )
    registered = RegistrationFactory(workshop=workshop).user
    assert as_user(registered).get(detail(workshop)).json()["online_url"] == (
        "https://meet.example/room"
    )
    assert as_user(factories.UserFactory()).get(detail(workshop)).json()["online_url"] is None
    later = WorkshopFactory(format="online", online_url="https://meet.example/later")
    RegistrationFactory(workshop=later, user=registered)
    assert as_user(registered).get(detail(later)).json()["online_url"] is None


def test_calendar_file(as_user, warsaw):
    workshop = WorkshopFactory(
        organisation=warsaw,
        starts_at=datetime(2030, 10, 27, 9, 0, tzinfo=UTC),
        ends_at=datetime(2030, 10, 27, 11, 0, tzinfo=UTC),
    )
    response = as_user().get(detail(workshop) + "calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert event.decoded("DTSTART") == workshop.starts_at
    assert event.decoded("DTSTART").tzname() == "CET"  # the Sunday winter time starts


# --- registration and staff actions ---------------------------------------------------------


def test_register_wait_and_be_promoted_over_the_api(as_user):
    workshop = WorkshopFactory(capacity=1)
    first, second = factories.UserFactory(), factories.UserFactory()
    url = detail(workshop) + "registration/"
    assert as_user(first).post(url, {}).json()["status"] == "confirmed"
    waiting = as_user(second).post(url, {})
    assert waiting.status_code == 201
    assert (waiting.json()["status"], waiting.json()["waitlist_position"]) == ("waitlisted", 1)
    gone = as_user(first).delete(url)
    assert gone.status_code == 200
    assert gone.json()["status"] == "cancelled"
    assert as_user(second).get(url).json()["status"] == "confirmed"
    assert Notification.objects.get(event="workshop.promoted").recipient == second


def test_staff_create_publish_patch_copy_cancel(as_user, warsaw, admin):
    client = as_user(admin)
    created = client.post(
        "/api/v1/organisations/warsaw/workshops/",
        {
            "title": "Winter garden",
            "format": "in_person",
            "starts_at": "2030-01-10T18:00:00",
            "ends_at": "2030-01-10T20:00:00+01:00",
            "venue": "Library",
            "capacity": 10,
            "agenda": [{"title": "Welcome"}, {"title": "Walk", "starts_after_minutes": 20}],
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft"
    assert body["starts_at"] == "2030-01-10T18:00:00+01:00"
    assert [a["title"] for a in body["agenda"]] == ["Welcome", "Walk"]
    assert body["agenda"][1]["starts_at"] == "2030-01-10T18:20:00+01:00"
    pk = body["id"]
    url = f"/api/v1/workshops/{pk}/"
    assert client.post(url + "publish/").json()["status"] == "published"
    changed = client.patch(url, {"capacity": 12, "title": "Winter garden walk"})
    assert changed.status_code == 200
    assert (changed.json()["capacity"], changed.json()["title"]) == (12, "Winter garden walk")
    copy = client.post(url + "copy/", {"starts_at": "2030-02-10T18:00:00+01:00"})
    assert copy.status_code == 201
    assert copy.json()["status"] == "draft"
    assert copy.json()["copied_from"] == pk
    RegistrationFactory(workshop_id=pk)
    cancelled = client.post(url + "cancel/", {"reason": "Snow"})
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancellation_reason"] == "Snow"
    assert Notification.objects.filter(event="workshop.cancelled").count() == 1
    again = client.post(url + "cancel/", {})
    assert again.status_code == 400
    assert again.json()["error_codes"] == {"status": ["already_cancelled"]}


def test_attendance_list_and_check_in(as_user, warsaw, admin):
    workshop = WorkshopFactory(organisation=warsaw)
    person = factories.UserFactory(display_name="Ola")
    registration = RegistrationFactory(workshop=workshop, user=person, dietary_needs="Vegan")
    RegistrationFactory(workshop=workshop, status=RegistrationStatus.WAITLISTED)
    url = detail(workshop) + "attendance/"
    listed = as_user(admin).get(url).json()
    assert [(r["name"], r["dietary_needs"], r["attended"]) for r in listed] == [
        ("Ola", "Vegan", False)
    ]
    checked = as_user(admin).post(url, {"registration": registration.pk, "attended": True})
    assert checked.status_code == 200
    assert checked.json()["attended"] is True
    assert Registration.objects.get(pk=registration.pk).checked_in_at is not None


def test_patch_refuses_a_fake_link_and_far_dates_with_codes(as_user, warsaw, admin):
    workshop = WorkshopFactory(organisation=warsaw)
    client = as_user(admin)
    spaced = client.patch(detail(workshop), {"online_url": "https://exa mple"})
    assert spaced.json()["error_codes"] == {"online_url": ["invalid"]}
    # Looks like a link to the schema, but is not a real address.
    fake = client.patch(detail(workshop), {"online_url": "https://-bad-"})
    assert fake.status_code == 400
    assert fake.json()["error_codes"] == {"online_url": ["invalid_url"]}
    far = client.patch(detail(workshop), {"starts_at": "0656-10-18T14:00:00+01:00"})
    assert far.json()["error_codes"] == {"starts_at": ["out_of_range"]}
    workshop.refresh_from_db()
    assert workshop.online_url == ""


def test_coordinates_are_kept_to_six_decimals(as_user, warsaw, admin):
    workshop = WorkshopFactory(organisation=warsaw)
    response = as_user(admin).patch(
        detail(workshop), {"latitude": 54.35202512345, "longitude": 18.6466384}
    )
    assert response.status_code == 200
    assert (response.json()["latitude"], response.json()["longitude"]) == (54.352025, 18.646638)
    only_one = as_user(admin).patch(detail(workshop), {"latitude": None})
    assert only_one.json()["error_codes"] == {"latitude": ["incomplete"]}


def test_the_list_costs_the_same_queries_for_many_workshops(
    as_user, warsaw, django_assert_max_num_queries
):
    district = factories.DistrictFactory(organisation=warsaw)
    for _ in range(15):
        workshop = WorkshopFactory(organisation=warsaw, district=district)
        RegistrationFactory(workshop=workshop, status=RegistrationStatus.WAITLISTED)
    client = as_user(factories.UserFactory())
    with django_assert_max_num_queries(6):
        body = client.get(LIST, {"organisation": "warsaw"}).json()
    assert len(body["results"]) == 15
    assert {w["waitlisted"] for w in body["results"]} == {1}


def test_photos_need_a_description_then_show_once_the_outcome_is_published(
    as_user, warsaw, admin, settings, tmp_path
):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    now = timezone.now()
    workshop = WorkshopFactory(
        organisation=warsaw, starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1)
    )

    def png():
        out = io.BytesIO()
        Image.new("RGB", (20, 10), "blue").save(out, "PNG")
        return SimpleUploadedFile("p.png", out.getvalue(), content_type="image/png")

    url = detail(workshop) + "photos/"
    client = as_user(admin)
    missing = client.upload(url, {"image": png()})
    assert missing.status_code == 400
    assert missing.json()["error_codes"] == {"alt_text": ["required"]}
    resident = as_user(factories.UserFactory()).upload(url, {"image": png(), "alt_text": "x"})
    assert resident.status_code == 403
    added = as_user(admin).upload(url, {"image": png(), "alt_text": "The board at the end"})
    assert added.status_code == 201
    photo = added.json()
    assert (photo["alt_text"], photo["width"], photo["height"]) == ("The board at the end", 20, 10)
    assert as_user().get(detail(workshop)).json()["photos"] == []
    as_user(admin).post(detail(workshop) + "outcome/publish/")
    public = as_user().get(detail(workshop)).json()
    assert [p["alt_text"] for p in public["photos"]] == ["The board at the end"]
    removed = as_user(admin).delete(f"{url}{photo['id']}/")
    assert removed.status_code == 204
    assert as_user().get(detail(workshop)).json()["photos"] == []
