"""Stored XSS: payloads sent through the API to every text field of processes, ideas,
images, comments, reports, moderation and review are stored inert and answered inert."""

from __future__ import annotations

import pytest

from engagement.ideas.models import (
    Comment,
    Idea,
    IdeaImage,
    ModerationLog,
    ParticipatoryProcess,
    Report,
)
from tests import factories
from tests.engagement.content.test_sanitise import PAYLOADS
from tests.engagement.ideas.images import upload
from tests.engagement.ideas.util import assert_plain_inert, assert_rich_inert

pytestmark = pytest.mark.django_db


def wrap(payload: str) -> str:
    return f"Before {payload} after"


def walk_strings(value):
    """Every string in an API answer."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from walk_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk_strings(item)


def assert_answer_inert(answer) -> None:
    for text in walk_strings(answer.json()):
        assert_rich_inert(text)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_process_fields(as_user, riga, riga_admin, payload):
    answer = as_user(riga_admin).post(
        "/api/v1/processes/",
        {
            "organisation": "riga",
            "kind": "ideas",
            "slug": "xss",
            "title": wrap(payload),
            "description": wrap(payload),
            "categories": [wrap(payload)[:80]],  # the field holds 80 characters
        },
    )
    assert answer.status_code == 201, answer.json()
    process = ParticipatoryProcess.objects.get(slug="xss")
    assert_plain_inert(process.title)
    assert_rich_inert(process.description)
    assert_plain_inert(process.categories[0])
    assert_answer_inert(answer)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_idea_fields_on_create_and_edit(as_user, collection, author, payload):
    client = as_user(author)
    created = client.post(
        f"/api/v1/processes/{collection.slug}/ideas/",
        {"title": wrap(payload), "description": wrap(payload), "submit": True},
    )
    assert created.status_code == 201, created.json()
    idea = Idea.objects.get()
    assert_plain_inert(idea.title)
    assert_rich_inert(idea.description)
    assert_answer_inert(created)
    edited = client.patch(
        f"/api/v1/ideas/{idea.pk}/", {"title": wrap(payload), "description": wrap(payload)}
    )
    idea.refresh_from_db()
    assert_plain_inert(idea.title)
    assert_rich_inert(idea.description)
    assert_answer_inert(edited)
    for listing in (
        client.get(f"/api/v1/processes/{collection.slug}/ideas/"),
        client.get(f"/api/v1/processes/{collection.slug}/ideas/similar/", {"text": "Before"}),
    ):
        assert_answer_inert(listing)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_image_descriptions(as_user, idea, author, payload):
    answer = as_user(author).upload(
        f"/api/v1/ideas/{idea.pk}/images/", {"image": upload(), "alt_text": wrap(payload)}
    )
    assert answer.status_code == 201, answer.json()
    assert_plain_inert(IdeaImage.objects.get().alt_text)
    assert_answer_inert(answer)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_comments_on_create_and_edit(as_user, idea, resident, payload):
    client = as_user(resident)
    created = client.post(f"/api/v1/ideas/{idea.pk}/comments/", {"body": wrap(payload)})
    assert created.status_code == 201, created.json()
    comment = Comment.objects.get()
    assert_rich_inert(comment.body)
    edited = client.patch(f"/api/v1/comments/{comment.pk}/", {"body": wrap(payload)})
    assert edited.status_code == 200
    comment.refresh_from_db()
    assert_rich_inert(comment.body)
    assert_answer_inert(client.get(f"/api/v1/ideas/{idea.pk}/comments/"))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_report_details_and_moderation_notes(as_user, idea, resident, riga_moderator, payload):
    reported = as_user(resident).post(
        "/api/v1/reports/", {"idea": idea.pk, "reason": "other", "details": wrap(payload)}
    )
    assert reported.status_code == 201, reported.json()
    assert_plain_inert(Report.objects.get().details)
    moderator = as_user(riga_moderator)
    assert_answer_inert(moderator.get("/api/v1/moderation/queue/"))
    for action in ("hide", "restore"):
        answer = moderator.post(
            f"/api/v1/moderation/{action}/", {"idea": idea.pk, "note": wrap(payload)}
        )
        assert answer.status_code == 200, answer.json()
        assert_answer_inert(answer)
    comment = factories.CommentFactory(idea=idea)
    as_user(resident).post("/api/v1/reports/", {"comment": comment.pk, "reason": "spam"})
    dismissed = as_user(riga_moderator).post(
        "/api/v1/moderation/dismiss/", {"comment": comment.pk, "note": wrap(payload)}
    )
    assert dismissed.status_code == 200, dismissed.json()
    for entry in ModerationLog.objects.all():
        assert_plain_inert(entry.note)
    assert_answer_inert(as_user(riga_moderator).get("/api/v1/moderation/log/"))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_review_and_merge_reasons(as_user, collection, riga_reviewer, payload):
    ParticipatoryProcess.objects.filter(pk=collection.pk).update(phase="reviewing")
    rejected, duplicate = factories.IdeaFactory.create_batch(2, process=collection)
    client = as_user(riga_reviewer)
    answer = client.post(
        f"/api/v1/ideas/{rejected.pk}/review/",
        {"decision": "rejected", "public_reason": wrap(payload)},
    )
    assert answer.status_code == 200, answer.json()
    merged = client.post(
        f"/api/v1/ideas/{duplicate.pk}/merge/",
        {"into": rejected.pk, "public_reason": wrap(payload)},
    )
    assert merged.status_code == 200, merged.json()
    for idea in Idea.objects.all():
        assert_plain_inert(idea.public_reason)
    assert_answer_inert(answer)
    assert_answer_inert(merged)
