"""Registering for a workshop on a 375 px phone: the list, the workshop, the registration
form with its accessibility question, the confirmation with the person's own answers, and
cancelling; axe finds nothing on any of them, nor on the staff pages (the check-in list at
375 px too). The reader's own time zone is added when it differs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tests.e2e.browser import axe_check, no_horizontal_scroll, snap, visit
from tests.workshops.factories import WorkshopFactory
from workshops.models import Registration, RegistrationStatus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE_375 = {"width": 375, "height": 812}


def summer_workshop(organisation):
    start = datetime(timezone.now().year + 1, 6, 15, 7, 0, tzinfo=UTC)
    return WorkshopFactory(
        organisation=organisation,
        title="Riverside park ideas",
        starts_at=start,
        ends_at=start + timedelta(hours=2, minutes=30),
        capacity=1,
        target_groups=["young"],
        languages=["lv", "en"],
        accessibility="Step-free entrance from the courtyard.",
        asks_dietary_needs=True,
    )


def test_registering_on_a_375_px_phone(open_page, riga, resident):
    workshop = summer_workshop(riga)
    page = open_page(resident, viewport=PHONE_375)

    visit(page, "/o/riga/workshops/")
    no_horizontal_scroll(page, 375)
    assert "10:00–12:30 EEST" in page.locator("main").inner_text()  # noqa: RUF001

    page.get_by_role("link", name="Riverside park ideas").click()
    page.wait_for_load_state("load")
    axe_check(page)
    no_horizontal_scroll(page, 375)
    page.get_by_label("Accessibility needs").fill("I use a wheelchair")
    page.get_by_label("Dietary needs").fill("Vegetarian")
    page.get_by_role("button", name="Register").click()
    page.wait_for_load_state("load")

    status = page.get_by_role("status")
    assert "your place is confirmed" in status.inner_text()
    axe_check(page)
    no_horizontal_scroll(page, 375)
    snap(page, "workshop-registered")
    registration = Registration.objects.get(workshop=workshop, user=resident)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.accessibility_needs == "I use a wheelchair"
    answers = page.locator(".workshop-answers").inner_text()
    assert "I use a wheelchair" in answers
    assert "Vegetarian" in answers
    assert "They will be deleted on" in answers

    page.get_by_role("button", name="Cancel my registration").click()
    page.wait_for_load_state("load")
    assert "Your registration is cancelled." in page.get_by_role("status").inner_text()
    assert page.locator(".workshop-answers").count() == 0
    axe_check(page)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


def test_a_full_workshop_puts_the_next_person_on_the_waiting_list(open_page, riga, resident):
    from tests.factories import UserFactory

    workshop = summer_workshop(riga)
    first = UserFactory()
    Registration.objects.create(
        workshop=workshop, user=first, status="confirmed", registered_at=timezone.now()
    )
    workshop.registered = 1
    workshop.save()
    page = open_page(resident, viewport=PHONE_375)
    visit(page, f"/workshops/{workshop.pk}/")
    page.get_by_role("button", name="Join the waiting list").click()
    page.wait_for_load_state("load")
    assert "waiting list, number 1" in page.get_by_role("status").inner_text()
    axe_check(page)


def test_the_readers_own_zone_is_added(browser, live_server, riga):
    workshop = summer_workshop(riga)
    context = browser.new_context(
        base_url=live_server.url, timezone_id="Europe/London", locale="en"
    )
    try:
        page = context.new_page()
        page.goto(f"/workshops/{workshop.pk}/", wait_until="load")
        note = page.locator(".workshop-time__viewer").first
        note.wait_for()
        # 10:00 EEST is 08:00 BST.
        assert "08:00–10:30 your time" in note.inner_text()  # noqa: RUF001
    finally:
        context.close()
    same = browser.new_context(base_url=live_server.url, timezone_id="Europe/Riga")
    try:
        page = same.new_page()
        page.goto(f"/workshops/{workshop.pk}/", wait_until="load")
        assert page.locator(".workshop-time__viewer").count() == 0
    finally:
        same.close()


def test_the_staff_form_and_list_pass_axe(open_page, riga, riga_admin, resident):
    workshop = summer_workshop(riga)
    Registration.objects.create(
        workshop=workshop,
        user=resident,
        status="confirmed",
        registered_at=timezone.now(),
        accessibility_needs="Hearing loop",
    )
    page = open_page(riga_admin)
    visit(page, "/staff/o/riga/workshops/")
    for part in ("", "cancel/", "copy/", "attendance/", "outcome/"):
        visit(page, f"/staff/workshops/{workshop.pk}/{part}")
    visit(page, f"/workshops/{workshop.pk}/outcome/")
    # The check-in list at the door, on a phone: one block per person, nothing sideways.
    page.set_viewport_size(PHONE_375)
    visit(page, f"/staff/workshops/{workshop.pk}/attendance/")
    no_horizontal_scroll(page, 375)
    assert "Hearing loop" in page.locator("table").inner_text()
    page.set_viewport_size({"width": 1280, "height": 900})
    visit(page, "/staff/o/riga/workshops/new/")
    snap(page, "workshop-staff-form")
    # Sent empty: the error summary links to the fields, and still passes axe.
    page.get_by_role("button", name="Create the workshop").click()
    page.wait_for_load_state("load")
    assert page.locator(".error-summary").is_visible()
    axe_check(page)
