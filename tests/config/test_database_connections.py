"""PostgreSQL connections are bounded: a pool per process, and a check that the processes'
pools together fit within the server's max_connections."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from config import checks
from config.checks import ConnectionBudget, check_connection_budget

BUDGET = {
    "KOPA_APP_HOSTS": 2,
    "KOPA_WEB_WORKERS": 3,
    "KOPA_WS_WORKERS": 2,
    "KOPA_DB_POOL_SIZE": 4,
    "KOPA_WEB_THREADS": 8,
    "KOPA_CELERY_CONCURRENCY": 2,
    "KOPA_DB_RESERVED_CONNECTIONS": 10,
}


class TestBudget:
    @override_settings(**BUDGET)
    def test_pools_per_process_plus_one_per_celery_process_on_every_host(self):
        budget = ConnectionBudget.from_settings()
        assert budget.per_host == (3 + 2) * 4 + 2
        assert budget.needed == 2 * 22 + 10

    @override_settings(**{**BUDGET, "KOPA_DB_POOL_SIZE": 0})
    def test_without_a_pool_every_thread_keeps_a_connection(self):
        assert ConnectionBudget.from_settings().per_host == (3 + 2) * 8 + 2

    @override_settings(**BUDGET, USING_POSTGRES=True)
    def test_warns_when_the_server_accepts_fewer(self, monkeypatch):
        monkeypatch.setattr(checks, "server_connection_limit", lambda alias="default": 53)
        [warning] = check_connection_budget(databases=["default"])
        assert warning.id == "kopa.W001"
        assert "2 host(s) x ((3 WSGI + 2 ASGI workers) x 4 connections" in warning.msg
        assert "= 54 > 53" in warning.msg
        assert "KOPA_DB_POOL_SIZE" in warning.hint

    @override_settings(**BUDGET, USING_POSTGRES=True)
    def test_silent_when_it_fits(self, monkeypatch):
        monkeypatch.setattr(checks, "server_connection_limit", lambda alias="default": 54)
        assert check_connection_budget(databases=["default"]) == []

    @override_settings(**BUDGET, USING_POSTGRES=True)
    def test_only_with_database_access(self, monkeypatch):
        monkeypatch.setattr(checks, "server_connection_limit", lambda alias="default": 1)
        assert check_connection_budget(databases=None) == []


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_server_limit_is_read_from_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        max_connections = int(cursor.fetchone()[0])
    assert 0 < checks.server_connection_limit() <= max_connections


@pytest.mark.postgres
def test_postgresql_connections_come_from_a_bounded_pool():
    pool = settings.DATABASES["default"]["OPTIONS"]["pool"]
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 0
    assert pool["max_size"] >= 1
    assert pool["timeout"] == settings.KOPA_DB_POOL_TIMEOUT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_threads_at_once_never_hold_more_connections_than_the_pool():
    """Twelve threads (a burst on one process) each run a slow query at the same moment:
    they take turns on the configured pool's connections instead of opening twelve."""
    limit = settings.DATABASES["default"].get("OPTIONS", {}).get("pool", {}).get("max_size")
    assert limit is not None, "no connection pool is configured"
    if limit >= 12:
        pytest.skip(f"KOPA_DB_POOL_SIZE={limit}: twelve threads cannot exceed it")
    db = connection.settings_dict
    observer_dsn = f"host={db['HOST']} port={db['PORT'] or 5432} user={db['USER']} dbname=postgres"
    most, stop = 0, threading.Event()

    def observe() -> None:
        nonlocal most
        with psycopg.connect(observer_dsn, autocommit=True) as observer:
            while not stop.is_set():
                count = observer.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [db["NAME"]]
                ).fetchone()[0]
                most = max(most, count)
                time.sleep(0.01)

    barrier = threading.Barrier(12, timeout=30)

    def slow_query(_: int) -> int:
        try:
            barrier.wait()
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_sleep(0.2)")
                return cursor.fetchone()[0]
        finally:
            connection.close()  # back to the pool, as at the end of a request

    watcher = threading.Thread(target=observe)
    watcher.start()
    try:
        with ThreadPoolExecutor(max_workers=12) as threads:
            answers = list(threads.map(slow_query, range(12)))
    finally:
        stop.set()
        watcher.join()
    assert answers == [1] * 12
    assert 2 <= most <= limit
