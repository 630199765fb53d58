"""Signed-in voting over HTTP while Redis goes away, in the production layout (DESIGN.md §8).

``python -m bench outage [--rate 5] [--sign-ins 0.25] [--before 8] [--outage 12] [--after 10]
[--workers 2] [--subscribers 20]``

On a scratch PostgreSQL database and a redis-server of its own on a free 127.0.0.1 port (it
keeps nothing on disk, like production: a restart loses every key), it starts granian WSGI
workers for HTTP and one uvicorn process for ``/ws/``, then, open loop:

- ``--rate`` visits per second by residents signed in beforehand (sessions cached in Redis
  and stored in the database): read their ballot's page of the API (eligibility, what they
  cast), then cast a ballot;
- ``--sign-ins`` per second by other residents: sign in through the sign-in form, read
  ``/api/v1/me/`` with the new session, cast a ballot;
- ``--subscribers`` websocket pages watching the round's turnout.

After ``--before`` seconds Redis is stopped; ``--outage`` seconds later it starts again,
empty; the run goes on for ``--after`` seconds. Printed per phase (by when a request was
sent): ballots attempted, acknowledged (201) and stored (a participation of that resident in
the database), reads and sign-ins that succeeded, 5xx answers, ballot latency; then what the
pages saw (``seq`` never going back, never one ``seq`` on two states, the last count equal to
the database) and the servers' "Redis unreachable / back" log lines. Exit status 1 on any
5xx, an acknowledged ballot that is not stored, or a broken ``seq``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from bench import harness, loadgen
from bench.realtime import Subscriber, asgi_servers, connect
from bench.voters import Voter, ballot_body, prepare_round

PHASES = ("before", "during", "after")
BALLOT_PATH = "/api/v1/rounds/bench/ballot/"
PASSWORD = "bench outage sign-in 2027"
REQUEST_TIMEOUT = 30.0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench outage")
    parser.add_argument("--rate", type=float, default=5.0, help="signed-in visits per second")
    parser.add_argument("--sign-ins", type=float, default=0.25, help="sign-ins per second")
    parser.add_argument("--before", type=float, default=8.0, help="seconds before the outage")
    parser.add_argument("--outage", type=float, default=12.0, help="seconds without Redis")
    parser.add_argument("--after", type=float, default=10.0, help="seconds after it is back")
    parser.add_argument("--workers", type=int, default=2, help="granian WSGI workers")
    parser.add_argument("--subscribers", type=int, default=20, help="websocket pages")
    return parser.parse_args(argv)


@dataclass
class Attempt:
    kind: str  # "read", "ballot", "sign-in"
    resident: str  # e-mail
    sent: float
    status: int  # 599: no answer (connection refused, reset, timed out)
    seconds: float


async def _requests(port: int, resident: str, steps: list[tuple[str, bytes]]) -> list[Attempt]:
    """Send ``steps`` one after the other on one connection (until it breaks)."""
    done: list[Attempt] = []
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", port), REQUEST_TIMEOUT
        )
    except (OSError, TimeoutError):
        now = time.monotonic()
        return [Attempt(kind, resident, now, 599, 0.0) for kind, _ in steps]
    try:
        for kind, request in steps:
            sent = time.monotonic()
            try:
                writer.write(request)
                status, _head, _body, close = await asyncio.wait_for(
                    loadgen.read_reply_with_head(reader), REQUEST_TIMEOUT
                )
            except (OSError, TimeoutError, asyncio.IncompleteReadError):
                status, close = 599, True
            done.append(Attempt(kind, resident, sent, status, time.monotonic() - sent))
            if close:  # a failed read does not stop the ballot: it needs nothing from it
                break
    finally:
        writer.close()
    return done


async def signed_in_visit(port: int, voter: Voter, number: int) -> list[Attempt]:
    headers = {"Cookie": voter.cookie, "X-CSRFToken": voter.csrf}
    return await _requests(
        port,
        f"voter{number}@bench.example",
        [
            ("read", loadgen.encode_request("GET", BALLOT_PATH, headers=headers)),
            (
                "ballot",
                loadgen.encode_request(
                    "PUT", BALLOT_PATH, body=ballot_body(number), headers=headers
                ),
            ),
        ],
    )


async def sign_in_and_vote(port: int, email: str, number: int) -> list[Attempt]:
    csrf = secrets.token_hex(16)
    form = urlencode({"login": email, "password": PASSWORD, "csrfmiddlewaretoken": csrf})
    request = loadgen.encode_request(
        "POST",
        "/accounts/login/",
        body=form.encode(),
        headers={"Cookie": f"csrftoken={csrf}"},
        content_type="application/x-www-form-urlencoded",
    )
    sent = time.monotonic()
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", port), REQUEST_TIMEOUT
        )
        try:
            writer.write(request)
            status, head, _body, _close = await asyncio.wait_for(
                loadgen.read_reply_with_head(reader), REQUEST_TIMEOUT
            )
        finally:
            writer.close()
    except (OSError, TimeoutError, asyncio.IncompleteReadError):
        return [Attempt("sign-in", email, sent, 599, time.monotonic() - sent)]
    signed_in = Attempt("sign-in", email, sent, status, time.monotonic() - sent)
    session = re.search(rb"sessionid=([^;\s]+)", head)
    if status != 302 or session is None:
        return [signed_in]
    headers = {"Cookie": f"sessionid={session[1].decode()}; csrftoken={csrf}", "X-CSRFToken": csrf}
    return [
        signed_in,
        *await _requests(
            port,
            email,
            [
                ("read", loadgen.encode_request("GET", "/api/v1/me/", headers=headers)),
                (
                    "ballot",
                    loadgen.encode_request(
                        "PUT", BALLOT_PATH, body=ballot_body(number), headers=headers
                    ),
                ),
            ],
        ),
    ]


def _sign_in_residents(count: int) -> list[str]:
    """Residents with a password and a verified e-mail address who are not signed in."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password

    from engagement.people.models import User

    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        [User(email=f"signin{i}@bench.example", password=password) for i in range(count)]
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
    )
    return [u.email for u in users]


