"""Resident workshop pages: the organisation's list (times in the organisation's zone with
the abbreviation, filters without JavaScript, places and waiting list), the calendar feed,
one workshop with registration (confirmed, waitlisted, every refusal on the form), the
online link, cancelled workshops, the outcome page, and the listings on the organisation,
budget round and process pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from engagement.people.models import Role
from tests import factories
from tests.workshops.factories import (
    ClusterFactory,
    NoteFactory,
    PromptFactory,
    RegistrationFactory,
    WorkshopFactory,
)
from workshops.models import (
    AgendaItem,
    Registration,
    RegistrationStatus,
    WorkshopFormat,
    WorkshopStatus,
)

pytestmark = pytest.mark.django_db


def summer_start() -> datetime:
    """07:00 UTC on a June day next year: 10:00 EEST in Rīga."""
    return datetime(timezone.now().year + 1, 6, 15, 7, 0, tzinfo=UTC)


@pytest.fixture
def workshop(riga):
    start = summer_start()
    return WorkshopFactory(
        organisation=riga,
        title="Riverside park ideas",
        starts_at=start,
        ends_at=start + timedelta(hours=2, minutes=30),
        capacity=2,
        target_groups=["young"],
        languages=["lv", "en"],
        minimum_age=None,
        accessibility="Step-free entrance from the courtyard.",
        latitude="56.949600",
        longitude="24.105200",
    )


def detail(workshop) -> str:
    return f"/workshops/{workshop.pk}/"


def html_of(response) -> str:
    return response.content.decode()


# --- refusals first ---------------------------------------------------------------------


class TestRefusals:
    def test_a_draft_is_not_found_by_residents(self, client, riga, resident):
        draft = WorkshopFactory(organisation=riga, status=WorkshopStatus.DRAFT)
        client.force_login(resident)
        assert client.get(detail(draft)).status_code == 404
        assert draft.title not in html_of(client.get("/o/riga/workshops/"))

    def test_a_draft_is_seen_by_its_staff_and_marked(self, client, riga, riga_admin):
        draft = WorkshopFactory(organisation=riga, status=WorkshopStatus.DRAFT)
        client.force_login(riga_admin)
        assert "Draft: only staff can see this" in html_of(client.get(detail(draft)))

    def test_anonymous_visitors_are_asked_to_sign_in_and_come_back(self, client, workshop):
        page = html_of(client.get(detail(workshop)))
        assert "Sign in to register" in page
        assert f"/accounts/login/?next=/workshops/{workshop.pk}/" in page
        posted = client.post(detail(workshop), {"action": "register"})
        assert posted.status_code == 302
        assert posted["Location"].startswith("/accounts/login/?next=")
        assert not Registration.objects.exists()

    def test_a_full_workshop_without_waiting_list_refuses_on_the_form(
        self, client, workshop, resident
    ):
        workshop.waitlist_enabled = False
        workshop.save()
        for _ in range(2):
            RegistrationFactory(workshop=workshop)
        workshop.registered = 2
        workshop.save()
        client.force_login(resident)
        answer = client.post(detail(workshop), {"action": "register"})
        assert answer.status_code == 400
        page = html_of(answer)
        assert "error-summary" in page
        assert "This workshop is full and has no waiting list." in page
        assert not Registration.objects.filter(user=resident).exists()

    def test_registering_twice_is_refused_with_its_message(self, client, workshop, resident):
        client.force_login(resident)
        client.post(detail(workshop), {"action": "register"})
        # The same form sent again (another tab).
        answer = client.post(detail(workshop), {"action": "register"})
        assert answer.status_code == 400
        assert "You are already registered for this workshop." in html_of(answer)

    def test_too_young_is_said_before_the_button(self, client, workshop, resident):
        workshop.minimum_age = 18
        workshop.save()
        factories.ResidentProfileFactory(user=resident, birth_year=timezone.now().year - 10)
        client.force_login(resident)
        page = html_of(client.get(detail(workshop)))
        assert "minimum age or older" in page
        assert 'value="register"' not in page
        answer = client.post(detail(workshop), {"action": "register"})
        assert answer.status_code == 400
        assert "minimum age or older" in html_of(answer)

    def test_no_birth_year_asks_for_one(self, client, workshop, resident):
        workshop.minimum_age = 16
        workshop.save()
        client.force_login(resident)
        assert "add your birth year to your profile" in html_of(client.get(detail(workshop)))

    def test_a_cancelled_workshop_says_so_with_its_reason(self, client, workshop, resident):
        workshop.status = WorkshopStatus.CANCELLED
        workshop.cancellation_reason = "The hall is flooded."
        workshop.save()
        client.force_login(resident)
        page = html_of(client.get(detail(workshop)))
        assert "This workshop has been cancelled" in page
        assert "The hall is flooded." in page
        assert 'value="register"' not in page
        answer = client.post(detail(workshop), {"action": "register"})
        assert answer.status_code == 400
        assert "This workshop has been cancelled: registration is closed." in html_of(answer)
        assert "Cancelled" in html_of(client.get("/o/riga/workshops/"))

    def test_a_started_workshop_takes_no_registration(self, client, riga, resident):
        now = timezone.now()
        running = WorkshopFactory(
            organisation=riga,
            starts_at=now - timedelta(minutes=5),
            ends_at=now + timedelta(hours=1),
        )
        client.force_login(resident)
        answer = client.post(detail(running), {"action": "register"})
        assert answer.status_code == 400
        assert "This workshop has already started: registration is closed." in html_of(answer)

    def test_cancelling_without_a_registration_is_said(self, client, workshop, resident):
        client.force_login(resident)
        answer = client.post(detail(workshop), {"action": "cancel"}, follow=True)
        assert "You are not registered for this workshop." in html_of(answer)

    def test_the_outcome_is_not_found_before_it_is_published(self, client, workshop, resident):
        client.force_login(resident)
        assert client.get(f"/workshops/{workshop.pk}/outcome/").status_code == 404

    def test_another_organisations_process_is_not_listed_here(self, client, riga, gdansk):
        process = factories.budget_process(organisation=gdansk)
        assert client.get(f"/o/riga/workshops/?process={process.slug}").status_code == 404


# --- the list ---------------------------------------------------------------------------


class TestList:
    def test_upcoming_and_past_with_zone_places_and_groups(self, client, riga, workshop):
        now = timezone.now()
        WorkshopFactory(
            organisation=riga,
            title="Last year's evaluation",
            starts_at=now - timedelta(days=30),
            ends_at=now - timedelta(days=30) + timedelta(hours=2),
        )
        page = html_of(client.get("/o/riga/workshops/"))
        assert "10:00–12:30 EEST" in page  # noqa: RUF001
        start = summer_start()
        assert f"{start:%a} 15 June {start.year}, 10:00–12:30 EEST" in page  # noqa: RUF001
        assert 'data-local-zone="Europe/Riga"' in page
        assert f'datetime="{workshop.starts_at.isoformat()}"' in page
        assert "2 places left" in page
        assert "Young person (under 26)" in page
        assert "Community centre, Brīvības iela 1" in page
        upcoming, past = page.split("Past workshops", 1)
        assert "Riverside park ideas" in upcoming
        assert "Last year&#x27;s evaluation" in past or "Last year's evaluation" in past

    def test_a_winter_workshop_shows_winter_time(self, client, riga):
        start = datetime(timezone.now().year + 1, 12, 1, 16, 0, tzinfo=UTC)
        WorkshopFactory(organisation=riga, starts_at=start, ends_at=start + timedelta(hours=1))
        assert "18:00–19:00 EET" in html_of(client.get("/o/riga/workshops/"))  # noqa: RUF001

    def test_online_and_full_with_waiting_list(self, client, riga):
        online = WorkshopFactory(
            organisation=riga, format=WorkshopFormat.ONLINE, capacity=1, title="Online talk"
        )
        RegistrationFactory(workshop=online)
        RegistrationFactory(workshop=online, status=RegistrationStatus.WAITLISTED)
        online.registered = 1
        online.save()
        page = html_of(client.get("/o/riga/workshops/"))
        assert "Online" in page
        assert "Full" in page
        assert "1 on the waiting list" in page

    def test_filter_by_format_and_district_without_javascript(self, client, riga):
        north = factories.DistrictFactory(organisation=riga, slug="north", name="North")
        WorkshopFactory(organisation=riga, title="Hall meeting", district=north)
        WorkshopFactory(organisation=riga, title="Video call", format=WorkshopFormat.ONLINE)
        page = html_of(client.get("/o/riga/workshops/?format=online"))
        assert "Video call" in page
        assert "Hall meeting" not in page
        assert 'name="format"' in page
        assert "<label" in page
        page = html_of(client.get("/o/riga/workshops/?district=north"))
        assert "Hall meeting" in page
        assert "Video call" not in page
        assert "Clear filters" in page

    def test_a_process_lists_its_workshops(self, client, riga):
        process = factories.budget_process(organisation=riga)
        WorkshopFactory(organisation=riga, title="Proposal clinic", process=process)
        WorkshopFactory(organisation=riga, title="Unrelated")
        page = html_of(client.get(f"/o/riga/workshops/?process={process.slug}"))
        assert "Proposal clinic" in page
        assert "Unrelated" not in page
        assert process.title in page

    def test_the_calendar_feed(self, client, workshop):
        answer = client.get("/o/riga/workshops.ics")
        assert answer.status_code == 200
        assert answer["Content-Type"].startswith("text/calendar")
        assert b"BEGIN:VCALENDAR" in answer.content
        assert b"Riverside park ideas" in answer.content


# --- one workshop -----------------------------------------------------------------------


class TestDetail:
    def test_everything_a_resident_needs_to_know(self, client, workshop):
        AgendaItem.objects.create(workshop=workshop, position=0, title="Welcome")
        AgendaItem.objects.create(
            workshop=workshop, position=1, starts_after_minutes=30, title="Ideas round"
        )
        page = html_of(client.get(detail(workshop)))
        assert "10:00–12:30 EEST" in page  # noqa: RUF001
        assert "Welcome" in page
        assert "10:30" in page
        assert "Ideas round" in page
        assert "Community centre" in page
        assert "Brīvības iela 1" in page
        assert "Show on the map (OpenStreetMap)" in page
        assert "mlat=56.949600&amp;mlon=24.105200" in page
        assert "Latvian, English" in page
        assert "Step-free entrance from the courtyard." in page
        assert "0 of 2 places taken." in page
        assert f"/api/v1/workshops/{workshop.pk}/calendar.ics" in page

    def test_register_confirmed_then_cancel(self, client, workshop, resident):
        client.force_login(resident)
        form = html_of(client.get(detail(workshop)))
        assert "Accessibility needs" in form
        assert "deleted 30 days after the workshop" in form
        answer = client.post(
            detail(workshop),
            {"action": "register", "accessibility_needs": "Wheelchair user"},
            follow=True,
        )
        page = html_of(answer)
        assert "You are registered: your place is confirmed." in page
        assert 'role="status"' in page
        registration = Registration.objects.get(user=resident)
        assert registration.status == RegistrationStatus.CONFIRMED
        assert registration.accessibility_needs == "Wheelchair user"
        assert "1 of 2 places taken." in page
        assert "Cancel my registration" in page
        cancelled = html_of(client.post(detail(workshop), {"action": "cancel"}, follow=True))
        assert "Your registration is cancelled." in cancelled
        registration.refresh_from_db()
        assert registration.status == RegistrationStatus.CANCELLED

    def test_a_full_workshop_puts_people_on_the_waiting_list(self, client, workshop, resident):
        for _ in range(2):
            RegistrationFactory(workshop=workshop)
        workshop.registered = 2
        workshop.save()
        client.force_login(resident)
        assert "Join the waiting list" in html_of(client.get(detail(workshop)))
        page = html_of(client.post(detail(workshop), {"action": "register"}, follow=True))
        assert "you are on the waiting list, number 1" in page
        assert "You are on the waiting list, number 1." in page
        assert "Leave the waiting list" in page
        assert Registration.objects.get(user=resident).status == RegistrationStatus.WAITLISTED

    def test_a_participant_sees_their_answers_and_when_they_go(self, client, workshop, resident):
        workshop.asks_dietary_needs = True
        workshop.save()
        RegistrationFactory(
            workshop=workshop,
            user=resident,
            accessibility_needs="Wheelchair user",
            dietary_needs="",
        )
        client.force_login(resident)
        page = html_of(client.get(detail(workshop)))
        assert "Your answers" in page
        assert "Wheelchair user" in page
        assert "None given" in page  # the dietary question, left empty
        # Ends 09:30 UTC on 15 June; 30 days later is 15 July (a date in Rīga).
        day = (summer_start() + timedelta(days=30)).strftime("%a %-d %B %Y")
        assert f"They will be deleted on {day}, 30 days after the workshop." in page
        assert "were deleted on" not in page

    def test_another_person_does_not_see_the_answers(self, client, workshop, resident):
        RegistrationFactory(workshop=workshop, accessibility_needs="Wheelchair user")
        client.force_login(resident)
        page = html_of(client.get(detail(workshop)))
        assert "Wheelchair user" not in page
        assert "Your answers" not in page

    def test_after_deletion_the_page_says_the_answers_were_deleted(self, client, riga, resident):
        start = timezone.now() - timedelta(days=40)
        past = WorkshopFactory(
            organisation=riga, starts_at=start, ends_at=start + timedelta(hours=2)
        )
        RegistrationFactory(workshop=past, user=resident, accessibility_needs="Wheelchair user")
        from workshops.services.retention import delete_expired_answers

        assert delete_expired_answers() == 1
        client.force_login(resident)
        page = html_of(client.get(detail(past)))
        assert "Wheelchair user" not in page
        assert "You were registered for this workshop." in page
        deleted = Registration.objects.get(user=resident).answers_deleted_at
        day = timezone.localtime(deleted, timezone=ZoneInfo("Europe/Riga")).strftime("%a %-d %B %Y")
        assert f"were deleted on {day}, 30 days after the workshop." in page

    def test_a_workshop_that_asks_nothing_shows_no_answers(self, client, workshop, resident):
        workshop.asks_accessibility_needs = False
        workshop.save()
        RegistrationFactory(workshop=workshop, user=resident)
        client.force_login(resident)
        page = html_of(client.get(detail(workshop)))
        assert "You are registered" in page
        assert "Your answers" not in page

    def test_registration_closing_time_is_shown_in_the_zone(self, client, workshop):
        workshop.registration_closes_at = workshop.starts_at - timedelta(days=1, hours=1)
        workshop.save()
        page = html_of(client.get(detail(workshop)))
        assert "Registration closes" in page
        day = (summer_start() - timedelta(days=1)).strftime("%a %-d %B %Y")
        assert f"{day}, 09:00 EEST" in page

    def test_a_past_workshop_says_how_many_registered_not_places(self, client, riga):
        start = timezone.now() - timedelta(days=3)
        WorkshopFactory(
            organisation=riga,
            title="Old one",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            capacity=30,
            registered=14,
        )
        listing = html_of(client.get("/o/riga/workshops/"))
        assert "14 people registered" in listing
        assert "16 places left" not in listing

    def test_a_past_workshop_leads_to_its_outcome_not_the_calendar(self, client, riga):
        start = timezone.now() - timedelta(days=3)
        past = WorkshopFactory(
            organisation=riga,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            outcome_published_at=timezone.now(),
        )
        page = html_of(client.get(detail(past)))
        assert "This workshop has taken place." in page
        assert page.count(f'href="/workshops/{past.pk}/outcome/"') == 2
        assert "calendar.ics" not in page
        listing = html_of(client.get("/o/riga/workshops/"))
        assert "What came out of it" in listing

    def test_online_workshops_say_where_the_link_will_be(self, client, riga, workshop):
        workshop.format = WorkshopFormat.ONLINE
        workshop.online_url = "https://meet.example.org/x"
        workshop.save()
        page = html_of(client.get(detail(workshop)))
        assert "find the link on this page from 30 minutes before the start" in page
        assert "https://meet.example.org/x" not in page
        assert f"/accounts/signup/?next=/workshops/{workshop.pk}/" in page

    def test_signed_out_visitors_learn_it_is_full_before_signing_in(self, client, workshop):
        workshop.registered = 2
        workshop.save()
        page = html_of(client.get(detail(workshop)))
        assert "The workshop is full. Register to join the waiting list" in page
        assert "Sign in to register" in page

    def test_the_list_says_when_registration_has_closed(self, client, workshop):
        workshop.registration_closes_at = timezone.now() - timedelta(hours=1)
        workshop.save()
        listing = html_of(client.get("/o/riga/workshops/"))
        assert "Registration has closed" in listing
        assert "2 places left" not in listing
        page = html_of(client.get(detail(workshop)))
        assert "Registration for this workshop has closed." in page

    def test_other_languages_are_named(self, client, workshop):
        workshop.languages = ["lv", "ru"]
        workshop.save()
        page = html_of(client.get(detail(workshop)))
        assert "Latvian, Russian" in page

    def test_dietary_question_only_when_asked(self, client, workshop, resident):
        client.force_login(resident)
        assert "Dietary needs" not in html_of(client.get(detail(workshop)))
        workshop.asks_dietary_needs = True
        workshop.save()
        assert "Dietary needs" in html_of(client.get(detail(workshop)))

    def test_the_online_link_only_for_participants_and_only_near_the_start(
        self, client, riga, resident
    ):
        now = timezone.now()
        online = WorkshopFactory(
            organisation=riga,
            format=WorkshopFormat.ONLINE,
            online_url="https://meet.example.org/riga-park",
            starts_at=now + timedelta(minutes=20),
            ends_at=now + timedelta(hours=2),
        )
        assert "meet.example.org" not in html_of(client.get(detail(online)))
        client.force_login(resident)
        assert "meet.example.org" not in html_of(client.get(detail(online)))
        RegistrationFactory(workshop=online, user=resident)
        assert "https://meet.example.org/riga-park" in html_of(client.get(detail(online)))
        later = WorkshopFactory(
            organisation=riga,
            format=WorkshopFormat.ONLINE,
            online_url="https://meet.example.org/later",
        )
        RegistrationFactory(workshop=later, user=resident)
        page = html_of(client.get(detail(later)))
        assert "meet.example.org/later" not in page
        assert "The link appears here 30 minutes before the start." in page

    def test_the_board_is_linked_once_it_is_open(self, client, workshop):
        board = f"/workshops/{workshop.pk}/board/"
        assert board not in html_of(client.get(detail(workshop)))
        workshop.board_stage = "ideation"
        workshop.save()
        assert board in html_of(client.get(detail(workshop)))

    def test_staff_see_a_link_to_manage(self, client, workshop, riga_admin):
        client.force_login(riga_admin)
        assert f"/staff/workshops/{workshop.pk}/" in html_of(client.get(detail(workshop)))


# --- the outcome ------------------------------------------------------------------------


class TestOutcome:
    def test_published_outcome_with_minutes_photos_board_and_no_hidden_notes(self, client, riga):
        now = timezone.now()
        past = WorkshopFactory(
            organisation=riga,
            starts_at=now - timedelta(days=3),
            ends_at=now - timedelta(days=3) + timedelta(hours=2),
            minutes="<p>We agreed on <strong>benches</strong>.</p><script>alert(1)</script>",
            outcome_published_at=now,
        )
        prompt = PromptFactory(workshop=past, text="What should change?")
        idea = factories.IdeaFactory(title="Benches by the river")
        cluster = ClusterFactory(workshop=past, prompt=prompt, title="Seating", idea=idea)
        NoteFactory(workshop=past, prompt=prompt, cluster=cluster, text="More benches")
        NoteFactory(workshop=past, prompt=prompt, text="Hidden rude note", hidden=True)
        NoteFactory(workshop=past, prompt=prompt, text="Shade trees")
        page = html_of(client.get(f"/workshops/{past.pk}/outcome/"))
        assert "<strong>benches</strong>" in page
        assert "<script>alert" not in page
        assert "Seating" in page
        assert "More benches" in page
        assert "Shade trees" in page
        assert "Hidden rude note" not in page
        assert "Ideas made from the workshop" in page
        assert f'href="/ideas/{idea.pk}/"' in page
        assert "What came out of the workshop" in html_of(client.get(detail(past)))

    def test_staff_preview_before_publishing(self, client, workshop, riga_admin):
        client.force_login(riga_admin)
        page = html_of(client.get(f"/workshops/{workshop.pk}/outcome/"))
        assert "Preview: not published yet" in page


# --- listings on other pages -------------------------------------------------------------


class TestListings:
    def test_the_organisation_page_shows_upcoming_workshops(self, client, workshop):
        page = html_of(client.get("/o/riga/"))
        assert "Riverside park ideas" in page
        assert "10:00–12:30 EEST" in page  # noqa: RUF001
        assert 'href="/o/riga/workshops/"' in page
        assert "All workshops" in page
        assert '<h2 id="workshops-heading">Upcoming workshops</h2>' in page

    def test_the_round_and_process_pages_list_theirs(self, client, riga):
        process = factories.budget_process(organisation=riga)
        budget_round = process.budget_round
        WorkshopFactory(organisation=riga, title="Round clinic", budget_round=budget_round)
        WorkshopFactory(organisation=riga, title="Process clinic", process=process)
        WorkshopFactory(
            organisation=riga,
            title="Draft clinic",
            process=process,
            budget_round=budget_round,
            status=WorkshopStatus.DRAFT,
        )
        round_page = html_of(client.get(f"/rounds/{budget_round.slug}/"))
        assert "Round clinic" in round_page
        assert "Draft clinic" not in round_page
        process_page = html_of(client.get(f"/processes/{process.slug}/"))
        assert "Process clinic" in process_page
        assert "Draft clinic" not in process_page
        assert f"/o/riga/workshops/?process={process.slug}" in process_page

    def test_staff_organisation_page_links_the_workshops(self, client, riga, riga_admin):
        client.force_login(riga_admin)
        assert "/staff/o/riga/workshops/" in html_of(client.get("/staff/o/riga/"))

    def test_moderators_get_no_workshop_link(self, client, riga):
        moderator = factories.staff(riga, Role.MODERATOR)
        client.force_login(moderator)
        assert "/staff/o/riga/workshops/" not in html_of(client.get("/staff/o/riga/"))
