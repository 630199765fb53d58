"""The results page: winners, explanations, the chart and its table, downloads."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from budgeting.models import PhaseSchedule, Project
from engagement.money import format_money
from tests import factories
from tests.frontend.budgeting.rounds.conftest import publish

pytestmark = pytest.mark.django_db


def results_page(client, budget_round, **headers) -> str:
    response = client.get(f"/rounds/{budget_round.slug}/results/", **headers)
    assert response.status_code == 200
    return response.content.decode()


def row_of(html: str, title: str) -> str:
    match = re.search(rf"<tr[^>]*>\s*<th scope=\"row\">.*?{re.escape(title)}.*?</tr>", html, re.S)
    assert match, f"no table row for {title}"
    return match.group(0)


class TestPublished:
    @pytest.fixture
    def budget_round(self, published_round):
        titles = {"p1": "Benches", "p2": "Bike lane", "p3": "Trees", "p4": "Library"}
        for external_id, title in titles.items():
            Project.objects.filter(round=published_round, external_id=external_id).update(
                title=title
            )
        return published_round

    def test_winners_marked_with_badge_and_icon_text(self, client, budget_round):
        html = results_page(client, budget_round)
        # Greedy on BALLOTS: p1 (3 votes) and p4 (2) fit in 100,000; p2 and p3 do not.
        for winner in ("Benches", "Library"):
            assert '<span aria-hidden="true">✓ </span>Funded</span>' in row_of(html, winner)
        for loser in ("Bike lane", "Trees"):
            assert '<span aria-hidden="true">✗ </span>Not funded</span>' in row_of(html, loser)

    def test_spent_against_budget(self, client, budget_round):
        html = results_page(client, budget_round)
        assert "100,000.00 EUR" in html
        assert "90,000.00 EUR" in html
        assert '<progress id="spent-city" max="10000000" value="9000000">' in html
        assert "90% of the budget is spent" in html
        assert '<span class="stat__value num">4</span> <span class="stat__label">ballots' in html

    def test_explanation_per_project(self, client, budget_round):
        html = results_page(client, budget_round)
        assert "Funded at step 1." in row_of(html, "Benches")
        assert "Funded at step 2." in row_of(html, "Library")
        assert (
            "Not funded: at step 3 it cost 30,000.00 EUR and only 10,000.00 EUR was left."
            in row_of(html, "Bike lane")
        )

    def test_chart_with_text_alternative_and_table(self, client, budget_round):
        html = results_page(client, budget_round)
        assert (
            '<svg class="chart__svg" role="img" aria-labelledby="chart-title-city chart-desc-city"'
            in html
        )
        assert '<title id="chart-title-city">Support per project, City-wide</title>' in html
        assert '<desc id="chart-desc-city">' in html
        assert '<g aria-hidden="true">' in html
        assert html.count('class="chart__bar chart__bar--winner"') == 2
        assert html.count('class="chart__bar"') == 2
        assert "style=" not in html  # CSP: SVG attributes, no inline styles
        assert "<caption>Every project, City-wide: support, outcome and why</caption>" in html
        assert '<th scope="col">Project</th>' in html
        assert '<td class="num">3</td>' in row_of(html, "Benches")

    def test_downloads_of_the_existing_exports(self, client, budget_round):
        html = results_page(client, budget_round)
        slug = budget_round.slug
        assert f'href="/api/v1/rounds/{slug}/results.csv"' in html
        assert f'href="/api/v1/rounds/{slug}/results.json"' in html
        assert f'href="/api/v1/rounds/{slug}/ballots.pb?district=city"' in html
        assert client.get(f"/api/v1/rounds/{slug}/results.csv").status_code == 200

    def test_live_region_knows_it_is_published(self, client, budget_round):
        html = results_page(client, budget_round)
        assert f'data-live-topic="round:{budget_round.slug}:results"' in html
        assert 'data-published="true"' in html

    def test_winners_link_to_their_project_pages(self, client, budget_round):
        p1 = budget_round.projects.get(external_id="p1")
        assert f'<a href="/rounds/{budget_round.slug}/projects/{p1.pk}/">Benches</a>' in (
            results_page(client, budget_round)
        )

    def test_polish(self, client, budget_round):
        Project.objects.filter(round=budget_round, external_id="p1").update(
            translations={"pl": {"title": "Ławki"}}
        )
        html = results_page(client, budget_round, HTTP_ACCEPT_LANGUAGE="pl")
        assert '<html lang="pl"' in html
        assert ">Ławki</a>" in html
        with translation.override("pl"):
            assert format_money(90_000_00, "EUR") in html
        assert "90,000.00 EUR" not in html


class TestEqualShares:
    def test_supporters_shares_spent_on_another_project(self, client, riga, riga_admin):
        budget_round = factories.voting_round(organisation=riga, outcome_rule="mes")
        Project.objects.filter(round=budget_round, external_id="p1").update(title="Benches")
        Project.objects.filter(round=budget_round, external_id="p2").update(title="Bike lane")
        publish(budget_round, riga_admin, [["p1", "p2"], ["p1", "p2"], ["p1"], ["p3"], ["p4"]])
        html = results_page(client, budget_round)
        assert "Not funded: its supporters&#x27; shares were spent on Benches (p1) first." in (
            row_of(html, "Bike lane")
        )
        assert "Method of Equal Shares (no completion)" in html

    def test_districts_each_get_their_section(self, client, riga, riga_admin):
        from budgeting.services import results, rounds, voting

        budget_round = factories.district_voting_round(organisation=riga, citywide=None)
        for key in ("north", "south"):
            voting.ballot_cast(
                voter=factories.UserFactory(),
                budget_round=budget_round,
                district_budget=budget_round.districts.get(key=key),
                projects=[f"{key}-1"],
            )
        rounds.phase_advance(actor=riga_admin, budget_round=budget_round, to_phase="tallying")
        budget_round.refresh_from_db()
        results.results_publish(actor=riga_admin, budget_round=budget_round)
        html = results_page(client, budget_round)
        assert '<h2 id="district-north">North</h2>' in html
        assert '<h2 id="district-south">South</h2>' in html
        assert "ballots.pb?district=south" in html


class TestNotPublished:
    def test_during_voting_says_when_voting_ends(self, client, riga):
        budget_round = factories.voting_round(organisation=riga)
        PhaseSchedule.objects.create(
            round=budget_round,
            phase="tallying",
            starts_at=datetime.datetime(2027, 1, 15, 17, 0, tzinfo=datetime.UTC),
        )
        html = results_page(client, budget_round)
        assert "The results are not published yet" in html
        # 17:00 UTC is 19:00 in Rīga in winter.
        assert "Closing time: 15 January 2027, 19:00" in html
        assert 'data-published="false"' in html
        assert f'data-live-topic="round:{budget_round.slug}:results"' in html
        assert "<svg" not in html

    def test_tallying_before_publication_shows_no_numbers(self, client, riga, riga_admin):
        from budgeting.services import results, rounds

        budget_round = factories.voting_round(organisation=riga)
        rounds.phase_advance(actor=riga_admin, budget_round=budget_round, to_phase="tallying")
        budget_round.refresh_from_db()
        results.tally_run(actor=riga_admin, budget_round=budget_round)  # a staff preview
        html = results_page(client, budget_round)
        assert "Voting has closed and the votes are being counted." in html
        assert "Funded" not in html

    def test_draft_round_results_are_404(self, client, riga, resident):
        draft = factories.BudgetRoundFactory(organisation=riga, phase="draft")
        client.force_login(resident)
        assert client.get(f"/rounds/{draft.slug}/results/").status_code == 404


class TestLargeRounds:
    def test_chart_shows_the_most_supported_and_the_table_every_project(
        self, client, riga, riga_admin, django_assert_max_num_queries
    ):
        small = publish(factories.voting_round(organisation=riga), riga_admin)
        with CaptureQueriesContext(connection) as few:
            results_page(client, small)
        big = factories.voting_round(organisation=riga, costs=(1_000_00,) * 60)
        ballots = [[f"p{n}" for n in range(1, k + 1)] for k in range(1, 61)]
        publish(big, riga_admin, ballots)
        with django_assert_max_num_queries(len(few.captured_queries)):
            html = results_page(client, big)
        assert html.count("<rect ") == 25
        assert html.count('<th scope="row">') == 60
        assert "The 25 most supported projects; the table lists every project." in html
        # Most support first: p1 is on all 60 ballots.
        first_bar = html.split('<g aria-hidden="true">')[1].split("</text>")[0]
        assert "Project" in first_bar
        assert html.split('class="chart__value">')[1].startswith("60")
