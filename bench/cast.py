"""Ballot casting over HTTP on PostgreSQL, production layout (granian WSGI workers).

``python -m bench cast [--voters N] [--concurrency C] [--workers W] [--threads T]``

Prints ballots/s, p50/p99 latency, CPU per ballot per component, and checks that the
ballots in the database equal the ballots acknowledged. Target: >= 1,500 ballots/s,
p99 <= 50 ms, 0 errors.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import time

from bench import harness, loadgen
from bench.voters import ballot_body, prepare_round


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench cast")
    parser.add_argument("--voters", type=int, default=15_000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--deadline", type=float, default=120.0)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    with harness.scratch_database("kopa_bench_cast") as url:
        harness.setup_django(url)
        started = time.perf_counter()
        voters = prepare_round(args.voters, changes_allowed=False)
        print(f"  prepared {len(voters)} signed-in voters in {time.perf_counter() - started:.1f}s")
        requests = [
            loadgen.encode_request(
                "PUT",
                "/api/v1/rounds/bench/ballot/",
                body=ballot_body(i),
                headers={"Cookie": v.cookie, "X-CSRFToken": v.csrf},
            )
            for i, v in enumerate(voters)
        ]
        warmup = requests[:200]
        with harness.wsgi_server(url, workers=args.workers, threads=args.threads) as (port, app):
            asyncio.run(loadgen.run(port, warmup, concurrency=args.concurrency))
            meter = harness.CpuMeter([app, harness.postgres_component(), harness.redis_component()])
            commands_before = harness.redis_commands()
            meter.start()
            began = time.perf_counter()
            replies = asyncio.run(
                loadgen.run(
                    port, requests[200:], concurrency=args.concurrency, deadline_s=args.deadline
                )
            )
            wall = time.perf_counter() - began
            used = meter.stop()
            commands_after = harness.redis_commands()

        from budgeting.models import BudgetRound
        from budgeting.services import ballot_box

        stored = ballot_box.ballot_count(BudgetRound.objects.get(slug="bench"))
    statuses = collections.Counter(r.status for r in replies)
    acknowledged = statuses.get(201, 0) + len(warmup)
    latencies = [r.latency * 1000 for r in replies if r.status == 201]
    errors = sum(n for s, n in statuses.items() if s != 201)
    rate = statuses.get(201, 0) / wall if wall else 0.0
    print(f"  ballots sent: {len(replies)} over {args.concurrency} connections in {wall:.2f}s")
    print(f"  statuses: {dict(sorted(statuses.items()))}")
    print(f"  throughput: {rate:,.0f} ballots/s")
    print(
        f"  latency ms: p50 {harness.percentile(latencies, 50):.1f}  "
        f"p99 {harness.percentile(latencies, 99):.1f}  max {max(latencies, default=0):.1f}"
    )
    harness.print_cpu(used, statuses.get(201, 0))
    harness.print_redis_commands(commands_before, commands_after, statuses.get(201, 0))
    consistent = stored == acknowledged
    print(f"  ballots in database {stored} == acknowledged {acknowledged}: {consistent}")
    if errors or not consistent:
        bad = [r.body[:200] for r in replies if r.status != 201][:3]
        print(f"  first errors: {bad}")
        return 1
    return 0
