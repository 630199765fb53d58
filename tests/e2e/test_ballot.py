"""The ballot with a keyboard alone, with and without JavaScript, and on a narrow phone."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.e2e.browser import (
    axe_check,
    check_response,
    focus_stops_without_visible_focus,
    no_horizontal_scroll,
    snap,
    visit,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# voting_round's projects p1..p4 cost 40,000, 30,000, 20,000 and 50,000 of a 100,000 budget.
TITLES = {"p1": "Benches by the river", "p2": "Library garden", "p3": "Bike racks", "p4": "Pool"}


def _name_projects(budget_round) -> None:
    for project in budget_round.projects.all():
        project.title = TITLES[project.external_id]
        project.save(update_fields=["title"])


@pytest.fixture
def knapsack_round(riga):
    budget_round = factories.voting_round(organisation=riga, slug="riga-vote", knapsack=True)
    _name_projects(budget_round)
    return budget_round


@pytest.fixture
def voter(riga):
    return factories.eligible_voter(riga, email="voter@example.org")


def is_focused(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page, locator, *, limit: int = 80, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab) until ``locator`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if is_focused(locator):
            return
    active = page.evaluate("() => document.activeElement.outerHTML.slice(0, 200)")
    pytest.fail(f"Tab never reached {locator}; the focus is on {active}")


def test_knapsack_ballot_with_the_keyboard_alone(open_page, knapsack_round, voter):
    page = open_page(voter)
    visit(page, "/rounds/riga-vote/vote/city/")
    budget_text = page.locator("[data-ballot-budget-text]")
    live = page.locator("[data-ballot-status]")
    assert live.get_attribute("aria-live") == "polite"
    assert re.search(
        r"^0\.00\D+ of 100,000\.00\D+ used, 100,000\.00\D+ left", budget_text.inner_text()
    )

    def box(key):
        return page.get_by_role("checkbox", name=re.compile(TITLES[key]))

    tab_to(page, box("p1"))
    page.keyboard.press("Space")
    assert page.get_by_label(re.compile(TITLES["p1"])).is_checked()
    assert re.search(
        r"^40,000\.00\D+ of 100,000\.00\D+ used, 60,000\.00\D+ left", budget_text.inner_text()
    )
    # The live region says what happened, with the new budget figure, for screen readers.
    page.wait_for_function("el => el.textContent.includes('Added')", arg=live.element_handle())
    assert "60,000.00" in live.inner_text()

    tab_to(page, box("p4"))
    page.keyboard.press("Space")
    page.wait_for_function("el => el.textContent.includes('Added')", arg=live.element_handle())
    assert "90,000.00" in budget_text.inner_text()
    # Bike racks (20,000) no longer fit in the 10,000 left: the ballot says so beside them.
    racks = page.locator("[data-ballot-project][data-id=p3]")
    assert "Does not fit" in racks.inner_text()
    axe_check(page)
    snap(page, "ballot-keyboard")

    # On to the review and the receipt, still by keyboard.
    tab_to(page, page.get_by_role("button", name="Review my ballot"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    axe_check(page)
    assert "Benches by the river" in page.locator("main").inner_text()
    tab_to(page, page.get_by_role("button", name=re.compile("Confirm and cast")))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    axe_check(page)
    assert len(factories.ballots_in_box()) == 1
    assert re.search(r"receipt", page.locator("main").inner_text(), re.I)


def test_every_focus_stop_on_the_ballot_is_visible(open_page, knapsack_round, voter):
    page = open_page(voter)
    visit(page, "/rounds/riga-vote/vote/city/")
    assert focus_stops_without_visible_focus(page, limit=80) == []


def test_over_budget_is_refused_without_javascript_and_nothing_is_lost(
    open_page, knapsack_round, voter
):
    page = open_page(voter, javascript=False)
    response = page.goto("/rounds/riga-vote/vote/city/")
    check_response(response)
    # Without the script there is no live bar: the rules say the limit in words.
    assert page.locator("[data-ballot-tracker]").is_hidden()
    assert "may cost at most the budget of" in page.locator("#ballot-rules").inner_text()
    for key in ("p1", "p2", "p4"):  # 120,000 of 100,000
        page.get_by_label(re.compile(TITLES[key])).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Review my ballot").click()
    answer = page.evaluate("() => document.body.innerText")
    assert re.search(
        r"Your choices cost .*120,000\.00.*, which is .*20,000\.00.* over the budget of "
        r".*100,000\.00",
        answer,
    ), answer
    # The choices are still ticked, and nothing was cast.
    for key in ("p1", "p2", "p4"):
        assert page.get_by_label(re.compile(TITLES[key])).is_checked()
    assert not factories.ballots_in_box()
    # axe needs JavaScript; the same 400 page is checked with it in the citizen journey.
    snap(page, "ballot-over-budget-nojs", axe=False)


def test_ranked_ballot_reorders_with_move_buttons_and_keeps_focus(open_page, riga, voter):
    budget_round = factories.voting_round(
        organisation=riga, slug="riga-rank", ballot_format="ordinal", max_rank=3
    )
    _name_projects(budget_round)
    page = open_page(voter)
    visit(page, "/rounds/riga-rank/vote/city/")
    for key in ("p1", "p2", "p3"):
        add = page.get_by_role("button", name=re.compile(f"Add .*{TITLES[key]}"))
        tab_to(page, add)
        page.keyboard.press("Enter")
    ranking = page.locator("[data-ballot-ranking-list] li")
    assert ranking.all_inner_texts()[0].startswith(TITLES["p1"])
    assert page.locator("[data-ballot-counter]").inner_text().startswith("3 of 3")

    move_up = page.locator("[data-ballot-ranking-list]").get_by_role(
        "button", name=re.compile(f"Move .*{TITLES['p3']}.* up|Move up.*{TITLES['p3']}")
    )
    tab_to(page, move_up, backwards=True)
    page.keyboard.press("Enter")
    assert is_focused(move_up), "the focus left the project that moved"
    page.keyboard.press("Enter")
    assert is_focused(move_up)
    order = [text.split("\n")[0] for text in ranking.all_inner_texts()]
    assert order == [TITLES["p3"], TITLES["p1"], TITLES["p2"]]
    live = page.locator("[data-ballot-status]")
    page.wait_for_function("el => el.textContent.includes('moved to')", arg=live.element_handle())
    assert "position 1 of 3" in live.inner_text()
    # The plain form fields follow, so the same POST works without the script.
    ranks = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("[data-ballot-project]")]
               .map(li => [li.dataset.id, li.querySelector("select").value]))"""
    )
    assert ranks == {"p1": "2", "p2": "3", "p3": "1", "p4": ""}
    axe_check(page)
    snap(page, "ballot-ranked")
    with page.expect_navigation():
        page.get_by_role("button", name="Review my ballot").click()
    review = page.locator("table").inner_text()
    assert review.index(TITLES["p3"]) < review.index(TITLES["p1"]) < review.index(TITLES["p2"])
    axe_check(page)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("pl", r"^Wykorzystano 40\s000,00 EUR z 100\s000,00 EUR, pozostało 60\s000,00 EUR"),
        ("de", r"^40\.000,00 EUR von 100\.000,00 EUR verbraucht, 60\.000,00 EUR übrig"),
    ],
)
def test_budget_bar_speaks_the_page_language(open_page, knapsack_round, voter, language, expected):
    # The script's strings come from the JavaScript catalogue and its numbers from the
    # page language, like the server-rendered text around them.
    page = open_page(voter, locale=language)
    visit(page, "/rounds/riga-vote/vote/city/")
    assert page.evaluate("() => document.documentElement.lang") == language
    page.get_by_role("checkbox", name=re.compile(TITLES["p1"])).check()
    text = page.locator("[data-ballot-budget-text]").inner_text()
    assert re.search(expected, text), text


