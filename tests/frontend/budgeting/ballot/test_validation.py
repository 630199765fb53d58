"""Every rule of the ballot, broken: HTTP 400, the ballot again with an error summary and a
message saying what is wrong, in the reader's language — and nothing stored."""

import pytest

from budgeting.models import Participation
from tests import factories
from tests.frontend.budgeting.ballot.conftest import ballots, body, url

pytestmark = pytest.mark.django_db


def review(client, budget_round, data, **extra):
    return client.post(url("ballot_review", budget_round, "city"), data, **extra)


@pytest.fixture
def voter(riga, as_voter):
    return as_voter(factories.eligible_voter(riga))


def assert_refused(response, budget_round, *messages):
    html = body(response)
    assert response.status_code == 400
    assert 'id="ballot-form"' in html
    assert "data-error-summary" in html
    for message in messages:
        assert message in html
    assert ballots(budget_round) == []
    assert not Participation.objects.filter(round=budget_round).exists()


def test_over_budget_says_by_how_much(riga, voter):
    budget_round = factories.voting_round(organisation=riga, knapsack=True)
    response = review(voter, budget_round, {"projects": ["p1", "p2", "p4"]})
    assert_refused(
        response,
        budget_round,
        "Your choices cost 120,000.00 EUR, which is 20,000.00 EUR over the budget of "
        "100,000.00 EUR.",
    )
    # The choices are kept so the voter only has to remove one.
    assert 'value="p1" id="choice-' in body(response)
    assert body(response).count(" checked>") == 3


def test_confirming_an_over_budget_ballot_stores_nothing(riga, voter):
    budget_round = factories.voting_round(organisation=riga, knapsack=True)
    response = review(voter, budget_round, {"projects": ["p1", "p4", "p2"], "action": "confirm"})
    assert_refused(response, budget_round, "20,000.00 EUR over the budget")


def test_too_many_projects(riga, voter):
    budget_round = factories.voting_round(organisation=riga, max_projects=2)
    response = review(voter, budget_round, {"projects": ["p1", "p2", "p3"]})
    assert_refused(response, budget_round, "Choose at most 2 projects (you chose 3).")


def test_too_few_projects(riga, voter):
    budget_round = factories.voting_round(organisation=riga, min_projects=2)
    response = review(voter, budget_round, {"projects": ["p1"]})
    assert_refused(response, budget_round, "Choose at least 2 projects (you chose 1).")


def test_empty_ballot(riga, voter):
    budget_round = factories.voting_round(organisation=riga)
    assert_refused(review(voter, budget_round, {}), budget_round, "Choose at least one project.")


def test_below_minimum_spend(riga, voter):
    budget_round = factories.voting_round(organisation=riga, knapsack=True, min_spend_percent=50)
    response = review(voter, budget_round, {"projects": ["p3"]})
    assert_refused(
        response,
        budget_round,
        "Your choices must cost at least 50,000.00 EUR (they cost 20,000.00 EUR).",
    )


def test_points_over_the_cap_are_marked_on_the_project(riga, voter):
    budget_round = factories.voting_round(
        organisation=riga, ballot_format="cumulative", points_budget=10, max_points_per_project=4
    )
    response = review(voter, budget_round, {"points-p2": "5", "points-p3": "2"})
    assert_refused(response, budget_round, "A project can get at most 4 points.")
    html = body(response)
    # Tied to the field of the project that got too many, and linked from the summary.
    assert 'id="id_points-p2-error"' in html
    assert 'href="#id_points-p2"' in html
    assert 'aria-invalid="true" aria-describedby="id_points-p2-error"' in html


def test_more_points_than_the_voter_has(riga, voter):
    budget_round = factories.voting_round(
        organisation=riga, ballot_format="cumulative", points_budget=10
    )
    response = review(voter, budget_round, {"points-p1": "8", "points-p2": "5"})
    assert_refused(response, budget_round, "You gave 13 points; you have 10.")


def test_points_that_are_not_numbers(riga, voter):
    budget_round = factories.voting_round(
        organisation=riga, ballot_format="cumulative", points_budget=10
    )
    response = review(voter, budget_round, {"points-p1": "lots"})
    assert_refused(response, budget_round, "Enter a whole number.")
    assert 'value="lots"' in body(response)


def test_duplicate_ranks(riga, voter):
    budget_round = factories.voting_round(organisation=riga, ballot_format="ordinal", max_rank=3)
    response = review(voter, budget_round, {"rank-p1": "1", "rank-p2": "1", "rank-p3": "2"})
    assert_refused(
        response,
        budget_round,
        "Rank 1 is given to more than one project (Project",
        "Give each rank to one project only.",
    )
    assert 'id="id_rank-p1-error"' in body(response)
    assert 'id="id_rank-p2-error"' in body(response)
    assert 'id="id_rank-p3-error"' not in body(response)


def test_a_project_of_another_ballot_is_refused(riga, voter):
    budget_round = factories.voting_round(organisation=riga)
    response = review(voter, budget_round, {"projects": ["p1", "elsewhere"]})
    assert_refused(response, budget_round, "Select a valid choice.")


def test_messages_in_polish(riga, voter):
    budget_round = factories.voting_round(organisation=riga, knapsack=True)
    response = review(
        voter, budget_round, {"projects": ["p1", "p2", "p4"]}, HTTP_ACCEPT_LANGUAGE="pl"
    )
    html = body(response)
    assert response.status_code == 400
    assert '<html lang="pl"' in html
    # Amounts in the Polish way (narrow no-break space groups, decimal comma).
    assert "20\xa0000,00 EUR" in html or "20 000,00 EUR" in html
    cumulative = factories.voting_round(
        organisation=riga, ballot_format="cumulative", points_budget=10
    )
    response = review(voter, cumulative, {"points-p1": "dużo"}, HTTP_ACCEPT_LANGUAGE="pl")
    assert "Wpisz liczbę całkowitą." in body(response)
    assert ballots(budget_round) == []
