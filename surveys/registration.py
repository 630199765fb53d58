"""What the survey feature adds to the kernel when Django loads it."""

from __future__ import annotations

from surveys import live


def register() -> None:
    """Live topics, personal-data sections and deletion steps, dashboard counts."""
    live.register()
