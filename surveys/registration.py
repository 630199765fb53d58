"""What the survey feature adds to the kernel when Django loads it."""

from __future__ import annotations

from surveys import live
from surveys.services import live_updates, responding


def register() -> None:
    """Live topics, personal-data sections and deletion steps, dashboard counts."""
    live.register()
    # Every committed submit or change announces the survey's new results.
    responding.register_response_listener(live_updates.publish_results)
