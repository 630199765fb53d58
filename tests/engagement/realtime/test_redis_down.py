"""Redis down never blocks voting: the ballot is stored, the live push is skipped."""

import time

import pytest
from django.test import override_settings

from budgeting.models import Participation
from budgeting.services import voting
from config.redis_breaker import breaker_for, timeout_seconds
from engagement.realtime import broadcast
from tests import factories

UNREACHABLE = "redis://127.0.0.1:9/0"  # nothing listens on the discard port


@pytest.mark.django_db(transaction=True)
@override_settings(REDIS_URL=UNREACHABLE)
def test_ballots_are_stored_while_redis_is_unreachable(monkeypatch):
    budget_round = factories.voting_round()
    city = budget_round.districts.get()
    breaker = breaker_for(UNREACHABLE)
    attempts = []
    real_script = breaker.script

    def counted(text):
        attempts.append(1)
        return real_script(text)

    monkeypatch.setattr(breaker, "script", counted)

    started = time.monotonic()
    for _ in range(5):
        voting.ballot_cast(
            voter=factories.UserFactory(),
            budget_round=budget_round,
            district_budget=city,
            projects=["p1", "p2"],
        )
    elapsed = time.monotonic() - started

    assert Participation.objects.filter(round=budget_round).count() == 5
    assert len(factories.ballots_in_box(budget_round)) == 5
    # Only the first publish tried Redis; the breaker kept the others away from it.
    assert len(attempts) == 1
    assert elapsed < 2 * timeout_seconds() + 1.5
    assert not breaker.closed
    # What was skipped is announced when Redis is back.
    assert broadcast._skipped == {
        f"round:{budget_round.slug}:turnout",
        f"round:{budget_round.slug}:votes",
        f"round:{budget_round.slug}:dashboard",
    }


@override_settings(REDIS_URL=UNREACHABLE)
def test_mark_dirty_never_raises():
    broadcast.mark_dirty("round:anything:turnout")
    broadcast.mark_dirty("round:anything:turnout")
    assert not breaker_for(UNREACHABLE).closed
