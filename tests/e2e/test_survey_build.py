"""An administrator builds a small survey on a phone, by the forms alone: a blank survey, a
section, a choice question, a scale shown only after "Yes", a preview, publishing."""

from __future__ import annotations

import re

import pytest

from surveys.models import Question, Survey, SurveyState
from tests.e2e.browser import PHONE, axe_check, visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def no_sideways_scrolling(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def submit(page, button) -> None:
    with page.expect_navigation():
        button.click()


def test_an_administrator_builds_a_survey_on_a_phone(open_page, riga, riga_admin):
    page = open_page(riga_admin, viewport=PHONE)
    visit(page, "/staff/o/riga/surveys/")
    page.get_by_role("link", name="New survey").click()
    page.wait_for_url("**/surveys/new/")
    axe_check(page)
    page.get_by_label(re.compile(r"^Title")).fill("Our parks")
    submit(page, page.get_by_role("button", name="Create the survey"))
    assert page.url.endswith("/staff/surveys/our-parks/build/")
    visit(page, "/staff/surveys/our-parks/build/")  # axe on the empty editor

    add_section = page.locator("fieldset", has=page.get_by_text("Add a section", exact=True))
    add_section.get_by_label(re.compile(r"^Title( \(optional\))?$")).fill("Visits")
    submit(page, page.get_by_role("button", name="Add the section"))

    adding = page.locator("fieldset", has=page.get_by_text("Add a question to section 1"))
    adding.get_by_label("Kind").select_option("single_choice")
    adding.get_by_label("Question").fill("Do you visit a park every week?")
    adding.get_by_label(re.compile("^Options, one per line")).fill("Yes\nNo")
    submit(page, page.get_by_role("button", name="Add the question"))
    first = Question.objects.get(survey__slug="our-parks")
    assert page.url.endswith(f"/questions/{first.pk}/")
    visit(page, page.url)  # axe on the question editor
    assert no_sideways_scrolling(page)

    visit(page, "/staff/surveys/our-parks/build/", axe=False)
    adding = page.locator("fieldset", has=page.get_by_text("Add a question to section 1"))
    adding.get_by_label("Kind").select_option("scale")
    adding.get_by_label("Question").fill("How happy are you with it?")
    submit(page, page.get_by_role("button", name="Add the question"))

    condition = page.locator("form", has=page.get_by_role("button", name="Save the condition"))
    condition.get_by_label("Show this question").select_option("q1")
    condition.get_by_label("q1: Yes").check()
    submit(page, page.get_by_role("button", name="Save the condition"))
    assert Question.objects.get(survey__slug="our-parks", code="q2").condition == {
        "question": "q1",
        "options": ["o1"],
    }

    visit(page, "/staff/surveys/our-parks/preview/")
    assert "Do you visit a park every week?" in page.content()
    assert no_sideways_scrolling(page)

    visit(page, "/staff/surveys/our-parks/build/")
    assert no_sideways_scrolling(page)
    submit(page, page.get_by_role("button", name="Publish"))
    assert Survey.objects.get(slug="our-parks").state == SurveyState.OPEN
    visit(page, "/staff/surveys/our-parks/build/")
