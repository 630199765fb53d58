"""What a database reader learns of secret ballots, and what opening the ballot box costs.

``python -m bench secrecy [--voters N] [--watched M] [--open-ballots B]``

1. N voters each cast a ballot nobody else casts, over HTTP through the production layout
   (granian WSGI, PostgreSQL). Reading the tables as a replica or a backup would — system
   columns included — the attacks of docs/budgeting.md ("Ballot secrecy") try to tie each
   ballot to its voter, while voting and after the box is opened: the ``xmin`` join, id order,
   ``ctid`` order. Printed: ballots attributed out of N (a random order guesses about 1).
2. M voters cast one by one in a round that shows its counts during voting; after each cast
   the public counts are read over HTTP. Printed: the smallest change of the counts, in
   ballots (a change of one ballot tells whoever knows who just voted what they voted).
3. The move to results opens a box of B sealed ballots: its wall time and ballots/s.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import itertools
import json
import os
import random
import time

from bench import harness, loadgen
from bench.voters import N_PROJECTS, prepare_round


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench secrecy")
    parser.add_argument("--voters", type=int, default=1_000)
    parser.add_argument("--watched", type=int, default=200)
    parser.add_argument("--open-ballots", type=int, default=100_000)
    return parser.parse_args(argv)


def _rows(sql: str) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def _ballot(value: object) -> frozenset[int]:
    return frozenset(json.loads(value) if isinstance(value, str) else value)  # type: ignore[arg-type]


def attacks(truth: dict[int, frozenset[int]], batch: int, district: int) -> dict[str, int]:
    """Ballots each attack ties to their voter (join: narrowed below ``batch`` voters)."""
    owner = {ballot: voter for voter, ballot in truth.items()}
    candidates: dict[frozenset[int], set[int]] = {}
    for voter, projects in _rows(
        "SELECT p.voter_id, b.projects FROM budgeting_ballot b JOIN budgeting_participation p"
        " ON p.xmin = b.xmin AND p.district_budget_id = b.district_budget_id"
        f" WHERE b.district_budget_id = {district}"
    ):
        candidates.setdefault(_ballot(projects), set()).add(voter)
    found = {
        "xmin join": sum(
            1 for b, voters in candidates.items() if len(voters) < batch and owner.get(b) in voters
        )
    }
    for order in ("id", "ctid"):
        voters = [
            v for (v,) in _rows(f"SELECT voter_id FROM budgeting_participation ORDER BY {order}")
        ]
        ballots = [
            _ballot(p) for (p,) in _rows(f"SELECT projects FROM budgeting_ballot ORDER BY {order}")
        ]
        found[f"{order} order"] = sum(
            1 for v, b in zip(voters, ballots, strict=False) if truth.get(v) == b
        )
    return found


def _cast_requests(voters: list, slug: str) -> tuple[list[bytes], list[tuple[str, ...]]]:
    combos = list(itertools.combinations(range(1, N_PROJECTS + 1), 5))
    chosen = random.Random(7).sample(combos, len(voters))
    requests = []
    for voter, combo in zip(voters, chosen, strict=True):
        body = json.dumps({"district": "city", "projects": [f"p{n}" for n in combo]}).encode()
        requests.append(
            loadgen.encode_request(
                "PUT",
                f"/api/v1/rounds/{slug}/ballot/",
                body=body,
                headers={"Cookie": voter.cookie, "X-CSRFToken": voter.csrf},
            )
        )
    return requests, [tuple(f"p{n}" for n in combo) for combo in chosen]


def _truth(slug: str, n: int, chosen: list[tuple[str, ...]]) -> dict[int, frozenset[int]]:
    from budgeting.models import Project
    from engagement.people.models import User

    pks = dict(Project.objects.filter(round__slug=slug).values_list("external_id", "pk"))
    users = dict(User.objects.filter(email__endswith=f"@{slug}.example").values_list("email", "pk"))
    return {
        users[f"voter{i}@{slug}.example"]: frozenset(pks[p] for p in chosen[i]) for i in range(n)
    }


def _open_the_box(slug: str) -> float:
    from budgeting.models import BudgetRound
    from budgeting.services import results, rounds
    from engagement.people.permissions import SYSTEM

    budget_round = BudgetRound.objects.get(slug=slug)
    rounds.phase_advance(actor=SYSTEM, budget_round=budget_round, to_phase="tallying")
    results.results_publish(actor=SYSTEM, budget_round=budget_round)
    began = time.perf_counter()
    rounds.phase_advance(actor=SYSTEM, budget_round=budget_round, to_phase="results")
    return time.perf_counter() - began


def _watch_counts(port: int, voters: list, slug: str) -> list[int]:
    """Cast one by one, reading the public counts after each: ballots behind each change."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def counts() -> list:
        connection.request("GET", f"/api/v1/rounds/{slug}/projects/?limit=100")
        return [p["support"] for p in json.loads(connection.getresponse().read())["results"]]

    batches, since, last = [], 0, counts()
    for number, voter in enumerate(voters):
        body = json.dumps({"district": "city", "projects": [f"p{number % N_PROJECTS + 1}"]})
        connection.request(
            "PUT",
            f"/api/v1/rounds/{slug}/ballot/",
            body=body,
            headers={
                "Cookie": voter.cookie,
                "X-CSRFToken": voter.csrf,
                "Content-Type": "application/json",
            },
        )
        reply = connection.getresponse()
        reply.read()
        assert reply.status == 201, reply.status
        since += 1
        current = counts()
        if current != last:
            batches.append(since)
            since, last = 0, current
    return batches


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    # The watcher reads the counts after every ballot: more often than a visitor may.
    os.environ["KOPA_THROTTLE_ANON"] = "100000/min"
    from_users = "secrecy"
    with harness.scratch_database("kopa_bench_secrecy") as url:
        harness.setup_django(url)
        from django.conf import settings

        from budgeting.models import BudgetRound

        batch = settings.KOPA_BALLOT_BATCH
        voters = prepare_round(args.voters, changes_allowed=False, slug=from_users)
        watched = prepare_round(args.watched, changes_allowed=False, slug="watched")
        BudgetRound.objects.filter(slug="watched").update(live_counts_public=True)
        requests, chosen = _cast_requests(voters, from_users)
        with harness.wsgi_server(url, workers=2, threads=2) as (port, _app):
            replies = asyncio.run(loadgen.run(port, requests, concurrency=50))
            batches = _watch_counts(port, watched, "watched")
        statuses = sorted({r.status for r in replies})
        truth = _truth(from_users, args.voters, chosen)
        district = BudgetRound.objects.get(slug=from_users).districts.get().pk
        while_voting = attacks(truth, min(batch, args.voters), district)
        _open_the_box(from_users)
        opened = attacks(truth, min(batch, args.voters), district)
        print(f"  {args.voters} secret ballots cast over HTTP (statuses {statuses}); K = {batch}")
        print(f"  {'attack':<12} {'while voting':>14} {'box opened':>12}   (of {args.voters})")
        for name in while_voting:
            print(f"  {name:<12} {while_voting[name]:>14} {opened[name]:>12}")
        print(
            f"  live counts, {args.watched} ballots cast one by one: {len(batches)} changes, "
            f"smallest {min(batches, default=0)} ballots, largest {max(batches, default=0)}"
        )

        prepare_round(0, changes_allowed=False, slug="big")
        _seal_many("big", args.open_ballots)
        seconds = _open_the_box("big")
        print(
            f"  opening a box of {args.open_ballots:,} sealed ballots: {seconds:.2f} s "
            f"({args.open_ballots / seconds:,.0f} ballots/s)"
        )
    worst = max([*while_voting.values(), *opened.values()])
    ok = while_voting["xmin join"] == opened["xmin join"] == 0 and worst <= 8
    ok = ok and min(batches, default=0) >= min(batch, args.watched)
    return 0 if ok else 1


def _seal_many(slug: str, n: int) -> None:
    """``n`` sealed ballots from as many paper voters, written in bulk (the cast itself is
    measured by ``bench cast``)."""
    from budgeting.models import BudgetRound, Participation
    from budgeting.services import ballot_box, voting

    budget_round = BudgetRound.objects.get(slug=slug)
    city = budget_round.districts.get()
    offered = voting.offered_projects(budget_round)
    pks = [p.pk for p in offered.values()]
    rng = random.Random(3)
    rows = []
    for number in range(n):
        sealed = ballot_box.seal(city, rng.sample(pks, 5), None, projects_in_district=len(pks))
        rows.append(
            Participation(
                round=budget_round,
                district_budget=city,
                voter_key=f"ref:{number}",
                channel="paper",
                sealed_ballot=sealed,
                tally_pending=True,
            )
        )
    Participation.objects.bulk_create(rows, batch_size=5000)
