import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_home_lists_organisations_with_landmarks(client, riga, gdansk):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="en"' in html
    assert '<main id="main"' in html
    assert "Rīga" in html
    assert "Gdańsk" in html
    assert "Skip to content" in html


def test_home_shows_staff_roles_to_staff(client, riga_moderator):
    client.force_login(riga_moderator)
    html = client.get("/").content.decode()
    assert "Your staff roles" in html
    assert "moderator" in html


def test_home_speaks_polish_when_asked(client, riga):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="pl")
    assert '<html lang="pl"' in response.content.decode()


def _card(html: str, name: str) -> str:
    start = html.index(f">{name}</a></h3>")
    return html[start : html.index("</li>", start)]


def test_each_card_counts_what_is_open_and_links_the_organisation(
    client, riga, gdansk, django_assert_max_num_queries
):
    factories.IdeaCollectionFactory(organisation=riga)
    factories.IdeaCollectionFactory(organisation=riga, phase="closed")
    factories.IdeaCollectionFactory(organisation=riga, phase="draft")  # not public yet
    factories.budget_process(organisation=riga, phase="voting")
    factories.BudgetRoundFactory(organisation=gdansk, phase="results")
    with django_assert_max_num_queries(5):
        html = client.get("/").content.decode()
    assert "2 open now" in _card(html, "Rīga")
    assert "Nothing open right now" in _card(html, "Gdańsk")
    assert 'href="/o/riga/"' in html
    assert 'href="/o/gdansk/"' in html
