"""Who gets a ballot, and what everyone else is told: not voting, signed out, not eligible,
another organisation's draft, choosing among district budgets."""

from datetime import timedelta

import pytest
from django.utils import timezone

from budgeting.models import PhaseSchedule
from engagement.people.models import District, Role
from tests import factories
from tests.frontend.budgeting.ballot.conftest import ballots, body, cast, url

pytestmark = pytest.mark.django_db


def in_phase(budget_round, phase):
    budget_round.phase = phase
    budget_round.save(update_fields=["phase"])
    return budget_round


def test_before_voting_the_page_says_when_it_opens(riga, as_voter):
    budget_round = factories.voting_round(organisation=riga)
    budget_round.phase = "information"
    budget_round.save()
    PhaseSchedule.objects.create(
        round=budget_round, phase="voting", starts_at=timezone.now() + timedelta(days=3)
    )
    client = as_voter(factories.eligible_voter(riga))
    response = client.get(url("ballot", budget_round))
    html = body(response)
    assert response.status_code == 200
    assert "Voting has not started yet" in html
    assert "Voting opens on" in html
    assert 'id="ballot-form"' not in html
    district = client.get(url("ballot_district", budget_round, "city"))
    assert "Voting has not started yet" in body(district)


def test_after_voting_the_page_says_it_closed_and_nothing_is_cast(riga, as_voter):
    budget_round = in_phase(factories.voting_round(organisation=riga), "tallying")
    client = as_voter(factories.eligible_voter(riga))
    assert "Voting has closed" in body(client.get(url("ballot", budget_round)))
    response = client.post(
        url("ballot_review", budget_round, "city"), {"projects": ["p1"], "action": "confirm"}
    )
    assert response.status_code == 400
    assert "Voting has closed" in body(response)
    assert ballots(budget_round) == []


def test_signed_out_visitors_get_a_sign_in_link_back_to_the_ballot(client, riga):
    budget_round = factories.voting_round(organisation=riga)
    for page in (url("ballot", budget_round), url("ballot_district", budget_round, "city")):
        response = client.get(page)
        html = body(response)
        assert response.status_code == 200
        assert "Sign in to vote" in html
        assert f'href="/accounts/login/?next={page}"' in html
    response = client.post(url("ballot_review", budget_round, "city"), {"projects": ["p1"]})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert ballots(budget_round) == []


def test_not_eligible_voter_is_told_why_and_what_to_do(riga, as_voter):
    budget_round = factories.voting_round(
        organisation=riga, verified_email_required=True, min_age=16
    )
    voter = factories.UserFactory()
    factories.verified_email(voter, verified=False)
    client = as_voter(voter)
    response = client.get(url("ballot_district", budget_round, "city"))
    html = body(response)
    assert response.status_code == 403
    assert "Confirm your email address before voting." in html
    assert "This vote has a minimum age; add your birth year to your profile." in html
    assert "Add your year of birth on your account page" in html
    assert 'href="/accounts/email/' in html
    cast_attempt = client.post(
        url("ballot_review", budget_round, "city"), {"projects": ["p1"], "action": "confirm"}
    )
    assert cast_attempt.status_code == 403
    assert ballots(budget_round) == []


