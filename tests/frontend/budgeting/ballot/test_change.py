"""A second ballot: refused with a clear message (409) or, where the round allows it, a
change or withdrawal — open ballots prefilled, secret ones only with the receipt code."""

import re

import pytest

from budgeting.models import Channel, Participation
from budgeting.services import voting
from tests import factories
from tests.frontend.budgeting.ballot.conftest import RECEIPT_RE, ballots, body, cast, pks, url

pytestmark = pytest.mark.django_db


def receipt_of(client, budget_round, key="city"):
    return RECEIPT_RE.search(body(client.get(url("ballot_done", budget_round, key)))).group(0)


def test_already_voted_where_changes_are_not_allowed(riga, as_voter):
    budget_round = factories.voting_round(organisation=riga, ballot_changes_allowed=False)
    client = as_voter(factories.eligible_voter(riga))
    assert cast(client, budget_round, {"projects": ["p1"]}).status_code == 302
    page = client.get(url("ballot_district", budget_round, "city"))
    assert "You have already voted in this district." in body(page)
    assert 'id="ballot-form"' not in body(page)
    again = client.post(
        url("ballot_review", budget_round, "city"), {"projects": ["p2"], "action": "confirm"}
    )
    assert again.status_code == 409
    assert "You have already voted in this district." in body(again)
    assert "cannot be changed once it is cast" in body(again)
    [ballot] = ballots(budget_round)
    assert ballot.projects == pks(budget_round, "p1")


def test_a_cast_racing_a_first_ballot_is_answered_409(riga, as_voter):
    """The page was open before the ballot went in (another tab): the service says no."""
    budget_round = factories.voting_round(organisation=riga, ballot_changes_allowed=False)
    voter = factories.eligible_voter(riga)
    client = as_voter(voter)
    review = client.post(url("ballot_review", budget_round, "city"), {"projects": ["p2"]})
    assert review.status_code == 200
    district_budget = budget_round.districts.get()
    voting.ballot_cast(
        voter=voter, budget_round=budget_round, district_budget=district_budget, projects=["p1"]
    )
    response = client.post(
        url("ballot_review", budget_round, "city"), {"projects": ["p2"], "action": "confirm"}
    )
    assert response.status_code == 409
    assert len(ballots(budget_round)) == 1


def test_voted_on_paper(riga, as_voter):
    budget_round = factories.voting_round(organisation=riga)
    voter = factories.eligible_voter(riga)
    Participation.objects.create(
        round=budget_round,
        district_budget=budget_round.districts.get(),
        voter=voter,
        voter_key=voting.voter_key_for_user(voter.pk),
        channel=Channel.PAPER,
    )
    client = as_voter(voter)
    response = client.post(
        url("ballot_review", budget_round, "city"), {"projects": ["p1"], "action": "confirm"}
    )
    assert response.status_code == 409
    assert "Your paper ballot for this district has already been counted." in body(response)
    assert ballots(budget_round) == []


def test_open_ballot_is_prefilled_and_replaced(riga, as_voter):
    budget_round = factories.voting_round(organisation=riga, secret_ballot=False)
    client = as_voter(factories.eligible_voter(riga))
    assert cast(client, budget_round, {"projects": ["p1", "p3"]}).status_code == 302
    first = receipt_of(client, budget_round)
    page = body(client.get(url("ballot_district", budget_round, "city")))
    assert "You have already voted in this budget." in page
    assert page.count(" checked>") == 2
    assert 'name="receipt"' not in page
    assert cast(client, budget_round, {"projects": ["p2"]}).status_code == 302
    done = body(client.get(url("ballot_done", budget_round, "city")))
    assert "Your ballot is changed" in done
    assert "The code of your earlier ballot no longer counts." in done
    [ballot] = ballots(budget_round)
    assert ballot.projects == pks(budget_round, "p2")
    old = client.post(url("receipt_check", budget_round), {"receipt": first})
    assert "Not found." in body(old)


def test_secret_ballot_changes_only_with_its_receipt_code(riga, as_voter):
    budget_round = factories.voting_round(organisation=riga, secret_ballot=True)
    client = as_voter(factories.eligible_voter(riga))
    assert cast(client, budget_round, {"projects": ["p1"]}).status_code == 302
    code = receipt_of(client, budget_round)
    page = body(client.get(url("ballot_district", budget_round, "city")))
    assert "nothing links your earlier ballot to you" in page
    assert " checked>" not in page  # the earlier choices cannot be read back
    assert 'name="receipt"' in page

    missing = client.post(
        url("ballot_review", budget_round, "city"), {"projects": ["p2"], "action": "confirm"}
    )
    assert missing.status_code == 400
    assert "This is a secret ballot: give your receipt code to change it." in body(missing)
    wrong = client.post(
        url("ballot_review", budget_round, "city"),
        {"projects": ["p2"], "receipt": "AAAA-BBBB-CCCC-DDDD", "action": "confirm"},
    )
    assert wrong.status_code == 400
    assert "This receipt code is not the one of your ballot." in body(wrong)
    assert ballots(budget_round)[0].projects == pks(budget_round, "p1")

    review = client.post(
        url("ballot_review", budget_round, "city"), {"projects": ["p2"], "receipt": code.lower()}
    )
    assert f'name="receipt" value="{code}"' in body(review)  # carried to the confirmation
    assert cast(client, budget_round, {"projects": ["p2"], "receipt": code}).status_code == 302
    [ballot] = ballots(budget_round)
    assert ballot.projects == pks(budget_round, "p2")


