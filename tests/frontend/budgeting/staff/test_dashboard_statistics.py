"""The round dashboard (live markup, figures from the selectors), statistics with small
groups suppressed, query bounds and Polish pages."""

from __future__ import annotations

import pytest

from budgeting.models import Participation
from engagement.people.models import District
from tests import factories

pytestmark = pytest.mark.django_db


def vote(budget_round, user, channel="online"):
    city = budget_round.districts.get(key="city")
    return Participation.objects.create(
        round=budget_round,
        district_budget=city,
        voter=user,
        voter_key=f"user:{user.pk}",
        channel=channel,
    )


class TestDashboard:
    def test_key_numbers_with_live_markup(self, signed_in, riga, riga_officer, riga_round):
        for _ in range(3):
            vote(riga_round, factories.UserFactory())
        vote(riga_round, factories.UserFactory(), channel="paper")
        html = signed_in(riga_officer).get("/staff/rounds/riga-2026/").content.decode()
        assert 'data-live-topic="round:riga-2026:dashboard"' in html
        assert '<span class="stat__value" data-live-key="voters">4</span>' in html
        assert 'data-live-key="paper.agreed"' in html
        assert 'data-live-key="moderation_queue"' in html
        assert 'data-live-key="review_queue"' in html
        assert 'data-live-key="districts.city.online">3</td>' in html
        assert 'data-live-key="districts.city.paper">1</td>' in html
        assert "data-turnout-chart" in html
        assert "<rect" in html  # the chart, drawn on the server
        assert "Ballots over time as a table" in html
        assert '<td class="num">4</td>' in html  # all four within the last ten minutes

    def test_the_phase_and_the_next_planned_move(self, signed_in, riga_admin, riga_round):
        from datetime import UTC, datetime

        from budgeting.models import PhaseSchedule

        PhaseSchedule.objects.create(
            round=riga_round, phase="tallying", starts_at=datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
        )
        html = signed_in(riga_admin).get("/staff/rounds/riga-2026/").content.decode()
        assert "Phase: Voting" in html
        # 08:00 UTC is 10:00 in Rīga: staff read the city's time.
        assert "Planned next: Tallying on 1 March 2027, 10:00." in html
        assert 'href="/staff/rounds/riga-2026/phase/"' in html

    def test_links_to_every_action_the_role_allows(
        self, signed_in, riga_admin, riga_officer, riga_round
    ):
        admin_html = signed_in(riga_admin).get("/staff/rounds/riga-2026/").content.decode()
        for tail in ("settings/", "districts/", "phase/", "tally/", "publish/", "statistics/"):
            assert f'href="/staff/rounds/riga-2026/{tail}"' in admin_html
        officer_html = signed_in(riga_officer).get("/staff/rounds/riga-2026/").content.decode()
        assert 'href="/staff/rounds/riga-2026/tally/"' not in officer_html
        assert 'href="/staff/rounds/riga-2026/statistics/"' in officer_html

    def test_query_count_does_not_grow_with_voters(
        self, signed_in, riga_admin, riga_round, django_assert_max_num_queries
    ):
        client = signed_in(riga_admin)
        client.get("/staff/rounds/riga-2026/")
        for _ in range(30):
            vote(riga_round, factories.UserFactory())
        with django_assert_max_num_queries(20):
            response = client.get("/staff/rounds/riga-2026/")
        assert 'data-live-key="voters">30<' in response.content.decode()


