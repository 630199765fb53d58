"""Forms in a real browser: bad input answered with a focused error summary, and htmx
interactions that keep the keyboard user's place."""

from __future__ import annotations

import re

import pytest

from engagement.ideas.models import Support
from tests import factories
from tests.e2e.browser import axe_check, check_response, snap, visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_bad_sign_up_is_answered_with_a_focused_error_summary(page, riga):
    factories.UserFactory(email="taken@example.org")
    visit(page, "/accounts/signup/")
    page.get_by_label("Email").fill("taken@example.org")
    page.get_by_label(re.compile(r"^Password$")).fill("short")
    page.get_by_label(re.compile(r"Password \(again\)|Repeat|Confirm", re.I)).fill("other")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name=re.compile(r"Sign up|Create", re.I)).click()
    check_response(answer.value, status=400)
    page.wait_for_load_state()
    summary = page.locator("[data-error-summary]")
    # Screen-reader users hear what went wrong first: the summary has the focus.
    assert summary.evaluate("element => element === document.activeElement")
    assert "already registered" in summary.inner_text(), summary.inner_text()
    assert summary.get_by_role("link").count() >= 1
    # Each field says its own problem and is tied to it.
    email = page.get_by_label("Email")
    assert email.get_attribute("aria-invalid") == "true"
    described = email.get_attribute("aria-describedby") or ""
    assert any(
        page.locator(f"#{ident}").inner_text().strip() for ident in described.split() if ident
    ), described
    # What was typed is kept (not the passwords).
    assert email.input_value() == "taken@example.org"
    axe_check(page)
    snap(page, "signup-errors")
    # The summary's links take the keyboard to the field.
    summary.get_by_role("link").first.click()
    assert page.evaluate("() => document.activeElement.tagName") == "INPUT"


def test_supporting_an_idea_with_htmx_keeps_the_focus_on_the_button(open_page, riga):
    process = factories.IdeaCollectionFactory(organisation=riga, slug="riga-square")
    idea = factories.IdeaFactory(process=process, title="A fountain for the square")
    resident = factories.UserFactory(email="sandra@example.org")
    page = open_page(resident)
    visit(page, f"/ideas/{idea.pk}/")
    support = page.get_by_role("button", name="Support this idea")
    support.focus()
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.keyboard.press("Enter")
    taken_back = page.get_by_role("button", name=re.compile("You support this"))
    taken_back.wait_for()
    # The count changed in place (no reload) and the database agrees.
    assert re.search(r"\b1\s+supporter\b", page.locator("#idea-support").inner_text())
    assert Support.objects.filter(idea=idea, user=resident).exists()
    # A keyboard user is still on the button they pressed, not thrown back to the page top.
    assert taken_back.evaluate("element => element === document.activeElement"), page.evaluate(
        "() => document.activeElement.outerHTML.slice(0, 120)"
    )
    axe_check(page)
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.keyboard.press("Enter")
    page.get_by_role("button", name="Support this idea").wait_for()
    assert not Support.objects.filter(idea=idea, user=resident).exists()


def test_following_an_idea_with_htmx_keeps_the_focus(open_page, riga):
    process = factories.IdeaCollectionFactory(organisation=riga, slug="riga-park")
    idea = factories.IdeaFactory(process=process, title="Swings in the park")
    page = open_page(factories.UserFactory(email="maris@example.org"))
    visit(page, f"/ideas/{idea.pk}/")
    page.get_by_role("button", name="Follow", exact=True).focus()
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.keyboard.press("Enter")
    following = page.get_by_role("button", name=re.compile("^Following"))
    following.wait_for()
    assert following.evaluate("element => element === document.activeElement")
    axe_check(page)


def test_marking_a_notification_read_with_htmx_keeps_the_focus_in_the_list(open_page, riga):
    resident = factories.UserFactory(email="anna@example.org")
    for number in (1, 2):
        factories.NotificationFactory(recipient=resident, context={"title": f"Benches {number}"})
    page = open_page(resident)
    visit(page, "/account/notifications/")
    first = page.get_by_role("button", name=re.compile("^Mark as read")).first
    first.focus()
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('.notification--unread').length === 1")
    page.wait_for_timeout(100)  # htmx settles, then moves the focus
    active = page.evaluate("() => document.activeElement.closest('main') !== null")
    assert active, page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")
    axe_check(page)
