"""The live topics survey services announce (read by ``surveys.live``)."""

from __future__ import annotations

from engagement.realtime.broadcast import publish_on_commit
from surveys.models import Survey


def results_topic(slug: str) -> str:
    return f"survey:{slug}:results"


def publish_results(survey_id: int) -> None:
    """Announce new results of the survey once the current transaction commits (nothing if
    it rolls back). Called after a response is submitted or changed, or an answer hidden."""
    slug = Survey.objects.filter(pk=survey_id).values_list("slug", flat=True).first()
    if slug is not None:
        publish_on_commit(results_topic(slug))
