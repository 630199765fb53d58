"""A participatory budget from a resident's idea to the published results, in a real browser.

One story, in the order it happens in a city: a resident signs up (and verifies the address
from the e-mail), proposes an idea; a reviewer accepts it and it becomes a ballot project;
staff opens voting; the resident tries an over-budget ballot, is stopped with a clear
message, casts a valid one, gets a receipt and checks it; staff tallies and publishes; the
resident reads the results and why their idea won. axe-core checks every page on the way;
the key pages are photographed at phone and desktop width.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import NoReverseMatch, reverse

from budgeting.models import BudgetRound, Project
from engagement.ideas.models import Idea
from engagement.people.models import Role, User
from tests import factories
from tests.e2e.browser import axe_check, check_response, snap, visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long walk by the Daugava"
EMAIL = "ilze@example.org"
IDEA_TITLE = "Shade trees on the market square"
OVER_BUDGET = re.compile(r"over the budget", re.I)


def url(name: str, *args: object) -> str:
    """The path of a page, or a skip naming the page when its area has not built it."""
    try:
        return reverse(f"frontend:{name}", args=args)
    except NoReverseMatch:
        pytest.skip(f"page frontend:{name} does not exist yet")


def move_phase(page, slug: str, phase: str, label: str) -> None:
    """Staff moves the round on the phase page: choose the phase, confirm."""
    visit(page, url("staff_round_phase", slug))
    page.get_by_role("radio", name=re.compile(label, re.I)).check()
    page.get_by_role("button", name="Continue").click()
    axe_check(page)
    confirm = page.locator("form:has(input[name=to][type=hidden])").get_by_role("checkbox")
    if confirm.count():
        confirm.check()
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(rf"Yes, move to {label}", re.I)).click()
    check_response_ok(page)
    assert BudgetRound.objects.get(slug=slug).phase == phase
    axe_check(page)


def check_response_ok(page) -> None:
    assert page.locator(".message--error, [data-error-summary]").count() == 0, page.locator(
        "main"
    ).inner_text()[:800]


@pytest.fixture
def city(riga):
    """Rīga's 2027 budget: €100,000 city-wide, three projects already proposed by the city."""
    process = factories.budget_process(
        organisation=riga,
        phase="proposals",
        districts=(),
        slug="riga-2027",
        title="Rīga decides 2027",
        knapsack=True,
        verified_email_required=True,
    )
    budget_round = process.budget_round
    city_budget = budget_round.districts.get(key="city")
    for external_id, title, cost in (
        ("c-1", "Library reading garden", 45_000_00),
        ("c-2", "Cycle lane on Brīvības iela", 35_000_00),
        ("c-3", "Skate park by the river", 30_000_00),
    ):
        factories.ProjectFactory(
            district_budget=city_budget,
            external_id=external_id,
            title=title,
            description=f"{title}: planned by the city.",
            cost=cost,
            status="feasible",
        )
    return process


