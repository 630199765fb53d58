"""Hidden content is kept, but leaks nowhere: lists, detail, search, similar ideas, comments,
exports, the moderation queue of other organisations, the budgeting link."""

from __future__ import annotations

import pytest

from engagement.ideas import selectors
from engagement.ideas.models import Idea
from engagement.ideas.services import discussion, moderation
from tests import factories

pytestmark = pytest.mark.django_db

SECRET = "Zanzibarfrogs"  # a word only the hidden content contains


@pytest.fixture
def hidden(collection, author, riga_moderator):
    idea = factories.IdeaFactory(
        process=collection,
        author=author,
        title=f"{SECRET} pond in the park",
        description=f"<p>A pond for {SECRET}.</p>",
    )
    moderation.content_hide(actor=riga_moderator, idea=idea, note="Duplicate advertising.")
    return Idea.objects.get(pk=idea.pk)


@pytest.fixture
def shown(collection):
    return factories.IdeaFactory(process=collection, title="A pond in the park")


def viewers(as_user, author, gdansk_admin):
    """Everyone who must not see hidden content: nobody, a resident, its own author, and
    staff of another organisation."""
    return {
        "anonymous": as_user(None),
        "resident": as_user(factories.UserFactory()),
        "author": as_user(author),
        "other organisation": as_user(gdansk_admin),
    }


def ids(answer) -> list[int]:
    body = answer.json()
    return [i["id"] for i in (body["results"] if isinstance(body, dict) else body)]


def test_list_detail_search_similar_and_export(
    as_user, collection, hidden, shown, author, gdansk_admin
):
    for who, client in viewers(as_user, author, gdansk_admin).items():
        base = f"/api/v1/processes/{collection.slug}/ideas/"
        assert ids(client.get(base)) == [shown.pk], who
        assert ids(client.get(base, {"q": SECRET})) == [], who
        assert ids(client.get(base, {"mine": "true"})) == [], who
        assert ids(client.get(base + "similar/", {"text": f"{SECRET} pond"})) == [shown.pk], who
        assert client.get(f"/api/v1/ideas/{hidden.pk}/").status_code == 404, who
        assert client.get(f"/api/v1/ideas/{hidden.pk}/comments/").status_code == 404, who
        export = client.get(f"/api/v1/processes/{collection.slug}/ideas.csv")
        assert export.status_code == 200
        assert SECRET not in export.content.decode(), who
        process = client.get(f"/api/v1/processes/{collection.slug}/").json()
        assert process["idea_count"] == 1, who


def test_writing_to_hidden_ideas_is_a_404(as_user, hidden, author, gdansk_admin):
    for who, client in viewers(as_user, author, gdansk_admin).items():
        if who == "anonymous":
            continue
        for method, tail, body in [
            ("put", "support/", None),
            ("put", "follow/", None),
            ("post", "comments/", {"body": "<p>x</p>"}),
            ("patch", "", {"title": "x"}),
        ]:
            answer = getattr(client, method)(f"/api/v1/ideas/{hidden.pk}/{tail}", body)
            assert answer.status_code == 404, (who, method, tail)
        report = client.post("/api/v1/reports/", {"idea": hidden.pk, "reason": "spam"})
        assert report.status_code == 404, who


def test_staff_of_the_organisation_see_it_marked(as_user, collection, hidden, riga_reviewer):
    client = as_user(riga_reviewer)
    listed = client.get(f"/api/v1/processes/{collection.slug}/ideas/").json()["results"]
    assert [(i["id"], i["hidden"], i["moderation_note"]) for i in listed] == [
        (hidden.pk, True, "Duplicate advertising.")
    ]
    assert client.get(f"/api/v1/ideas/{hidden.pk}/").json()["hidden"] is True
    # ... but never in what the public gets: exports and the similar-ideas hint.
    assert (
        SECRET not in client.get(f"/api/v1/processes/{collection.slug}/ideas.csv").content.decode()
    )
    similar = client.get(
        f"/api/v1/processes/{collection.slug}/ideas/similar/", {"text": SECRET}
    ).json()
    assert similar == []


def test_hidden_comments_keep_their_place_without_their_text(
    as_user, idea, author, riga_moderator, gdansk_admin
):
    rude = discussion.comment_create(author=author, idea=idea, body=f"<p>{SECRET} insult</p>")
    reply = discussion.comment_create(
        author=factories.UserFactory(), idea=idea, body="<p>Please be kind.</p>", parent=rude
    )
    moderation.content_hide(actor=riga_moderator, comment=rude, note="Insulting.")
    url = f"/api/v1/ideas/{idea.pk}/comments/"
    for who, client in viewers(as_user, author, gdansk_admin).items():
        answer = client.get(url)
        assert SECRET not in answer.content.decode(), who
        [thread] = answer.json()["results"]
        assert (thread["hidden"], thread["body"], thread["author"]) == (True, "", None), who
        assert thread["moderation_note"] == "Insulting."
        assert [r["id"] for r in thread["replies"]] == [reply.pk]
        assert client.patch(f"/api/v1/comments/{rude.pk}/", {"body": "x"}).status_code in (403, 404)
    staff = as_user(riga_moderator).get(url).json()["results"][0]
    assert (staff["hidden"], staff["body"]) == (True, f"<p>{SECRET} insult</p>")
    detail = as_user().get(f"/api/v1/ideas/{idea.pk}/").json()
    assert detail["comment_count"] == 1  # the reply only


def test_selectors_used_by_exports_and_statistics_leave_it_out(collection, hidden, shown):
    assert list(selectors.public_ideas(collection)) == [shown]
    assert selectors.similar_ideas(None, collection, f"{SECRET} pond") == [shown]


def test_the_budgeting_link_of_a_hidden_idea_is_not_shown(riga, author, riga_moderator):
    process = factories.budget_process(organisation=riga, phase="review")
    project = factories.ProjectFactory(
        district_budget=process.budget_round.districts.get(key="city")
    )
    idea = factories.IdeaFactory(process=process, author=author, status="accepted")
    Idea.objects.filter(pk=idea.pk).update(project=project)
    assert selectors.idea_links_for_projects([project.pk]) != {}
    moderation.content_hide(actor=riga_moderator, idea=idea, note="Personal data.")
    assert selectors.idea_links_for_projects([project.pk]) == {}


def test_a_merged_idea_does_not_reveal_a_hidden_target(as_user, collection, riga_moderator):
    target = factories.IdeaFactory(process=collection, title=f"{SECRET} target")
    merged = factories.IdeaFactory(process=collection, status="merged", merged_into=target)
    moderation.content_hide(actor=riga_moderator, idea=target, note="Spam.")
    body = as_user().get(f"/api/v1/ideas/{merged.pk}/").json()
    assert body["merged_into"] is None
    assert SECRET not in str(body)