class TestStatistics:
    @pytest.fixture
    def voted_round(self, riga, riga_round):
        """3 voters live in North, 8 in South, 9 in Centre: North must not be shown, and
        one more district is hidden so North cannot be worked out from the total."""
        for slug, count in (("north", 3), ("south", 8), ("centre", 9)):
            district = District.objects.create(organisation=riga, slug=slug, name=slug.title())
            for _ in range(count):
                vote(riga_round, factories.eligible_voter(riga, district=district))
        return riga_round

    def test_small_groups_are_shown_as_fewer_than_five(
        self, signed_in, riga_moderator, voted_round
    ):
        html = signed_in(riga_moderator).get("/staff/rounds/riga-2026/statistics/").content.decode()
        assert "any group of fewer than 5 people" in html
        row = lambda name: html[html.index(f'<th scope="row">{name}</th>') :].split("</tr>")[0]  # noqa: E731
        assert "fewer than 5" in row("North")
        assert ">3<" not in row("North")
        assert "fewer than 5" in row("South")  # complementary suppression
        assert '<td class="num">9</td>' in row("Centre")
        assert "<svg" in html

    def test_csv_download_carries_the_same_suppression(
        self, signed_in, riga_moderator, voted_round
    ):
        response = signed_in(riga_moderator).get(
            "/staff/rounds/riga-2026/statistics/", {"format": "csv"}
        )
        assert response["Content-Type"].startswith("text/csv")
        lines = response.content.decode().splitlines()
        assert "District,North,fewer than 5,fewer than 5,fewer than 5" in lines
        assert any(line.startswith("District,Centre,9,9,") for line in lines)


class TestStatisticsLeaks:
    """What the page gave away before every table went through one suppression function."""

    @pytest.fixture
    def town(self, riga, riga_round):
        """Residents 30 / 6 / 2 in Harbour, Dunes and Pines, who all vote but 10 in Harbour;
        5 more vote on paper (district unknown)."""
        for slug, residents, voters in (("harbour", 30, 20), ("dunes", 6, 6), ("pines", 2, 2)):
            district = District.objects.create(organisation=riga, slug=slug, name=slug.title())
            for n in range(residents):
                person = factories.eligible_voter(riga, district=district)
                if n < voters:
                    vote(riga_round, person)
        city = riga_round.districts.get(key="city")
        for n in range(5):
            Participation.objects.create(
                round=riga_round, district_budget=city, voter_key=f"paper:{n}", channel="paper"
            )
        return riga_round

    def test_no_district_shows_voters_beside_fewer_than_five_residents(
        self, signed_in, riga_moderator, town
    ):
        html = signed_in(riga_moderator).get("/staff/rounds/riga-2026/statistics/").content.decode()
        table = html[html.index('id="district-heading"') :].split("</table>")[0]
        dunes = table[table.index('<th scope="row">Dunes</th>') :].split("</tr>")[0]
        # Dunes' 6 residents are hidden to protect Pines' 2: its 6 voters must go too.
        assert dunes.count("fewer than 5") == 3
        assert '<td class="num">6</td>' not in dunes

    def test_the_csv_carries_the_same(self, signed_in, riga_moderator, town):
        lines = (
            signed_in(riga_moderator)
            .get("/staff/rounds/riga-2026/statistics/", {"format": "csv"})
            .content.decode()
            .splitlines()
        )
        assert "District,Dunes,fewer than 5,fewer than 5,fewer than 5" in lines


class TestPolish:
    def test_staff_pages_speak_polish(self, signed_in, riga_admin, riga_round, settings):
        client = signed_in(riga_admin)
        for page in ("/staff/", "/staff/rounds/riga-2026/", "/staff/rounds/riga-2026/phase/"):
            response = client.get(page, HTTP_ACCEPT_LANGUAGE="pl")
            assert response.status_code == 200, page
            assert '<html lang="pl"' in response.content.decode()

    def test_round_title_in_polish_from_its_translations(self, signed_in, riga, riga_admin):
        budget_round = factories.voting_round(organisation=riga, slug="pl-round", title="Base")
        budget_round.translations = {"pl": {"title": "Budżet Rygi"}}
        budget_round.save()
        html = (
            signed_in(riga_admin)
            .get("/staff/rounds/pl-round/settings/", HTTP_ACCEPT_LANGUAGE="pl")
            .content.decode()
        )
        assert 'value="Budżet Rygi"' in html
        assert 'lang="pl"' in html

    def test_money_in_polish_format(self, signed_in, riga_admin, riga_round):
        html = (
            signed_in(riga_admin)
            .get("/staff/rounds/riga-2026/districts/", HTTP_ACCEPT_LANGUAGE="pl")
            .content.decode()
        )
        assert "100\xa0000,00 EUR" in html or "100 000,00 EUR" in html
