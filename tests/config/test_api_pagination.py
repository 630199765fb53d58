"""Every list pages with ``limit`` and ``offset`` the same way, within bounds the schema states.

A limit or offset that is not a whole number, is negative, or is larger than the database
(or the page maximum) is a 400 naming the parameter — never a database error.
"""

from __future__ import annotations

import pytest
from django.test import Client

from engagement.http.api import DEFAULT_PAGE_SIZE, MAX_OFFSET, MAX_PAGE_SIZE
from tests import factories

pytestmark = pytest.mark.django_db

OVERFLOW = "99999999999999999999"  # past a 64-bit integer: was a DataError / OverflowError
INT64_MAX = "9223372036854775807"  # fits the database: was "give me everything"


@pytest.fixture
def lists(riga, resident):
    """One URL per paginated list, each with something in it."""
    budget_process = factories.budget_process(organisation=riga, phase="proposals")
    budget_round = budget_process.budget_round
    factories.ProjectFactory(district_budget=budget_round.districts.first())
    idea = factories.IdeaFactory(process=budget_process)
    factories.CommentFactory(idea=idea)
    factories.NotificationFactory(recipient=resident)
    return {
        "rounds": "/api/v1/rounds/",
        "processes": "/api/v1/processes/",
        "ideas": f"/api/v1/processes/{budget_process.slug}/ideas/",
        "projects": f"/api/v1/rounds/{budget_round.slug}/projects/",
        "comments": f"/api/v1/ideas/{idea.pk}/comments/",
        "notifications": "/api/v1/me/notifications/",
    }


def _get(client: Client, resident, path: str, **query: str):
    if path.startswith("/api/v1/me/"):
        client.force_login(resident)
    return client.get(path, query)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"limit": OVERFLOW}, "limit", f"less than or equal to {MAX_PAGE_SIZE}"),
        ({"limit": INT64_MAX}, "limit", f"less than or equal to {MAX_PAGE_SIZE}"),
        ({"limit": str(MAX_PAGE_SIZE + 1)}, "limit", f"less than or equal to {MAX_PAGE_SIZE}"),
        ({"limit": "-1"}, "limit", "greater than or equal to 1"),
        ({"limit": "0"}, "limit", "greater than or equal to 1"),
        ({"limit": "ten"}, "limit", "A valid integer is required."),
        ({"limit": "1.5"}, "limit", "A valid integer is required."),
        ({"offset": OVERFLOW}, "offset", f"less than or equal to {MAX_OFFSET}"),
        ({"offset": "-3"}, "offset", "greater than or equal to 0"),
        ({"offset": "1e3"}, "offset", "A valid integer is required."),
    ],
)
@pytest.mark.parametrize("name", ["rounds", "processes", "ideas", "projects", "comments"])
def test_a_bad_limit_or_offset_is_a_400_naming_it(
    client, lists, resident, name, query, field, message
):
    response = _get(client, resident, lists[name], **query)
    assert response.status_code == 400, response.content
    [text] = response.json()[field]
    assert message in text


def test_notifications_page_the_same_way(client, lists, resident):
    response = _get(client, resident, lists["notifications"], limit=OVERFLOW)
    assert response.status_code == 400
    assert "limit" in response.json()
    page = _get(client, resident, lists["notifications"], limit="1").json()
    assert (len(page["results"]), page["count"], page["unread"]) == (1, 1, 1)


@pytest.mark.parametrize("name", ["rounds", "processes", "ideas", "projects", "comments"])
def test_pages_within_bounds_are_served(client, lists, resident, name):
    full = _get(client, resident, lists[name], limit=str(MAX_PAGE_SIZE), offset="0").json()
    assert full["count"] >= 1
    assert len(full["results"]) == min(full["count"], MAX_PAGE_SIZE)
    beyond = _get(client, resident, lists[name], offset=str(MAX_OFFSET)).json()
    assert (beyond["count"], beyond["results"]) == (full["count"], [])
    empty_values = _get(client, resident, lists[name], limit="", offset="").json()
    assert empty_values["results"] == full["results"]


def test_the_default_page_and_the_maximum_page(client, riga):
    budget_round = factories.voting_round(organisation=riga, costs=())
    city = budget_round.districts.get()
    for number in range(MAX_PAGE_SIZE + 5):
        factories.ProjectFactory(district_budget=city, external_id=f"x{number}")
    url = f"/api/v1/rounds/{budget_round.slug}/projects/"
    assert len(client.get(url).json()["results"]) == DEFAULT_PAGE_SIZE
    page = client.get(url, {"limit": MAX_PAGE_SIZE, "offset": 5}).json()
    assert (page["count"], len(page["results"])) == (MAX_PAGE_SIZE + 5, MAX_PAGE_SIZE)
    assert page["next"] is None
    assert page["previous"].endswith(f"limit={MAX_PAGE_SIZE}")


def test_the_schema_states_the_bounds_on_every_list(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    bounds = {}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []) if method == "get" else []:
                if parameter["name"] in ("limit", "offset"):
                    schema_of = parameter["schema"]
                    bounds[(path, parameter["name"])] = (
                        schema_of["minimum"],
                        schema_of["maximum"],
                    )
    lists = {path for path, _name in bounds}
    assert {
        "/api/v1/rounds/",
        "/api/v1/processes/",
        "/api/v1/processes/{slug}/ideas/",
        "/api/v1/rounds/{slug}/projects/",
        "/api/v1/ideas/{idea_id}/comments/",
        "/api/v1/me/notifications/",
    } <= lists
    for path in lists:
        assert bounds[(path, "limit")] == (1, MAX_PAGE_SIZE), path
        assert bounds[(path, "offset")] == (0, MAX_OFFSET), path
