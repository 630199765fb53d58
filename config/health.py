"""Liveness (the process answers) and readiness (its dependencies answer).

The database and, in production, the static files the pages link to are required. Without
Redis (the channel layer) a process still serves reading, signing in and voting
(docs/operations.md, "When Redis goes away"), so taking it out of the load balancer would turn
a Redis outage into a full one: a Redis that does not answer makes the process "degraded",
still ready.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.static_files import static_files_problem


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("SELECT 1 returned an unexpected row")


async def _round_trip_channel_layer(timeout: float) -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer is configured")
    channel = await layer.new_channel("readyz.")
    await asyncio.wait_for(layer.send(channel, {"type": "readyz.ping"}), timeout)
    message = await asyncio.wait_for(layer.receive(channel), timeout)
    if message.get("type") != "readyz.ping":
        raise RuntimeError("the channel layer returned a different message")


def check_channel_layer() -> None:
    async_to_sync(_round_trip_channel_layer)(float(settings.KOPA_READINESS_TIMEOUT))


def check_static_files() -> None:
    """Production pages need every static file they link to in the manifest."""
    problem = static_files_problem()
    if problem is not None:
        raise RuntimeError(problem)


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "channel_layer": check_channel_layer,
    "static_files": check_static_files,
}
REQUIRED = frozenset({"database", "static_files"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers (``degraded`` names the optional dependencies that did
    not); 503 naming the required ones that did not."""
    results: dict[str, dict[str, object]] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as error:
            results[name] = {"ok": False, "error": f"{type(error).__name__}: {error}"[:500]}
        else:
            results[name] = {"ok": True}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    down = sorted(name for name, result in results.items() if not result["ok"])
    failing = [name for name in down if name in REQUIRED]
    degraded = [name for name in down if name not in REQUIRED]
    status = "unavailable" if failing else "degraded" if degraded else "ready"
    body = {"status": status, "failing": failing, "degraded": degraded, "checks": results}
    return JsonResponse(body, status=503 if failing else 200)
