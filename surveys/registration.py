"""What the survey feature adds to the kernel when Django loads it."""

from __future__ import annotations


def register() -> None:
    """Live topics, personal-data sections and deletion steps, dashboard counts."""
