"""What a hostile request body gets: a 400 saying what is wrong, never a 500.

Bodies are JSON, at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes, nested at most
``MAX_JSON_DEPTH`` levels, without NUL characters; numbers and text stay inside what the
database stores. Django's own limits (too many fields or files, too large a form) are a 400
too, on pages and in the API, before and after routing.
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from werkzeug.test import Client as WsgiClient

from engagement.http.api import MAX_JSON_DEPTH, json_depth_exceeds
from tests import factories
from tests.budgeting.api.util import round_in, url

pytestmark = pytest.mark.django_db

CSRF = "kopaTestCsrfSecret0123456789abcd"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def draft(riga):
    return round_in("draft", organisation=riga)


# --- nesting --------------------------------------------------------------------------------


def test_depth_is_counted_outside_strings():
    assert not json_depth_exceeds(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)
    assert json_depth_exceeds(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)
    assert not json_depth_exceeds(json.dumps({"text": "[" * 500}), MAX_JSON_DEPTH)
    assert not json_depth_exceeds(json.dumps({"text": '\\"[[[' * 50}), MAX_JSON_DEPTH)
    assert json_depth_exceeds('{"a": ' * 40 + "1" + "}" * 40, MAX_JSON_DEPTH)


def test_json_nested_a_thousand_deep_is_a_400_for_anyone(client):
    budget_round = factories.voting_round()
    response = client.post(url(budget_round, "receipt/"), nested(1000), "application/json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"JSON nested deeper than {MAX_JSON_DEPTH} levels is not accepted."
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/rounds/",
        "/api/v1/processes/",
        "/api/v1/me/",
        "/api/v1/me/notification-preferences/",
    ],
)
def test_deep_json_is_a_400_signed_in_too(as_user, riga_admin, path):
    client = as_user(riga_admin)
    method = {"/api/v1/me/": "patch", "/api/v1/me/notification-preferences/": "put"}
    send = getattr(client.client, method.get(path, "post"))
    response = send(path, nested(5000), content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper" in response.json()["detail"]


def test_json_as_deep_as_allowed_reaches_validation(as_user, riga_admin, draft):
    body = {"translations": {"lv": {"title": "Virsraksts"}}}
    for _level in range(MAX_JSON_DEPTH - 3):
        body = {"title": body}
    response = as_user(riga_admin).patch(url(draft), body)
    assert response.status_code == 400
    assert response.json()["error_codes"] == {"title": ["invalid"]}


# --- text, numbers, size --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"title": "Benches\u0000"}, "title", "null_characters_not_allowed"),
        (
            {"translations": {"lv": {"title": "Sols\u0000"}}},
            "translations",
            "null_characters_not_allowed",
        ),
        ({"translations": {"lv\u0000": {"title": "Sols"}}}, "translations", "invalid_translations"),
    ],
)
def test_nul_characters_are_refused_wherever_they_are_read(
    as_user, riga_admin, draft, body, field, code
):
    response = as_user(riga_admin).patch(url(draft), body)
    assert response.status_code == 400
    assert response.json()["error_codes"] == {field: [code]}
    draft.refresh_from_db()
    assert draft.translations == {}


def test_an_escaped_backslash_before_u0000_is_just_text(as_user, riga_admin, draft):
    response = as_user(riga_admin).patch(url(draft), {"description": "C:\\u0000 drive"})
    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    assert draft.description == "C:\\u0000 drive"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lottery_seed": 2**70}, "lottery_seed"),
        ({"min_projects": 10**30}, "min_projects"),
        ({"points_budget": -(10**25)}, "points_budget"),
    ],
)
def test_huge_numbers_are_field_errors(as_user, riga_admin, draft, body, field):
    response = as_user(riga_admin).patch(url(draft), body)
    assert response.status_code == 400
    assert list(response.json()["error_codes"]) == [field]


def test_huge_ids_in_bodies_find_nothing(as_user, riga, riga_moderator):
    collection = factories.IdeaCollectionFactory(organisation=riga)
    idea = factories.IdeaFactory(process=collection)
    client = as_user(riga_moderator)
    assert client.post("/api/v1/moderation/hide/", {"idea": 10**30}).status_code == 404
    reply = client.post(f"/api/v1/ideas/{idea.pk}/comments/", {"body": "x", "parent": 10**30})
    assert reply.status_code == 400
    assert reply.json()["error_codes"] == {"parent": ["does_not_exist"]}


@pytest.mark.parametrize(("field", "limit"), [("description", 20_000), ("title", 200)])
def test_over_long_text_is_a_field_error(as_user, riga_admin, draft, field, limit):
    response = as_user(riga_admin).patch(url(draft), {field: "x" * (limit + 1)})
    assert response.status_code == 400
    assert response.json()["error_codes"] == {field: ["max_length"]}
    assert as_user(riga_admin).patch(url(draft), {field: "x" * limit}).status_code == 200


def test_a_body_over_the_size_limit_is_a_400(as_user, riga_admin, draft, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = as_user(riga_admin).patch(url(draft), {"description": "x" * 2000})
    assert response.status_code == 400
    assert "too large" in response.json()["detail"]


def test_bodies_are_json(as_user, riga_admin, draft):
    client = as_user(riga_admin).client
    form = client.patch(url(draft), "title=New", content_type="application/x-www-form-urlencoded")
    assert form.status_code == 415
    assert form.json() == {
        "detail": 'Unsupported media type "application/x-www-form-urlencoded" in request.'
    }


# --- Django's request limits: pages and API, routed or not ----------------------------------


@pytest.fixture
def wsgi(resident):
    """A signed-in browser over the real WSGI stack, CSRF cookie and header included."""
    session = Client()
    session.force_login(resident)
    browser = WsgiClient(get_wsgi_application())
    browser.set_cookie("sessionid", session.cookies["sessionid"].value)
    browser.set_cookie("csrftoken", CSRF)
    # As Django's test client does: the test's transaction keeps its connection open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield browser
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


TOO_MANY_FIELDS = {f"field{i}": "x" for i in range(1001)}


@pytest.mark.parametrize("path", ["/no/such/page/", "/api/v1/no-such-endpoint/", "/account/"])
@pytest.mark.parametrize(
    "content_type", ["multipart/form-data", "application/x-www-form-urlencoded"]
)
def test_too_many_fields_is_a_400_everywhere(wsgi, path, content_type):
    response = wsgi.post(
        path, data=TOO_MANY_FIELDS, content_type=content_type, headers={"X-CSRFToken": CSRF}
    )
    assert response.status_code == 400, (path, response.status_code)
    if path.startswith("/api/"):
        assert response.json["detail"].startswith("The request is too large")


def test_too_many_fields_to_an_endpoint_that_reads_forms(wsgi, riga, resident):
    idea = factories.IdeaFactory(author=resident, process__organisation=riga)
    response = wsgi.post(
        f"/api/v1/ideas/{idea.pk}/images/",
        data=TOO_MANY_FIELDS,
        content_type="multipart/form-data",
        headers={"X-CSRFToken": CSRF},
    )
    assert response.status_code == 400
    assert response.json["detail"].startswith("The request is too large")
    json_only = wsgi.post("/api/v1/rounds/", data=TOO_MANY_FIELDS, headers={"X-CSRFToken": CSRF})
    assert json_only.status_code == 415


def test_too_many_fields_signed_out_too(client):
    for path in ("/no/such/page/", "/api/v1/no-such-endpoint/"):
        assert client.post(path, TOO_MANY_FIELDS).status_code == 400


def test_too_many_query_parameters_is_a_400(wsgi):
    query = "&".join(f"q{i}=1" for i in range(1001))
    assert wsgi.get(f"/rounds/?{query}").status_code == 400
    response = wsgi.get(f"/api/v1/rounds/?{query}")
    assert response.status_code == 400
    assert "too large" in response.json["detail"]


def test_too_many_files_is_a_400(wsgi, riga, resident, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    idea = factories.IdeaFactory(author=resident, process__organisation=riga)
    for path in ("/no/such/page/", "/api/v1/no-such-endpoint/", f"/api/v1/ideas/{idea.pk}/images/"):
        files = {f"image{i}": (io.BytesIO(b"x"), f"{i}.png") for i in range(4)}
        response = wsgi.post(path, data=files, headers={"X-CSRFToken": CSRF})
        assert response.status_code == 400, path
    assert not idea.images.exists()


def test_a_form_over_the_size_limit_is_a_400(wsgi, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    for path in ("/no/such/page/", "/account/"):
        response = wsgi.post(
            path,
            data={"text": "x" * 5000},
            content_type="application/x-www-form-urlencoded",
            headers={"X-CSRFToken": CSRF},
        )
        assert response.status_code == 400, path


def test_unknown_api_paths_answer_json_and_pages_keep_their_page(client):
    api = client.get("/api/v1/no-such-endpoint/")
    assert (api.status_code, api.json()) == (404, {"detail": "Not found."})
    page = client.get("/no/such/page/")
    assert page.status_code == 404
    assert "We could not find this page" in page.content.decode()
