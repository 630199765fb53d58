"""Every ballot format renders as a plain form and casts without JavaScript:
ballot → review → confirm → the ballot is stored and the receipt code shown once."""

import pytest

from budgeting.models import Ballot, Participation
from budgeting.services import ballot_box, voting
from tests import factories
from tests.frontend.budgeting.ballot.conftest import RECEIPT_RE, ballots, body, cast, pks, url

pytestmark = pytest.mark.django_db


def test_knapsack_ballot_states_the_budget_and_each_cost(riga, as_voter):
    budget_round = factories.voting_round(organisation=riga, knapsack=True)
    client = as_voter(factories.eligible_voter(riga))
    response = client.get(url("ballot_district", budget_round, "city"))
    html = body(response)
    assert response.status_code == 200
    assert 'id="ballot-form"' in html
    assert 'data-ballot="approval"' in html
    assert "data-ballot-budget" in html
    assert "data-ballot-status" in html
    assert 'aria-live="polite"' in html
    assert "at most the budget of 100,000.00 EUR" in html
    assert html.count('type="checkbox" class="ballot-item__control" name="projects"') == 4
    assert "40,000.00 EUR" in html
    assert "Project" in html
    assert 'data-knapsack="true"' in html


def test_approval_ballot_reviewed_then_cast_shows_receipt_once(riga, as_voter):
    budget_round = factories.voting_round(organisation=riga, knapsack=True)
    voter = factories.eligible_voter(riga)
    client = as_voter(voter)
    review = client.post(url("ballot_review", budget_round, "city"), {"projects": ["p1", "p3"]})
    html = body(review)
    assert review.status_code == 200
    assert "Check your ballot" in html
    assert "Confirm and cast my ballot" in html
    assert "Your choices cost 60,000.00 EUR of the budget of 100,000.00 EUR." in html
    assert '<input type="hidden" name="projects" value="p1">' in html
    assert ballots(budget_round) == []  # reviewing stores nothing

    done = client.post(
        url("ballot_review", budget_round, "city"), {"projects": ["p1", "p3"], "action": "confirm"}
    )
    assert done.status_code == 302
    assert done["Location"] == url("ballot_done", budget_round, "city")
    [ballot] = ballots(budget_round)
    assert ballot.projects == pks(budget_round, "p1", "p3")
    assert Participation.objects.filter(voter=voter).count() == 1

    page = client.get(done["Location"])
    code = RECEIPT_RE.search(body(page)).group(0)
    assert "This code is shown only once." in body(page)
    assert "data-copy-receipt" in body(page)
    # The code is the ballot's: the receipt check finds it.
    check = client.post(url("receipt_check", budget_round), {"receipt": code})
    assert "Counted." in body(check)
    again = client.get(done["Location"])
    assert RECEIPT_RE.search(body(again)) is None
    assert "shown only once, right after you voted" in body(again)


def test_k_of_n_approval_says_how_many(riga, as_voter):
    budget_round = factories.voting_round(organisation=riga, max_projects=2)
    client = as_voter(factories.eligible_voter(riga))
    html = body(client.get(url("ballot_district", budget_round, "city")))
    assert "Choose up to 2 projects." in html
    assert 'data-max-projects="2"' in html
    assert cast(client, budget_round, {"projects": ["p2", "p4"]}).status_code == 302
    assert ballots(budget_round)[0].projects == pks(budget_round, "p2", "p4")


def test_cumulative_ballot_casts_points(riga, as_voter):
    budget_round = factories.voting_round(
        organisation=riga, ballot_format="cumulative", points_budget=10, max_points_per_project=6
    )
    client = as_voter(factories.eligible_voter(riga))
    html = body(client.get(url("ballot_district", budget_round, "city")))
    assert "You have 10 points." in html
    assert "at most 6 points" in html
    assert html.count('type="number"') == 4
    assert 'max="6"' in html
    assert 'for="id_points-p1">Points for Project' in html
    data = {"points-p1": "6", "points-p2": "0", "points-p3": "4", "points-p4": ""}
    review = client.post(url("ballot_review", budget_round, "city"), data)
    assert "You gave 10 of your 10 points." in body(review)
    assert cast(client, budget_round, data).status_code == 302
    [ballot] = ballots(budget_round)
    assert ballot.projects == pks(budget_round, "p1", "p3")
    assert ballot.points == [6, 4]


