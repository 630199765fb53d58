"""Every page of the demo city, as a visitor, a resident and staff: each one answers, keeps
the strict CSP, fits a phone and passes axe-core.

The demo (``seed_demo``) has a round in voting, one with published results and projects being
built, an idea collection with a discussion and a moderation case: the pages show real,
varied content rather than empty states.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from budgeting.models import Project
from engagement.ideas.models import Idea
from engagement.people.models import User
from tests.e2e.browser import axe_check, check_response

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The narrowest phone Kopa supports (WCAG 1.4.10 reflow: 320 CSS px).
NARROW = {"width": 320, "height": 700}

DEMO = "demo-city"
VOTING = "demo-city-2027"
RESULTS = "demo-city-2026"


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", verbosity=0)
    idea = Idea.objects.filter(status="submitted", hidden=False).order_by("pk").first()
    built = Project.objects.filter(round__slug=RESULTS, status__in=["selected", "implemented"])
    return {
        "idea": idea,
        "project": built.order_by("pk").first(),
        "voting_project": Project.objects.filter(round__slug=VOTING).order_by("pk").first(),
        "collection": Idea.objects.filter(process__kind="ideas").first().process.slug,
    }


def paths(*entries: tuple[str, tuple]) -> list[str]:
    """The pages that exist; a page of the URL map not built yet is left out (and named)."""
    found = []
    for name, args in entries:
        try:
            found.append(reverse(f"frontend:{name}", args=args))
        except NoReverseMatch:
            print(f"not built yet: frontend:{name}")
    return found


def tour(page, urls: list[str]) -> None:
    """Visit each page at desktop and 320 px; fail once, at the end, with every finding."""
    problems = []
    for width in ("desktop", "phone"):
        if width == "phone":
            page.set_viewport_size(NARROW)
        for url in urls:
            response = page.goto(url, wait_until="load")
            try:
                check_response(response)
            except AssertionError as error:
                problems.append(str(error))
                continue
            axe_check(page)
            if width == "phone":
                scroll = page.evaluate("() => document.scrollingElement.scrollWidth")
                if scroll > NARROW["width"]:
                    problems.append(f"{url} scrolls sideways on a phone ({scroll} px)")
    assert not problems, "\n".join(problems)


def public_pages(demo: dict) -> list[str]:
    return [
        "/",
        *paths(
            ("organisation", (DEMO,)),
            ("process", (demo["collection"],)),
            ("idea_list", (demo["collection"],)),
            ("idea_list", (VOTING,)),
            ("idea_detail", (demo["idea"].pk,)),
            ("round", (VOTING,)),
            ("round_projects", (VOTING,)),
            ("project", (VOTING, demo["voting_project"].pk)),
            ("round", (RESULTS,)),
            ("round_results", (RESULTS,)),
            ("round_implementation", (RESULTS,)),
            ("project", (RESULTS, demo["project"].pk)),
            ("receipt_check", (VOTING,)),
        ),
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
    ]


def resident_pages(demo: dict) -> list[str]:
    return [
        *paths(
            ("account", ()),
            ("notifications", ()),
            ("notification_settings", ()),
            ("personal_data", ()),
            ("account_delete", ()),
            ("ballot", (VOTING,)),
            ("ballot_district", (VOTING, "city")),
            ("idea_create", (demo["collection"],)),
            ("idea_report", (demo["idea"].pk,)),
            ("ballot_withdraw", (VOTING, "city")),
        ),
        "/accounts/email/",
        "/accounts/password/change/",
    ]


def staff_pages(demo: dict) -> list[str]:
    review = Idea.objects.filter(status__in=["submitted", "under_review"]).order_by("pk")[0]
    return paths(
        ("staff_home", ()),
        ("staff_organisation", (DEMO,)),
        ("staff_organisation_settings", (DEMO,)),
        ("staff_round_create", (DEMO,)),
        ("staff_round", (VOTING,)),
        ("staff_round_settings", (VOTING,)),
        ("staff_round_districts", (VOTING,)),
        ("staff_round_projects", (VOTING,)),
        ("staff_project_edit", (demo["voting_project"].pk,)),
        ("staff_round_phase", (VOTING,)),
        ("staff_tally", (RESULTS,)),
        ("staff_publish", (RESULTS,)),
        ("staff_statistics", (RESULTS,)),
        ("staff_review_queue", (DEMO,)),
        ("staff_idea_review", (review.pk,)),
        ("staff_moderation", (DEMO,)),
        ("staff_paper", (VOTING,)),
        ("staff_implementation", (RESULTS,)),
        ("staff_project_implementation", (demo["project"].pk,)),
    )


# Translations change the words, and with them what axe checks (accessible names must contain
# the visible text) and what must fit on a phone (German's long words): every language the
# catalogues complete is toured too.
@pytest.mark.parametrize("language", ["en", "pl", "de"])
def test_every_public_page(open_page, demo, language):
    page = open_page(locale=language)
    tour(page, public_pages(demo))
    assert page.evaluate("() => document.documentElement.lang") == language


@pytest.mark.parametrize("language", ["en", "pl"])
def test_every_resident_page(open_page, demo, language):
    resident = User.objects.filter(memberships__isnull=True, is_staff=False).order_by("pk")[0]
    page = open_page(resident, locale=language)
    tour(page, resident_pages(demo))


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_staff_page(open_page, demo, language):
    page = open_page(User.objects.get(email="admin@demo.kopa.local"), locale=language)
    tour(page, staff_pages(demo))


def test_error_pages(page, demo):
    for url, status in (("/ideas/999999/", 404), (f"/staff/rounds/{VOTING}/", 302)):
        response = page.goto(url)
        if status == 302:  # anonymous staff page: to the sign-in page
            assert "/accounts/login/" in page.url
            check_response(response)
        else:
            check_response(response, status=status)
        axe_check(page)
