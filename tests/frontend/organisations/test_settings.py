"""Administrators set the colour, logo and website residents see; others cannot."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from engagement.people.models import Organisation
from engagement.people.services import contrast_with_white
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def url(organisation: Organisation) -> str:
    return f"/staff/o/{organisation.slug}/settings/"


def png(size: tuple[int, int] = (200, 60)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 60, 120)).save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def test_contrast_follows_wcag():
    assert contrast_with_white("#000000") == pytest.approx(21.0)
    assert contrast_with_white("#ffffff") == pytest.approx(1.0)
    assert contrast_with_white("#1a5fb4") == pytest.approx(6.29, abs=0.01)


def test_administrator_sets_colour_logo_and_website(client, riga, riga_admin):
    client.force_login(riga_admin)
    response = client.post(
        url(riga),
        {"brand_colour": "#0b5d1e", "website": "https://riga.example", "logo": png()},
    )
    assert response.status_code == 302
    riga.refresh_from_db()
    assert riga.brand_colour == "#0b5d1e"
    assert riga.website == "https://riga.example"
    assert riga.logo.name.startswith("organisations/logos/")
    # Residents now see them: the brand stylesheet and the logo in the header.
    assert "--brand: #0b5d1e" in client.get(f"/brand/{riga.slug}.css").content.decode()
    page = client.get(f"/o/{riga.slug}/").content.decode()
    assert riga.logo.url in page


def test_unreadable_colour_is_refused_with_the_reason(client, riga, riga_admin):
    client.force_login(riga_admin)
    response = client.post(url(riga), {"brand_colour": "#ffdd00", "website": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "choose a darker colour" in html
    assert 'aria-invalid="true"' in html
    riga.refresh_from_db()
    assert riga.brand_colour == "#1a5fb4"


def test_a_file_that_is_not_an_image_is_refused(client, riga, riga_admin):
    client.force_login(riga_admin)
    fake = SimpleUploadedFile("logo.png", b"not an image", content_type="image/png")
    response = client.post(url(riga), {"brand_colour": "#1a5fb4", "logo": fake})
    assert response.status_code == 400
    assert "Upload a JPEG, PNG or WebP image." in response.content.decode()
    riga.refresh_from_db()
    assert not riga.logo


def test_logo_can_be_removed(client, riga, riga_admin):
    client.force_login(riga_admin)
    client.post(url(riga), {"brand_colour": "#1a5fb4", "logo": png()})
    client.post(url(riga), {"brand_colour": "#1a5fb4", "remove_logo": "on"})
    riga.refresh_from_db()
    assert not riga.logo


@pytest.mark.parametrize("role", ["moderator", "reviewer", "officer"])
def test_other_roles_cannot_change_the_look(client, riga, role):
    client.force_login(factories.staff(riga, role))
    response = client.post(url(riga), {"brand_colour": "#000000"})
    assert response.status_code == 403
    riga.refresh_from_db()
    assert riga.brand_colour == "#1a5fb4"


def test_administrators_of_another_city_cannot_change_it(client, riga, gdansk_admin):
    client.force_login(gdansk_admin)
    assert client.get(url(riga)).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, riga):
    response = client.get(url(riga))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
