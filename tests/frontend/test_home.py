import pytest

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
