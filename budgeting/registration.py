"""What budgeting adds to the kernel when Django loads it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from budgeting import personal_data
from budgeting.live import topics
from budgeting.models import ImplementationStatus
from engagement.notifications.events import register_event
from engagement.notifications.models import EventGroup


def register() -> None:
    topics.register()
    personal_data.register()
    register_event(
        "project.implementation_updated",
        EventGroup.PROJECTS,
        _("News about “%(title)s”"),
        status_choices=ImplementationStatus,
    )
