"""Double-vote race: every voter sends the same ballot 5 times at once over HTTP.

``python -m bench race [--voters N] [--copies K] [--concurrency C]``

Expect exactly N ballots stored, N x (K-1) clean "already voted" (409) answers, no 5xx.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import time

from bench import harness, loadgen
from bench.voters import ballot_body, prepare_round


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench race")
    parser.add_argument("--voters", type=int, default=2_000)
    parser.add_argument("--copies", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    with harness.scratch_database("kopa_bench_race") as url:
        harness.setup_django(url)
        voters = prepare_round(args.voters, changes_allowed=False, slug="race")
        # The copies of one voter's ballot sit next to each other in the queue, so they are
        # taken by different connections at the same moment.
        requests = [
            loadgen.encode_request(
                "PUT",
                "/api/v1/rounds/race/ballot/",
                body=ballot_body(i),
                headers={"Cookie": v.cookie, "X-CSRFToken": v.csrf},
            )
            for i, v in enumerate(voters)
            for _copy in range(args.copies)
        ]
        with harness.wsgi_server(url, workers=args.workers, threads=args.threads) as (port, _app):
            began = time.perf_counter()
            replies = asyncio.run(loadgen.run(port, requests, concurrency=args.concurrency))
            wall = time.perf_counter() - began

        from budgeting.models import BudgetRound, Participation
        from budgeting.services import ballot_box

        ballots = ballot_box.ballot_count(BudgetRound.objects.get(slug="race"))
        participations = Participation.objects.filter(round__slug="race").count()
    statuses = collections.Counter(r.status for r in replies)
    codes = collections.Counter(
        json.loads(r.body).get("code") for r in replies if r.status == 409 and r.body
    )
    expected_conflicts = args.voters * (args.copies - 1)
    server_errors = sum(n for s, n in statuses.items() if s >= 500)
    print(f"  {len(requests)} requests in {wall:.2f}s ({len(requests) / wall:,.0f}/s)")
    print(f"  statuses: {dict(sorted(statuses.items()))}; 409 codes: {dict(codes)}")
    print(f"  ballots stored: {ballots} (expected {args.voters}); participations: {participations}")
    ok = (
        ballots == args.voters
        and participations == args.voters
        and statuses.get(201, 0) == args.voters
        and statuses.get(409, 0) == expected_conflicts
        and codes.get("already_voted", 0) == expected_conflicts
        and server_errors == 0
    )
    print(f"  exactly one ballot per voter, {expected_conflicts} clean refusals, no 5xx: {ok}")
    return 0 if ok else 1
