"""Answering a two-section survey on a 320 px phone without an account: every page fits,
passes axe, and the answers arrive."""

from __future__ import annotations

import pytest

from surveys.models import Response
from tests.e2e.browser import axe_check, no_horizontal_scroll, visit
from tests.surveys.factories import two_section_survey

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE_320 = {"width": 320, "height": 640}


def test_answering_a_two_section_survey_on_a_320_px_phone(open_page, riga):
    two_section_survey(riga, slug="cycling", anonymous_allowed=True)
    page = open_page(viewport=PHONE_320)

    visit(page, "/o/riga/surveys/")
    no_horizontal_scroll(page, 320)

    visit(page, "/surveys/cycling/")
    no_horizontal_scroll(page, 320)
    # Sending the first section empty: the error summary links to the question.
    page.get_by_role("button", name="Next").click()
    summary = page.locator(".error-summary")
    assert "Answer this question." in summary.inner_text()
    axe_check(page)
    no_horizontal_scroll(page, 320)

    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("radio", name="North").check()
    page.get_by_role("radio", name="26–40").check()  # noqa: RUF001 - the band's label
    page.get_by_role("checkbox", name="Parent or carer").check()
    page.get_by_role("button", name="Next").click()

    assert page.get_by_text("Part 2 of 2").is_visible()
    axe_check(page)
    no_horizontal_scroll(page, 320)
    page.get_by_role("radio", name="4").check()
    page.get_by_label("Anything else?").fill("More bike racks by the station")
    page.get_by_role("button", name="Check your answers").click()

    assert page.get_by_role("heading", name="Check your answers").is_visible()
    axe_check(page)
    no_horizontal_scroll(page, 320)
    page.get_by_role("button", name="Send my answers").click()

    assert page.get_by_role("heading", name="Thank you for your answers").is_visible()
    axe_check(page)
    no_horizontal_scroll(page, 320)
    response = Response.objects.get()
    assert response.respondent is None
    assert response.answers["q6"] == "More bike racks by the station"
    assert response.district == "north"