def test_ranking_ballot_casts_in_rank_order(riga, as_voter):
    budget_round = factories.voting_round(organisation=riga, ballot_format="ordinal", max_rank=3)
    client = as_voter(factories.eligible_voter(riga))
    html = body(client.get(url("ballot_district", budget_round, "city")))
    assert "Rank up to 3 projects" in html
    assert html.count("<select") == 4 + 1  # four projects and the language switcher
    assert '<option value="" selected>Not ranked</option>' in html
    assert '<option value="3">3</option>' in html
    assert '<option value="4">' not in html
    data = {"rank-p3": "1", "rank-p1": "2", "rank-p2": "", "rank-p4": ""}
    review = body(client.post(url("ballot_review", budget_round, "city"), data))
    assert review.index("Project") < review.index("Confirm")
    assert cast(client, budget_round, data).status_code == 302
    assert ballots(budget_round)[0].projects == pks(budget_round, "p3", "p1")


def test_choose_one_ballot_uses_radio_buttons(riga, as_voter):
    budget_round = factories.voting_round(organisation=riga, ballot_format="choose-1")
    client = as_voter(factories.eligible_voter(riga))
    html = body(client.get(url("ballot_district", budget_round, "city")))
    assert html.count('type="radio"') == 4
    assert "Choose the one project you want most." in html
    assert cast(client, budget_round, {"projects": "p2"}).status_code == 302
    assert ballots(budget_round)[0].projects == pks(budget_round, "p2")


def test_change_from_review_keeps_every_choice(riga, as_voter):
    budget_round = factories.voting_round(
        organisation=riga, ballot_format="cumulative", points_budget=10
    )
    client = as_voter(factories.eligible_voter(riga))
    back = client.post(
        url("ballot_review", budget_round, "city"),
        {"points-p2": "7", "points-p4": "3", "action": "change"},
    )
    html = body(back)
    assert back.status_code == 200
    assert 'id="ballot-form"' in html
    assert 'name="points-p2" id="id_points-p2" value="7"' in html
    assert 'name="points-p4" id="id_points-p4" value="3"' in html
    assert ballots(budget_round) == []


def test_project_rows_show_title_cost_and_description(riga, as_voter):
    budget_round = factories.voting_round(organisation=riga, costs=(12_345_67,))
    project = budget_round.projects.get()
    project.title = "Benches on the square"
    project.description = "Ten new benches. " * 40
    project.translations = {"pl": {"title": "Ławki na placu"}}
    project.save()
    client = as_voter(factories.eligible_voter(riga))
    html = body(client.get(url("ballot_district", budget_round, "city")))
    assert "Benches on the square" in html
    assert "12,345.67 EUR" in html
    assert "Ten new benches. Ten new benches." in html
    assert "…" in html
    polish = body(
        client.get(url("ballot_district", budget_round, "city"), HTTP_ACCEPT_LANGUAGE="pl")
    )
    assert "Ławki na placu" in polish


def test_the_receipt_code_is_kept_nowhere_on_the_server(riga, as_voter):
    """Secret rounds: the code reaches the page that shows it in a signed cookie limited to
    that page, never the session, a flashed message or the database in clear."""
    budget_round = factories.voting_round(organisation=riga, secret_ballot=True)
    client = as_voter(factories.eligible_voter(riga))
    done = cast(client, budget_round, {"projects": ["p1"]})
    cookie = done.cookies["kopa_receipt"]
    assert cookie["path"] == url("ballot_done", budget_round, "city")
    assert cookie["httponly"]
    code = RECEIPT_RE.search(body(client.get(done["Location"]))).group(0)
    assert code not in str(dict(client.session))
    participation = Participation.objects.get()
    assert participation.ballot_seal == voting.receipt_seal(code)
    assert code.replace("-", "").encode() not in participation.sealed_ballot
    ballot_box.box_open(budget_round)
    ballot = Ballot.objects.get()
    assert (ballot.participation_id, ballot.cast_at) == (None, None)
