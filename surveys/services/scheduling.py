"""Opening and closing surveys at their planned times (Celery beat runs this every minute).

Staff schedule a survey (``scheduled`` with ``opens_at``) and may give it a closing time;
this moves the stored state to the one in force (``surveys.permissions.current_state``), so
lists, counts and exports read it from the database. Each move is a conditional UPDATE on the
state it leaves, so two runs at once, or one run twice, move each survey once.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from engagement import dashboards
from surveys.models import Survey, SurveyState


def _move(due: Q, from_state: str, to_state: str, now: datetime) -> list[tuple[str, str, int]]:
    """Move every survey in ``from_state`` matching ``due`` to ``to_state``; the moved ones."""
    rows = list(
        Survey.objects.select_for_update()
        .filter(due, state=from_state)
        .values_list("pk", "slug", "organisation_id")
    )
    if not rows:
        return []
    # The state is checked again in the UPDATE: a survey staff closed meanwhile stays closed.
    Survey.objects.filter(pk__in=[pk for pk, _slug, _org in rows], state=from_state).update(
        state=to_state, updated_at=now
    )
    return [(slug, to_state, organisation) for _pk, slug, organisation in rows]


def scheduled_surveys_run(now: datetime | None = None) -> list[tuple[str, str]]:
    """Open scheduled surveys whose opening time has come and close open ones whose closing
    time has passed (a survey whose whole window passed while the scheduler was down opens
    and closes in one run). Returns ``(slug, new state)`` in the order applied."""
    now = now or timezone.now()
    with transaction.atomic():
        moved = _move(Q(opens_at__lte=now), SurveyState.SCHEDULED, SurveyState.OPEN, now)
        moved += _move(Q(closes_at__lte=now), SurveyState.OPEN, SurveyState.CLOSED, now)
    for organisation_id in sorted({organisation for _slug, _state, organisation in moved}):
        transaction.on_commit(lambda o=organisation_id: dashboards.counts_changed(o))
    return [(slug, state) for slug, state, _organisation in moved]
