"""The idea list: filters, sort, search and pagination as a plain GET form; htmx swaps only
the results; hidden ideas and drafts are never listed; a fixed number of queries."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.utils import formats, timezone, translation

from engagement.ideas.models import Support
from tests import factories
from tests.frontend.ideas.conftest import body

pytestmark = pytest.mark.django_db

URL = "/processes/waterfront/ideas/"


def _support(idea, times: int) -> None:
    for _ in range(times):
        Support.objects.create(idea=idea, user=factories.UserFactory())


class TestFilters:
    def test_lists_public_ideas_with_their_counts(self, client, idea):
        _support(idea, 2)
        factories.CommentFactory(idea=idea)
        html = body(client.get(URL))
        assert "Benches by the sea" in html
        assert "2 supporters" in html
        assert "1 comment" in html
        assert "1 idea found" in html

    def test_category_district_and_status_filters(self, client, collection, north):
        factories.IdeaFactory(process=collection, title="Trees on the pier", category="green")
        factories.IdeaFactory(
            process=collection, title="Swings in the north", category="play", district=north
        )
        factories.IdeaFactory(process=collection, title="Old accepted plan", status="accepted")

        green = body(client.get(URL, {"category": "green"}))
        assert "Trees on the pier" in green
        assert "Swings in the north" not in green

        in_north = body(client.get(URL, {"district": "north"}))
        assert "Swings in the north" in in_north
        assert "Trees on the pier" not in in_north

        accepted = body(client.get(URL, {"status": "accepted"}))
        assert "Old accepted plan" in accepted
        assert "Trees on the pier" not in accepted

    def test_search_uses_the_existing_search(self, client, collection):
        factories.IdeaFactory(process=collection, title="Fountain by the harbour")
        factories.IdeaFactory(process=collection, title="Bike racks at the station")
        html = body(client.get(URL, {"q": "harbour"}))
        assert "Fountain by the harbour" in html
        assert "Bike racks at the station" not in html
        assert "1 idea found" in html

    def test_no_match_says_so(self, client, idea):
        html = body(client.get(URL, {"q": "zeppelin"}))
        assert "No idea matches these filters." in html
        assert "Benches by the sea" not in html

    def test_unknown_filter_value_is_a_400_with_the_message(self, client, idea):
        response = client.get(URL, {"status": "nonsense"})
        assert response.status_code == 400
        assert "Select a valid choice" in body(response)
        assert "Benches by the sea" in body(response)  # the other filters still apply


class TestSort:
    def test_most_supported_first(self, client, collection):
        few = factories.IdeaFactory(process=collection, title="Few supporters")
        many = factories.IdeaFactory(process=collection, title="Many supporters")
        _support(many, 3)
        _support(few, 1)
        html = body(client.get(URL, {"sort": "most_supported"}))
        assert html.index("Many supporters") < html.index("Few supporters")
        html = body(client.get(URL, {"sort": "newest"}))
        assert html.index("Many supporters") < html.index("Few supporters")  # created later

    def test_most_discussed_first(self, client, collection):
        talked = factories.IdeaFactory(process=collection, title="Talked about")
        factories.IdeaFactory(process=collection, title="Quiet one")
        factories.CommentFactory(idea=talked)
        html = body(client.get(URL, {"sort": "most_discussed"}))
        assert html.index("Talked about") < html.index("Quiet one")


class TestPagination:
    def test_twenty_per_page_and_the_filters_stay_in_the_links(self, client, collection):
        for number in range(25):
            factories.IdeaFactory(
                process=collection, title=f"Idea number {number:02d}", category="green"
            )
        first = body(client.get(URL, {"category": "green"}))
        assert "25 ideas found" in first
        assert "page 1 of 2" in first
        assert "Idea number 24" in first
        assert "Idea number 04" not in first
        assert "category=green&amp;page=2" in first
        # With htmx the page links load in place; the idea links stay ordinary links.
        assert '<div id="idea-results" class="idea-results">' in first
        assert first.index('hx-boost="true"') > first.rindex('class="card idea-card"')
        second = body(client.get(URL, {"category": "green", "page": 2}))
        assert "Idea number 04" in second
        assert "Idea number 24" not in second


class TestWhatIsNeverListed:
    def test_hidden_ideas_and_drafts_are_absent(self, client, collection, resident):
        factories.IdeaFactory(process=collection, title="Hidden rant", hidden=True)
        factories.IdeaFactory(
            process=collection, title="Someone's draft", status="draft", submitted_at=None
        )
        for viewer in (None, resident):
            if viewer:
                client.force_login(viewer)
            html = body(client.get(URL))
            assert "Hidden rant" not in html
            assert "Someone&#x27;s draft" not in html
            assert "Someone's draft" not in html
            assert "0 ideas found" in html

    def test_my_drafts_appear_under_mine(self, client, collection, author):
        factories.IdeaFactory(
            process=collection,
            author=author,
            title="My own draft",
            status="draft",
            submitted_at=None,
        )
        client.force_login(author)
        assert "My own draft" not in body(client.get(URL))
        assert "My own draft" in body(client.get(URL, {"mine": "on"}))


class TestHtmx:
    def test_htmx_swaps_only_the_results_and_announces_the_count(self, client, idea):
        response = client.get(
            URL, {"q": "benches"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="idea-results"
        )
        html = body(response)
        assert response.status_code == 200
        assert "<html" not in html
        assert "<form" not in html
        assert 'id="idea-results"' in html
        assert 'id="idea-count" hx-swap-oob="innerHTML"' in html
        assert "1 idea found" in html

    def test_the_full_page_has_a_polite_live_count_and_an_htmx_form(self, client, idea):
        html = body(client.get(URL))
        assert 'id="idea-count" class="idea-count" role="status" aria-live="polite"' in html
        assert 'hx-get="/processes/waterfront/ideas/"' in html
        assert 'hx-push-url="true"' in html
        assert 'method="get"' in html


def test_query_count_does_not_grow_with_the_ideas(
    client, collection, resident, north, django_assert_max_num_queries
):
    client.force_login(resident)
    for number in range(20):
        idea = factories.IdeaFactory(process=collection, title=f"Idea {number}", district=north)
        factories.CommentFactory(idea=idea)
        _support(idea, 1)
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"sort": "most_supported"})
    assert body(response).count('class="card idea-card"') == 20


def test_polish_reader_gets_polish_dates_and_messages(client, idea):
    response = client.get(URL, {"status": "nonsense"}, HTTP_ACCEPT_LANGUAGE="pl")
    html = body(response)
    assert '<html lang="pl"' in html
    assert "Wybierz poprawną wartość" in html  # Django's own Polish for an unknown choice
    with translation.override("pl"), timezone.override(ZoneInfo("Europe/Riga")):
        expected = formats.date_format(timezone.localtime(idea.submitted_at), "DATE_FORMAT")
    assert expected in html  # e.g. "1 grudnia 2026", in the organisation's time zone
    assert any(
        month in expected
        for month in (
            "stycznia",
            "lutego",
            "grudnia",
            "listopada",
            "marca",
            "kwietnia",
            "maja",
            "czerwca",
            "lipca",
            "sierpnia",
            "września",
            "października",
        )
    )


def test_another_organisations_draft_process_is_404(client, gdansk, riga_admin):
    factories.IdeaCollectionFactory(organisation=gdansk, slug="gdansk-draft", phase="draft")
    client.force_login(riga_admin)
    assert client.get("/processes/gdansk-draft/ideas/").status_code == 404
    assert client.get("/processes/gdansk-draft/").status_code == 404
    assert client.get("/processes/gdansk-draft/ideas/new/").status_code == 404