def _seq_problems(subscriber: Subscriber) -> tuple[int, int]:
    """(times seq went back, seqs that labelled two different counts) on one page."""
    seqs = [seq for _moment, seq, _voters in subscriber.frames]
    backwards = sum(1 for i in range(1, len(seqs)) if seqs[i] < seqs[i - 1])
    counts: dict[int, set[int]] = {}
    for _moment, seq, voters in subscriber.frames:
        counts.setdefault(seq, set()).add(voters)
    return backwards, sum(1 for seen in counts.values() if len(seen) > 1)


def _ms(values: list[float], q: float) -> float:
    return harness.percentile([v * 1000 for v in values], q)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    from tests.redis_server import OwnRedis

    redis_server = OwnRedis()
    if redis_server.binary is None:
        print("  needs redis-server on PATH (a Redis of its own, to stop)")
        return 2
    redis_server.start()
    harness.use_redis(redis_server.url())
    total = args.before + args.outage + args.after
    visits = int(args.rate * total)
    sign_ins = int(args.sign_ins * total)
    load = os.getloadavg()
    print(f"  machine: {os.cpu_count()} cores, load average {load[0]:.1f} (shared machine)")
    log = tempfile.NamedTemporaryFile(prefix="kopa-bench-outage-", suffix=".log")  # noqa: SIM115
    try:
        with harness.scratch_database("kopa_bench_outage") as url:
            harness.setup_django(url)
            voters = prepare_round(visits, changes_allowed=False)
            emails = _sign_in_residents(sign_ins)
            with (
                harness.wsgi_server(
                    url,
                    workers=args.workers,
                    threads=2,
                    stderr=log,
                    env={"KOPA_LOG_LEVEL": "WARNING"},
                ) as (http_port, _app),
                asgi_servers(url, workers=1) as (ws_port, _asgi),
            ):
                print(
                    f"  layout: granian WSGI x{args.workers} on :{http_port}, uvicorn x1 on "
                    f":{ws_port} (/ws/), PostgreSQL, redis-server of its own on "
                    f":{redis_server.port}"
                )
                print(
                    f"  {visits} signed-in visits ({args.rate:g}/s) and {sign_ins} sign-ins "
                    f"({args.sign_ins:g}/s) over {total:g} s; Redis stopped from "
                    f"{args.before:g} s for {args.outage:g} s"
                )
                attempts, marks, pages = asyncio.run(
                    _run(args, http_port, ws_port, voters, emails, redis_server)
                )
                time.sleep(1.0)  # the last pushes

            from budgeting.models import Participation

            stored = set(
                Participation.objects.filter(round__slug="bench").values_list(
                    "voter__email", flat=True
                )
            )
    finally:
        redis_server.stop()
    log.seek(0)
    server_log = log.read().decode(errors="replace")
    log.close()
    return _report(attempts, marks, pages, stored, server_log)


