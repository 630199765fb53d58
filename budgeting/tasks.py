"""Celery tasks: an id in, one service call, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from budgeting.models import BudgetRound
from budgeting.services import results, rounds


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def tally_round(round_id: int, rule: str | None = None) -> list[int]:
    """Compute a round's outcome (idempotent: unchanged ballots reuse the stored result).

    The staff tally page checked the administrator and the phase before queueing this."""
    budget_round = BudgetRound.objects.select_related("organisation").get(pk=round_id)
    return [r.pk for r in results.tally_compute(budget_round, rule=rule)]


@shared_task
def run_scheduled_phases() -> list[tuple[str, str]]:
    """Beat runs this every minute: move rounds whose scheduled phase start has come."""
    return rounds.scheduled_phases_run()
