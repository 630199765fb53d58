"""The shared layout in a real browser: CSP in force, accessible, languages, narrow screens."""

from __future__ import annotations

import pytest

from tests.e2e.browser import (
    axe_check,
    focus_stops_without_visible_focus,
    no_horizontal_scroll,
    snap,
    visit,
)

pytestmark = pytest.mark.e2e


def test_home_keeps_its_csp_while_axe_runs(page, page_problems, riga):
    page_problems.expect("CSP violation: Executing inline script")
    response = visit(page, "/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    # axe was injected over the DevTools protocol; the page's own policy still refuses
    # inline code, so the injection did not weaken it.
    executed = page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.__inlineRan = true";
                   document.head.appendChild(s);
                   return window.__inlineRan === true; }"""
    )
    assert executed is False
    assert page.evaluate("() => document.documentElement.classList.contains('js')")
    assert page.get_by_role("heading", level=1).count() == 1
    assert page.get_by_role("link", name="Rīga", exact=True).is_visible()
    snap(page, "home")


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(page, riga):
    visit(page, "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"


def test_language_switcher_turns_the_page_polish(page, riga):
    visit(page, "/")
    assert page.evaluate("() => document.documentElement.lang") == "en"
    page.get_by_label("Language").select_option("pl")
    page.get_by_role("button", name="Change").click()
    page.wait_for_function("() => document.documentElement.lang === 'pl'")
    # The header reads in Polish: navigation, skip link, the switcher itself.
    nav = page.locator(".site-nav")
    assert nav.get_by_role("link", name="Strona główna").is_visible()
    assert nav.get_by_role("link", name="Zaloguj się").is_visible()
    assert nav.get_by_role("link", name="Home").count() == 0
    assert page.get_by_role("link", name="Przejdź do treści").count() == 1
    assert page.get_by_label("Język").is_visible()
    axe_check(page)
    # The choice sticks: the next page is Polish too.
    visit(page, "/accounts/login/")
    assert page.evaluate("() => document.documentElement.lang") == "pl"


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/"])
def test_no_sideways_scroll_at_320_px(open_page, riga, path):
    page = open_page(viewport={"width": 320, "height": 640})
    visit(page, path)
    no_horizontal_scroll(page, 320)


def test_sign_in_and_sign_up_pages_are_accessible(page, riga):
    visit(page, "/accounts/login/")
    assert page.get_by_label("Email").first.is_visible()
    snap(page, "login")
    visit(page, "/accounts/signup/")
    snap(page, "signup")


@pytest.mark.parametrize("path", ["/", "/accounts/login/"])
def test_every_focus_stop_shows_where_the_focus_is(page, riga, path):
    visit(page, path)
    assert focus_stops_without_visible_focus(page) == []