async def _run(
    args: argparse.Namespace,
    http_port: int,
    ws_port: int,
    voters: list[Voter],
    emails: list[str],
    redis_server: object,
) -> tuple[list[Attempt], dict[str, float], list[Subscriber]]:
    pages = [Subscriber(i) for i in range(args.subscribers)]
    await asyncio.gather(*(connect(page, ws_port, timeout=30) for page in pages))
    marks: dict[str, float] = {}
    start = time.monotonic()
    marks["start"] = start

    async def at(moment: float, work):  # type: ignore[no-untyped-def]
        await asyncio.sleep(max(0.0, start + moment - time.monotonic()))
        return await work()

    async def outage() -> list[Attempt]:
        await asyncio.sleep(args.before)
        await asyncio.to_thread(redis_server.stop)  # type: ignore[attr-defined]
        marks["down"] = time.monotonic()
        await asyncio.sleep(args.outage)
        await asyncio.to_thread(redis_server.start)  # type: ignore[attr-defined]
        marks["up"] = time.monotonic()
        return []

    tasks = [outage()]
    tasks += [
        at(i / args.rate, lambda i=i, v=v: signed_in_visit(http_port, v, i))
        for i, v in enumerate(voters)
    ]
    tasks += [
        at(j / args.sign_ins, lambda j=j, e=e: sign_in_and_vote(http_port, e, j))
        for j, e in enumerate(emails)
    ]
    results = await asyncio.gather(*tasks)
    await asyncio.sleep(1.5)  # pages get the final state
    for page in pages:
        page.drop()
    return [a for batch in results for a in batch], marks, pages


def _phase(attempt: Attempt, marks: dict[str, float]) -> str:
    if attempt.sent < marks["down"]:
        return "before"
    return "during" if attempt.sent < marks["up"] else "after"


def _report(
    attempts: list[Attempt],
    marks: dict[str, float],
    pages: list[Subscriber],
    stored: set[str],
    server_log: str,
) -> int:
    print(f"  outage: Redis down {marks['up'] - marks['down']:.1f} s")
    print(
        "  phase   ballots attempted  acknowledged  stored | reads ok  sign-ins ok | 5xx "
        "| ballot ms p50 / p99 / max | read ms p50 / p99"
    )
    totals = {"5xx": 0, "lost": 0}
    for phase in PHASES:
        mine = [a for a in attempts if _phase(a, marks) == phase]
        ballots = [a for a in mine if a.kind == "ballot"]
        acknowledged = [a for a in ballots if a.status == 201]
        kept = [a for a in ballots if a.resident in stored]
        lost = [a for a in acknowledged if a.resident not in stored]
        reads = [a for a in mine if a.kind == "read"]
        sign_ins = [a for a in mine if a.kind == "sign-in"]
        errors = [a for a in mine if a.status >= 500]
        totals["5xx"] += len(errors)
        totals["lost"] += len(lost)
        seconds = [a.seconds for a in acknowledged]
        print(
            f"  {phase:<7} {len(ballots):>17}  {len(acknowledged):>12}  {len(kept):>6} | "
            f"{sum(a.status == 200 for a in reads):>4}/{len(reads):<4} "
            f"{sum(a.status == 302 for a in sign_ins):>4}/{len(sign_ins):<4} | "
            f"{len(errors):>3} | {_ms(seconds, 50):.0f} / {_ms(seconds, 99):.0f} / "
            f"{max(seconds, default=0) * 1000:.0f} | "
            f"{_ms([a.seconds for a in reads], 50):.0f} / {_ms([a.seconds for a in reads], 99):.0f}"
        )
        other = sorted({a.status for a in mine if a.status not in (200, 201, 302)})
        if other:
            print(f"          other answers: {other}")
    print(f"  5xx answers: {totals['5xx']}; acknowledged but not stored: {totals['lost']}")

    backwards = shared = 0
    for page in pages:
        back, two = _seq_problems(page)
        backwards += back
        shared += two
    final = {page.voters for page in pages}
    print(
        f"  pages: {len(pages)}, frames {sum(len(p.frames) for p in pages)}; seq went back "
        f"{backwards} times; seqs on two states: {shared}; last count shown {sorted(final)} "
        f"vs {len(stored)} stored"
    )
    unreachable = server_log.count("is unreachable")
    back = server_log.count("is back after")
    print(f"  server log: 'Redis unreachable' {unreachable} lines, 'back' {back} lines")
    broken = totals["5xx"] or totals["lost"] or backwards or shared or final != {len(stored)}
    return 1 if broken else 0
