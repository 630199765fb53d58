"""Redis down never blocks voting: the ballot is stored, the live push is skipped."""

import time

import pytest
from django.test import override_settings

from budgeting.models import Participation
from budgeting.services import voting
from engagement import broadcast
from tests import factories

UNREACHABLE = "redis://127.0.0.1:9/0"  # nothing listens on the discard port


@pytest.fixture
def fresh_publisher(monkeypatch):
    monkeypatch.setattr(broadcast, "_sync_client", None)
    monkeypatch.setattr(broadcast, "_bump_script", None)
    monkeypatch.setattr(broadcast, "_redis_down_until", 0.0)
    yield
    broadcast._sync_client = None
    broadcast._bump_script = None


@pytest.mark.django_db(transaction=True)
@override_settings(REDIS_URL=UNREACHABLE)
def test_ballots_are_stored_while_redis_is_unreachable(fresh_publisher, monkeypatch):
    budget_round = factories.voting_round()
    city = budget_round.districts.get()
    attempts = []
    real_client = broadcast._redis_client
    monkeypatch.setattr(broadcast, "_redis_client", lambda: attempts.append(1) or real_client())

    started = time.monotonic()
    for _ in range(5):
        voting.ballot_cast(
            voter=factories.UserFactory(),
            budget_round=budget_round,
            district_budget=city,
            projects=["p1", "p2"],
        )
    elapsed = time.monotonic() - started

    assert Participation.objects.filter(district_budget=city).count() == 5
    assert len(factories.ballots_in_box(budget_round)) == 5
    # Only the first publish tried Redis; the others were skipped during the back-off.
    assert 1 <= len(attempts) <= 2
    assert elapsed < 2 * broadcast.REDIS_TIMEOUT_SECONDS + 1.5
    assert broadcast._redis_down_until > time.monotonic()


@override_settings(REDIS_URL=UNREACHABLE)
def test_mark_dirty_never_raises(fresh_publisher):
    broadcast.mark_dirty("round:anything:turnout")
    broadcast.mark_dirty("round:anything:turnout")
    assert broadcast._redis_down_until > time.monotonic()
