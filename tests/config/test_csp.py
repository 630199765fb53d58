"""The Content-Security-Policy lets pages open websockets to the site itself (and to a
separate websocket origin when the deployment has one), never to any host."""

from __future__ import annotations

import runpy
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from config.env import websocket_origin

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "config" / "settings.py"


def connect_src(header: str) -> list[str]:
    for directive in header.split(";"):
        name, *sources = directive.split()
        if name == "connect-src":
            return sources
    raise AssertionError(f"no connect-src in {header!r}")


def settings_with(monkeypatch, **environ: str) -> dict:
    """config/settings.py evaluated afresh with these environment variables."""
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


@pytest.mark.django_db
def test_pages_allow_websockets_to_the_site_only(client):
    response = client.get("/")
    sources = connect_src(response["Content-Security-Policy"])
    assert "ws:" not in sources
    assert "wss:" not in sources
    assert sources == ["'self'", websocket_origin("KOPA_SITE_URL", settings.SITE_URL)]


@pytest.mark.django_db
def test_the_api_answers_carry_the_same_policy(client):
    response = client.get("/api/v1/rounds/")
    assert "ws:" not in connect_src(response["Content-Security-Policy"])


class TestDerivedFromSettings:
    def test_an_https_site_gets_its_wss_origin(self, monkeypatch):
        found = settings_with(monkeypatch, KOPA_SITE_URL="https://kopa.example.city/")
        sources = found["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["connect-src"]
        assert sources == ["'self'", "wss://kopa.example.city"]

    def test_a_port_is_kept(self, monkeypatch):
        found = settings_with(monkeypatch, KOPA_SITE_URL="http://127.0.0.1:8000")
        sources = found["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["connect-src"]
        assert sources == ["'self'", "ws://127.0.0.1:8000"]

    def test_a_separate_websocket_origin_is_added(self, monkeypatch):
        found = settings_with(
            monkeypatch,
            KOPA_SITE_URL="https://kopa.example.city",
            KOPA_WEBSOCKET_ORIGIN="wss://live.kopa.example.city/",
        )
        sources = found["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["connect-src"]
        assert sources == ["'self'", "wss://kopa.example.city", "wss://live.kopa.example.city"]
        assert found["KOPA_WEBSOCKET_ORIGIN"] == "wss://live.kopa.example.city"

    def test_a_site_url_without_a_host_is_refused(self, monkeypatch):
        with pytest.raises(ImproperlyConfigured, match=r"KOPA_SITE_URL='kopa\.example\.city'"):
            settings_with(monkeypatch, KOPA_SITE_URL="kopa.example.city")

    def test_a_websocket_origin_of_another_scheme_is_refused(self, monkeypatch):
        with pytest.raises(ImproperlyConfigured, match=r"KOPA_WEBSOCKET_ORIGIN='ftp://x'"):
            settings_with(monkeypatch, KOPA_WEBSOCKET_ORIGIN="ftp://x")


@pytest.mark.django_db
def test_pages_point_their_live_connection_at_the_websocket_origin(client):
    assert 'data-live-url="/ws/live/"' in client.get("/").content.decode()
    with override_settings(KOPA_WEBSOCKET_ORIGIN="wss://live.kopa.example.city"):
        page = client.get("/").content.decode()
    assert 'data-live-url="wss://live.kopa.example.city/ws/live/"' in page


def test_make_run_gives_the_policy_the_port_it_serves():
    planned = subprocess.run(
        ["make", "--dry-run", "run", "HOST=127.0.0.1", "PORT=8123"],
        cwd=SETTINGS_FILE.parents[1],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert "KOPA_SITE_URL=${KOPA_SITE_URL:-http://127.0.0.1:8123}" in planned
