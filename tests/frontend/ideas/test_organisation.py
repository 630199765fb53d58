"""The organisation page (its open, coming and earlier processes and rounds, its districts)
and a process's page (phase timeline, what one can do now)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.frontend.ideas.conftest import body
from tests.surveys.factories import SurveyFactory

pytestmark = pytest.mark.django_db


def _section(html: str, heading: str) -> str:
    start = html.index(f">{heading}</h2>")
    end = html.find("<h2", start)
    return html[start : end if end != -1 else None]


class TestOrganisationPage:
    def test_open_coming_and_earlier_processes_and_rounds(self, client, riga, north):
        factories.IdeaCollectionFactory(
            organisation=riga, slug="waterfront", title="Ideas for the waterfront"
        )
        factories.IdeaCollectionFactory(
            organisation=riga, slug="old", title="Old collection", phase="closed"
        )
        voting = factories.budget_process(organisation=riga, phase="voting")
        factories.BudgetRoundFactory(organisation=riga, title="Budget 2028", phase="information")
        html = body(client.get("/o/riga/"))
        assert "<h1>Rīga</h1>" in html
        open_now = _section(html, "Open now")
        assert "Ideas for the waterfront" in open_now
        assert voting.budget_round.title in open_now
        assert f'href="/rounds/{voting.budget_round.slug}/"' in open_now
        assert f'href="/processes/{voting.slug}/ideas/"' in open_now
        assert "Budget 2028" in _section(html, "Coming up")
        assert "Old collection" in _section(html, "Earlier")
        assert "North Shore" in _section(html, "Districts")
        # Branding: the organisation's stylesheet is linked.
        assert 'href="/brand/riga.css' in html

    def test_drafts_are_shown_to_the_organisations_staff_only(
        self, client, riga, riga_admin, gdansk_admin
    ):
        factories.IdeaCollectionFactory(
            organisation=riga, slug="secret", title="Secret plan", phase="draft"
        )
        assert "Secret plan" not in body(client.get("/o/riga/"))
        client.force_login(gdansk_admin)
        assert "Secret plan" not in body(client.get("/o/riga/"))
        client.force_login(riga_admin)
        assert "Secret plan" in _section(body(client.get("/o/riga/")), "Coming up")

    def test_surveys_open_coming_and_earlier_with_what_to_do(self, client, riga):
        SurveyFactory(organisation=riga, slug="parks", title="Parks for everyone")
        SurveyFactory(
            organisation=riga,
            slug="tram",
            title="Tram stops",
            state="scheduled",
            opens_at=timezone.now() + timedelta(days=3),
        )
        SurveyFactory(
            organisation=riga,
            slug="old-survey",
            title="Bus lanes",
            state="closed",
            results_visibility="after_close",
        )
        SurveyFactory(organisation=riga, slug="draft-survey", title="Unfinished", state="draft")
        html = body(client.get("/o/riga/"))
        open_now = _section(html, "Open now")
        assert "Parks for everyone" in open_now
        assert 'href="/surveys/parks/">Answer the survey' in open_now
        assert "Tram stops" in _section(html, "Coming up")
        earlier = _section(html, "Earlier")
        assert 'href="/surveys/old-survey/results/">See the results' in earlier
        assert "Unfinished" not in html
        assert 'href="/o/riga/surveys/">All surveys</a>' in html

    def test_unknown_organisation_is_404(self, client, db):
        assert client.get("/o/nowhere/").status_code == 404

    def test_bounded_queries(self, client, riga, django_assert_max_num_queries):
        for number in range(6):
            factories.IdeaCollectionFactory(organisation=riga, slug=f"c{number}")
            factories.budget_process(organisation=riga, phase="proposals", districts=())
        with django_assert_max_num_queries(8):
            assert client.get("/o/riga/").status_code == 200


class TestProcessPage:
    def test_collection_timeline_and_what_to_do_now(self, client, riga, resident):
        closes = timezone.now() + timedelta(days=10)
        factories.IdeaCollectionFactory(
            organisation=riga, slug="waterfront", title="Ideas for the waterfront",
            description="<p>Tell us what the <strong>waterfront</strong> needs.</p>",
            closes_at=closes,
        )  # fmt: skip
        html = body(client.get("/processes/waterfront/"))
        assert "<h1>Ideas for the waterfront</h1>" in html
        assert "Tell us what the <strong>waterfront</strong> needs." in html
        assert '<li aria-current="step">Collecting ideas' in html
        assert "Reviewing ideas" in html
        assert "Closes" in html
        assert "Sign in to submit an idea" in html
        client.force_login(resident)
        html = body(client.get("/processes/waterfront/"))
        assert 'href="/processes/waterfront/ideas/new/"' in html
        assert 'href="/processes/waterfront/ideas/"' in html

    def test_budget_process_links_its_round(self, client, riga):
        process = factories.budget_process(organisation=riga, phase="review")
        html = body(client.get(f"/processes/{process.slug}/"))
        assert f'href="/rounds/{process.budget_round.slug}/"' in html
        assert '<li aria-current="step">Review' in html
        assert "/ideas/new/" not in html  # no new ideas in the review phase

    def test_another_organisations_draft_process_is_404(self, client, gdansk, riga_admin):
        factories.IdeaCollectionFactory(organisation=gdansk, slug="gdansk-draft", phase="draft")
        client.force_login(riga_admin)
        assert client.get("/processes/gdansk-draft/").status_code == 404
