"""What the ideas feature adds to the kernel and to budgeting when Django loads it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from budgeting import ports
from engagement import dashboards, statistics
from engagement.ideas import live, selectors
from engagement.ideas import personal_data as ideas_personal_data
from engagement.ideas.models import IdeaStatus, Report, ReportStatus
from engagement.ideas.statistics import contributions_of_round
from engagement.notifications.events import register_event
from engagement.notifications.models import EventGroup


def _moderation_queue(organisation_id: int) -> int:
    return Report.objects.filter(organisation_id=organisation_id, status=ReportStatus.OPEN).count()


def _review_queue(organisation_id: int) -> int:
    return selectors.review_queue(organisation_id).count()


def _register_events() -> None:
    group, status = EventGroup.MY_IDEAS, IdeaStatus
    register_event(
        "idea.status_changed",
        group,
        _("New status for the idea “%(title)s”"),
        status_choices=status,
    )
    register_event(
        "idea.merged", group, _("The idea “%(title)s” was merged"), status_choices=status
    )
    group = EventGroup.DISCUSSION
    register_event("idea.commented", group, _("New comment on “%(title)s”"), status_choices=status)
    register_event("comment.replied", group, _("New reply to your comment"), status_choices=status)
    # Moderation notices are always listed in the app: authors must be told.
    group = EventGroup.MODERATION
    register_event(
        "content.hidden",
        group,
        _("A moderator hid your contribution"),
        in_app_required=True,
        status_choices=status,
    )
    register_event(
        "content.restored",
        group,
        _("A moderator restored your contribution"),
        in_app_required=True,
        status_choices=status,
    )


def register() -> None:
    _register_events()
    live.register()
    ideas_personal_data.register()
    dashboards.register_count("moderation_queue", _moderation_queue)
    dashboards.register_count("review_queue", _review_queue)
    ports.register_project_origins(selectors.idea_links_for_projects)
    statistics.register_contributions(contributions_of_round)
