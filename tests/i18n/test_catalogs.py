"""The committed Polish and German catalogs are complete, correct and compiled.

Every entry is translated and checked (not fuzzy), keeps the placeholders and markup of the
English text, has as many plural forms as the language needs, and the .mo files Django reads
say exactly what the .po files say.
"""

from __future__ import annotations

import gettext

import pytest

from tests.i18n.catalogs import CATALOGS, PLURAL_FORMS, load, placeholders, po_path

pytestmark = pytest.mark.parametrize(("language", "domain"), CATALOGS)


def test_catalog_exists_with_the_right_header(language, domain):
    catalog = load(language, domain)
    assert catalog.metadata["Language"] == language
    assert catalog.metadata["Plural-Forms"] == PLURAL_FORMS[language]
    assert catalog.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert not catalog.metadata_is_fuzzy
    assert len(catalog) > 0


def test_every_entry_is_translated_and_checked(language, domain):
    catalog = load(language, domain)
    nplurals = int(PLURAL_FORMS[language].split("nplurals=")[1].split(";")[0])
    problems = []
    for entry in catalog:
        if entry.obsolete:
            problems.append(f"obsolete (#~) entry left in: {entry.msgid!r}")
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        if entry.msgid_plural:
            forms = entry.msgstr_plural
            if sorted(forms) != list(range(nplurals)):
                problems.append(f"{len(forms)} plural forms, not {nplurals}: {entry.msgid!r}")
            if not all(text.strip() for text in forms.values()):
                problems.append(f"empty plural form: {entry.msgid!r}")
        elif not entry.msgstr.strip():
            problems.append(f"untranslated: {entry.msgid!r}")
    assert problems == [], "\n".join(problems)


def test_placeholders_and_markup_survive_translation(language, domain):
    problems = []
    for entry in load(language, domain):
        if entry.msgid_plural:
            singular, plural = placeholders(entry.msgid), placeholders(entry.msgid_plural)
            for index, text in sorted(entry.msgstr_plural.items()):
                found = placeholders(text)
                # The one-form may name the number (as the plural does) or leave it out.
                allowed = (singular, plural) if index == 0 else (plural,)
                if found not in allowed:
                    problems.append(f"{entry.msgid!r} form {index}: {found} instead of {allowed}")
        elif placeholders(entry.msgstr) != placeholders(entry.msgid):
            problems.append(
                f"{entry.msgid!r}: {placeholders(entry.msgstr)}"
                f" instead of {placeholders(entry.msgid)}"
            )
    assert problems == [], "\n".join(problems)


def test_compiled_catalog_matches_the_po_file(language, domain):
    mo_path = po_path(language, domain).with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run `make compilemessages`"
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    expected_keys = {""}
    for entry in load(language, domain):
        msgid = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            for index, text in entry.msgstr_plural.items():
                expected_keys.add((msgid, index))
                if compiled._catalog.get((msgid, index)) != text:
                    stale.append(f"{entry.msgid!r} form {index}")
        else:
            expected_keys.add(msgid)
            if compiled._catalog.get(msgid) != entry.msgstr:
                stale.append(repr(entry.msgid))
    extra = set(compiled._catalog) - expected_keys
    assert stale == [], "compiled text differs (run `make compilemessages`):\n" + "\n".join(stale)
    assert extra == set(), f"the .mo has entries the .po does not: {sorted(map(str, extra))[:10]}"
