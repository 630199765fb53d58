"""Who may act is decided before the body is read.

A signed-in person without the role gets 403 for any body — a malformed one included — so
field errors never tell them what a valid request would look like. Someone with the role
sending the same body gets the field errors.
"""

from __future__ import annotations

import pytest

from engagement.people.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(riga, author):
    process = factories.budget_process(organisation=riga, phase="review")
    budget_round = process.budget_round
    project = factories.ProjectFactory(district_budget=budget_round.districts.first())
    idea = factories.IdeaFactory(process=process, author=author)
    comment = factories.CommentFactory(idea=idea, author=author)
    return {
        "round": f"/api/v1/rounds/{budget_round.slug}/",
        "project": f"/api/v1/rounds/{budget_round.slug}/projects/{project.external_id}/",
        "process": f"/api/v1/processes/{process.slug}/",
        "idea": f"/api/v1/ideas/{idea.pk}/",
        "comment": f"/api/v1/comments/{comment.pk}/",
        "organisation": f"/api/v1/organisations/{riga.slug}/",
    }


@pytest.fixture
def author(db):
    return factories.UserFactory(email="author@example.org")


# (method, where, path after it, a malformed body, who may) — who may: the role that gets
# field errors for the same body.
WRITES = [
    ("post", None, "/api/v1/rounds/", {"organisation": 5}, "administrator"),
    ("patch", "round", "", {"min_projects": "many"}, "administrator"),
    ("post", "round", "phase/", {"to": "nowhere"}, "administrator"),
    ("put", "round", "schedule/", {"phase": 1}, "administrator"),
    ("post", "round", "projects/", {"cost": "lots"}, "administrator"),
    ("post", "round", "tally/", {"rule": "best"}, "administrator"),
    ("post", "round", "paper-ballots/", {"serial": []}, "officer"),
    ("patch", "project", "", {"cost": "lots"}, "administrator"),
    ("post", "project", "review/", {"feasible": "maybe"}, "reviewer"),
    ("patch", "project", "implementation/", {"progress": 500}, "administrator"),
    ("post", "project", "implementation/updates/", {"text": ["x"]}, "administrator"),
    ("post", "organisation", "memberships/", {"email": "nobody"}, "administrator"),
    ("delete", "organisation", "memberships/", {"email": "nobody"}, "administrator"),
    ("post", None, "/api/v1/processes/", {"kind": 5}, "administrator"),
    ("patch", "process", "", {"title": ["x"]}, "administrator"),
    ("post", "process", "phase/", {"to_phase": "later"}, "administrator"),
    ("patch", "idea", "", {"title": ["x"]}, "author"),
    ("patch", "comment", "", {"body": ["x"]}, "author"),
    ("post", "idea", "review/", {"decision": "maybe"}, "reviewer"),
    ("post", "idea", "merge/", {"into": "that one"}, "reviewer"),
    ("post", None, "/api/v1/moderation/hide/", {"idea": "that one"}, "moderator"),
    ("post", None, "/api/v1/moderation/restore/", {"idea": "that one"}, "moderator"),
    ("post", None, "/api/v1/moderation/dismiss/", {"idea": "that one"}, "moderator"),
]


def _path(world, where, tail):
    return tail if where is None else world[where] + tail


@pytest.mark.parametrize(("method", "where", "tail", "body", "role"), WRITES)
def test_without_the_role_a_malformed_body_is_a_403(
    as_user, world, riga, method, where, tail, body, role
):
    # Staff with another role (so the organisation's staff pages are not hidden from them).
    other = Role.MODERATOR if role != "moderator" else Role.REVIEWER
    outsider = factories.staff(riga, other, email="outsider@riga.example")
    response = getattr(as_user(outsider), method)(_path(world, where, tail), body)
    assert response.status_code == 403, response.content
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize(("method", "where", "tail", "body", "role"), WRITES)
def test_with_the_role_the_same_body_gets_field_errors(
    as_user, world, riga, author, method, where, tail, body, role
):
    person = author if role == "author" else factories.staff(riga, Role(role))
    response = getattr(as_user(person), method)(_path(world, where, tail), body)
    assert response.status_code == 400, response.content
    assert set(body) <= set(response.json()), response.json()


def test_the_image_upload_asks_for_the_author_first(as_user, world, riga):
    stranger = factories.UserFactory()
    response = as_user(stranger).upload(world["idea"] + "images/", {"alt_text": "x"})
    assert response.status_code == 403
