"""The round page: what a resident reads about a round in each phase."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from budgeting.models import BudgetRound, PhaseSchedule
from engagement.money import format_money
from frontend.budgeting.views.rounds import organisation_rounds, page_url
from tests import factories
from tests.frontend.budgeting.rounds.conftest import cast_all

pytestmark = pytest.mark.django_db


def page(client, budget_round: BudgetRound, **headers) -> str:
    response = client.get(f"/rounds/{budget_round.slug}/", **headers)
    assert response.status_code == 200
    return response.content.decode()


class TestDuringVoting:
    @pytest.fixture
    def budget_round(self, riga):
        return factories.voting_round(
            organisation=riga,
            title="Rīga decides 2026",
            description="Spend one million on the city.",
            knapsack=True,
            max_projects=3,
        )

    def test_title_description_and_organisation_branding(self, client, budget_round):
        html = page(client, budget_round)
        assert "<h1>Rīga decides 2026</h1>" in html
        assert "Spend one million on the city." in html
        assert f'href="/brand/{budget_round.organisation.slug}.css' in html

    def test_timeline_marks_the_current_phase(self, client, budget_round):
        html = page(client, budget_round)
        assert '<ol class="timeline round-timeline">' in html
        current = html.split('aria-current="step"')[1].split("</li>")[0]
        assert "Voting" in current
        assert "(current phase)" in current
        # Draft is not part of the public cycle once the round is out of it.
        assert ">Draft<" not in html

    def test_scheduled_dates_in_the_organisation_time_zone(self, client, budget_round):
        PhaseSchedule.objects.create(
            round=budget_round,
            phase="tallying",
            starts_at=datetime.datetime(2027, 6, 1, 10, 30, tzinfo=datetime.UTC),
        )
        html = page(client, budget_round)
        # Rīga is UTC+3 in summer: 10:30 UTC is 13:30 there.
        assert "from 1 June 2027, 13:30" in html
        assert "Closing time: 1 June 2027, 13:30" in html
        assert "Europe/Riga time zone" in html

    def test_budget_in_money_format(self, client, budget_round):
        html = page(client, budget_round)
        assert "100,000.00 EUR" in html

    def test_knapsack_and_count_limits_in_plain_words(self, client, budget_round):
        html = page(client, budget_round)
        assert "You may choose up to 3 projects." in html
        assert "Together, the projects you choose may cost at most the budget of 100,000.00" in html
        assert "Projects are funded in order of their votes, the most votes first" in html

    def test_vote_button_goes_to_the_ballot(self, client, budget_round):
        html = page(client, budget_round)
        ballot = reverse("frontend:ballot", args=[budget_round.slug])
        assert f'<a class="button" href="{ballot}">Vote now</a>' in html

    def test_live_turnout_with_server_rendered_numbers(self, client, budget_round):
        cast_all(budget_round, [["p1"], ["p2"]])
        html = page(client, budget_round)
        assert f'data-live-topic="round:{budget_round.slug}:turnout"' in html
        assert '<span class="stat__value num" data-live-key="voters">2</span>' in html
        assert "data-live-status" in html

    def test_per_district_budgets_and_turnout(self, client, riga):
        budget_round = factories.district_voting_round(organisation=riga)
        cast_all(budget_round, [["north-1"]], district="north")
        html = page(client, budget_round)
        assert "200,000.00 EUR" in html  # 100,000 city-wide + 2 x 50,000
        assert "North" in html
        assert "South" in html
        assert 'data-live-key="districts.north.total">1</td>' in html
        assert 'data-live-key="districts.south.total">0</td>' in html


class TestRulesInPlainWords:
    def test_cumulative_points_and_cap(self, client, riga):
        budget_round = factories.voting_round(
            organisation=riga,
            ballot_format="cumulative",
            points_budget=10,
            max_points_per_project=4,
        )
        html = page(client, budget_round)
        assert "You have 10 points to share out among the projects you support." in html
        assert "A project can get at most 4 points from you." in html
        assert "funded in order of their points" in html

    def test_ordinal_rank_limit(self, client, riga):
        budget_round = factories.voting_round(
            organisation=riga, ballot_format="ordinal", max_rank=3
        )
        html = page(client, budget_round)
        assert "Rank up to 3 projects in order of preference." in html
        assert "they get 3, 2 and 1 points" in html

    def test_choose_one(self, client, riga):
        budget_round = factories.voting_round(organisation=riga, ballot_format="choose-1")
        assert "Choose the one project you would most like to see built." in page(
            client, budget_round
        )

    def test_minimum_spend(self, client, riga):
        budget_round = factories.voting_round(
            organisation=riga, knapsack=True, min_spend_percent=50
        )
        assert "Your choices must add up to at least 50% of that budget." in page(
            client, budget_round
        )

    def test_equal_shares_with_completion(self, client, riga):
        budget_round = factories.voting_round(organisation=riga, outcome_rule="equal-shares")
        html = page(client, budget_round)
        assert "Method of Equal Shares" in html
        assert "each voter&#x27;s share can only pay for projects that voter chose" in html
        assert "raised a little at a time" in html
        assert "Money that cannot be spent this way is not allocated." not in html

    def test_mes_without_completion(self, client, riga):
        budget_round = factories.voting_round(organisation=riga, outcome_rule="mes")
        assert "Money that cannot be spent this way is not allocated." in page(client, budget_round)

    def test_equal_shares_then_greedy(self, client, riga):
        budget_round = factories.voting_round(organisation=riga, outcome_rule="equal-shares-greedy")
        assert "Money left over then funds the most supported projects that still fit" in page(
            client, budget_round
        )

    def test_eligibility(self, client, riga):
        budget_round = factories.district_voting_round(
            organisation=riga,
            min_age=16,
            residence_required=True,
            verified_email_required=True,
            one_district_per_voter=True,
        )
        html = page(client, budget_round)
        assert "Your email address must be verified." in html
        assert "You must turn 16 in the year of the vote, or be older." in html
        assert "A district&#x27;s ballot is only for people who live in that district." in html
        assert "You may vote on the city-wide budget and in one district of your choice." in html

    def test_no_age_limit_no_email_rule_when_not_set(self, client, riga):
        html = page(client, factories.voting_round(organisation=riga))
        assert "You must turn" not in html
        assert "Your email address must be verified." not in html

    def test_secret_ballot_that_may_be_changed(self, client, riga):
        html = page(client, factories.voting_round(organisation=riga))
        assert "The vote is secret" in html
        assert "You can change your ballot until voting closes, with your receipt code." in html

    def test_secret_ballot_with_live_counts_says_they_move_by_batches(self, client, riga, settings):
        settings.KOPA_BALLOT_BATCH = 40
        html = page(client, factories.voting_round(organisation=riga, live_counts_public=True))
        assert "They move only after every 40 ballots" in html
        hidden = page(client, factories.voting_round(organisation=riga))
        assert "They move only after every" not in hidden

    def test_open_ballot_that_may_not_be_changed(self, client, riga):
        budget_round = factories.voting_round(
            organisation=riga, secret_ballot=False, ballot_changes_allowed=False
        )
        html = page(client, budget_round)
        assert "The vote is not secret" in html
        assert "Once cast, a ballot cannot be changed." in html


class TestOtherPhases:
    def test_proposals_invite_ideas_in_the_linked_process(self, client, riga):
        process = factories.budget_process(organisation=riga, phase="proposals")
        html = page(client, process.budget_round)
        assert "Propose ideas for projects." in html
        assert f'href="{reverse("frontend:idea_create", args=[process.slug])}"' in html
        assert "Vote now" not in html
        assert "data-live-topic" not in html  # no turnout before voting

    def test_no_idea_button_outside_proposals(self, client, riga):
        process = factories.budget_process(organisation=riga, phase="review")
        html = page(client, process.budget_round)
        assert "Propose an idea" not in html
        assert "checking the proposed projects" in html

    def test_results_and_implementation_links_after_publication(self, client, published_round):
        html = page(client, published_round)
        assert "The results are out." in html
        assert '<span class="stat__value num" data-live-key="voters">4</span>' in html
        assert f'href="/rounds/{published_round.slug}/results/">See the results' in html
        assert "Vote now" not in html

    def test_implementation_link_in_the_implementation_phase(self, client, riga):
        budget_round = factories.results_round(organisation=riga, phase="implementation")
        html = page(client, budget_round)
        assert "data-live-topic" not in html  # turnout is final: nothing to watch
        assert f'href="/rounds/{budget_round.slug}/implementation/">Follow implementation' in html


class TestVisibility:
    @pytest.fixture
    def draft(self, riga):
        return factories.BudgetRoundFactory(organisation=riga, phase="draft", title="Secret plan")

    def test_draft_is_404_to_residents_and_anonymous(self, client, draft, resident):
        assert client.get(f"/rounds/{draft.slug}/").status_code == 404
        client.force_login(resident)
        response = client.get(f"/rounds/{draft.slug}/")
        assert response.status_code == 404
        assert "Secret plan" not in response.content.decode()

    def test_draft_is_404_to_other_organisations_staff(self, client, draft, gdansk_admin):
        client.force_login(gdansk_admin)
        assert client.get(f"/rounds/{draft.slug}/").status_code == 404
        assert client.get(f"/rounds/{draft.slug}/projects/").status_code == 404
        assert client.get(f"/rounds/{draft.slug}/results/").status_code == 404
        assert client.get(f"/rounds/{draft.slug}/implementation/").status_code == 404

    def test_draft_is_visible_to_its_staff(self, client, draft, riga_moderator):
        client.force_login(riga_moderator)
        html = page(client, draft)
        assert "Secret plan" in html
        assert "This round is a draft: only the organisation's staff can see it." in html
        assert ">Draft<" in html

    def test_unknown_round_is_404(self, client, db):
        assert client.get("/rounds/no-such-round/").status_code == 404

    def test_organisation_rounds_hide_drafts_from_the_public(
        self, riga, draft, resident, riga_admin
    ):
        live = factories.voting_round(organisation=riga)
        assert list(organisation_rounds(resident, riga)) == [live]
        assert set(organisation_rounds(riga_admin, riga)) == {live, draft}
        assert organisation_rounds(resident, riga)[0].total_budget == 100_000_00


class TestLanguages:
    def test_polish_page_money_and_staff_translation(self, client, riga):
        budget_round = factories.voting_round(
            organisation=riga,
            title="Rīga decides",
            translations={"pl": {"title": "Ryga decyduje", "description": "Opis po polsku."}},
        )
        html = page(client, budget_round, HTTP_ACCEPT_LANGUAGE="pl")
        assert '<html lang="pl"' in html
        assert "<h1>Ryga decyduje</h1>" in html
        assert "Opis po polsku." in html
        with translation.override("pl"):
            expected = format_money(100_000_00, "EUR")
        assert expected in html
        assert expected != "100,000.00 EUR"
        assert "100,000.00 EUR" not in html

    def test_english_keeps_the_base_text(self, client, riga):
        budget_round = factories.voting_round(
            organisation=riga, title="Rīga decides", translations={"pl": {"title": "Ryga"}}
        )
        assert "<h1>Rīga decides</h1>" in page(client, budget_round)


def test_get_absolute_url_points_to_the_pages(riga):
    budget_round = factories.voting_round(organisation=riga)
    project = budget_round.projects.get(external_id="p1")
    assert budget_round.get_absolute_url() == f"/rounds/{budget_round.slug}/"
    assert project.get_absolute_url() == f"/rounds/{budget_round.slug}/projects/{project.pk}/"
    assert page_url("round", budget_round.slug) == budget_round.get_absolute_url()
