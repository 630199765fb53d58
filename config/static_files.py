"""Whether the static files Kopa's pages link to are collected (production only).

In production the static files storage is a manifest storage: ``{% static %}`` looks every
name up in ``STATIC_ROOT/staticfiles.json`` and a name missing there makes every page that
links to it fail. ``missing_static_files()`` finds that before a visitor does: ``/readyz``
reports it, ``manage.py check --deploy`` refuses it and the WSGI process logs it at start.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.template import engines
from django.template.utils import get_app_template_dirs

# {% static 'name' %} with a literal name, as Kopa's templates write it.
STATIC_TAG = re.compile(r"""\{%\s*static\s+(['"])([^'"]+)\1""")


def _installed_package(folder: Path) -> bool:
    # A virtualenv may live inside the checkout (make install creates .venv there).
    return bool({"site-packages", "dist-packages"} & set(folder.parts)) or folder.is_relative_to(
        Path(sys.prefix).resolve()
    )


def _own_template_dirs() -> list[Path]:
    """Kopa's template folders, not those of installed packages (their pages link to their
    own static files, which may belong to parts Kopa does not install)."""
    base = Path(settings.BASE_DIR).resolve()
    found: list[Path] = []
    for engine in engines.all():
        found.extend(Path(d) for d in getattr(engine, "dirs", []))
    found.extend(Path(d) for d in get_app_template_dirs("templates"))
    own = []
    for folder in found:
        resolved = folder.resolve()
        if (
            resolved.is_relative_to(base)
            and not _installed_package(resolved)
            and resolved not in own
        ):
            own.append(resolved)
    return own


@lru_cache(maxsize=1)
def names_linked_by_templates() -> tuple[str, ...]:
    names: set[str] = set()
    for folder in _own_template_dirs():
        for template in folder.rglob("*.html"):
            names.update(match[1] for match in STATIC_TAG.findall(template.read_text("utf-8")))
    return tuple(sorted(names))


def missing_static_files() -> list[str]:
    """Names Kopa's templates link to that the manifest lacks (empty: all there, or no
    manifest storage in use, as in development)."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return []
    missing = []
    for name in names_linked_by_templates():
        try:
            staticfiles_storage.stored_name(name)
        except (ValueError, OSError):
            missing.append(name)
    return missing


def static_files_problem() -> str | None:
    """One sentence saying what is missing and how to fix it, or None."""
    missing = missing_static_files()
    if not missing:
        return None
    manifest = Path(settings.STATIC_ROOT) / staticfiles_storage.manifest_name
    state = "lacks" if manifest.exists() else "does not exist, so it lacks"
    return (
        f"the static files manifest {manifest} {state} {', '.join(missing[:5])}: build the "
        "browser assets (make assets), run manage.py collectstatic --noinput, restart"
    )
