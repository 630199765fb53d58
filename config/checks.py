"""Operational system checks (docs/operations.md).

- ``kopa.W001`` (with database access: ``migrate``, ``check --database default``): the
  connections Kopa's processes may open together exceed what PostgreSQL accepts.
- ``kopa.E002`` (``check --deploy``): a static file the pages link to is not collected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connections

from config.static_files import static_files_problem


@dataclass(frozen=True)
class ConnectionBudget:
    """The most connections Kopa's processes can hold at once, all hosts together."""

    hosts: int
    web_workers: int
    ws_workers: int
    per_process: int
    celery: int
    reserved: int

    @classmethod
    def from_settings(cls) -> ConnectionBudget:
        return cls(
            hosts=settings.KOPA_APP_HOSTS,
            web_workers=settings.KOPA_WEB_WORKERS,
            ws_workers=settings.KOPA_WS_WORKERS,
            # A pool caps each process; without one, each thread keeps its own connection.
            per_process=settings.KOPA_DB_POOL_SIZE or settings.KOPA_WEB_THREADS,
            # A Celery process runs one task at a time: one connection each.
            celery=settings.KOPA_CELERY_CONCURRENCY,
            reserved=settings.KOPA_DB_RESERVED_CONNECTIONS,
        )

    @property
    def per_host(self) -> int:
        return (self.web_workers + self.ws_workers) * self.per_process + self.celery

    @property
    def needed(self) -> int:
        return self.hosts * self.per_host + self.reserved

    def explain(self) -> str:
        return (
            f"{self.hosts} host(s) x (({self.web_workers} WSGI + {self.ws_workers} ASGI "
            f"workers) x {self.per_process} connections + {self.celery} Celery processes) "
            f"+ {self.reserved} reserved = {self.needed}"
        )


def server_connection_limit(alias: str = "default") -> int:
    """Connections PostgreSQL accepts from ordinary roles: max_connections less the slots
    it keeps for superusers (and, from PostgreSQL 16, for pg_use_reserved_connections)."""
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int"
            " - current_setting('superuser_reserved_connections')::int"
            " - coalesce(current_setting('reserved_connections', true), '0')::int"
        )
        return int(cursor.fetchone()[0])


@checks.register(checks.Tags.database)
def check_connection_budget(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    if not databases or "default" not in databases or not settings.USING_POSTGRES:
        return []
    budget = ConnectionBudget.from_settings()
    try:
        limit = server_connection_limit()
    except DatabaseError:
        return []  # Unreachable: other checks and the command itself say so.
    if budget.needed <= limit:
        return []
    return [
        checks.Warning(
            f"Kopa's processes may open more PostgreSQL connections than the server accepts: "
            f"{budget.explain()} > {limit} (max_connections less its reserved slots).",
            hint="Lower KOPA_DB_POOL_SIZE, KOPA_WEB_WORKERS, KOPA_WS_WORKERS or "
            "KOPA_CELERY_CONCURRENCY, or raise max_connections in postgresql.conf "
            "(docs/operations.md, 'Database connections').",
            id="kopa.W001",
        )
    ]


@checks.register(checks.Tags.staticfiles, deploy=True)
def check_static_files_collected(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    problem = static_files_problem()
    if problem is None:
        return []
    return [checks.Error(problem, id="kopa.E002")]
