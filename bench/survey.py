"""Survey responses over HTTP, and results at 50,000 responses, on PostgreSQL.

``python -m bench survey [--respondents 2000] [--concurrency 100] [--workers 2] [--threads 2]
[--responses 50000] [--runs 20] [--deadline 120]``

1. **Answering**, through the production layout (granian WSGI workers on 127.0.0.1, as
   ``bench cast``): ``--respondents`` signed-in residents each submit one response to a
   20-question survey with every question kind (``POST /api/v1/surveys/<slug>/responses/``).
   Prints responses/s, p50/p99 latency and CPU per response, checks that the responses
   stored equal the responses acknowledged, and measures ``/healthz`` on the same server
   with the same concurrency as this run's baseline (the ratio says how much of the server's
   plain capacity a response takes).
2. **Results at scale**: the survey is topped up to ``--responses`` submitted responses by
   bulk insert (PostgreSQL ``COPY`` of responses and their counted answers; answers drawn
   like the demo's, with favourite options, leaning scales, conditions followed), then
   vacuumed and the answer counts rebuilt (``results.recount``; the counts the HTTP submits
   kept are first checked equal to a recount of their answers), then the results API, two
   cross-tabulations and the results pages (the public one also with a cross-tabulation
   asked for) are each requested ``--runs`` times in-process
   (server time: middleware, view, queries, template; no network), with ``/healthz``
   in-process as the baseline. Target: p50 <= 150 ms each (a cross-tabulation: 1 s). Over
   target, the plans of the slowest queries (``EXPLAIN ANALYZE``) are printed.

Bounded: a scratch database dropped afterwards, a deadline on the HTTP phase, 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import random
import statistics
import time
import uuid
import warnings
from datetime import date, timedelta
from typing import Any

from bench import harness, loadgen
from bench.voters import signed_in

TARGET_MS = 150.0
CROSS_TARGET_MS = 1000.0  # a cross-tabulation, asked for one question at a time
SLUG = "bench-survey"
DISTRICTS = ["old-town", "harbour", "pine-hills", "riverside", "north", "south"]


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench survey")
    parser.add_argument("--respondents", type=int, default=2_000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--responses", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--deadline", type=float, default=120.0)
    return parser.parse_args(argv)


def _options(*codes: str) -> list[dict[str, str]]:
    return [{"code": c, "text": c.replace("-", " ").capitalize()} for c in codes]


def _question(code: str, kind: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "kind": kind, "text": text, **extra}


def definition() -> dict[str, Any]:
    """20 questions, every kind, two conditions, a required core."""
    themes = _options("green", "mobility", "culture", "social-care", "safety", "sport")
    about = [
        _question("district", "district", "Where do you live?", required=True),
        _question("age", "age_band", "How old are you?", required=True),
        _question("groups", "target_group", "Do any of these describe you?"),
        _question("years", "number", "Years lived here", settings={"min": 0, "max": 90}),
        _question("moved", "date", "When did you move here?", settings={"min": "1950-01-01"}),
    ]
    views = [
        _question(
            "themes",
            "ranking",
            "Rank the themes",
            settings={"rank_count": 3},
            options=themes,
            required=True,
        ),
        _question(
            "problems",
            "multiple_choice",
            "Problems in your neighbourhood",
            settings={"max_picks": 3, "allow_other": True},
            options=_options("litter", "traffic", "noise", "lighting", "parking"),
        ),
        _question(
            "worst",
            "short_text",
            "The worst one, in a few words",
            condition={"question": "problems", "options": ["traffic", "noise"]},
        ),
        _question(
            "transport",
            "single_choice",
            "How do you usually get around?",
            required=True,
            settings={"allow_other": True},
            options=_options("walk", "bike", "bus", "car"),
        ),
        _question(
            "bus_rating",
            "scale",
            "How good is the bus service?",
            settings={"scale_min": 0, "scale_max": 10},
            condition={"question": "transport", "options": ["bus"]},
        ),
        _question(
            "safety",
            "scale",
            "How safe do you feel at night?",
            required=True,
            settings={"scale_min": 1, "scale_max": 5},
        ),
        _question(
            "services",
            "matrix",
            "Rate these services",
            settings={"scale_min": 1, "scale_max": 5},
            options=_options("schools", "clinics", "libraries", "parks"),
        ),
        _question(
            "spend",
            "number",
            "How much would you give to a local project (EUR)?",
            settings={"min": 0, "max": 500, "integer": False},
        ),
    ]
    taking_part = [
        _question(
            "how",
            "multiple_choice",
            "How do you want to take part?",
            options=_options("online", "meetings", "paper", "workshops"),
        ),
        _question(
            "trust",
            "scale",
            "Trust in the city administration",
            settings={"scale_min": 1, "scale_max": 7},
        ),
        _question(
            "heard",
            "single_choice",
            "How did you hear about this survey?",
            options=_options("website", "social-media", "newspaper", "friends"),
        ),
        _question(
            "meeting_day",
            "date",
            "Best date for a meeting",
            settings={"min": "2026-01-01", "max": "2026-12-31"},
        ),
        _question(
            "again",
            "single_choice",
            "Would you take part again?",
            required=True,
            options=_options("yes", "maybe", "no"),
        ),
        _question("idea", "long_text", "Your idea for the neighbourhood"),
        _question(
            "contact_ok",
            "single_choice",
            "May we publish your idea?",
            options=_options("yes", "no"),
        ),
    ]
    sections = [
        {"title": title, "questions": questions}
        for title, questions in (
            ("About you", about),
            ("Your views", views),
            ("Taking part", taking_part),
        )
    ]
    assert sum(len(s["questions"]) for s in sections) == 20
    return {
        "title": "Neighbourhood needs (benchmark)",
        "description": "Twenty questions of every kind.",
        "purpose": "needs_assessment",
        "anonymous_allowed": False,
        "results_visibility": "live",
        "sections": sections,
    }


def _prepare(n_respondents: int) -> tuple[Any, list[Any], list[Any]]:
    """The organisation, its districts, the survey (open) and ``n_respondents`` signed-in
    residents with profiles."""
    from engagement.people import services as people_services
    from engagement.people.models import ResidentProfile, User
    from engagement.people.permissions import SYSTEM
    from surveys.definitions import create_survey
    from surveys.selectors import survey_by_slug
    from surveys.services import building

    organisation = people_services.organisation_create(
        actor=SYSTEM,
        name="Bench Survey Town",
        slug="bench-survey-town",
        country="LV",
        currency="EUR",
    )
    for slug in DISTRICTS:
        people_services.district_create(
            actor=SYSTEM, organisation=organisation, name=slug.title(), slug=slug
        )
    survey = create_survey(organisation, definition(), actor=SYSTEM, slug=SLUG)
    building.survey_publish(actor=SYSTEM, survey=survey)
    survey = survey_by_slug(SLUG)  # with its structure, read once
    users = User.objects.bulk_create(
        [User(email=f"resident{i}@survey.bench", password="!") for i in range(n_respondents)],
        batch_size=2000,
    )
    rng = random.Random(5)
    ResidentProfile.objects.bulk_create(
        [ResidentProfile(user=u, birth_year=rng.randint(1940, 2008)) for u in users],
        batch_size=2000,
    )
    return organisation, survey, users


def _answer_bodies(survey: Any, count: int, seed: int) -> list[dict[str, Any]]:
    from surveys.demo import TEXTS, option_popularity, plausible_answers
    from surveys.selectors import question_specs

    specs = question_specs(survey)
    rng = random.Random(seed)
    popularity = option_popularity(specs, random.Random(1))
    texts = TEXTS["needs_assessment"]
    bodies = []
    for _n in range(count):
        profile = {
            "district": rng.choice(DISTRICTS),
            "age_band": rng.choice(["under_26", "26_40", "41_64", "65_plus"]),
            "target_groups": rng.sample(
                ["young", "elderly", "parent", "migrant"], rng.randint(0, 1)
            ),
        }
        bodies.append(
            plausible_answers(
                specs,
                rng,
                profile=profile,
                texts=texts,
                lean=rng.uniform(-0.5, 0.5),
                today=date(2026, 6, 30),
                popularity=popularity,
            )
        )
    return bodies


def _submit_over_http(args: argparse.Namespace, url: str, survey: Any, users: list) -> int:
    from surveys.models import Response, ResponseStatus

    people = signed_in(users)
    bodies = _answer_bodies(survey, len(people), seed=11)
    path = f"/api/v1/surveys/{survey.slug}/responses/"
    requests = [
        loadgen.encode_request(
            "POST",
            path,
            body=json.dumps({"answers": body}).encode(),
            headers={"Cookie": p.cookie, "X-CSRFToken": p.csrf},
        )
        for p, body in zip(people, bodies, strict=True)
    ]
    warm = min(100, len(requests) // 10)
    health = [loadgen.encode_request("GET", "/healthz")] * len(requests)
    with harness.wsgi_server(url, workers=args.workers, threads=args.threads) as (port, app):
        warmup = asyncio.run(loadgen.run(port, requests[:warm], concurrency=args.concurrency))
        meter = harness.CpuMeter([app, harness.postgres_component(), harness.redis_component()])
        meter.start()
        began = time.perf_counter()
        replies = asyncio.run(
            loadgen.run(
                port, requests[warm:], concurrency=args.concurrency, deadline_s=args.deadline
            )
        )
        wall = time.perf_counter() - began
        used = meter.stop()
        began = time.perf_counter()
        baseline = asyncio.run(
            loadgen.run(port, health, concurrency=args.concurrency, deadline_s=args.deadline)
        )
        baseline_wall = time.perf_counter() - began
    statuses = collections.Counter(r.status for r in replies)
    created = statuses.get(201, 0)
    acknowledged = created + sum(1 for r in warmup if r.status == 201)
    stored = Response.objects.filter(survey=survey, status=ResponseStatus.SUBMITTED).count()
    latencies = [r.latency * 1000 for r in replies if r.status == 201]
    rate = created / wall if wall else 0.0
    health_ok = [r for r in baseline if r.status == 200]
    health_rate = len(health_ok) / baseline_wall if baseline_wall else 0.0
    health_latencies = [r.latency * 1000 for r in health_ok]
    print(f"  responses sent: {len(replies)} over {args.concurrency} connections in {wall:.2f}s")
    print(f"  statuses: {dict(sorted(statuses.items()))}")
    print(
        f"  throughput: {rate:,.0f} responses/s  latency ms: p50 "
        f"{harness.percentile(latencies, 50):.1f}  p99 {harness.percentile(latencies, 99):.1f}"
    )
    print(
        f"  baseline /healthz, same server and concurrency: {health_rate:,.0f} requests/s, "
        f"p50 {harness.percentile(health_latencies, 50):.1f} ms, "
        f"p99 {harness.percentile(health_latencies, 99):.1f} ms; "
        f"responses/s ÷ healthz/s = {rate / health_rate if health_rate else float('nan'):.2f}"
    )
    harness.print_cpu(used, created, unit="response")
    consistent = stored == acknowledged
    print(f"  responses in database {stored} == acknowledged {acknowledged}: {consistent}")
    errors = sum(n for s, n in statuses.items() if s != 201)
    if errors or not consistent:
        print(f"  first errors: {[r.body[:300] for r in replies if r.status != 201][:3]}")
        return 1
    return 0


def _bulk_load(survey: Any, count: int) -> float:
    """``count`` more submitted (anonymous) responses and their counted answers, by COPY."""
    from django.db import connection
    from psycopg.types.json import Jsonb

    from surveys import answers as rules
    from surveys.selectors import question_specs

    if count <= 0:
        return 0.0
    specs = question_specs(survey)
    questions = {q.code: q for q in survey.questions.prefetch_related("options")}
    options = {
        (code, option.code): option.pk
        for code, question in questions.items()
        for option in question.options.all()
    }
    began = time.perf_counter()
    first_day = date(2026, 6, 1)
    rng = random.Random(13)
    batch = 5_000
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        for start in range(0, count, batch):
            bodies = _answer_bodies(survey, min(batch, count - start), seed=1000 + start)
            responses, answers = [], []
            for body in bodies:
                pk = uuid.uuid4()
                day = first_day + timedelta(days=min(29, int(rng.expovariate(1 / 6))))
                groups = rules.respondent_groups(specs, body)
                responses.append(
                    (
                        pk,
                        survey.pk,
                        "submitted",
                        Jsonb(body),
                        day,
                        day,
                        groups.district,
                        groups.age_band,
                        Jsonb(list(groups.target_groups)),
                    )
                )
                for row in rules.counted_rows(specs, body):
                    answers.append(
                        (
                            pk,
                            survey.pk,
                            questions[row.question].pk,
                            options[(row.question, row.option)] if row.option else None,
                            row.number,
                            row.text,
                            row.date,
                            False,
                        )
                    )
            with cursor.copy(
                "COPY surveys_response (id, survey_id, status, answers, submitted_on, "
                "updated_on, district, age_band, target_groups) FROM STDIN"
            ) as copy:
                for record in responses:
                    copy.write_row(record)
            with cursor.copy(
                "COPY surveys_answer (response_id, survey_id, question_id, option_id, number, "
                "text, date, hidden) FROM STDIN"
            ) as copy:
                for record in answers:
                    copy.write_row(record)
        # What autovacuum does after this many inserts: statistics, and pages marked
        # all-visible, so counts read from an index need not visit the rows.
        cursor.execute("VACUUM (ANALYZE) surveys_response")
        cursor.execute("VACUUM (ANALYZE) surveys_answer")
    return time.perf_counter() - began


def _measure(client: Any, path: str, runs: int) -> dict[str, Any]:
    from django.db import connection

    for _ in range(3):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"bench.survey: GET {path} answered {response.status_code}")
    queries: list[tuple[float, str, Any]] = []

    def timed(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(((time.perf_counter() - began) * 1000, sql, params))

    with connection.execute_wrapper(timed):
        client.get(path)
    walls, cpus = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        client.get(path)
        walls.append((time.perf_counter() - began) * 1000)
        cpus.append((time.process_time() - began_cpu) * 1000)
    return {
        "p50": harness.percentile(walls, 50),
        "p99": harness.percentile(walls, 99),
        "cpu": statistics.median(cpus),
        "queries": queries,
        "bytes": len(response.content),
    }


def _explain(queries: list[tuple[float, str, Any]], top: int = 3) -> None:
    from django.db import connection

    for took, sql, params in sorted(queries, key=lambda q: -q[0])[:top]:
        print(f"\n  -- {took:.1f} ms: {sql[:300]}")
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            for (line,) in cursor.fetchall():
                print(f"     {line}")


def _results_at_scale(args: argparse.Namespace, organisation: Any, survey: Any) -> int:
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from engagement.people.models import Role, User
    from engagement.people.permissions import SYSTEM
    from engagement.people.services import membership_grant
    from surveys.models import Answer, Response
    from surveys.services import counts, results

    # The HTTP phase's submits kept the counts: they must equal a recount of their answers.
    kept = counts.counts_of(survey)
    results.recount(survey)
    same = counts.counts_of(survey) == kept
    print(f"  counts kept by the submits == recounted from their answers: {same}")
    have = Response.objects.filter(survey=survey).count()
    took = _bulk_load(survey, args.responses - have)
    total = Response.objects.filter(survey=survey).count()
    rows = Answer.objects.filter(survey=survey).count()
    print(f"  loaded {total - have:,} responses ({rows:,} counted answers in all) in {took:.1f}s")
    # The load wrote answers around the services: their counts are rebuilt from them.
    began = time.perf_counter()
    n = results.recount(survey)
    print(f"  recounted: {n:,} answer counts in {time.perf_counter() - began:.1f}s")
    staff = User.objects.create_user(email="staff@survey.bench", password="x" * 12)
    membership_grant(actor=SYSTEM, organisation=organisation, user=staff, role=Role.OFFICER)
    visitor, officer = Client(), Client()
    officer.force_login(staff)
    api = reverse("api:survey-results", args=[SLUG])
    pages = [
        ("baseline /healthz", visitor, "/healthz"),
        (f"results API ({total:,} responses)", visitor, api),
        (f"results API, staff ({total:,})", officer, api),
    ]
    # Cross-tabulations join one question's answers to their responses: a single choice by
    # district, and a multiple choice by target group (overlapping rows and columns).
    cross = reverse("api:survey-results-cross", args=[SLUG])
    for question, by in (("transport", "district"), ("problems", "target_group")):
        pages.append(
            (f"cross-tab API, {question} by {by}", visitor, f"{cross}?question={question}&by={by}")
        )
    for name in ("survey_results", "staff_survey_results"):
        try:
            page = reverse(f"frontend:{name}", args=[SLUG])
        except NoReverseMatch:
            print(f"  (no page frontend:{name} in this build)")
            continue
        client = officer if name.startswith("staff") else visitor
        pages.append((f"{name.replace('_', ' ')} page ({total:,})", client, page))
        if name == "survey_results":
            # A cross-tabulation is computed on the pages only when asked for.
            pages.append(
                (
                    "page with cross-tab transport/district",
                    visitor,
                    f"{page}?question=transport&by=district",
                )
            )
    measured = [(name, _measure(client, path, args.runs)) for name, client, path in pages]
    # Not a target: a file staff download now and then, measured to see it stays usable.
    export = _measure(officer, reverse("api:survey-export", args=[SLUG, "csv"]), 3)
    baseline = measured[0][1]["p50"]
    print(
        f"  {'request (server time)':36} {'p50 ms':>8} {'p99 ms':>8} {'cpu ms':>8} "
        f"{'queries':>8} {'kB':>6} {'x healthz':>9}"
    )
    failed = []
    for name, row in measured:
        target = CROSS_TARGET_MS if "cross-tab" in name else TARGET_MS
        over = not name.startswith("baseline") and row["p50"] > target
        if over:
            failed.append((name, row))
        print(
            f"  {name:36} {row['p50']:8.1f} {row['p99']:8.1f} {row['cpu']:8.1f} "
            f"{len(row['queries']):8d} {row['bytes'] / 1024:6.0f} "
            f"{row['p50'] / baseline if baseline else float('nan'):9.1f}"
            f"{'  over target' if over else ''}"
        )
    print(
        f"  (staff CSV export of {total:,} responses: {export['p50']:.0f} ms, "
        f"{export['bytes'] / 1024 / 1024:.1f} MB, {len(export['queries'])} queries)"
    )
    print(
        f"  target: p50 <= {TARGET_MS:.0f} ms server time (cross-tabs {CROSS_TARGET_MS:.0f} ms): "
        f"{'missed' if failed else 'met'}"
    )
    for name, row in failed:
        print(f"\n  slowest queries of {name}:")
        _explain(row["queries"])
    return 1 if failed or not same else 0


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    warnings.filterwarnings("ignore", "No directory at")
    with harness.scratch_database("kopa_bench_survey") as url:
        harness.setup_django(url, KOPA_ALLOWED_HOSTS="testserver,127.0.0.1")
        began = time.perf_counter()
        organisation, survey, users = _prepare(args.respondents)
        print(
            f"  prepared a 20-question survey and {len(users)} signed-in residents "
            f"in {time.perf_counter() - began:.1f}s"
        )
        status = _submit_over_http(args, url, survey, users)
        status = max(status, _results_at_scale(args, organisation, survey))
    return status