def test_withdraw_needs_a_confirmation_step(riga, as_voter):
    budget_round = factories.voting_round(organisation=riga, secret_ballot=False)
    client = as_voter(factories.eligible_voter(riga))
    cast(client, budget_round, {"projects": ["p1"]})
    page = client.get(url("ballot_withdraw", budget_round, "city"))
    assert page.status_code == 200
    assert "Yes, withdraw my ballot" in body(page)
    assert len(ballots(budget_round)) == 1
    done = client.post(url("ballot_withdraw", budget_round, "city"), follow=True)
    assert "Your ballot was withdrawn and is no longer counted." in body(done)
    assert ballots(budget_round) == []
    assert not Participation.objects.filter(round=budget_round).exists()


def test_withdrawing_a_secret_ballot_needs_the_code(riga, as_voter):
    budget_round = factories.voting_round(organisation=riga, secret_ballot=True)
    client = as_voter(factories.eligible_voter(riga))
    cast(client, budget_round, {"projects": ["p1"]})
    code = receipt_of(client, budget_round)
    empty = client.post(url("ballot_withdraw", budget_round, "city"), {"receipt": ""})
    assert empty.status_code == 400
    assert "This field is required." in body(empty)
    wrong = client.post(url("ballot_withdraw", budget_round, "city"), {"receipt": "A" * 16})
    assert wrong.status_code == 400
    assert "This receipt code is not the one of your ballot." in body(wrong)
    assert len(ballots(budget_round)) == 1
    ok = client.post(url("ballot_withdraw", budget_round, "city"), {"receipt": code})
    assert ok.status_code == 302
    assert ballots(budget_round) == []


def test_withdraw_is_not_offered_where_changes_are_not_allowed(riga, as_voter):
    budget_round = factories.voting_round(organisation=riga, ballot_changes_allowed=False)
    client = as_voter(factories.eligible_voter(riga))
    cast(client, budget_round, {"projects": ["p1"]})
    response = client.post(url("ballot_withdraw", budget_round, "city"))
    assert "cannot be changed once it is cast" in body(response)
    assert len(ballots(budget_round)) == 1


def test_the_choice_page_lists_where_the_voter_voted(riga, as_voter):
    budget_round = factories.district_voting_round(organisation=riga)
    client = as_voter(factories.eligible_voter(riga))
    cast(client, budget_round, {"projects": ["city-2"]})
    html = body(client.get(url("ballot", budget_round)))
    assert html.count("You voted") == 1
    assert url("ballot_withdraw", budget_round, "city") in html
    assert url("ballot_district", budget_round, "north") in html


def test_a_confirmation_sent_twice_casts_once_and_shows_the_same_receipt(riga, as_voter):
    """The answer to "Confirm" was lost and the browser sends the form again: the ballot is
    in, so the voter gets its receipt code again, not "you have already voted"."""
    budget_round = factories.voting_round(organisation=riga, secret_ballot=True)
    client = as_voter(factories.eligible_voter(riga))
    page = body(client.get(url("ballot_district", budget_round, "city")))
    key = re.search(r'name="cast_key" value="([^"]+)"', page).group(1)
    data = {"projects": ["p1"], "cast_key": key}
    review = client.post(url("ballot_review", budget_round, "city"), data)
    assert f'name="cast_key" value="{key}"' in body(review)  # carried to the confirmation

    receipts = []
    for _attempt in range(2):
        done = client.post(
            url("ballot_review", budget_round, "city"), {**data, "action": "confirm"}
        )
        assert done.status_code == 302
        assert done["Location"] == url("ballot_done", budget_round, "city")
        receipts.append(RECEIPT_RE.search(body(client.get(done["Location"]))).group(0))
    assert receipts[0] == receipts[1]
    assert len(ballots(budget_round)) == 1
    check = client.post(url("receipt_check", budget_round), {"receipt": receipts[0]})
    assert "Counted." in body(check)


def test_a_new_ballot_page_is_a_new_cast(riga, as_voter):
    budget_round = factories.voting_round(organisation=riga, secret_ballot=True)
    client = as_voter(factories.eligible_voter(riga))
    keys = {
        re.search(r'name="cast_key" value="([^"]+)"', body(page)).group(1)
        for page in (client.get(url("ballot_district", budget_round, "city")) for _ in range(2))
    }
    assert len(keys) == 2
