"""In a JSON body every value has the type the schema states.

DRF reads ``0`` as the text ``"0"``, ``"true"`` as a flag and ``"3"`` as a number; the
schema says otherwise, so such bodies are field errors (``engagement.http.api.Input``). Query
strings, where everything is text, are read as before.
"""

from __future__ import annotations

import pytest

from tests import factories
from tests.budgeting.api.util import round_in, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(riga):
    return round_in("draft", organisation=riga)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"title": 0}, "Not a valid string."),
        ({"description": ["a list"]}, "Not a valid string."),
        ({"secret_ballot": "true"}, "Must be a valid boolean."),
        ({"knapsack": 1}, "Must be a valid boolean."),
        ({"min_projects": "3"}, "A valid integer is required."),
        ({"min_projects": 3.0}, "A valid integer is required."),
        ({"lottery_seed": True}, "A valid integer is required."),
    ],
)
def test_values_of_the_wrong_type_are_field_errors(as_user, riga_admin, draft, body, message):
    response = as_user(riga_admin).patch(url(draft), body)
    [field] = body
    assert response.status_code == 400
    assert response.json() == {field: [message], "error_codes": {field: ["invalid"]}}


def test_the_right_types_are_read(as_user, riga_admin, draft):
    body = {"title": "Budget 2027", "secret_ballot": True, "min_projects": 3, "max_projects": None}
    response = as_user(riga_admin).patch(url(draft), body)
    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    assert (draft.title, draft.secret_ballot, draft.min_projects) == ("Budget 2027", True, 3)


def test_items_of_lists_are_checked_one_by_one(as_user, riga_admin, draft):
    project = {"id": "new", "district": "city", "title": "Trees", "cost": "100"}
    response = as_user(riga_admin).post(
        url(draft, "projects/"), {**project, "categories": ["green", 7]}
    )
    assert response.status_code == 400
    assert response.json()["categories"] == {"1": ["Not a valid string."]}


def test_nested_inputs_are_checked_too(as_user, riga_admin, resident):
    response = as_user(resident).patch("/api/v1/me/", {"profile": {"birth_year": "1990"}})
    assert response.status_code == 400
    assert response.json() == {"profile": {"birth_year": ["A valid integer is required."]}}
    response = as_user(resident).put(
        "/api/v1/me/notification-preferences/", {"groups": [{"group": "my_ideas", "email": 0}]}
    )
    assert response.status_code == 400
    assert response.json()["groups"] == {"0": {"email": ["Must be a valid boolean."]}}


@pytest.mark.parametrize("value", ["1", "1.5", " 2", "2\n", True])
def test_amounts_are_digits_or_a_whole_number(as_user, riga_admin, draft, value):
    body = {"id": "new", "district": "city", "title": "Trees", "cost": value}
    response = as_user(riga_admin).post(url(draft, "projects/"), body)
    expected = 201 if value in ("1", "1.5") else 400
    assert response.status_code == expected, response.content


@pytest.mark.parametrize(
    ("latitude", "stored"),
    [(56.9496, "56.949600"), ("56.9496", "56.949600"), (-90, "-90.000000"), ("90.0", "90.000000")],
)
def test_coordinates_are_numbers_or_plain_decimal_strings(
    as_user, riga_admin, draft, latitude, stored
):
    project = {"id": "new", "district": "city", "title": "Trees", "cost": "100"}
    body = {**project, "latitude": latitude, "longitude": 24.1}
    response = as_user(riga_admin).post(url(draft, "projects/"), body)
    assert response.status_code == 201, response.content
    assert str(draft.projects.get(external_id="new").latitude) == stored


@pytest.mark.parametrize("latitude", ["5.69e1", " 56.9", "90.5", "091", True, "north"])
def test_other_coordinates_are_refused(as_user, riga_admin, draft, latitude):
    project = {"id": "new", "district": "city", "title": "Trees", "cost": "100"}
    body = {**project, "latitude": latitude, "longitude": 24.1}
    response = as_user(riga_admin).post(url(draft, "projects/"), body)
    assert response.status_code == 400
    assert "latitude" in response.json()["error_codes"]


def test_query_strings_are_still_text(as_user, resident):
    factories.NotificationFactory(recipient=resident)
    client = as_user(resident)
    assert client.get("/api/v1/me/notifications/", {"unread": "true"}).json()["count"] == 1
    refused = client.get("/api/v1/me/notifications/", {"unread": "perhaps"})
    assert refused.status_code == 400
    assert "unread" in refused.json()
