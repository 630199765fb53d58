"""Staff workshop pages: who may open them (anonymous, resident, another organisation's
staff, moderators), creating with times in the organisation's zone (daylight-saving times
refused on the field), editing, publishing, cancelling (participants told), copying, the
check-in list and its CSV (formula cells made inert), and the outcome editor."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from engagement.notifications.models import Notification
from tests import factories
from tests.workshops.factories import RegistrationFactory, WorkshopFactory
from workshops.models import (
    AgendaItem,
    RegistrationStatus,
    Workshop,
    WorkshopFormat,
    WorkshopStatus,
)

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.now().year + 1


def html_of(response) -> str:
    return response.content.decode()


def form_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Playground co-design",
        "description": "<p>Design the new playground with us.</p>",
        "format": "in_person",
        "date": f"{NEXT_YEAR}-06-16",
        "start_time": "10:00",
        "end_time": "12:30",
        "venue": "Library hall",
        "address": "Tērbatas iela 75",
        "latitude": "",
        "longitude": "",
        "online_url": "",
        "languages": ["lv", "en"],
        "accessibility": "Lift to the first floor.",
        "capacity": "15",
        "waitlist_enabled": "on",
        "target_groups": ["young", "parent"],
        "minimum_age": "",
        "asks_accessibility_needs": "on",
        "process_id": "",
        "budget_round_id": "",
        "district_id": "",
        "agenda-TOTAL_FORMS": "3",
        "agenda-INITIAL_FORMS": "0",
        "agenda-MIN_NUM_FORMS": "0",
        "agenda-MAX_NUM_FORMS": "50",
        "agenda-0-starts_after_minutes": "0",
        "agenda-0-title": "Welcome",
        "agenda-1-starts_after_minutes": "20",
        "agenda-1-title": "Sketching in groups",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def workshop(riga):
    start = datetime(NEXT_YEAR, 6, 15, 7, 0, tzinfo=UTC)
    return WorkshopFactory(
        organisation=riga,
        title="Riverside park",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )


# --- who may open the pages (refusals first) -------------------------------------------------


class TestPermissions:
    def pages(self, workshop):
        return [
            "/staff/o/riga/workshops/",
            "/staff/o/riga/workshops/new/",
            f"/staff/workshops/{workshop.pk}/",
            f"/staff/workshops/{workshop.pk}/cancel/",
            f"/staff/workshops/{workshop.pk}/copy/",
            f"/staff/workshops/{workshop.pk}/attendance/",
            f"/staff/workshops/{workshop.pk}/attendance.csv",
            f"/staff/workshops/{workshop.pk}/outcome/",
        ]

    def test_anonymous_visitors_go_to_the_login_page(self, client, workshop):
        for url in self.pages(workshop):
            answer = client.get(url)
            assert answer.status_code == 302, url
            assert answer["Location"].startswith("/accounts/login/?next="), url

    def test_residents_are_refused(self, client, workshop, resident):
        client.force_login(resident)
        for url in self.pages(workshop):
            assert client.get(url).status_code == 403, url

    def test_another_organisations_staff_are_refused(self, client, workshop, gdansk_admin):
        client.force_login(gdansk_admin)
        for url in self.pages(workshop):
            assert client.get(url).status_code == 403, url
        answer = client.post(f"/staff/workshops/{workshop.pk}/cancel/", {"reason": "No"})
        assert answer.status_code == 403
        workshop.refresh_from_db()
        assert workshop.status == WorkshopStatus.PUBLISHED

    def test_moderators_do_not_manage_workshops(self, client, workshop, riga_moderator):
        client.force_login(riga_moderator)
        assert client.get(f"/staff/workshops/{workshop.pk}/").status_code == 403

    def test_a_facilitator_may_check_people_in_but_not_edit(self, client, workshop, resident):
        workshop.facilitators.add(resident)
        client.force_login(resident)
        assert client.get(f"/staff/workshops/{workshop.pk}/attendance/").status_code == 200
        assert client.get(f"/staff/workshops/{workshop.pk}/").status_code == 403
        page = client.get(f"/workshops/{workshop.pk}/").content.decode()
        assert f"/staff/workshops/{workshop.pk}/attendance/" in page
        assert "Manage this workshop" not in page

    def test_administrators_open_every_page(self, client, workshop, riga_admin):
        client.force_login(riga_admin)
        for url in self.pages(workshop):
            assert client.get(url).status_code == 200, url


# --- creating and editing -------------------------------------------------------------------


class TestForm:
    def test_the_times_are_labelled_with_the_zone(self, client, riga_admin):
        client.force_login(riga_admin)
        page = html_of(client.get("/staff/o/riga/workshops/new/"))
        assert "Start time (Europe/Riga time)" in page
        assert "<fieldset" in page
        assert "<legend>" in page

    def test_missing_fields_are_named_in_the_summary_and_on_the_field(self, client, riga_admin):
        client.force_login(riga_admin)
        answer = client.post("/staff/o/riga/workshops/new/", form_data(title="", date=""))
        assert answer.status_code == 400
        page = html_of(answer)
        assert 'href="#id_title"' in page
        assert 'id="id_title-error"' in page
        assert 'aria-invalid="true"' in page
        assert not Workshop.objects.exists()

    def test_a_time_skipped_by_the_clocks_is_refused_on_its_field(self, client, riga_admin):
        client.force_login(riga_admin)
        # The last Sunday of March: 03:00 becomes 04:00 in Rīga.
        march = datetime(NEXT_YEAR, 3, 31)
        sunday = march - timedelta(days=(march.weekday() + 1) % 7)
        answer = client.post(
            "/staff/o/riga/workshops/new/",
            form_data(date=sunday.date().isoformat(), start_time="03:30", end_time="05:00"),
        )
        assert answer.status_code == 400
        page = html_of(answer)
        assert 'id="id_start_time-error"' in page
        assert "does not exist" in page
        assert not Workshop.objects.exists()

    def test_a_service_refusal_goes_on_the_field(self, client, riga_admin):
        client.force_login(riga_admin)
        answer = client.post("/staff/o/riga/workshops/new/", form_data(latitude="56.9"))
        assert answer.status_code == 400
        assert "Give both latitude and longitude, or neither." in html_of(answer)

    def test_create_a_draft_with_local_times_and_agenda(self, client, riga, riga_admin):
        client.force_login(riga_admin)
        answer = client.post("/staff/o/riga/workshops/new/", form_data())
        assert answer.status_code == 302
        workshop = Workshop.objects.get()
        assert answer["Location"] == f"/staff/workshops/{workshop.pk}/"
        assert workshop.status == WorkshopStatus.DRAFT
        # 10:00 EEST is 07:00 UTC.
        assert workshop.starts_at == datetime(NEXT_YEAR, 6, 16, 7, 0, tzinfo=UTC)
        assert workshop.ends_at == datetime(NEXT_YEAR, 6, 16, 9, 30, tzinfo=UTC)
        assert workshop.target_groups == ["young", "parent"]
        assert workshop.capacity == 15
        assert [a.title for a in AgendaItem.objects.filter(workshop=workshop)] == [
            "Welcome",
            "Sketching in groups",
        ]
        page = html_of(client.get(answer["Location"]))
        assert "was created as a draft" in page
        assert 'value="10:00"' in page
        assert 'value="12:30"' in page
        assert "Publish the workshop" in page

    def test_registration_closing_needs_both_day_and_time(self, client, riga_admin):
        client.force_login(riga_admin)
        answer = client.post(
            "/staff/o/riga/workshops/new/", form_data(closes_date=f"{NEXT_YEAR}-06-14")
        )
        assert answer.status_code == 400
        page = html_of(answer)
        assert 'id="id_closes_time-error"' in page
        assert "Give the time registration closes, or no day." in page
        assert not Workshop.objects.exists()

    def test_registration_closing_after_the_end_is_refused_on_its_field(self, client, riga_admin):
        client.force_login(riga_admin)
        answer = client.post(
            "/staff/o/riga/workshops/new/",
            form_data(closes_date=f"{NEXT_YEAR}-06-17", closes_time="09:00"),
        )
        assert answer.status_code == 400
        page = html_of(answer)
        assert 'id="id_closes_time-error"' in page
        assert "Registration must close before the workshop ends." in page
        assert not Workshop.objects.exists()

    def test_registration_closing_is_entered_in_the_zone_and_shown_back(self, client, riga_admin):
        client.force_login(riga_admin)
        page = html_of(client.get("/staff/o/riga/workshops/new/"))
        assert "Registration closes at (Europe/Riga time)" in page
        answer = client.post(
            "/staff/o/riga/workshops/new/",
            form_data(closes_date=f"{NEXT_YEAR}-06-14", closes_time="18:00"),
        )
        assert answer.status_code == 302
        workshop = Workshop.objects.get()
        # 18:00 EEST is 15:00 UTC.
        assert workshop.registration_closes_at == datetime(NEXT_YEAR, 6, 14, 15, 0, tzinfo=UTC)
        page = html_of(client.get(answer["Location"]))
        assert f'value="{NEXT_YEAR}-06-14"' in page
        assert 'value="18:00"' in page
        # Emptying both opens registration until the start again.
        cleared = client.post(answer["Location"], form_data(closes_date="", closes_time=""))
        assert cleared.status_code == 302
        workshop.refresh_from_db()
        assert workshop.registration_closes_at is None

    def test_a_closing_time_skipped_by_the_clocks_is_refused(self, client, riga_admin):
        client.force_login(riga_admin)
        march = datetime(NEXT_YEAR, 3, 31)
        sunday = march - timedelta(days=(march.weekday() + 1) % 7)
        answer = client.post(
            "/staff/o/riga/workshops/new/",
            form_data(closes_date=sunday.date().isoformat(), closes_time="03:30"),
        )
        assert answer.status_code == 400
        page = html_of(answer)
        assert 'id="id_closes_time-error"' in page
        assert "does not exist" in page

    def test_a_language_the_site_does_not_offer_survives_saving(self, client, riga_admin, riga):
        start = datetime(NEXT_YEAR, 6, 16, 7, 0, tzinfo=UTC)
        workshop = WorkshopFactory(
            organisation=riga,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            languages=["lv", "ru"],
        )
        client.force_login(riga_admin)
        page = html_of(client.get(f"/staff/workshops/{workshop.pk}/"))
        assert 'value="ru"' in page
        assert "Russian" in page
        answer = client.post(f"/staff/workshops/{workshop.pk}/", form_data(languages=["lv", "ru"]))
        assert answer.status_code == 302
        workshop.refresh_from_db()
        assert workshop.languages == ["lv", "ru"]
        # A new workshop is not offered it.
        assert 'value="ru"' not in html_of(client.get("/staff/o/riga/workshops/new/"))

    def test_process_round_and_district_choices_are_the_organisations_own(
        self, client, riga, gdansk, riga_admin
    ):
        ours = factories.budget_process(organisation=riga)
        theirs = factories.budget_process(organisation=gdansk)
        client.force_login(riga_admin)
        page = html_of(client.get("/staff/o/riga/workshops/new/"))
        assert ours.title in page
        assert theirs.title not in page
        answer = client.post("/staff/o/riga/workshops/new/", form_data(process_id=str(theirs.pk)))
        assert answer.status_code == 400
        assert not Workshop.objects.exists()

    def test_edit_and_publish(self, client, riga_admin, riga):
        client.force_login(riga_admin)
        client.post("/staff/o/riga/workshops/new/", form_data())
        workshop = Workshop.objects.get()
        url = f"/staff/workshops/{workshop.pk}/"
        answer = client.post(url, form_data(title="Playground co-design, part 2", end_time="13:00"))
        assert answer.status_code == 302
        workshop.refresh_from_db()
        assert workshop.title == "Playground co-design, part 2"
        assert workshop.ends_at == datetime(NEXT_YEAR, 6, 16, 10, 0, tzinfo=UTC)
        published = client.post(f"/staff/workshops/{workshop.pk}/publish/", follow=True)
        assert "The workshop is published" in html_of(published)
        workshop.refresh_from_db()
        assert workshop.status == WorkshopStatus.PUBLISHED

    def test_publishing_an_online_workshop_without_link_is_refused(self, client, riga_admin):
        client.force_login(riga_admin)
        client.post("/staff/o/riga/workshops/new/", form_data(format="online"))
        workshop = Workshop.objects.get()
        page = html_of(client.post(f"/staff/workshops/{workshop.pk}/publish/", follow=True))
        assert "Give the link of the online meeting." in page
        workshop.refresh_from_db()
        assert workshop.status == WorkshopStatus.DRAFT

    def test_the_list_marks_past_workshops_and_their_outcome(self, client, riga, riga_admin):
        start = timezone.now() - timedelta(days=2)
        past = WorkshopFactory(
            organisation=riga, title="Held", starts_at=start, ends_at=start + timedelta(hours=1)
        )
        client.force_login(riga_admin)
        page = html_of(client.get("/staff/o/riga/workshops/"))
        assert "Took place" in page
        assert f'href="/staff/workshops/{past.pk}/outcome/">add the outcome' in page
        past.outcome_published_at = timezone.now()
        past.save()
        page = html_of(client.get("/staff/o/riga/workshops/"))
        assert "outcome published" in page
        assert "add the outcome" not in page

    def test_the_list_shows_drafts_to_staff(self, client, riga, riga_admin, workshop):
        WorkshopFactory(organisation=riga, title="Secret draft", status=WorkshopStatus.DRAFT)
        client.force_login(riga_admin)
        page = html_of(client.get("/staff/o/riga/workshops/"))
        assert "Secret draft" in page
        assert "Riverside park" in page
        assert "Draft" in page
        assert "10:00–12:00 EEST" in page  # noqa: RUF001


# --- cancel and copy ------------------------------------------------------------------------


class TestCancelAndCopy:
    def test_cancel_needs_a_reason(self, client, workshop, riga_admin):
        client.force_login(riga_admin)
        answer = client.post(f"/staff/workshops/{workshop.pk}/cancel/", {"reason": ""})
        assert answer.status_code == 400
        assert 'id="id_reason-error"' in html_of(answer)
        workshop.refresh_from_db()
        assert workshop.status == WorkshopStatus.PUBLISHED

    def test_cancel_tells_the_participants(self, client, workshop, riga_admin):
        registration = RegistrationFactory(workshop=workshop)
        workshop.registered = 1
        workshop.save()
        client.force_login(riga_admin)
        page = html_of(client.get(f"/staff/workshops/{workshop.pk}/cancel/"))
        assert "The 1 person registered or waiting will be told" in page
        answer = client.post(
            f"/staff/workshops/{workshop.pk}/cancel/",
            {"reason": "The hall is flooded."},
            follow=True,
        )
        assert "Everyone registered is being told." in html_of(answer)
        workshop.refresh_from_db()
        assert workshop.status == WorkshopStatus.CANCELLED
        assert workshop.cancellation_reason == "The hall is flooded."
        assert Notification.objects.filter(recipient=registration.user).exists()
        assert "The hall is flooded." in html_of(client.get(f"/workshops/{workshop.pk}/"))

    def test_copy_to_a_new_date(self, client, workshop, riga_admin):
        AgendaItem.objects.create(workshop=workshop, title="Welcome")
        RegistrationFactory(workshop=workshop)
        client.force_login(riga_admin)
        page = html_of(client.get(f"/staff/workshops/{workshop.pk}/copy/"))
        assert 'value="10:00"' in page
        answer = client.post(
            f"/staff/workshops/{workshop.pk}/copy/",
            {"date": f"{NEXT_YEAR}-12-01", "start_time": "17:00"},
        )
        assert answer.status_code == 302
        copy = Workshop.objects.exclude(pk=workshop.pk).get()
        assert answer["Location"] == f"/staff/workshops/{copy.pk}/"
        assert copy.status == WorkshopStatus.DRAFT
        # 17:00 EET in winter is 15:00 UTC; same length as the original.
        assert copy.starts_at == datetime(NEXT_YEAR, 12, 1, 15, 0, tzinfo=UTC)
        assert copy.ends_at - copy.starts_at == timedelta(hours=2)
        assert copy.agenda.count() == 1
        assert copy.registrations.count() == 0

    def test_copy_refuses_a_missing_date(self, client, workshop, riga_admin):
        client.force_login(riga_admin)
        answer = client.post(f"/staff/workshops/{workshop.pk}/copy/", {"start_time": "10:00"})
        assert answer.status_code == 400
        assert 'id="id_date-error"' in html_of(answer)
        assert Workshop.objects.count() == 1


# --- check-in -------------------------------------------------------------------------------


class TestAttendance:
    def test_the_list_shows_needs_and_counts_and_saves_ticks(self, client, workshop, riga_admin):
        person = factories.UserFactory(display_name="Anna Bērziņa")
        present = RegistrationFactory(
            workshop=workshop, user=person, accessibility_needs="Wheelchair", dietary_needs="Vegan"
        )
        absent = RegistrationFactory(workshop=workshop)
        RegistrationFactory(workshop=workshop, status=RegistrationStatus.WAITLISTED)
        client.force_login(riga_admin)
        page = html_of(client.get(f"/staff/workshops/{workshop.pk}/attendance/"))
        assert "Anna Bērziņa" in page
        assert "Wheelchair" in page
        assert "Vegan" in page
        assert f'id="attended-{present.pk}"' in page
        answer = client.post(
            f"/staff/workshops/{workshop.pk}/attendance/", {"attended": [str(present.pk)]}
        )
        assert answer.status_code == 302
        present.refresh_from_db()
        absent.refresh_from_db()
        assert present.attended
        assert not absent.attended
        page = html_of(client.get(f"/staff/workshops/{workshop.pk}/attendance/"))
        assert "(1 changed)" in page

    def test_names_are_sorted_with_numbers_read_as_numbers(self, client, workshop, riga_admin):
        for name in ("Resident 10", "Resident 2", "Anna"):
            RegistrationFactory(workshop=workshop, user=factories.UserFactory(display_name=name))
        client.force_login(riga_admin)
        page = html_of(client.get(f"/staff/workshops/{workshop.pk}/attendance/"))
        assert page.index("Anna") < page.index("Resident 2") < page.index("Resident 10")
        assert 'data-label="Dietary needs"' in page  # the headings on a phone

    def test_the_csv_is_escaped_for_spreadsheets(self, client, workshop, riga_admin):
        person = factories.UserFactory(display_name='=HYPERLINK("http://evil")')
        RegistrationFactory(workshop=workshop, user=person, dietary_needs="+nuts")
        client.force_login(riga_admin)
        answer = client.get(f"/staff/workshops/{workshop.pk}/attendance.csv")
        assert answer["Content-Type"].startswith("text/csv")
        assert "attachment" in answer["Content-Disposition"]
        text = answer.content.decode()
        assert text.splitlines()[0] == "Name,E-mail,Attended,Accessibility needs,Dietary needs"
        assert "'=HYPERLINK" in text
        assert "'+nuts" in text
        assert "\n=HYPERLINK" not in text


# --- the outcome ----------------------------------------------------------------------------


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "PNG")
    return SimpleUploadedFile("board.png", buffer.getvalue(), content_type="image/png")


class TestOutcome:
    @pytest.fixture
    def past(self, riga):
        now = timezone.now()
        return WorkshopFactory(
            organisation=riga,
            starts_at=now - timedelta(days=2),
            ends_at=now - timedelta(days=2) + timedelta(hours=2),
        )

    def test_a_photo_needs_a_description(self, client, past, riga_admin, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        client.force_login(riga_admin)
        answer = client.post(
            f"/staff/workshops/{past.pk}/outcome/",
            {"action": "photo", "photo": png(), "alt_text": ""},
        )
        assert answer.status_code == 400
        assert 'id="id_alt_text-error"' in html_of(answer)
        assert past.photos.count() == 0

    def test_minutes_photo_and_publish(self, client, past, riga_admin, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        client.force_login(riga_admin)
        url = f"/staff/workshops/{past.pk}/outcome/"
        client.post(url, {"action": "minutes", "minutes": "<p>Benches <strong>agreed</strong></p>"})
        client.post(url, {"action": "photo", "photo": png(), "alt_text": "Notes on the wall"})
        assert past.photos.count() == 1
        assert "Preview" in html_of(client.get(f"/workshops/{past.pk}/outcome/"))
        page = html_of(client.post(url, {"action": "publish"}, follow=True))
        assert "The outcome page is published." in page
        client.logout()
        public = html_of(client.get(f"/workshops/{past.pk}/outcome/"))
        assert "Benches <strong>agreed</strong>" in public
        assert 'alt="Notes on the wall"' in public

    def test_an_upcoming_workshop_cannot_publish_its_outcome(self, client, workshop, riga_admin):
        client.force_login(riga_admin)
        page = html_of(client.get(f"/staff/workshops/{workshop.pk}/outcome/"))
        assert "It can be published once the workshop has ended." in page
        answer = client.post(
            f"/staff/workshops/{workshop.pk}/outcome/", {"action": "publish"}, follow=True
        )
        assert "The workshop has not ended yet." in html_of(answer)
        workshop.refresh_from_db()
        assert workshop.outcome_published_at is None


def test_format_choices_are_radio_buttons(client, riga_admin):
    client.force_login(riga_admin)
    page = html_of(client.get("/staff/o/riga/workshops/new/"))
    for value in WorkshopFormat.values:
        assert f'value="{value}"' in page
