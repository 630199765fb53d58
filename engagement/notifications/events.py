"""Notification events: what features tell people about, and where each event reaches them.

Each feature registers its events when it loads (:func:`register_event`: ``idea.commented``
by ideas, ``project.implementation_updated`` by budgeting) with the preference group it
belongs to; an event nobody registered is a programming error (``notify`` raises
``ValueError``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

from engagement.notifications.models import EmailDigest, EventGroup, NotificationPreference


@dataclass(frozen=True)
class EventSpec:
    group: str
    subject: Promise
    # Moderation notices are always listed in the app: authors must be told.
    in_app_required: bool = False
    # The choices a ``status`` in the event's context comes from (its labels are shown).
    status_choices: Callable[[Any], Any] | None = None


EVENTS: dict[str, EventSpec] = {}


def register_event(
    name: str,
    group: str,
    subject: Promise,
    *,
    in_app_required: bool = False,
    status_choices: Callable[[Any], Any] | None = None,
) -> None:
    EVENTS[name] = EventSpec(group, subject, in_app_required, status_choices)


# What a person gets when they never changed a preference.
DEFAULT_CHANNELS: dict[str, dict[str, bool]] = {
    EventGroup.MY_IDEAS: {"in_app": True, "email": True},
    EventGroup.DISCUSSION: {"in_app": True, "email": False},
    EventGroup.MODERATION: {"in_app": True, "email": True},
    EventGroup.PROJECTS: {"in_app": True, "email": True},
    EventGroup.WORKSHOPS: {"in_app": True, "email": True},
}


@dataclass(frozen=True)
class Channels:
    in_app: bool
    email: bool


def channels_for(preference: NotificationPreference | None, event: str) -> Channels:
    """Where ``event`` reaches a person with ``preference`` (``None``: the defaults)."""
    spec = EVENTS[event]
    chosen = {**DEFAULT_CHANNELS[spec.group]}
    if preference is not None:
        chosen.update(preference.groups.get(spec.group, {}))
    email = chosen["email"] and (preference is None or preference.email_digest != EmailDigest.NONE)
    return Channels(in_app=chosen["in_app"] or spec.in_app_required, email=email)


def status_label(event: str, status: Any) -> str:
    """The status in a context, in the language active now (stored as a code)."""
    spec = EVENTS.get(event)
    if not status or spec is None or spec.status_choices is None:
        return str(status or "")
    try:
        return str(spec.status_choices(status).label)
    except ValueError:
        return str(status)
