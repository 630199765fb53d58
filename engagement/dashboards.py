"""Staff dashboards: the counts features add to them, and who redraws when those change.

A feature registers a count over an organisation (``register_count``: ideas waiting for
review, reports waiting for a moderator) and calls :func:`counts_changed` when it may have
moved. A feature that draws a dashboard (budgeting's live round dashboard) reads
:func:`counts_for` and registers a listener that republishes it. Neither knows the other.
"""

from __future__ import annotations

from collections.abc import Callable

OrganisationCount = Callable[[int], int]
_counts: dict[str, OrganisationCount] = {}
_listeners: list[Callable[[int], None]] = []


def register_count(name: str, count: OrganisationCount) -> None:
    """``count(organisation_id)`` is shown on staff dashboards under ``name``."""
    _counts[name] = count


def register_listener(listener: Callable[[int], None]) -> None:
    """``listener(organisation_id)`` redraws the dashboards showing that organisation."""
    if listener not in _listeners:
        _listeners.append(listener)


def counts_for(organisation_id: int) -> dict[str, int]:
    return {name: count(organisation_id) for name, count in sorted(_counts.items())}


def counts_changed(organisation_id: int) -> None:
    """Call from a service whose write may have moved a registered count."""
    for listener in _listeners:
        listener(organisation_id)
