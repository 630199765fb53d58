"""The whole state of a workshop's live board, as pages, the API and the live topic show it.

Read on every push of ``workshop:<id>:board`` (at most once per coalescing interval per
process) and by the API, so it must stay cheap for a board of a thousand notes: a fixed
number of ``.values()`` queries (workshop, prompts, dots, clusters, notes) whatever the size
of the board — no model instances, no query per note.
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Count
from django.db.models.functions import Cast

from engagement.realtime.broadcast import topic_presence
from workshops.models import Cluster, DotVote, Note, Prompt, Workshop

__all__ = ["board_state", "board_topic"]


def board_topic(workshop_id: int) -> str:
    return f"workshop:{workshop_id}:board"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _uuid_text(text: str) -> str:
    """A UUID the database wrote as text, hyphenated (SQLite keeps 32 hex digits)."""
    if len(text) == 32:
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    return text


def _iso_text(text: str) -> str:
    """A UTC timestamp the database wrote as text (PostgreSQL ``2026-06-15 08:00:00.5+00``,
    SQLite ``2026-06-15 08:00:00.5``) as ISO 8601 with offset. Read as text because turning
    a thousand timestamps into datetimes and back is most of the cost of a large board."""
    text = text.replace(" ", "T", 1)
    if text.endswith("+00"):
        return text + ":00"
    if text.endswith(("+00:00", "Z")):
        return text
    return text + "+00:00"


def board_state(
    workshop_id: int, *, include_hidden: bool = False, include_join_code: bool | None = None
) -> dict[str, Any]:
    """The board of workshop ``workshop_id``.

    The public form (the live topic, the projector) leaves hidden notes out entirely; with
    ``include_hidden`` (facilitators and moderators) they are in, marked ``hidden``. Dots on
    hidden notes are still counted on the note (facilitators see them) but a hidden note is
    never shown to the public, so neither are its dots. ``include_join_code`` adds the join
    code (by default with ``include_hidden``: the facilitators' form); it is never part of
    the public topic.

    Raises ``Workshop.DoesNotExist`` for no such workshop.
    """
    workshop = (
        Workshop.objects.filter(pk=workshop_id)
        .values(
            "pk",
            "board_stage",
            "timer_ends_at",
            "timer_label",
            "dots_per_participant",
            "join_code",
        )
        .get()
    )
    prompts = [
        {"id": row["pk"], "text": row["text"], "position": row["position"]}
        for row in Prompt.objects.filter(workshop_id=workshop_id)
        .order_by("position", "pk")
        .values("pk", "text", "position")
    ]
    # One GROUP BY for the dot counts of every note and cluster of the board.
    note_dots: dict[int, int] = {}
    cluster_dots: dict[int, int] = {}
    for note_id, cluster_id, count in (
        DotVote.objects.filter(workshop_id=workshop_id)
        .values_list("note_id", "cluster_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("note_id", "cluster_id", "n")
    ):
        if note_id is not None:
            note_dots[note_id] = count
        else:
            cluster_dots[cluster_id] = count
    clusters = [
        {
            "id": row["pk"],
            "title": row["title"],
            "prompt": row["prompt_id"],
            "position": row["position"],
            "dots": cluster_dots.get(row["pk"], 0),
            "idea": row["idea_id"],
        }
        for row in Cluster.objects.filter(workshop_id=workshop_id)
        .order_by("position", "pk")
        .values("pk", "title", "prompt_id", "position", "idea_id")
    ]
    note_rows = Note.objects.filter(workshop_id=workshop_id)
    if not include_hidden:
        note_rows = note_rows.filter(hidden=False)
    notes = []
    for pk, client_id, prompt_id, cluster_id, text, name, idea_id, hidden, created in (
        note_rows.order_by("position", "pk")
        .annotate(
            created_text=Cast("created_at", output_field=CharField()),
            client_text=Cast("client_id", output_field=CharField()),
        )
        .values_list(
            "pk",
            "client_text",
            "prompt_id",
            "cluster_id",
            "text",
            "display_name",
            "idea_id",
            "hidden",
            "created_text",
        )
    ):
        note = {
            "id": pk,
            "client_id": _uuid_text(client_id),
            "prompt": prompt_id,
            "cluster": cluster_id,
            "text": text,
            "display_name": name,
            "dots": note_dots.get(pk, 0),
            "idea": idea_id,
            "created_at": _iso_text(created),
        }
        if include_hidden:
            note["hidden"] = hidden
        notes.append(note)
    timer = None
    if workshop["timer_ends_at"] is not None:
        timer = {"ends_at": _iso(workshop["timer_ends_at"]), "label": workshop["timer_label"]}
    state: dict[str, Any] = {
        "workshop": workshop["pk"],
        "stage": workshop["board_stage"],
        "timer": timer,
        "dots_per_participant": workshop["dots_per_participant"],
        "presence": topic_presence(board_topic(workshop_id)),
        "prompts": prompts,
        "clusters": clusters,
        "notes": notes,
    }
    if include_hidden if include_join_code is None else include_join_code:
        state["join_code"] = workshop["join_code"]
    return state
