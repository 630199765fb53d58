"""Prepare a voting round with many signed-in, eligible voters (run inside Django)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

N_PROJECTS = 20
BALLOT_SIZE = 5


@dataclass
class Voter:
    cookie: str
    csrf: str


def prepare_round(n_voters: int, *, changes_allowed: bool, slug: str = "bench") -> list[Voter]:
    """A round in voting with one city-wide budget, N_PROJECTS projects, 5-project approval
    ballots within the budget, verified email required, and ``n_voters`` signed-in voters."""
    from allauth.account.models import EmailAddress

    from budgeting.services import rounds
    from engagement.people import services as engagement_services
    from engagement.people.models import User
    from engagement.people.permissions import SYSTEM

    organisation = engagement_services.organisation_create(
        actor=SYSTEM, name="Bench Town", slug=f"{slug}-town", country="LV", currency="EUR"
    )
    budget_round = rounds.round_create(
        actor=SYSTEM,
        organisation=organisation,
        title="Benchmark round",
        slug=slug,
        citywide_budget=1_000_000_00,
        ballot_format="approval",
        max_projects=BALLOT_SIZE,
        knapsack=True,
        verified_email_required=True,
        ballot_changes_allowed=changes_allowed,
        secret_ballot=True,
    )
    city = budget_round.districts.get()
    for number in range(1, N_PROJECTS + 1):
        rounds.project_create(
            actor=SYSTEM,
            budget_round=budget_round,
            district_budget=city,
            external_id=f"p{number}",
            title=f"Project {number}",
            cost=(20_000 + number * 1_000) * 100,
            status="feasible",
        )
    rounds.phase_advance(actor=SYSTEM, budget_round=budget_round, to_phase="voting")

    users = User.objects.bulk_create(
        [User(email=f"voter{i}@{slug}.example", password="!") for i in range(n_voters)],
        batch_size=2000,
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
        batch_size=2000,
    )
    return signed_in(users)


def signed_in(users: list) -> list[Voter]:
    """Sessions (database and cache) for ``users``, as a sign-in would leave them: the
    cookie and CSRF token each one sends."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.utils import timezone

    backend = settings.AUTHENTICATION_BACKENDS[0]
    voters, sessions, cached = [], [], {}
    expiry = timezone.now() + timezone.timedelta(days=1)
    for user in users:
        store = SessionStore()
        key = secrets.token_hex(16)
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(
            Session(session_key=key, session_data=store.encode(data), expire_date=expiry)
        )
        cached[SessionStore.cache_key_prefix + key] = data
        csrf = secrets.token_hex(16)
        voters.append(Voter(cookie=f"sessionid={key}; csrftoken={csrf}", csrf=csrf))
    Session.objects.bulk_create(sessions, batch_size=2000)
    cache.set_many(cached, timeout=86_400)
    return voters


def ballot_body(voter_number: int) -> bytes:
    """A valid 5-project ballot, varied across voters."""
    first = voter_number % (N_PROJECTS - BALLOT_SIZE + 1)
    projects = [f"p{first + i + 1}" for i in range(BALLOT_SIZE)]
    return json.dumps({"district": "city", "projects": projects}).encode()
