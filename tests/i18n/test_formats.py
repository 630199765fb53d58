"""Money, numbers and dates in the reader's locale (Django's pl/de formats).

Polish groups thousands with a no-break space (U+00A0) and uses a decimal comma; German
groups with a full stop. The currency code follows the amount in every language.
"""

from __future__ import annotations

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format, number_format

from engagement.money import format_money
from tests import factories

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "12,500.00 EUR"),
        ("pl", f"12{NBSP}500,00 EUR"),
        ("de", "12.500,00 EUR"),
    ],
)
def test_money_in_the_readers_locale(language, expected):
    with translation.override(language):
        assert format_money(12_500_00, "EUR") == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("pl", f"1{NBSP}250{NBSP}000,50 PLN"), ("de", "1.250.000,50 PLN"), ("en", "1,250,000.50 PLN")],
)
def test_the_money_filter_of_the_templates(language, expected):
    template = Template("{% load kopa %}{{ amount|money:'PLN' }}")
    with translation.override(language):
        assert template.render(Context({"amount": 125_000_050})) == expected


@pytest.mark.parametrize(
    ("language", "number", "day", "moment"),
    [
        ("pl", f"1{NBSP}234{NBSP}567,5", "1 grudnia 2026", "5 marca 2026 14:30"),
        ("de", "1.234.567,5", "1. Dezember 2026", "5. März 2026 14:30"),
        ("en", "1,234,567.5", "1 December 2026", "5 March 2026, 14:30"),
    ],
)
def test_numbers_and_dates_in_the_readers_locale(language, number, day, moment):
    with translation.override(language):
        assert number_format(1234567.5, decimal_pos=1, force_grouping=True) == number
        assert date_format(datetime.date(2026, 12, 1)) == day
        assert date_format(datetime.datetime(2026, 3, 5, 14, 30), "DATETIME_FORMAT") == moment


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "budget", "label"),
    [
        ("pl", f"100{NBSP}000,00 EUR", "Łącznie"),
        ("de", "100.000,00 EUR", "Insgesamt"),
        ("en", "100,000.00 EUR", "In total"),
    ],
)
def test_a_round_page_shows_its_budget_in_the_readers_locale(client, riga, language, budget, label):
    budget_round = factories.voting_round(organisation=riga)
    html = client.get(
        f"/rounds/{budget_round.slug}/", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert budget in html
    assert label in html
