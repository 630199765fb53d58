"""What every server benchmark shares: a scratch PostgreSQL database, the production
process layout on 127.0.0.1, and CPU accounting per component from /proc.

Benchmarks only ever talk to 127.0.0.1 and stop by themselves.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config.servers import wsgi_command

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get(
    "KOPA_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("KOPA_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def scratch_database(prefix: str = "kopa_bench") -> Iterator[str]:
    """A new PostgreSQL database, migrated, dropped afterwards. Yields its URL."""
    import psycopg

    name = f"{prefix}_{os.getpid()}_{int(time.time())}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        env = django_env(url)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        yield url
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def use_redis(url: str) -> None:
    """Point this process and every server the harness starts from now on at ``url``."""
    global REDIS_URL
    REDIS_URL = url


def django_env(database_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
            "KOPA_DEBUG": "false",
            "KOPA_LOG_LEVEL": "ERROR",  # 409s of the race are expected, not news
            "KOPA_DB_CONN_MAX_AGE": "600",
            "KOPA_CHANNEL_PREFIX": f"kopa-bench-{os.getpid()}",
        }
    )
    env.update(extra)
    return env


def setup_django(database_url: str, **extra: str) -> None:
    """Use Django in this process (for preparing data) against the scratch database."""
    os.environ.update(django_env(database_url, **extra))
    import django

    django.setup()


# --- CPU accounting ------------------------------------------------------------------------


def _proc_times(pid: int) -> tuple[float, float]:
    """(own cpu seconds, cpu seconds of reaped children) of a process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0, 0.0
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return (utime + stime) / CLOCK_TICKS, (cutime + cstime) / CLOCK_TICKS


def _pids_named(names: tuple[str, ...]) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if comm.startswith(names):
            pids.append(int(entry.name))
    return pids


def _descendants(pid: int) -> list[int]:
    found = [pid]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            found.extend(_descendants(int(entry.name)))
    return found


@dataclass
class Component:
    """A group of processes whose CPU time is summed (own + reaped children)."""

    name: str
    pids: list[int] = field(default_factory=list)
    names: tuple[str, ...] = ()

    def cpu_seconds(self) -> float:
        pids = set(self.pids)
        for root in self.pids:
            pids.update(_descendants(root))
        if self.names:
            pids.update(_pids_named(self.names))
        total = 0.0
        for pid in pids:
            own, children = _proc_times(pid)
            total += own + children
        return total


class CpuMeter:
    """CPU seconds used by each component between start() and stop()."""

    def __init__(self, components: list[Component]) -> None:
        self.components = components
        self.before: dict[str, float] = {}
        self.used: dict[str, float] = {}

    def start(self) -> None:
        self.before = {c.name: c.cpu_seconds() for c in self.components}
        self.before["loadgen"] = time.process_time()

    def stop(self) -> dict[str, float]:
        self.used = {c.name: c.cpu_seconds() - self.before[c.name] for c in self.components}
        self.used["loadgen"] = time.process_time() - self.before["loadgen"]
        return self.used


def postgres_component() -> Component:
    return Component("postgresql", names=("postgres",))


def redis_component() -> Component:
    return Component("redis", names=("redis-server",))


def redis_commands(url: str = REDIS_URL) -> dict[str, int]:
    """Commands the benchmark's Redis has run so far, by name (INFO commandstats). Exact per
    operation only on a Redis of its own (KOPA_BENCH_REDIS_URL): a shared one counts others."""
    import redis

    stats = redis.Redis.from_url(url, socket_timeout=2).info("commandstats")
    return {name.removeprefix("cmdstat_"): int(row["calls"]) for name, row in stats.items()}


def print_redis_commands(before: dict[str, int], after: dict[str, int], operations: int) -> None:
    used = {name: after.get(name, 0) - before.get(name, 0) for name in after}
    used = {name: calls for name, calls in used.items() if calls > 0}
    if not operations:
        return
    detail = ", ".join(
        f"{name} {calls / operations:.2f}" for name, calls in sorted(used.items()) if name != "info"
    )
    total = sum(calls for name, calls in used.items() if name != "info")
    print(f"  Redis commands per ballot: {total / operations:.2f} ({detail})")


# --- servers -------------------------------------------------------------------------------


@contextlib.contextmanager
def wsgi_server(
    database_url: str,
    *,
    workers: int = 2,
    threads: int = 1,
    stderr: Any = None,
    env: dict[str, str] | None = None,
) -> Iterator[tuple[int, Component]]:
    """granian serving config.wsgi on 127.0.0.1, the production command (config/servers.py).
    Yields (port, component). ``env``: more environment variables; ``stderr``: a file for
    the servers' logs."""
    port = free_port()
    cmd = wsgi_command(
        host="127.0.0.1",
        port=port,
        workers=workers,
        threads=threads,
        log_level="warning",
        program=str(Path(sys.executable).parent / "granian"),
    )
    process = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=django_env(database_url, **(env or {})),
        stderr=stderr,
        start_new_session=True,
    )
    try:
        wait_for_port(port, process)
        yield port, Component("app (granian wsgi)", pids=[process.pid])
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def wait_for_port(port: int, process: subprocess.Popen | None = None, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def print_cpu(used: dict[str, float], operations: int, unit: str = "ballot") -> None:
    print(f"  CPU per {unit} by component (ms):")
    for name, seconds in used.items():
        per = seconds / operations * 1000 if operations else float("nan")
        print(f"    {name:<24} {seconds:8.2f} s total  {per:8.3f} ms/{unit}")
