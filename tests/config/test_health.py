"""Liveness and readiness, including a dependency that does not answer."""

import pytest
from django.db import OperationalError
from django.test import override_settings

from config import health

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_dependencies(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_each_dependency_ready(client):
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ready"
    assert body["failing"] == []
    assert body["degraded"] == []
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["channel_layer"]["ok"] is True


def test_readyz_names_the_database_when_it_fails(client, monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", BrokenConnection())
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert body["failing"] == ["database"]
    assert "connection refused" in body["checks"]["database"]["error"]
    assert body["checks"]["channel_layer"]["ok"] is True


def test_readyz_stays_ready_but_degraded_when_redis_is_unreachable(client):
    """Without Redis a process still serves reading, signing in and voting: a load balancer
    must keep it (docs/operations.md, "When Redis goes away")."""
    # Port 9 (discard) on loopback: nothing listens there, so the connection is refused.
    unreachable = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:9/0"]},
        }
    }
    from channels.layers import channel_layers

    with override_settings(CHANNEL_LAYERS=unreachable, KOPA_READINESS_TIMEOUT=1):
        channel_layers.backends.clear()
        try:
            response = client.get("/readyz")
        finally:
            channel_layers.backends.clear()
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["failing"] == []
    assert body["degraded"] == ["channel_layer"]
    assert "Error" in body["checks"]["channel_layer"]["error"]
    assert body["checks"]["database"]["ok"] is True


def test_readyz_rejects_writes(client):
    assert client.post("/readyz").status_code == 405
