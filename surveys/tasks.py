"""Celery tasks of the survey feature: no arguments or ids in, one service call, safe to run
twice."""

from __future__ import annotations

from celery import shared_task

from surveys.services import scheduling


@shared_task
def advance_surveys() -> list[tuple[str, str]]:
    """Beat runs this every minute: open and close surveys whose planned time has come."""
    return scheduling.scheduled_surveys_run()
