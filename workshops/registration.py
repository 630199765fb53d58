"""What the workshop feature adds to the kernel when Django loads it."""

from __future__ import annotations

from engagement import dashboards
from engagement.ideas import ports as idea_ports
from workshops import live as board_live
from workshops import notifications as workshop_notifications
from workshops import personal_data as workshop_personal_data
from workshops.selectors import open_workshops_count
from workshops.services import ideas as board_ideas


def register() -> None:
    """Live board topic, personal-data sections and deletion steps, notification events,
    dashboard counts, and where an idea made at a workshop came from."""
    workshop_notifications.register()
    workshop_personal_data.register()
    dashboards.register_count("upcoming_workshops", open_workshops_count)
    # The live board topic, and where an idea made from a note or cluster came from.
    board_live.register()
    idea_ports.register_idea_origins(board_ideas.idea_origins)
