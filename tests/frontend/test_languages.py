"""The interface offers only complete languages; organisations may still publish in theirs."""

import re

import pytest

from engagement.content.languages import validate_translations
from engagement.people.models.organisations import validate_languages

pytestmark = pytest.mark.django_db


def test_the_switcher_offers_the_complete_languages_only(client, riga):
    html = client.get("/").content.decode()
    switcher = html[html.index('id="language-select"') : html.index("</select>")]
    assert re.findall(r'<option value="([a-z-]+)"', switcher) == ["en", "pl", "de"]


def test_a_latvian_browser_gets_the_default_language_not_a_half_translated_page(client, riga):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="lv")
    assert '<html lang="en"' in response.content.decode()


def test_organisations_still_publish_in_the_regions_languages():
    validate_languages(["lv", "en"])  # does not raise
    validate_translations({"lv": {"title": "Vecrīga"}}, fields=("title",))
