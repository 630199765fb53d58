"""The production server commands, in one place: docs/operations.md shows what this prints,
the benchmarks and the tests start servers with it.

    python -m config.servers http [--host H] [--port P] [--workers W] [--threads T] [--print]
    python -m config.servers ws   [--host H] [--port P] [--workers W] [--print]

``http`` is granian serving ``config.wsgi`` (everything but ``/ws/``), ``ws`` is uvicorn
serving ``config.asgi`` (``/ws/``). Workers and threads default to ``KOPA_WEB_WORKERS``,
``KOPA_WEB_THREADS`` and ``KOPA_WS_WORKERS``, the figures the database connection check
counts. Both supervisors start a new worker when one dies. ``--print`` prints the command
instead of running it.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

from django.conf import settings


def _executable(name: str) -> str:
    """The console script installed beside this Python (the virtualenv's), else ``name``."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else name


def wsgi_command(
    *,
    host: str,
    port: int,
    workers: int,
    threads: int,
    log_level: str = "info",
    program: str = "granian",
) -> list[str]:
    """HTTP: granian's WSGI workers. A worker that dies is replaced (not the whole server
    shut down), and ``threads`` bounds the requests — and database connections — per worker
    (granian's default for WSGI is hundreds of threads)."""
    return [
        program,
        "--interface",
        "wsgi",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(threads),
        "--respawn-failed-workers",
        "--no-ws",
        "--log-level",
        log_level,
        "config.wsgi:application",
    ]


def asgi_command(
    *,
    host: str,
    port: int,
    workers: int,
    log_level: str = "info",
    program: str = "uvicorn",
) -> list[str]:
    """Websockets: uvicorn's ASGI workers (its supervisor replaces a worker that dies).
    ``--no-proxy-headers``: the client's address is derived by Kopa alone
    (config/client_address.py, KOPA_TRUSTED_PROXIES)."""
    return [
        program,
        "config.asgi:application",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--ws",
        "websockets-sansio",
        "--lifespan",
        "off",
        "--no-proxy-headers",
        "--no-access-log",
        "--backlog",
        "4096",
        "--log-level",
        log_level,
    ]


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    parser = argparse.ArgumentParser(prog="python -m config.servers")
    parser.add_argument("kind", choices=("http", "ws"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int)
    parser.add_argument("--workers", type=int)
    parser.add_argument("--threads", type=int, help="per HTTP worker")
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--print", action="store_true", help="print the command, do not run it")
    args = parser.parse_args(argv)
    if args.kind == "http":
        command = wsgi_command(
            host=args.host,
            port=args.port or 8001,
            workers=args.workers or settings.KOPA_WEB_WORKERS,
            threads=args.threads or settings.KOPA_WEB_THREADS,
            log_level=args.log_level,
        )
    else:
        command = asgi_command(
            host=args.host,
            port=args.port or 8002,
            workers=args.workers or settings.KOPA_WS_WORKERS,
            log_level=args.log_level,
        )
    if args.print:
        print(shlex.join(command))
        return 0
    executable = _executable(command[0])
    os.execv(executable, [executable, *command[1:]])
    return 1  # not reached: execv replaces this process


if __name__ == "__main__":
    sys.exit(main())
