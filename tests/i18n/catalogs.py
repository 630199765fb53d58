"""Shared helpers of the translation tests: where the catalogs are and what a placeholder is."""

from __future__ import annotations

import re
from pathlib import Path

import polib
from django.conf import settings

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ("pl", "de")
DOMAINS = ("django", "djangojs")
CATALOGS = [(language, domain) for language in LANGUAGES for domain in DOMAINS]

PLURAL_FORMS = {
    "pl": (
        "nplurals=3; plural=(n==1 ? 0 : (n%10>=2 && n%10<=4) && (n%100<12 || n%100>14) ? 1 : 2);"
    ),
    "de": "nplurals=2; plural=(n != 1);",
}

# What must survive translation unchanged: %(name)s and %s style directives, a literal %%,
# str.format fields, and HTML tags with their attributes.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%%|%[sdif]|\{\w*\}|<[^>]+>")


def po_path(language: str, domain: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"


def load(language: str, domain: str) -> polib.POFile:
    return polib.pofile(str(po_path(language, domain)))


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def key(entry: polib.POEntry) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)
