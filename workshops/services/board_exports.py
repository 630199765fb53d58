"""The board as a file for the facilitators' report: CSV (one row per note, then one per
cluster) and JSON (prompts, clusters, notes with their dots).

Nobody's identity is in it: no user ids, no seats — only the name a note was written under,
which its author chose to show. Hidden notes are included, marked, because the report is for
the people who ran the board (facilitators and the organisation's staff); callers check that
with :func:`require_export`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from engagement.http.spreadsheets import csv_text
from workshops import permissions
from workshops.board_state import board_state
from workshops.models import Workshop

__all__ = ["board_csv", "board_json", "require_export"]


def require_export(user: Any, workshop: Workshop) -> None:
    if not permissions.can_facilitate(user, workshop):
        raise PermissionDenied(
            _("Only the workshop's facilitators and the organisation's administrators may do this.")
        )


def board_json(workshop: Workshop) -> dict[str, Any]:
    """The whole board with hidden notes marked (the join code and live presence left out:
    they are no part of a record)."""
    state = board_state(workshop.pk, include_hidden=True, include_join_code=False)
    state.pop("presence", None)
    state.pop("timer", None)
    state["title"] = workshop.title
    state["starts_at"] = workshop.starts_at.isoformat()
    return state


def board_csv(workshop: Workshop) -> str:
    """One row per note (with its prompt, cluster and dots), then one per cluster; every text
    cell made inert for spreadsheets (``engagement.http.spreadsheets``)."""
    state = board_state(workshop.pk, include_hidden=True, include_join_code=False)
    prompts = {p["id"]: p["text"] for p in state["prompts"]}
    clusters = {c["id"]: c["title"] for c in state["clusters"]}
    rows: list[list[Any]] = []
    for note in state["notes"]:
        rows.append(
            [
                "note",
                note["id"],
                prompts.get(note["prompt"], ""),
                clusters.get(note["cluster"], "") if note["cluster"] else "",
                note["text"],
                note["display_name"],
                note["dots"],
                "yes" if note["hidden"] else "no",
                note["idea"],
                note["created_at"],
            ]
        )
    for cluster in state["clusters"]:
        rows.append(
            [
                "cluster",
                cluster["id"],
                prompts.get(cluster["prompt"], "") if cluster["prompt"] else "",
                cluster["title"],
                "",
                "",
                cluster["dots"],
                "no",
                cluster["idea"],
                "",
            ]
        )
    header = [
        "kind",
        "id",
        "prompt",
        "cluster",
        "text",
        "name",
        "dots",
        "hidden",
        "idea",
        "created_at",
    ]
    return csv_text(header, rows)
