"""``OPTIONS`` answers on every route of the API, for anyone, without running the views.

It says what the endpoint renders and parses, and ``Allow`` lists exactly the methods the
schema documents (plus ``OPTIONS`` and ``HEAD``). DRF's default metadata ran serializers
and permission checks outside a request, which broke (500) on list views signed in.
"""

from __future__ import annotations

import re

import pytest

from engagement.people.models import Role
from tests import factories

pytestmark = pytest.mark.django_db

IMPLICIT = {"HEAD", "OPTIONS"}


@pytest.fixture
def schema(client):
    return client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


@pytest.fixture
def routes(schema, riga):
    """Every documented path with real objects in it, and the methods it documents."""
    process = factories.budget_process(organisation=riga, phase="results")
    budget_round = process.budget_round
    project = factories.ProjectFactory(
        district_budget=budget_round.districts.first(), status="selected"
    )
    idea = factories.IdeaFactory(process=process)
    comment = factories.CommentFactory(idea=idea)
    notification = factories.NotificationFactory()
    values = {
        "slug": budget_round.slug,
        "project_id": project.external_id,
        "idea_id": idea.pk,
        "comment_id": comment.pk,
        "image_id": 1,
        "answer_id": 1,
        "notification_id": notification.pk,
        "workshop_id": 1,
        "photo_id": 1,
        "note_id": 1,
        "cluster_id": 1,
        "fmt": "csv",
    }
    organisation_paths = ("/api/v1/organisations/{slug}/",)
    filled = {}
    for path, item in schema["paths"].items():
        names = dict(values, slug=riga.slug) if path.startswith(organisation_paths) else values
        concrete = re.sub(r"\{(\w+)\}", lambda m, names=names: str(names[m.group(1)]), path)
        filled[concrete] = {method.upper() for method in item if method != "parameters"}
    return filled


@pytest.mark.parametrize("who", ["anonymous", "resident", "administrator"])
def test_options_answers_on_every_route(client, routes, riga, who):
    user = {
        "anonymous": None,
        "resident": factories.UserFactory(),
        "administrator": factories.staff(riga, Role.ADMINISTRATOR),
    }[who]
    if user is not None:
        client.force_login(user)
    assert len(routes) >= 50
    problems = []
    for path, documented in routes.items():
        response = client.options(path)
        if response.status_code != 200:
            problems.append((path, response.status_code))
            continue
        body = response.json()
        allowed = {m.strip() for m in response["Allow"].split(",")}
        if allowed - IMPLICIT != documented - IMPLICIT:
            problems.append((path, sorted(allowed), sorted(documented)))
        if set(body) != {"name", "renders", "parses"} or "application/json" not in body["renders"]:
            problems.append((path, body))
    assert problems == []


def test_options_on_the_lists_that_failed_signed_in(as_user, resident, riga):
    process = factories.budget_process(organisation=riga)
    idea = factories.IdeaFactory(process=process)
    client = as_user(resident).client
    for path in (
        "/api/v1/rounds/",
        "/api/v1/processes/",
        f"/api/v1/processes/{process.slug}/ideas/",
        f"/api/v1/ideas/{idea.pk}/comments/",
    ):
        response = client.options(path)
        assert response.status_code == 200, path
        assert response.json()["parses"] == ["application/json"]
