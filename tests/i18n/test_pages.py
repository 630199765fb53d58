"""Pages, messages and the script catalog speak the reader's language."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import translation

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "skip_link", "sign_in"),
    [
        ("en", "Skip to content", "Sign in"),
        ("pl", "Przejdź do treści", "Zaloguj się"),
        ("de", "Zum Inhalt springen", "Anmelden"),
    ],
)
def test_home_page_in_the_readers_language(client, riga, language, skip_link, sign_in):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<html lang="{language}"' in html
    assert skip_link in html
    assert sign_in in html
    if language != "en":
        assert "Skip to content" not in html


def test_the_language_switcher_offers_the_complete_languages(client, riga):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert 'action="/i18n/setlang/"' in html
    for code in ("en", "pl", "de"):
        assert f'<option value="{code}" lang="{code}"' in html
    assert '<option value="de" lang="de" selected>Deutsch</option>' in html


def test_choosing_a_language_sticks_for_later_pages(client, riga):
    response = client.post("/i18n/setlang/", {"language": "pl", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="pl"' in html
    assert "Przejdź do treści" in html


@pytest.fixture
def voter(client, riga):
    client.force_login(factories.eligible_voter(riga))
    return client


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "pl",
            "Wybrane projekty kosztują 120\xa0000,00 EUR, czyli o 20\xa0000,00 EUR więcej niż"
            " budżet 100\xa0000,00 EUR.",
        ),
        (
            "de",
            "Ihre Auswahl kostet 120.000,00 EUR und liegt damit 20.000,00 EUR über dem Budget"
            " von 100.000,00 EUR.",
        ),
    ],
)
def test_a_ballot_rule_message_in_the_readers_language(voter, riga, language, message):
    # budgeting/messages.py "over_budget", with the amounts formatted for the language.
    budget_round = factories.voting_round(organisation=riga, knapsack=True)
    review = reverse("frontend:ballot_review", args=[budget_round.slug, "city"])
    response = voter.post(review, {"projects": ["p1", "p2", "p4"]}, HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "Your choices cost" not in html


@pytest.mark.parametrize(
    ("language", "translated", "plural_rule"),
    [
        ("pl", "Skopiowano kod potwierdzenia.", "(n%100<12 || n%100>14) ? 1 : 2"),
        ("de", "Bestätigungscode kopiert.", "(n != 1)"),
    ],
)
def test_the_script_catalog_carries_the_ballot_strings(client, language, translated, plural_rule):
    response = client.get("/jsi18n/", HTTP_ACCEPT_LANGUAGE=language)
    script = response.content.decode()
    assert response.status_code == 200
    # ballot.js: gettext("Receipt code copied.") — the catalog is JSON inside the script.
    assert json.dumps("Receipt code copied.") + ": " + json.dumps(translated) in script
    assert plural_rule in script


def test_the_script_catalog_has_every_polish_plural_form(client):
    script = client.get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    forms = [
        "%(title)s: %(points)s punkt.",
        "%(title)s: %(points)s punkty.",
        "%(title)s: %(points)s punkt\\u00f3w.",
    ]
    start = script.index(json.dumps("%(title)s: %(points)s point."))
    entry = script[start : script.index("]", start)]
    for form in forms:
        assert f'"{form}"' in entry


@pytest.mark.parametrize(
    ("count", "polish", "german"),
    [
        (1, "komentarz", "Kommentar"),
        (3, "komentarze", "Kommentare"),
        (5, "komentarzy", "Kommentare"),
    ],
)
def test_counted_words_take_the_right_plural_form(client, riga, count, polish, german):
    idea = factories.IdeaFactory(process=factories.IdeaCollectionFactory(organisation=riga))
    factories.CommentFactory.create_batch(count, idea=idea)
    for language, word in (("pl", polish), ("de", german)):
        html = client.get(idea.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert f'<span data-live-key="comments">{count}</span> {word}</p>' in html


def test_a_word_used_alone_and_counted_is_translated_both_ways():
    # "comment" is a model name and, with a context, a counted word on the idea page.
    from engagement.ideas.models import Comment

    with translation.override("pl"):
        assert str(Comment._meta.verbose_name) == "komentarz"
        assert translation.npgettext("number of comments", "comment", "comments", 2) == "komentarze"
    with translation.override("de"):
        assert str(Comment._meta.verbose_name) == "Kommentar"
