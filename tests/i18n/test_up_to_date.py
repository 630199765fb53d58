"""The committed catalogs hold every string the source marks for translation.

makemessages runs, with the same options as `make messages`, over a temporary copy of the
source and of locale/, so the working tree is never touched. Any msgid it finds that the
committed .po file lacks means someone added a string and the catalogs need `make messages`
and a translation.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

from tests.i18n.catalogs import LANGUAGES, LOCALE_DIR, key, load

SOURCE_DIRS = ("config", "engagement", "budgeting", "surveys", "frontend")
# As in the Makefile's `messages` target.
DJANGO_IGNORE = [".venv", "node_modules", "staticfiles", "tests", "bench", "frontend/static/*"]
JS_IGNORE = [*DJANGO_IGNORE, "docs", "media", "config", "engagement", "budgeting", "surveys"]


@pytest.fixture(scope="module")
def fresh_catalogs(tmp_path_factory) -> Path:
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.skip("gettext tools (xgettext, msgmerge) are not installed: cannot re-extract")
    root = tmp_path_factory.mktemp("kopa-source")
    base = Path(settings.BASE_DIR)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "build", "node_modules", "*.mo")
    for name in SOURCE_DIRS:
        shutil.copytree(base / name, root / name, ignore=skip)
    shutil.copytree(LOCALE_DIR, root / "locale", ignore=shutil.ignore_patterns("*.mo"))

    mp = pytest.MonkeyPatch()
    mp.chdir(root)
    try:
        from django.test.utils import override_settings

        with override_settings(LOCALE_PATHS=[root / "locale"]):
            languages = list(LANGUAGES)
            options = {"locale": languages, "no_obsolete": True, "verbosity": 0}
            call_command("makemessages", ignore_patterns=DJANGO_IGNORE, **options)
            call_command("makemessages", domain="djangojs", ignore_patterns=JS_IGNORE, **options)
    finally:
        mp.undo()
    return root / "locale"


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_no_marked_string_is_missing_from_the_committed_catalog(fresh_catalogs, language, domain):
    extracted = polib.pofile(str(fresh_catalogs / language / "LC_MESSAGES" / f"{domain}.po"))
    committed = {key(entry) for entry in load(language, domain) if not entry.obsolete}
    missing = sorted(
        entry.msgid for entry in extracted if not entry.obsolete and key(entry) not in committed
    )
    assert missing == [], (
        f"{len(missing)} strings in the source are not in locale/{language}/LC_MESSAGES/"
        f"{domain}.po; run `make messages`, translate them, then `make compilemessages`:\n"
        + "\n".join(missing[:40])
    )


@pytest.mark.slow
def test_the_javascript_catalog_comes_from_the_scripts(fresh_catalogs):
    # A guard on the extraction itself: the djangojs catalog must see the ballot script.
    extracted = polib.pofile(str(fresh_catalogs / "pl" / "LC_MESSAGES" / "djangojs.po"))
    sources = {path for entry in extracted for path, _line in entry.occurrences}
    assert "frontend/assets/js/ballot.js" in sources
    assert not any(path.startswith("frontend/static/") for path in sources)
