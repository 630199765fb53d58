"""Production static files: the release steps give a working site, and a missing manifest
entry is reported by readiness and ``check --deploy`` before any visitor meets it."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from config import static_files
from config.static_files import names_linked_by_templates

ROOT = Path(__file__).resolve().parents[2]
BUILT = ROOT / "frontend" / "static" / "frontend" / "build"
MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# The release steps of docs/operations.md, after the install (which builds the assets).
RELEASE_STEPS = [
    "manage.py migrate --noinput",
    "manage.py collectstatic --noinput",
    "manage.py check --deploy --database default",
]


def test_make_install_builds_the_browser_assets():
    planned = subprocess.run(
        ["make", "--always-make", "--dry-run", "install"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert "pip install" in planned
    assert "npm ci" in planned
    assert "npm run --silent build" in planned


def test_the_docs_list_the_release_steps():
    docs = (ROOT / "docs" / "operations.md").read_text()
    for step in RELEASE_STEPS:
        assert step in docs


def test_the_pages_link_to_the_built_bundle():
    names = names_linked_by_templates()
    assert "frontend/build/kopa.js" in names
    assert "frontend/build/kopa-styles.css" in names


def test_only_kopas_own_templates_count_even_with_the_virtualenv_inside_the_checkout(
    monkeypatch, tmp_path
):
    """Installed packages' templates link to their own static files, some of apps Kopa does
    not install (allauth's MFA scripts); make install's .venv inside the checkout must not
    make them Kopa's."""
    own = tmp_path / "frontend" / "templates"
    installed = tmp_path / ".venv" / "lib" / "python3.11" / "site-packages" / "pkg" / "templates"
    for folder, name in ((own, "frontend/build/own.js"), (installed, "pkg/needs-this.js")):
        folder.mkdir(parents=True)
        (folder / "page.html").write_text(
            f"{{% load static %}}<script src=\"{{% static '{name}' %}}\">"
        )
    monkeypatch.setattr(static_files, "get_app_template_dirs", lambda dirname: [own, installed])
    static_files.names_linked_by_templates.cache_clear()
    try:
        with override_settings(BASE_DIR=tmp_path):
            names = static_files.names_linked_by_templates()
    finally:
        static_files.names_linked_by_templates.cache_clear()
    assert names == ("frontend/build/own.js",)


def _production_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KOPA_", "DATABASE_URL"))}
    env.pop("REDIS_URL", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "KOPA_ENV": "production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "KOPA_ALLOWED_HOSTS": "testserver",
            "KOPA_STATIC_ROOT": str(tmp_path / "static"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'kopa.sqlite3'}",
            "KOPA_LOG_LEVEL": "ERROR",
        }
    )
    return env


VISIT = """
import json, re, django
django.setup()
from django.test import Client
client = Client()
home = client.get("/")
page = home.content.decode()
stylesheet = re.search(r'href="(/static/frontend/build/kopa-styles[^"]+)"', page)
ready = client.get("/readyz")
print(json.dumps({
    "home": home.status_code,
    "stylesheet": stylesheet and stylesheet[1],
    "stylesheet_status": stylesheet and client.get(stylesheet[1]).status_code,
    "readyz": ready.status_code,
    "checks": ready.json()["checks"],
}))
"""


@pytest.mark.slow
@pytest.mark.skipif(
    not (BUILT / "kopa.js").exists(), reason="browser assets not built: run `make assets`"
)
def test_after_the_release_steps_the_production_site_answers(tmp_path):
    env = _production_env(tmp_path)
    for step in RELEASE_STEPS:
        done = subprocess.run(
            [sys.executable, *step.split()],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"{step}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    visit = subprocess.run(
        [sys.executable, "-c", VISIT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert visit.returncode == 0, visit.stderr[-3000:]
    seen = json.loads(visit.stdout.strip().splitlines()[-1])
    assert seen["home"] == 200, seen
    # A fingerprinted name from the manifest, served by the WSGI process itself.
    assert seen["stylesheet"].startswith("/static/frontend/build/kopa-styles."), seen
    assert seen["stylesheet"] != "/static/frontend/build/kopa-styles.css"
    assert seen["stylesheet_status"] == 200
    assert seen["checks"]["static_files"] == {
        "ok": True,
        "ms": seen["checks"]["static_files"]["ms"],
    }


@pytest.fixture(params=["no manifest", "manifest without the bundle"])
def uncollected(request, tmp_path):
    """Production storage over a STATIC_ROOT that lacks the built bundle: never collected,
    or collected before the assets were built (the old ``make install``)."""
    if request.param == "manifest without the bundle":
        manifest = {"paths": {"admin/css/base.css": "admin/css/base.abc123.css"}, "version": "1.1"}
        (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    with override_settings(STORAGES=MANIFEST_STORAGE, STATIC_ROOT=str(tmp_path)):
        yield tmp_path


@pytest.mark.django_db
def test_readiness_names_the_missing_static_files(client, uncollected):
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert body["failing"] == ["static_files"]
    error = body["checks"]["static_files"]["error"]
    assert "frontend/build/kopa.js" in error
    assert "frontend/build/kopa-styles.css" in error
    assert str(uncollected / "staticfiles.json") in error
    assert "collectstatic" in error
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_check_deploy_refuses_missing_static_files(uncollected):
    with pytest.raises(SystemCheckError, match=r"kopa\.E002.*frontend/build/kopa\.js"):
        call_command("check", "--deploy", "--tag", "staticfiles")


@pytest.mark.django_db
def test_development_storage_needs_no_manifest(client):
    response = client.get("/readyz")
    assert response.json()["checks"]["static_files"]["ok"] is True
