"""Idea lists: sorting, filters, search, similar ideas, CSV — and a fixed number of queries."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagement.ideas.models import Comment, Support
from tests import factories

pytestmark = pytest.mark.django_db


def ids(answer) -> list[int]:
    body = answer.json()
    return [i["id"] for i in (body["results"] if isinstance(body, dict) else body)]


def populate(process, count: int, *, viewer=None) -> None:
    """``count`` ideas, each with an image, comments, supports, a district, a follow."""
    district = factories.DistrictFactory(organisation=process.organisation)
    for number in range(count):
        idea = factories.IdeaFactory(process=process, district=district, category="green")
        idea.images.create(file=f"ideas/{number}.jpg", width=10, height=10)
        factories.CommentFactory(idea=idea)
        Support.objects.create(idea=idea, user=factories.UserFactory())
        if viewer is not None and number % 2:
            Support.objects.create(idea=idea, user=viewer)


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(url)
    assert answer.status_code == 200
    return len(captured)


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_idea_list_costs_the_same_for_3_and_30_ideas(
    as_user, riga, signed_in, django_assert_max_num_queries
):
    viewer = factories.UserFactory() if signed_in else None
    small = factories.IdeaCollectionFactory(organisation=riga)
    large = factories.IdeaCollectionFactory(organisation=riga)
    populate(small, 3, viewer=viewer)
    populate(large, 30, viewer=viewer)
    client = as_user(viewer)
    client.get(f"/api/v1/processes/{small.slug}/ideas/")  # session and caches warm
    few = queries_for(client, f"/api/v1/processes/{small.slug}/ideas/")
    many = queries_for(client, f"/api/v1/processes/{large.slug}/ideas/?sort=most_discussed")
    assert few == many
    with django_assert_max_num_queries(few):
        assert len(ids(client.get(f"/api/v1/processes/{large.slug}/ideas/"))) == 30


def test_comment_threads_cost_the_same_for_few_and_many(as_user, collection, idea):
    other = factories.IdeaFactory(process=collection)
    for target, roots in ((idea, 2), (other, 20)):
        for _n in range(roots):
            root = factories.CommentFactory(idea=target)
            factories.CommentFactory(idea=target, parent=root, root=root, depth=1)
    client = as_user(factories.UserFactory())
    client.get(f"/api/v1/ideas/{idea.pk}/comments/")
    assert queries_for(client, f"/api/v1/ideas/{idea.pk}/comments/") == queries_for(
        client, f"/api/v1/ideas/{other.pk}/comments/"
    )


def test_process_list_costs_the_same_for_few_and_many(as_user, riga, gdansk):
    factories.IdeaCollectionFactory(organisation=gdansk)
    client = as_user()
    few = queries_for(client, "/api/v1/processes/")
    for _n in range(10):
        factories.IdeaCollectionFactory(organisation=riga)
        factories.budget_process(organisation=riga)
    assert queries_for(client, "/api/v1/processes/") == few


class TestSortingAndFilters:
    @pytest.fixture
    def three(self, collection, riga):
        north = factories.DistrictFactory(organisation=riga, slug="north")
        quiet = factories.IdeaFactory(process=collection, title="Quiet", category="culture")
        loved = factories.IdeaFactory(process=collection, title="Loved", district=north)
        talked = factories.IdeaFactory(process=collection, title="Talked", status="accepted")
        for _n in range(3):
            Support.objects.create(idea=loved, user=factories.UserFactory())
        Support.objects.create(idea=talked, user=factories.UserFactory())
        for _n in range(2):
            factories.CommentFactory(idea=talked)
        hidden_comment = factories.CommentFactory(idea=loved, hidden=True)
        deleted = factories.CommentFactory(idea=loved)
        Comment.objects.filter(pk=deleted.pk).update(deleted_at="2027-01-01T00:00:00Z")
        assert hidden_comment.hidden
        return quiet, loved, talked

    def url(self, collection):
        return f"/api/v1/processes/{collection.slug}/ideas/"

    def test_sorts(self, as_user, collection, three):
        quiet, loved, talked = three
        client = as_user()
        assert ids(client.get(self.url(collection))) == [talked.pk, loved.pk, quiet.pk]
        assert ids(client.get(self.url(collection), {"sort": "oldest"})) == [
            quiet.pk, loved.pk, talked.pk,
        ]  # fmt: skip
        supported = client.get(self.url(collection), {"sort": "most_supported"})
        assert ids(supported) == [loved.pk, talked.pk, quiet.pk]
        assert [i["support_count"] for i in supported.json()["results"]] == [3, 1, 0]
        discussed = client.get(self.url(collection), {"sort": "most_discussed"})
        assert ids(discussed) == [talked.pk, loved.pk, quiet.pk]
        # hidden and deleted comments are not counted
        assert [i["comment_count"] for i in discussed.json()["results"]] == [2, 0, 0]

    def test_filters(self, as_user, collection, three):
        quiet, loved, talked = three
        client = as_user()
        assert ids(client.get(self.url(collection), {"status": "accepted"})) == [talked.pk]
        assert ids(client.get(self.url(collection), {"category": "culture"})) == [quiet.pk]
        assert ids(client.get(self.url(collection), {"district": "north"})) == [loved.pk]
        assert ids(client.get(self.url(collection), {"q": "talk"})) == [talked.pk]

    def test_bad_filters_are_400_with_codes(self, as_user, collection):
        answer = as_user().get(self.url(collection), {"sort": "random", "status": "lost"})
        assert answer.status_code == 400
        assert answer.json()["error_codes"] == {
            "status": ["invalid_choice"],
            "sort": ["invalid_choice"],
        }

    def test_pagination(self, as_user, collection, three):
        page = as_user().get(self.url(collection), {"limit": 2, "offset": 1}).json()
        assert (page["count"], len(page["results"])) == (3, 2)


class TestSearch:
    @pytest.fixture
    def ideas(self, collection):
        return {
            "swim": factories.IdeaFactory(
                process=collection,
                title="Floating swimming pool",
                description="<p>A pool in the harbour for summer swimming.</p>",
            ),
            "trees": factories.IdeaFactory(
                process=collection,
                title="Trees on the promenade",
                description="<p>Shade for hot summer days.</p>",
            ),
            "stage": factories.IdeaFactory(
                process=collection,
                title="Open-air stage",
                description="<p>Concerts by the harbour.</p>",
            ),
        }

    def test_every_word_must_match(self, as_user, collection, ideas):
        url = f"/api/v1/processes/{collection.slug}/ideas/"
        assert ids(as_user().get(url, {"q": "harbour"})) == sorted(
            [ideas["swim"].pk, ideas["stage"].pk], reverse=True
        )
        assert ids(as_user().get(url, {"q": "harbour swimming"})) == [ideas["swim"].pk]
        assert ids(as_user().get(url, {"q": "volcano"})) == []

    def test_similar_ideas_rank_the_closest_first(self, as_user, collection, ideas):
        url = f"/api/v1/processes/{collection.slug}/ideas/similar/"
        found = ids(as_user().get(url, {"text": "A swimming pool in the harbour"}))
        assert found[0] == ideas["swim"].pk
        assert ideas["trees"].pk not in found
        assert ids(as_user().get(url, {"text": "the and for"})) == []

    def test_similar_ideas_are_at_most_five_of_the_same_process(self, as_user, collection, riga):
        for _n in range(7):
            factories.IdeaFactory(process=collection, title="Bench by the fountain")
        elsewhere = factories.IdeaCollectionFactory(organisation=riga)
        factories.IdeaFactory(process=elsewhere, title="Bench by the fountain")
        answer = as_user().get(
            f"/api/v1/processes/{collection.slug}/ideas/similar/", {"text": "fountain bench"}
        )
        assert len(ids(answer)) == 5
        assert {i["process"] for i in answer.json()} == {collection.slug}

    def test_drafts_and_withdrawn_ideas_are_not_suggested(self, as_user, collection, author):
        factories.IdeaFactory(process=collection, title="Lantern walk", status="withdrawn")
        factories.IdeaFactory(
            process=collection, title="Lantern walk", status="draft", submitted_at=None,
            author=author,
        )  # fmt: skip
        answer = as_user(author).get(
            f"/api/v1/processes/{collection.slug}/ideas/similar/", {"text": "lantern"}
        )
        assert ids(answer) == []

    def test_the_text_is_required(self, as_user, collection):
        answer = as_user().get(f"/api/v1/processes/{collection.slug}/ideas/similar/")
        assert answer.json()["error_codes"] == {"text": ["required"]}


def test_csv_export_of_public_ideas(as_user, collection, author):
    factories.IdeaFactory(process=collection, title='=HYPERLINK("http://x")', estimated_cost=1250)
    factories.IdeaFactory(process=collection, status="draft", submitted_at=None, title="Draft")
    answer = as_user().get(f"/api/v1/processes/{collection.slug}/ideas.csv")
    assert answer["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    assert [(r["title"], r["estimated_cost"]) for r in rows] == [
        ('\'=HYPERLINK("http://x")', "12.50")
    ]
