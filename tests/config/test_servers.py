"""The production server commands (config/servers.py): what the docs show is what runs, and
a worker killed outright is replaced while the others keep answering."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from config.servers import asgi_command, wsgi_command

ROOT = Path(__file__).resolve().parents[2]


def test_the_docs_show_the_commands_the_code_runs():
    docs = (ROOT / "docs" / "operations.md").read_text()
    http = shlex.join(wsgi_command(host="127.0.0.1", port=8001, workers=2, threads=4))
    ws = shlex.join(asgi_command(host="127.0.0.1", port=8002, workers=2))
    assert http in docs
    assert ws in docs
    assert "--respawn-failed-workers" in http


def test_print_shows_the_command_with_the_configured_workers_and_threads():
    env = {**os.environ, "KOPA_WEB_WORKERS": "3", "KOPA_WEB_THREADS": "5"}
    printed = subprocess.run(
        [sys.executable, "-m", "config.servers", "http", "--port", "9000", "--print"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    assert printed == shlex.join(wsgi_command(host="127.0.0.1", port=9000, workers=3, threads=5))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.add(int(entry.name))
    return found


def _workers(pid: int) -> set[int]:
    """The server's worker processes (not multiprocessing's resource tracker)."""
    workers = set()
    for child in _children(pid):
        with contextlib.suppress(OSError):
            if b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes():
                workers.add(child)
    return workers


def _healthz(port: int) -> int:
    # Generous: a request queued for the killed worker is answered by its replacement.
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=20) as response:
        return response.status


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout}s")


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["http", "ws"])
def test_a_killed_worker_is_replaced_and_the_others_keep_answering(kind):
    port = _free_port()
    env = {**os.environ, "KOPA_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [sys.executable, "-m", "config.servers", kind, "--port", str(port), "--workers", "2"]
        + (["--threads", "1"] if kind == "http" else [])
        + ["--log-level", "warning"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:

        def answering() -> bool:
            try:
                return _healthz(port) == 200
            except OSError:
                return False

        _wait(
            lambda: server.poll() is None and answering() and len(_workers(server.pid)) == 2,
            60,
            "two workers answering",
        )
        before = _workers(server.pid)
        victim = min(before)
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic()

        answers, lost = 0, []
        deadline = killed_at + 40
        while time.monotonic() < deadline:
            asked_at = time.monotonic() - killed_at
            try:
                assert _healthz(port) == 200
                answers += 1
            except OSError as error:
                lost.append((round(asked_at, 2), repr(error)))
            now = _workers(server.pid)
            if len(now) == 2 and victim not in now and answers >= 5:
                break
            time.sleep(0.2)
        assert server.poll() is None, "the server shut down with its worker"
        # Only a request caught by the kill itself may be lost (kill -9 is not graceful).
        assert all(asked_at < 0.5 for asked_at, _ in lost), lost
        assert answers >= 5
        replaced = _workers(server.pid)
        assert victim not in replaced, (before, replaced)
        assert len(replaced) == 2, (before, replaced)
        assert len(replaced - before) == 1
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            output = server.communicate(timeout=15)[0].decode(errors="replace")
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            output = server.communicate()[0].decode(errors="replace")
    assert not re.search(r"Traceback", output), output[-2000:]