def test_cumulative_ballot_counts_points_left_and_stops_at_the_cap(open_page, riga, voter):
    budget_round = factories.voting_round(
        organisation=riga,
        slug="riga-points",
        ballot_format="cumulative",
        points_budget=5,
        max_points_per_project=3,
    )
    _name_projects(budget_round)
    page = open_page(voter)
    visit(page, "/rounds/riga-points/vote/city/")
    points = page.locator("[data-ballot-points]")
    live = page.locator("[data-ballot-status]")
    assert points.inner_text().startswith("0 of 5 points given, 5 left")

    more = page.get_by_role("button", name=f"More points for {TITLES['p1']}")
    tab_to(page, more)
    for _ in range(4):  # the fourth press is refused: 3 is the most one project can get
        page.keyboard.press("Enter")
    assert page.get_by_role("spinbutton", name=f"Points for {TITLES['p1']}").input_value() == "3"
    page.wait_for_function(
        "el => el.textContent.includes('already has the most points')", arg=live.element_handle()
    )
    assert points.inner_text().startswith("3 of 5 points given, 2 left")

    more_p2 = page.get_by_role("button", name=f"More points for {TITLES['p2']}")
    tab_to(page, more_p2)
    for _ in range(3):  # the third is refused: no points left
        page.keyboard.press("Enter")
    page.wait_for_function(
        "el => el.textContent.includes('No points left')", arg=live.element_handle()
    )
    assert points.inner_text().startswith("5 of 5 points given, 0 left")
    axe_check(page)
    snap(page, "ballot-cumulative")
    with page.expect_navigation():
        page.get_by_role("button", name="Review my ballot").click()
    assert "You gave 5 of your 5 points" in page.locator("main").inner_text()
    axe_check(page)


@pytest.mark.parametrize("path", ["/", "/rounds/riga-vote/", "/rounds/riga-vote/vote/city/"])
def test_voting_pages_fit_a_320_px_phone(open_page, knapsack_round, voter, path):
    page = open_page(voter, viewport={"width": 320, "height": 640})
    visit(page, path)
    no_horizontal_scroll(page, 320)


def test_results_page_fits_a_320_px_phone(open_page, riga):
    factories.results_round(organisation=riga, slug="riga-done")
    page = open_page(viewport={"width": 320, "height": 640})
    visit(page, "/rounds/riga-done/results/")
    no_horizontal_scroll(page, 320)
