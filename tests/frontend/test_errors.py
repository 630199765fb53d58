"""Error pages speak Kopa's layout and say what to do next."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_unknown_page_is_a_kopa_404(client):
    response = client.get("/rounds/no-such-round/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "We could not find this page" in html
    assert '<main id="main"' in html


def test_forbidden_page_explains_the_role(client, resident, riga):
    client.force_login(resident)
    response = client.get(f"/staff/o/{riga.slug}/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "You cannot open this page" in html
    assert "administrator" in html


def test_expired_form_is_explained(resident):
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    response = client.post("/account/")
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


def test_404_in_polish_keeps_the_language(client):
    response = client.get("/rounds/no-such-round/", HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 404
    assert '<html lang="pl"' in response.content.decode()
