"""Checking a receipt code: counted or not found, never the content; bad codes are a field
error; the API's rate limit applies (and is shared with it)."""

import pytest
from rest_framework.throttling import ScopedRateThrottle

from tests import factories
from tests.frontend.budgeting.ballot.conftest import RECEIPT_RE, ballots, body, cast, pks, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(riga, as_voter):
    budget_round = factories.voting_round(organisation=riga)
    client = as_voter(factories.eligible_voter(riga))
    cast(client, budget_round, {"projects": ["p1", "p2"]})
    code = RECEIPT_RE.search(body(client.get(url("ballot_done", budget_round, "city")))).group(0)
    client.logout()
    return budget_round, code


def test_form_is_open_to_everyone(client, counted):
    budget_round, _code = counted
    response = client.get(url("receipt_check", budget_round))
    assert response.status_code == 200
    assert 'id="receipt-check-form"' in body(response)
    assert 'name="receipt"' in body(response)


def test_a_counted_code_says_where_but_not_what(client, counted):
    budget_round, code = counted
    response = client.post(url("receipt_check", budget_round), {"receipt": code})
    html = body(response)
    assert response.status_code == 200
    assert 'data-receipt-result="counted"' in html
    assert "A ballot with this receipt code is counted in City-wide." in html
    assert "Project 1" not in html.split('data-receipt-result="counted"')[1]


def test_codes_are_read_the_way_people_type_them(client, counted):
    budget_round, code = counted
    typed = code.replace("-", " ").lower()
    assert "Counted." in body(client.post(url("receipt_check", budget_round), {"receipt": typed}))


def test_an_unknown_code_is_not_found(client, counted):
    budget_round, _code = counted
    response = client.post(url("receipt_check", budget_round), {"receipt": "AAAA-BBBB-CCCC-DDDD"})
    assert response.status_code == 200
    assert 'data-receipt-result="not-found"' in body(response)
    assert "No counted ballot has this receipt code." in body(response)


@pytest.mark.parametrize("bad", ["", "1234", "ABCD-EFGH-JKLM-NPQ1", "x" * 80])
def test_a_malformed_code_is_a_field_error(client, counted, bad):
    budget_round, _code = counted
    response = client.post(url("receipt_check", budget_round), {"receipt": bad})
    html = body(response)
    assert response.status_code == 400
    assert "data-error-summary" in html
    assert 'id="id_receipt-error"' in html
    assert "data-receipt-result" not in html


def test_polish_field_error(client, counted):
    budget_round, _code = counted
    response = client.post(
        url("receipt_check", budget_round), {"receipt": ""}, HTTP_ACCEPT_LANGUAGE="pl"
    )
    assert response.status_code == 400
    assert "To pole jest wymagane." in body(response)


def test_rate_limited_like_the_api(client, counted, monkeypatch):
    budget_round, code = counted
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "receipt", "3/min")
    for _attempt in range(3):
        response = client.post(url("receipt_check", budget_round), {"receipt": code})
        assert response.status_code == 200
    response = client.post(url("receipt_check", budget_round), {"receipt": code})
    assert response.status_code == 429
    assert "Too many attempts" in body(response)
    assert int(response["Retry-After"]) > 0
    # The API counts the same attempts: one limit, whichever way people come.
    api = client.post(
        f"/api/v1/rounds/{budget_round.slug}/receipt/",
        {"receipt": code},
        content_type="application/json",
    )
    assert api.status_code == 429


def test_casting_is_rate_limited_like_the_api(riga, as_voter, monkeypatch):
    budget_round = factories.voting_round(organisation=riga, secret_ballot=False)
    client = as_voter(factories.eligible_voter(riga))
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "ballot", "1/min")
    assert cast(client, budget_round, {"projects": ["p1"]}).status_code == 302
    again = client.post(
        url("ballot_review", budget_round, "city"), {"projects": ["p2"], "action": "confirm"}
    )
    assert again.status_code == 429
    assert ballots(budget_round)[0].projects == pks(budget_round, "p1")
