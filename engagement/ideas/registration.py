"""What the ideas feature adds to the kernel and to budgeting when Django loads it."""

from __future__ import annotations

from budgeting import ports
from engagement import dashboards
from engagement.ideas import live, selectors
from engagement.ideas.models import Report, ReportStatus


def _moderation_queue(organisation_id: int) -> int:
    return Report.objects.filter(organisation_id=organisation_id, status=ReportStatus.OPEN).count()


def _review_queue(organisation_id: int) -> int:
    return selectors.review_queue(organisation_id).count()


def register() -> None:
    live.register()
    dashboards.register_count("moderation_queue", _moderation_queue)
    dashboards.register_count("review_queue", _review_queue)
    ports.register_project_origins(selectors.idea_links_for_projects)
