"""Server time and queries of the heaviest pages, on PostgreSQL.

``python -m bench pages [--projects 500] [--voters 20000] [--runs 30]``

Builds two rounds in a scratch database: one in voting with ``--projects`` projects in one
city-wide budget (the round, projects, project and ballot pages — the ballot lists every
project), and
one imported from a generated pabulib file with the same number of projects and
``--voters`` approval ballots, tallied with Equal Shares and published (the results page).
Each page is requested ``--runs`` times in-process after a warm-up (Django's test client, so
the figure is server time: middleware, views, queries, templates; no network) and reports
p50/p99 wall time, CPU time per request and the number of SQL queries. Target (DESIGN §7):
a round page with 500 projects renders in < 100 ms server time, with no N+1 queries (the
query count does not grow with the number of projects).
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import time
import warnings

from bench import harness

TARGET_MS = 100.0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench pages")
    parser.add_argument("--projects", type=int, default=500)
    parser.add_argument("--voters", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=30)
    return parser.parse_args(argv)


def _voting_round(n_projects: int):
    from budgeting.services import rounds
    from engagement.people import services as engagement_services
    from engagement.people.permissions import SYSTEM

    organisation = engagement_services.organisation_create(
        actor=SYSTEM, name="Bench City", slug="bench-city", country="LV", currency="EUR"
    )
    budget_round = rounds.round_create(
        actor=SYSTEM,
        organisation=organisation,
        title="Bench City budget",
        slug="bench-voting",
        citywide_budget=5_000_000_00,
        ballot_format="approval",
        knapsack=True,
        verified_email_required=False,
        secret_ballot=True,
    )
    city = budget_round.districts.get(key="city")
    rng = random.Random(7)
    for number in range(1, n_projects + 1):
        rounds.project_create(
            actor=SYSTEM,
            budget_round=budget_round,
            district_budget=city,
            external_id=f"p{number}",
            title=f"Project {number}: benches, trees and lighting",
            description="A longer description of what will be built and where. " * 8,
            cost=rng.randint(5_000, 200_000) * 100,
            status="feasible",
            categories=["green", "mobility"][: 1 + number % 2],
        )
    rounds.phase_advance(actor=SYSTEM, budget_round=budget_round, to_phase="voting")
    return budget_round, city


def _results_round(n_projects: int, n_voters: int):
    from budgeting.services import results
    from budgeting.services.pabulib_io import pabulib_import
    from engagement.people.permissions import SYSTEM

    rng = random.Random(11)
    costs = [rng.randint(5_000, 200_000) for _ in range(n_projects)]
    lines = [
        "META",
        "key;value",
        "description;Generated benchmark election",
        "country;Latvia",
        "unit;Bench City",
        "instance;2026",
        "date_begin;01.05.2026",
        "date_end;31.05.2026",
        f"num_projects;{n_projects}",
        f"num_votes;{n_voters}",
        f"budget;{sum(costs) // 5}",
        "vote_type;approval",
        "rule;equalshares/add1",
        "currency;EUR",
        "min_length;1",
        "max_length;5",
        "PROJECTS",
        "project_id;cost;votes;name",
    ]
    weights = [rng.random() ** 3 for _ in range(n_projects)]
    picks = [rng.choices(range(n_projects), weights=weights, k=5) for _ in range(n_voters)]
    votes = [0] * n_projects
    for pick in picks:
        for p in set(pick):
            votes[p] += 1
    lines += [f"{p + 1};{costs[p]};{votes[p]};Project {p + 1}" for p in range(n_projects)]
    lines += ["VOTES", "voter_id;vote"]
    lines += [
        f"v{i};{','.join(str(p + 1) for p in sorted(set(pick)))}" for i, pick in enumerate(picks)
    ]
    report = pabulib_import(
        io.StringIO("\n".join(lines) + "\n"), slug="bench-results", actor=SYSTEM
    )
    budget_round = report.budget_round
    results.results_publish(actor=SYSTEM, budget_round=budget_round)
    return budget_round


def _measure(client, path: str, runs: int) -> dict[str, float]:
    from django.db import connection

    for _ in range(3):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"bench.pages: GET {path} answered {response.status_code}")
    walls, cpus = [], []
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(path)
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        client.get(path)
        walls.append((time.perf_counter() - began) * 1000)
        cpus.append((time.process_time() - began_cpu) * 1000)
    return {
        "p50": harness.percentile(walls, 50),
        "p99": harness.percentile(walls, 99),
        "cpu": statistics.median(cpus),
        "queries": len(queries),
        "bytes": len(response.content),
    }


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    warnings.filterwarnings("ignore", "No directory at")  # static files are not served here
    with harness.scratch_database("kopa_bench_pages") as url:
        harness.setup_django(url, KOPA_ALLOWED_HOSTS="testserver,127.0.0.1")
        from django.test import Client

        from engagement.people.models import User

        began = time.perf_counter()
        voting, first_budget = _voting_round(args.projects)
        published = _results_round(args.projects, args.voters)
        print(
            f"  prepared a voting round with {args.projects} projects and a published round "
            f"with {args.projects} projects and {args.voters} ballots "
            f"in {time.perf_counter() - began:.1f}s"
        )
        resident = User.objects.create_user(email="resident@bench.example", password="x" * 12)
        anonymous, signed_in = Client(), Client()
        signed_in.force_login(resident)
        pages = [
            ("round page", anonymous, f"/rounds/{voting.slug}/"),
            ("projects list (first page)", anonymous, f"/rounds/{voting.slug}/projects/"),
            (
                "project page",
                anonymous,
                f"/rounds/{voting.slug}/projects/{voting.projects.order_by('pk')[0].pk}/",
            ),
            (
                f"ballot ({first_budget.projects.count()} projects)",
                signed_in,
                f"/rounds/{voting.slug}/vote/{first_budget.key}/",
            ),
            (
                f"results ({args.projects} projects)",
                anonymous,
                f"/rounds/{published.slug}/results/",
            ),
        ]
        rows = [(name, _measure(client, path, args.runs)) for name, client, path in pages]
    print(f"  {'page':34} {'p50 ms':>8} {'p99 ms':>8} {'cpu ms':>8} {'queries':>8} {'kB':>7}")
    failed = False
    for name, row in rows:
        over = row["p50"] > TARGET_MS
        failed |= over
        print(
            f"  {name:34} {row['p50']:8.1f} {row['p99']:8.1f} {row['cpu']:8.1f} "
            f"{row['queries']:8d} {row['bytes'] / 1024:7.0f}{'  over target' if over else ''}"
        )
    verdict = "missed" if failed else "met"
    print(f"  target: p50 < {TARGET_MS:.0f} ms server time per page: {verdict}")
    return 1 if failed else 0