def test_a_resident_idea_goes_from_sign_up_to_published_results(open_page, riga, city):
    budget_round = city.budget_round
    slug = budget_round.slug
    admin = factories.staff(riga, Role.ADMINISTRATOR, email="admin@riga.example")
    reviewer = factories.staff(riga, Role.REVIEWER, email="reviewer@riga.example")
    resident = open_page()

    # --- the resident finds the round and signs up --------------------------------------------
    visit(resident, "/")
    snap(resident, "home")
    visit(resident, url("round", slug))
    assert resident.get_by_role("heading", level=1).inner_text().strip() == "Rīga decides 2027"
    snap(resident, "round")

    visit(resident, "/accounts/signup/")
    resident.get_by_label("Email").fill(EMAIL)
    resident.get_by_label(re.compile(r"^Password$")).fill(PASSWORD)
    resident.get_by_label(re.compile(r"Password \(again\)|Repeat|Confirm", re.I)).fill(PASSWORD)
    with resident.expect_navigation():
        resident.get_by_role("button", name=re.compile(r"Sign up|Create", re.I)).click()
    check_response_ok(resident)
    axe_check(resident)
    person = User.objects.get(email=EMAIL)

    # The verification e-mail arrived in this process's outbox (the live server is a thread).
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    visit(resident, urlsplit(link.group(0)).path)
    with resident.expect_navigation():
        resident.get_by_role("button", name=re.compile("Confirm", re.I)).click()
    check_response_ok(resident)
    axe_check(resident)
    assert person.emailaddress_set.get(email=EMAIL).verified

    # --- the resident proposes an idea, starting from the round's page --------------------------
    visit(resident, url("round", slug))
    with resident.expect_navigation():
        resident.get_by_role("link", name="Propose an idea").first.click()
    assert urlsplit(resident.url).path == url("idea_create", city.slug)
    axe_check(resident)
    resident.get_by_label("Title").fill(IDEA_TITLE)
    resident.get_by_label("Your idea").fill(
        "Plant ten lindens along the east side of the square.\n\nShade for the Saturday market."
    )
    resident.get_by_label("Your cost estimate").fill("18000")
    with resident.expect_navigation():
        resident.get_by_role("button", name=re.compile(r"^Submit", re.I)).click()
    check_response_ok(resident)
    idea = Idea.objects.get(title=IDEA_TITLE)
    assert idea.author == person
    assert idea.status == "submitted"
    axe_check(resident)
    visit(resident, url("idea_detail", idea.pk))
    assert resident.get_by_role("heading", level=1).inner_text().strip() == IDEA_TITLE
    snap(resident, "idea")

    # --- staff closes proposals; a reviewer accepts the idea -----------------------------------
    staff = open_page(admin)
    move_phase(staff, slug, "review", "Review")

    reviewing = open_page(reviewer)
    visit(reviewing, url("staff_review_queue", riga.slug))
    reviewing.get_by_role("link", name=IDEA_TITLE).first.click()
    reviewing.wait_for_load_state()
    axe_check(reviewing)
    reviewing.get_by_role("radio", name=re.compile("accept", re.I)).check()
    reviewing.get_by_role("textbox", name=re.compile("^Administration's cost")).fill("20000")
    reviewing.get_by_role("textbox", name=re.compile("^Public reason")).fill(
        "Feasible: the square is city land and the lindens fit the 2027 planting plan."
    )
    reviewing.get_by_role("checkbox", name=re.compile("I understand", re.I)).check()
    snap(reviewing, "review")
    with reviewing.expect_navigation():
        reviewing.get_by_role("button", name="Save the answer").click()
    check_response_ok(reviewing)
    axe_check(reviewing)
    idea.refresh_from_db()
    assert idea.status == "accepted"
    project = Project.objects.get(idea=idea)
    assert project.cost == 20_000_00

    # --- staff opens voting -------------------------------------------------------------------
    move_phase(staff, slug, "voting", "Voting")
    project.refresh_from_db()
    assert project.status == "on_ballot"
    visit(staff, url("staff_round", slug))
    snap(staff, "staff-dashboard")

    # --- the resident votes: over budget first, then a ballot that fits -------------------------
    # With one budget, the vote page goes straight to its ballot.
    visit(resident, url("ballot", slug))
    assert urlsplit(resident.url).path == url("ballot_district", slug, "city")
    snap(resident, "ballot")
    budget_text = resident.locator("[data-ballot-budget-text]")
    for title in ("Library reading garden", "Cycle lane on Brīvības iela", "Skate park"):
        resident.get_by_label(re.compile(title)).check()
    # With JavaScript the bar says it at once, and the live region explains what happened.
    assert OVER_BUDGET.search(budget_text.inner_text()), budget_text.inner_text()
    status = resident.locator("[data-ballot-status]")
    resident.wait_for_function(
        "el => el.textContent.trim().length > 0", arg=status.element_handle()
    )
    assert "does not fit" in status.inner_text()
    snap(resident, "ballot-over-budget")
    response = None
    with resident.expect_response(lambda r: r.request.method == "POST") as answer:
        resident.get_by_role("button", name="Review my ballot").click()
    response = answer.value
    assert response.status == 400
    check_response(response, status=400)
    resident.wait_for_load_state()
    summary = resident.locator("[data-error-summary]")
    assert summary.is_visible()
    assert re.search(
        r"Your choices cost .*110,000\.00.* which is .*10,000\.00.* over the budget of "
        r".*100,000\.00",
        summary.inner_text(),
    ), summary.inner_text()
    assert summary.evaluate("el => el === document.activeElement")
    axe_check(resident)
    assert not factories.ballots_in_box()

    resident.get_by_label(re.compile("Skate park")).uncheck()
    resident.get_by_label(re.compile("Cycle lane")).uncheck()
    resident.get_by_label(re.compile(IDEA_TITLE)).check()
    resident.get_by_label(re.compile("Cycle lane")).check()
    used = budget_text.inner_text()
    assert re.search(r"100,000\.00\D* of \D*100,000\.00\D* used, 0\.00\D* left", used), used
    with resident.expect_navigation():
        resident.get_by_role("button", name="Review my ballot").click()
    check_response_ok(resident)
    axe_check(resident)
    assert IDEA_TITLE in resident.locator("main").inner_text()
    with resident.expect_navigation():
        resident.get_by_role("button", name="Confirm and cast my ballot").click()
    check_response_ok(resident)
    axe_check(resident)
    code = resident.locator("[data-receipt-code]").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", code), code
    snap(resident, "receipt")
    [ballot] = factories.ballots_in_box()
    assert sorted(ballot.projects) == sorted(
        Project.objects.filter(external_id__in=["c-1", "c-2", project.external_id]).values_list(
            "pk", flat=True
        )
    )
    # The code proves the ballot is counted, typed the way a person might (lower case).
    visit(resident, url("receipt_check", slug))
    resident.get_by_label(re.compile("receipt code", re.I)).fill(code.lower())
    with resident.expect_navigation():
        resident.get_by_role("button", name="Check").click()
    assert "A ballot with this receipt code is counted in City-wide" in (
        resident.locator("[data-receipt-result]").inner_text()
    )
    axe_check(resident)

    # --- staff closes voting, tallies and publishes --------------------------------------------
    move_phase(staff, slug, "tallying", "Tallying")
    visit(staff, url("staff_tally", slug))
    with staff.expect_navigation():
        staff.get_by_role("button", name=re.compile(r"^Run the preview")).click()
    check_response_ok(staff)
    axe_check(staff)
    why = staff.locator("main").inner_text()
    assert re.search(rf"Funded\s+{IDEA_TITLE}.*Funded at step", why, re.S), why
    snap(staff, "staff-tally")
    # Nothing is public before publication.
    assert Project.objects.get(pk=project.pk).status == "on_ballot"
    with staff.expect_navigation():
        staff.get_by_role("link", name="Go to publishing").click()
    check_response_ok(staff)
    axe_check(staff)
    staff.locator("form").filter(
        has=staff.get_by_role("button", name="Publish the results")
    ).get_by_role("checkbox").check()
    with staff.expect_navigation():
        staff.get_by_role("button", name="Publish the results").click()
    check_response_ok(staff)
    axe_check(staff)
    project.refresh_from_db()
    assert project.status == "selected"

    # --- the resident reads the results and why the idea won -----------------------------------
    visit(resident, url("round_results", slug))
    # The table of every project says who won and why, in words (the chart's alternative).
    idea_row = resident.get_by_role("row").filter(has_text=IDEA_TITLE)
    assert re.search(r"Funded.*Funded at step \d", idea_row.inner_text(), re.S), (
        idea_row.inner_text()
    )
    skate_row = resident.get_by_role("row").filter(has_text="Skate park by the river")
    assert re.search(r"Not funded.*only 0\.00\D* was left", skate_row.inner_text(), re.S), (
        skate_row.inner_text()
    )
    snap(resident, "results")