def test_not_eligible_anywhere_shows_the_reasons_in_polish(riga, as_voter):
    budget_round = factories.voting_round(organisation=riga, min_age=16)
    client = as_voter(factories.eligible_voter(riga, birth_year=timezone.now().year - 10))
    response = client.get(url("ballot_district", budget_round, "city"), HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 403
    assert '<html lang="pl"' in body(response)
    assert 'data-reason="too_young"' in body(response)


def test_another_organisations_draft_round_is_not_found(riga, gdansk, as_voter):
    budget_round = in_phase(factories.voting_round(organisation=gdansk), "draft")
    client = as_voter(factories.staff(riga, Role.ADMINISTRATOR))
    for page in (
        url("ballot", budget_round),
        url("ballot_district", budget_round, "city"),
        url("receipt_check", budget_round),
    ):
        assert client.get(page).status_code == 404
    assert client.post(url("ballot_review", budget_round, "city"), {}).status_code == 404


def test_unknown_district_budget_is_not_found(riga, as_voter):
    budget_round = factories.voting_round(organisation=riga)
    client = as_voter(factories.eligible_voter(riga))
    assert client.get(url("ballot_district", budget_round, "nowhere")).status_code == 404


def test_a_single_budget_goes_straight_to_its_ballot(riga, as_voter):
    budget_round = factories.voting_round(organisation=riga)
    client = as_voter(factories.eligible_voter(riga))
    response = client.get(url("ballot", budget_round))
    assert response.status_code == 302
    assert response["Location"] == url("ballot_district", budget_round, "city")


def test_residents_choose_between_city_wide_and_their_district(riga, as_voter):
    budget_round = factories.district_voting_round(organisation=riga, residence_required=True)
    north = District.objects.get(organisation=riga, slug="north")
    client = as_voter(factories.eligible_voter(riga, district=north))
    response = client.get(url("ballot", budget_round))
    html = body(response)
    assert response.status_code == 200
    assert url("ballot_district", budget_round, "city") in html
    assert url("ballot_district", budget_round, "north") in html
    assert url("ballot_district", budget_round, "south") not in html
    assert "Where you live" in html
    assert "for the residents of those districts: South." in html
    assert client.get(url("ballot_district", budget_round, "south")).status_code == 403


def test_one_district_per_voter_marks_the_others_once_voted(riga, as_voter):
    budget_round = factories.district_voting_round(organisation=riga, one_district_per_voter=True)
    client = as_voter(factories.eligible_voter(riga))
    assert cast(client, budget_round, {"projects": ["north-1"]}, key="north").status_code == 302
    html = body(client.get(url("ballot", budget_round)))
    assert "You can vote in the city-wide budget and in one district of your choice." in html
    assert "You already voted in North: you can vote in one district only." in html
    assert "You voted" in html
    page = client.get(url("ballot_district", budget_round, "south"))
    assert "You have already voted in another district of this round." in body(page)
    assert 'id="ballot-form"' not in body(page)
    # The city-wide ballot is still open to them.
    assert cast(client, budget_round, {"projects": ["city-1"]}).status_code == 302
    assert len(ballots(budget_round)) == 2


def test_ballot_page_queries_do_not_grow_with_projects(
    riga, as_voter, django_assert_max_num_queries
):
    large = factories.voting_round(organisation=riga, costs=(1_00,) * 60, knapsack=True)
    client = as_voter(factories.eligible_voter(riga))
    with django_assert_max_num_queries(8):
        response = client.get(url("ballot_district", large, "city"))
    assert body(response).count('name="projects"') == 60
    data = {"projects": [f"p{n}" for n in range(1, 40)]}
    with django_assert_max_num_queries(9):
        assert client.post(url("ballot_review", large, "city"), data).status_code == 200
    with django_assert_max_num_queries(13):
        assert client.post(url("ballot_review", large, "city"), {**data, "action": "confirm"})
    assert len(ballots(large)) == 1


def test_choice_page_queries_are_bounded(riga, as_voter, django_assert_max_num_queries):
    budget_round = factories.district_voting_round(
        organisation=riga, projects_per_budget=20, verified_email_required=True
    )
    client = as_voter(factories.eligible_voter(riga))
    with django_assert_max_num_queries(12):
        response = client.get(url("ballot", budget_round))
    assert body(response).count('class="card ballot-budget"') == 3


def test_the_voters_own_district_comes_right_after_the_city(riga, as_voter):
    budget_round = factories.district_voting_round(organisation=riga)
    south = District.objects.get(organisation=riga, slug="south")
    client = as_voter(factories.eligible_voter(riga, district=south))
    html = body(client.get(url("ballot", budget_round)))
    city, own, other = (html.index(f'data-district="{key}"') for key in ("city", "south", "north"))
    assert city < own < other
