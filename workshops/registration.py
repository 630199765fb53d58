"""What the workshop feature adds to the kernel when Django loads it."""

from __future__ import annotations


def register() -> None:
    """Live board topic, personal-data sections and deletion steps, notification events,
    dashboard counts, and where an idea made at a workshop came from."""
