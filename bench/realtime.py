"""Live updates under load, in the production process layout (DESIGN.md §6, §7).

``python -m bench realtime [--subscribers 1000,5000,10000] [--asgi-workers 2]
[--rate 300] [--stream-seconds 10] [--deadline 400]``

Starts, on a scratch PostgreSQL database and the machine's Redis (own key prefix):
granian WSGI workers for HTTP and ``uvicorn --workers K`` for ``/ws/`` (K ASGI processes
accepting on one address). For each subscriber count N it then

1. opens N websocket subscribers to ``round:bench:turnout`` from a lean asyncio client on
   127.0.0.1 (hand-rolled RFC 6455 framing, answers pings) and waits for every snapshot;
2. *fan-out*: casts single ballots a second apart over the HTTP API and measures, per
   update, from the HTTP reply (just after commit) to the frame showing that ballot at each
   subscriber: p50/p99/max over deliveries and the last subscriber per update;
3. *stream*: casts ballots at ``--rate`` per second for ``--stream-seconds`` and measures
   vote -> visible (reply of ballot k -> first frame showing >= k ballots) on a sample of
   subscribers, frames/s, CPU per delivered frame per component (/proc), and checks that
   every subscriber's final pushed tally equals the database count;
4. *reconnect storm*: drops every client connection at once and reconnects all of them at
   once with ``since`` = the last seq seen; time until all are subscribed again, errors.

Memory per connection is the growth of the ASGI processes' RSS while the N sockets open.
Targets (DESIGN §7): fan-out last-subscriber median <= 300 ms and p99 <= 400 ms at 10,000;
vote -> visible p99 <= 600 ms on 5,000 at 300 ballots/s; 10,000 reconnects back within 10 s.
Everything is bounded in time and stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import time
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench import harness, loadgen
from bench.voters import ballot_body, prepare_round
from config.servers import asgi_command

TOPIC = "round:bench:turnout"
# Like a browser, wait for a slow handshake rather than abandoning it: a retry only doubles
# the server's work in a storm. The whole run stays bounded by --deadline.
HANDSHAKE_TIMEOUT = 60.0
BALLOT_PATH = "/api/v1/rounds/bench/ballot/"


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench realtime")
    parser.add_argument("--subscribers", default="1000,5000,10000", help="comma-separated Ns")
    parser.add_argument("--asgi-workers", type=int, default=2)
    parser.add_argument("--wsgi-workers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=300.0, help="ballots/s in the stream")
    parser.add_argument("--stream-seconds", type=float, default=10.0)
    parser.add_argument("--fanout-updates", type=int, default=8)
    parser.add_argument("--sample", type=int, default=300, help="subscribers sampled for v->v")
    parser.add_argument("--deadline", type=float, default=400.0, help="whole run, seconds")
    parser.add_argument("--skip-storm", action="store_true")
    return parser.parse_args(argv)


# --- a lean websocket client ------------------------------------------------------------------

_KEY = base64.b64encode(b"kopa-bench-key-16").decode()[:22] + "=="
_HANDSHAKE = (
    "GET /ws/live/ HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    f"Sec-WebSocket-Key: {_KEY}\r\nSec-WebSocket-Version: 13\r\n"
    "Origin: http://127.0.0.1\r\n\r\n"
).encode()


def _client_frame(opcode: int, payload: bytes) -> bytes:
    """A masked client frame; the all-zero mask is valid and costs no XOR."""
    length = len(payload)
    if length < 126:
        head = bytes((0x80 | opcode, 0x80 | length))
    elif length < 65536:
        head = bytes((0x80 | opcode, 0x80 | 126)) + length.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + length.to_bytes(8, "big")
    return head + b"\x00\x00\x00\x00" + payload


class Subscriber(asyncio.Protocol):
    """One browser tab: subscribes to TOPIC, records (time, seq, voters) of every frame."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.upgraded = False
        self.seq: int | None = None
        self.frames: list[tuple[float, int, int]] = []
        self.ready = asyncio.get_running_loop().create_future()
        self.closed = asyncio.get_running_loop().create_future()
        self.errors = 0
        self.attempts = 0

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(_HANDSHAKE)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.ready.done():
            self.ready.set_exception(ConnectionError("closed before subscribed"))
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if b" 101 " not in buffer[:end]:
                self.errors += 1
                self._fail("handshake refused")
                return
            del buffer[: end + 4]
            self.upgraded = True
        while len(buffer) >= 2:
            opcode = buffer[0] & 0x0F
            length = buffer[1] & 0x7F
            offset = 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length = int.from_bytes(buffer[2:4], "big")
                offset = 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length = int.from_bytes(buffer[2:10], "big")
                offset = 10
            if len(buffer) < offset + length:
                return
            payload = bytes(buffer[offset : offset + length])
            del buffer[: offset + length]
            if opcode == 0x1:
                self._text(payload)
            elif opcode == 0x9:  # ping: answer like a browser
                self._write(_client_frame(0xA, payload))
            elif opcode == 0x8:
                self._write(_client_frame(0x8, payload[:2]))
                if self.transport is not None:
                    self.transport.close()

    # protocol

    def _write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def _fail(self, why: str) -> None:
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(why))
        if self.transport is not None:
            self.transport.abort()

    def _text(self, payload: bytes) -> None:
        now = time.monotonic()
        frame = json.loads(payload)
        kind = frame["type"]
        if kind == "hello":
            subscribe = {"type": "subscribe", "id": 1, "topic": TOPIC}
            if self.seq is not None:
                subscribe["since"] = self.seq
            self._write(_client_frame(0x1, json.dumps(subscribe).encode()))
        elif kind == "subscribed":
            if self.seq is not None and frame["payload"]["seq"] == self.seq:
                self.ready.set_result(now)  # nothing missed: no snapshot follows
        elif kind == "snapshot":
            self.seq = frame["seq"]
            self.frames.append((now, frame["seq"], frame["payload"]["state"]["voters"]))
            if not self.ready.done():
                self.ready.set_result(now)
        elif kind == "turnout":
            self.seq = frame["seq"]
            self.frames.append((now, frame["seq"], frame["payload"]["voters"]))
        elif kind == "error":
            self.errors += 1
            self._fail(str(frame["payload"]))

    def drop(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    @property
    def voters(self) -> int:
        return self.frames[-1][2] if self.frames else -1

    def first_at_least(self, voters: int, after: float = 0.0) -> float | None:
        """Time of the first frame showing at least ``voters`` (frames are in order)."""
        for moment, _seq, seen in self.frames:
            if seen >= voters and moment >= after:
                return moment
        return None


async def connect(subscriber: Subscriber, port: int, timeout: float, retries: int = 8) -> bool:
    """Open, upgrade, subscribe; retry refused connects with backoff + jitter like live.js."""
    loop = asyncio.get_running_loop()
    delay = 0.05
    for _attempt in range(retries):
        subscriber.ready = loop.create_future()
        subscriber.closed = loop.create_future()
        subscriber.buffer.clear()
        subscriber.upgraded = False
        subscriber.attempts += 1
        try:
            await asyncio.wait_for(
                loop.create_connection(lambda: subscriber, "127.0.0.1", port), timeout
            )
            await asyncio.wait_for(subscriber.ready, timeout)
            return True
        except (OSError, TimeoutError, ConnectionError):
            subscriber.drop()
            await asyncio.sleep(delay / 2 + random.random() * delay / 2)
            delay = min(delay * 2, 2.0)
    return False


async def open_many(subscribers: list[Subscriber], port: int, *, batch: int) -> tuple[float, int]:
    """Connect all (``batch`` at a time; ``batch >= len`` is a storm). (seconds, failures)"""
    started = time.monotonic()
    failures = 0
    for start in range(0, len(subscribers), batch):
        chunk = subscribers[start : start + batch]
        results = await asyncio.gather(
            *(connect(s, port, timeout=HANDSHAKE_TIMEOUT) for s in chunk)
        )
        failures += results.count(False)
    return time.monotonic() - started, failures


# --- the ballot stream -------------------------------------------------------------------------


@dataclass
class Cast:
    sent: float
    replied: float
    status: int


async def cast_ballots(
    port: int, requests: list[bytes], *, rate: float, connections: int, deadline: float
) -> list[Cast]:
    """Open loop: ballot i is due at start + i/rate, over keep-alive connections."""
    due = list(range(len(requests)))
    casts: list[Cast] = []
    start = time.monotonic()
    stop_at = start + deadline

    async def worker() -> None:
        reader = writer = None
        while due and time.monotonic() < stop_at:
            index = due.pop(0)
            wait = start + index / rate - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                sent = time.monotonic()
                writer.write(requests[index])
                status, _body, close = await loadgen._read_reply(reader)
                casts.append(Cast(sent, time.monotonic(), status))
                if close:
                    writer.close()
                    reader = writer = None
            except (OSError, asyncio.IncompleteReadError):
                casts.append(Cast(time.monotonic(), time.monotonic(), 0))
                reader = writer = None
        if writer is not None:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return casts


# --- processes ------------------------------------------------------------------------------------


def _rss_kib(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _children(pid: int) -> list[int]:
    return [p for p in harness._descendants(pid) if p != pid]


@contextlib.contextmanager
def asgi_servers(database_url: str, *, workers: int) -> Iterator[tuple[int, subprocess.Popen]]:
    """``uvicorn --workers K``: K ASGI processes accepting on one address (serving /ws/)."""
    port = harness.free_port()
    cmd = asgi_command(
        host="127.0.0.1",
        port=port,
        workers=workers,
        log_level="warning",
        program=str(Path(sys.executable).parent / "uvicorn"),
    )
    ws_impl = os.environ.get("KOPA_BENCH_WS")
    if ws_impl:
        cmd[cmd.index("--ws") + 1] = ws_impl
    env = harness.django_env(database_url)
    process = subprocess.Popen(cmd, cwd=harness.ROOT, env=env, start_new_session=True)
    try:
        harness.wait_for_port(port, process)
        deadline = time.monotonic() + 30
        while len(_children(process.pid)) < workers and time.monotonic() < deadline:
            time.sleep(0.2)
        yield port, process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


# --- one subscriber count -----------------------------------------------------------------------


@dataclass
class Outcome:
    subscribers: int
    connected: int = 0
    connect_seconds: float = 0.0
    fanout_last_median_ms: float = float("nan")
    fanout_p99_ms: float = float("nan")
    vote_visible_p99_ms: float = float("nan")
    final_ok: bool = False
    storm_seconds: float = float("nan")
    storm_errors: int = 0
    rate: float = 0.0
    notes: list[str] = field(default_factory=list)

    def fanout_ok(self) -> bool:
        return self.fanout_last_median_ms <= 300 and self.fanout_p99_ms <= 400

    def stream_ok(self, asked: float = 300.0) -> bool:
        return self.vote_visible_p99_ms <= 600 and self.final_ok and self.rate >= 0.95 * asked

    def storm_ok(self) -> bool:
        return self.storm_seconds <= 10 and self.storm_errors == 0


def _ms(values: list[float], q: float) -> float:
    return harness.percentile(values, q) * 1000 if values else float("nan")


async def run_count(
    n: int,
    *,
    ws_port: int,
    http_port: int,
    requests: list[bytes],
    meters: list[harness.Component],
    asgi: subprocess.Popen,
    args: argparse.Namespace,
    db_count,
) -> tuple[Outcome, list[bytes]]:
    out = Outcome(n)
    workers = _children(asgi.pid) or [asgi.pid]
    rss_before = sum(_rss_kib(p) for p in workers)
    client_before = _rss_kib(os.getpid())
    subscribers = [Subscriber(i) for i in range(n)]
    meter = harness.CpuMeter(meters)
    meter.start()
    out.connect_seconds, failures = await open_many(subscribers, ws_port, batch=500)
    connect_cpu = meter.stop()
    out.connected = n - failures
    rss_after = sum(_rss_kib(p) for p in workers)
    client_after = _rss_kib(os.getpid())
    print(
        f"  [{n}] connections held: {out.connected}/{n} "
        f"(opened in {out.connect_seconds:.1f}s, {failures} failed)"
    )
    retries = sum(s.attempts for s in subscribers) - n
    print(
        f"  [{n}] CPU per connection (ms): "
        + "  ".join(f"{k.split(' ')[0]} {v / n * 1000:.2f}" for k, v in connect_cpu.items())
        + f"; connect retries {retries}"
    )
    print(
        f"  [{n}] memory per connection: ASGI {(rss_after - rss_before) / max(n, 1):.1f} KiB "
        f"(RSS {rss_before // 1024} -> {rss_after // 1024} MiB over {len(workers)} processes), "
        f"client {(client_after - client_before) / max(n, 1):.1f} KiB"
    )
    live = [s for s in subscribers if s.frames]

    # 2. fan-out: one ballot at a time, each its own update
    fanout_deliveries: list[float] = []
    last_per_update: list[float] = []
    for _ in range(args.fanout_updates):
        request, requests = requests[0], requests[1:]
        await asyncio.sleep(1.0)
        casts = await cast_ballots(http_port, [request], rate=1, connections=1, deadline=10)
        if not casts or casts[0].status != 201:
            out.notes.append(f"fan-out ballot failed: {casts[:1]}")
            continue
        replied = casts[0].replied
        total = await db_count()
        await asyncio.sleep(1.0)
        times = [s.first_at_least(total, after=replied - 1) for s in live]
        got = [t - replied for t in times if t is not None]
        missing = len(times) - len(got)
        if missing:
            out.notes.append(f"fan-out: {missing} subscribers missed an update")
        fanout_deliveries.extend(max(0.0, g) for g in got)
        if got:
            last_per_update.append(max(got))
    out.fanout_p99_ms = _ms(fanout_deliveries, 99)
    out.fanout_last_median_ms = (
        statistics.median(last_per_update) * 1000 if last_per_update else float("nan")
    )
    print(
        f"  [{n}] fan-out ({len(last_per_update)} updates): deliveries p50 "
        f"{_ms(fanout_deliveries, 50):.0f} ms  p99 {out.fanout_p99_ms:.0f} ms  max "
        f"{max(fanout_deliveries, default=0) * 1000:.0f} ms; last subscriber per update: "
        f"median {out.fanout_last_median_ms:.0f} ms, "
        f"worst {max(last_per_update, default=0) * 1000:.0f} ms"
    )

    # 3. stream at the rate
    count = int(args.rate * args.stream_seconds)
    stream, requests = requests[:count], requests[count:]
    frames_before = sum(len(s.frames) for s in subscribers)
    meter = harness.CpuMeter(meters)
    meter.start()
    began = time.monotonic()
    casts = await cast_ballots(
        http_port,
        stream,
        rate=args.rate,
        connections=max(8, int(args.rate // 20)),
        deadline=args.stream_seconds * 3,
    )
    await asyncio.sleep(1.5)  # the last coalesced push
    wall = time.monotonic() - began
    used = meter.stop()
    delivered = sum(len(s.frames) for s in subscribers) - frames_before
    ok_casts = sorted((c for c in casts if c.status == 201), key=lambda c: c.replied)
    base = (await db_count()) - len(ok_casts)
    sample = random.Random(1).sample(live, min(args.sample, len(live)))
    visible: list[float] = []
    for s in sample:
        moments = [f[0] for f in s.frames]
        # The tally only grows in this round (no changes, no withdrawals).
        seen = [f[2] for f in s.frames]
        for rank, cast in enumerate(ok_casts, start=1):
            index = bisect_left(seen, base + rank)
            if index < len(seen):
                visible.append(max(0.0, moments[index] - cast.replied))
    out.vote_visible_p99_ms = _ms(visible, 99)
    final = await db_count()
    wrong = sum(1 for s in live if s.voters != final)
    out.final_ok = wrong == 0
    statuses: dict[int, int] = {}
    for c in casts:
        statuses[c.status] = statuses.get(c.status, 0) + 1
    # The rate achieved (the servers may not keep up with the rate asked for).
    span = (ok_casts[-1].replied - min(c.sent for c in ok_casts)) if ok_casts else 0.0
    rate = len(ok_casts) / span if span else 0.0
    out.rate = rate
    print(
        f"  [{n}] stream: {len(ok_casts)} ballots ({statuses}) at {rate:.0f}/s; vote -> visible "
        f"on {len(sample)} sampled subscribers: p50 {_ms(visible, 50):.0f} ms  p99 "
        f"{out.vote_visible_p99_ms:.0f} ms  max {max(visible, default=0) * 1000:.0f} ms"
    )
    print(
        f"  [{n}] frames delivered: {delivered} in {wall:.1f}s = {delivered / wall:,.0f} frames/s "
        f"({delivered / max(len(live), 1):.1f} per subscriber)"
    )
    harness.print_cpu(used, delivered, unit="frame")
    ballots = len(ok_casts) or 1
    print(
        "  CPU per ballot (ms): "
        + "  ".join(f"{k.split(' ')[0]} {v / ballots * 1000:.2f}" for k, v in used.items())
    )
    print(
        f"  [{n}] final pushed tally == database count ({final}): {out.final_ok}"
        + (f" ({wrong} subscribers differ)" if wrong else "")
    )

    # 4. reconnect storm
    if not args.skip_storm:
        for s in live:
            s.drop()
        await asyncio.gather(*(s.closed for s in live))
        errors_before = sum(s.errors for s in live)
        attempts_before = sum(s.attempts for s in live)
        meter = harness.CpuMeter(meters)
        meter.start()
        out.storm_seconds, failures = await open_many(live, ws_port, batch=len(live))
        storm_cpu = meter.stop()
        retries = sum(s.attempts for s in live) - attempts_before - len(live)
        print(
            f"  [{n}] storm CPU per reconnect (ms): "
            + "  ".join(
                f"{k.split(' ')[0]} {v / max(len(live), 1) * 1000:.2f}"
                for k, v in storm_cpu.items()
            )
            + f"; connect retries {retries}"
        )
        out.storm_errors = failures + sum(s.errors for s in live) - errors_before
        print(
            f"  [{n}] reconnect storm: {len(live)} clients back in {out.storm_seconds:.2f}s, "
            f"{out.storm_errors} errors"
        )
    for s in subscribers:
        s.drop()
    await asyncio.sleep(1.0)
    return out, requests


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    counts = [int(x) for x in args.subscribers.split(",") if x]
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # inherited by the servers
    if max(counts) + 200 > hard:
        print(f"  RLIMIT_NOFILE hard limit {hard} is below {max(counts)} subscribers")
        return 2
    load = os.getloadavg()
    print(f"  machine: {os.cpu_count()} cores, load average {load[0]:.1f} (shared machine)")
    needed = len(counts) * (args.fanout_updates + int(args.rate * args.stream_seconds)) + 200
    outcomes: list[Outcome] = []
    with harness.scratch_database("kopa_bench_rt") as url:
        harness.setup_django(url)
        voters = prepare_round(needed, changes_allowed=False)
        requests = [
            loadgen.encode_request(
                "PUT",
                BALLOT_PATH,
                body=ballot_body(i),
                headers={"Cookie": v.cookie, "X-CSRFToken": v.csrf},
            )
            for i, v in enumerate(voters)
        ]
        from asgiref.sync import sync_to_async

        from budgeting.models import Participation

        @sync_to_async
        def db_count() -> int:
            return Participation.objects.filter(round__slug="bench").count()

        with (
            harness.wsgi_server(url, workers=args.wsgi_workers, threads=2) as (http_port, app),
            asgi_servers(url, workers=args.asgi_workers) as (ws_port, asgi),
        ):
            meters = [
                app,
                harness.Component("asgi (uvicorn)", pids=[asgi.pid]),
                harness.postgres_component(),
                harness.redis_component(),
            ]
            print(
                f"  layout: granian WSGI x{args.wsgi_workers} on :{http_port} (HTTP), "
                f"uvicorn x{args.asgi_workers} on :{ws_port} (/ws/), PostgreSQL, Redis"
            )
            warm, requests = requests[:100], requests[100:]
            asyncio.run(loadgen.run(http_port, warm, concurrency=10))
            stop_at = time.monotonic() + args.deadline

            async def everything() -> None:
                nonlocal requests
                for n in counts:
                    if time.monotonic() > stop_at:
                        print(f"  [{n}] skipped: deadline reached")
                        break
                    outcome, requests = await asyncio.wait_for(
                        run_count(
                            n,
                            ws_port=ws_port,
                            http_port=http_port,
                            requests=requests,
                            meters=meters,
                            asgi=asgi,
                            args=args,
                            db_count=db_count,
                        ),
                        timeout=max(30.0, stop_at - time.monotonic()),
                    )
                    outcomes.append(outcome)

            with contextlib.suppress(TimeoutError):
                asyncio.run(everything())

    print("\n  summary (targets: fan-out last-subscriber median <= 300 ms and p99 <= 400 ms;")
    print(f"  vote -> visible p99 <= 600 ms at {args.rate:.0f} ballots/s; storm back <= 10 s):")
    for o in outcomes:
        print(
            f"    N={o.subscribers:>6}: held {o.connected}, fan-out last median "
            f"{o.fanout_last_median_ms:.0f} ms / p99 {o.fanout_p99_ms:.0f} ms "
            f"[{'ok' if o.fanout_ok() else 'MISSED'}], vote->visible p99 "
            f"{o.vote_visible_p99_ms:.0f} ms at {o.rate:.0f}/s, "
            f"final tally {'ok' if o.final_ok else 'WRONG'} "
            f"[{'ok' if o.stream_ok(args.rate) else 'MISSED'}], storm {o.storm_seconds:.1f} s "
            f"{o.storm_errors} errors [{'ok' if o.storm_ok() or args.skip_storm else 'MISSED'}]"
        )
        for note in o.notes[:3]:
            print(f"      note: {note}")
    met = [
        o.subscribers
        for o in outcomes
        if o.fanout_ok() and o.stream_ok(args.rate) and (args.skip_storm or o.storm_ok())
    ]

    def largest(ok) -> str:  # type: ignore[no-untyped-def]
        passing = [o.subscribers for o in outcomes if ok(o)]
        return str(max(passing)) if passing else "none"

    print(f"  largest N meeting the fan-out target: {largest(Outcome.fanout_ok)}")
    streamed = largest(lambda o: o.stream_ok(args.rate))
    print(f"  largest N meeting the vote -> visible target: {streamed}")
    if not args.skip_storm:
        print(f"  largest N meeting the reconnect-storm target: {largest(Outcome.storm_ok)}")
    print(f"  largest subscriber count meeting every target: {max(met) if met else 'none'}")
    return 0 if outcomes and all(o.final_ok for o in outcomes) else 1
