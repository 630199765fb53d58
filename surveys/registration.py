"""What the survey feature adds to the kernel when Django loads it."""

from __future__ import annotations

from engagement import dashboards
from surveys import definitions, live, personal_data, templates
from surveys.selectors_cycle import open_surveys_count
from surveys.services import live_updates, responding


def register() -> None:
    """Live topics, personal-data sections and deletion steps, dashboard counts, and the
    built-in templates offered to the survey builder."""
    live.register()
    # Every committed submit or change announces the survey's new results.
    responding.register_response_listener(live_updates.publish_results)
    personal_data.register()
    dashboards.register_count("open_surveys", open_surveys_count)
    templates.register_templates(definitions.register_template)
