"""Live topic of a workshop's board (docs/realtime.md): ``workshop:<id>:board``.

Facilitators may always watch; anyone who may see the workshop may watch once the board is
open (the projector in the room shows it). One frame serves every subscriber, so it carries
the public board (no hidden notes, no join code); facilitators' pages read the hidden notes
over HTTP. The topic counts its watchers (``presence``), which the state shows.
"""

from __future__ import annotations

from typing import Any

from engagement.realtime.protocol import TopicForbidden, TopicNotFound, register_topic_kind
from workshops import permissions
from workshops.board_state import board_state, board_topic
from workshops.models import Workshop
from workshops.services.board import can_view_board

__all__ = ["authorize_board", "board_snapshot", "board_topic", "register"]


def _workshop(key: str) -> Workshop:
    if not key.isdigit():
        raise TopicNotFound(key)
    workshop = Workshop.objects.filter(pk=int(key)).first()
    if workshop is None:
        raise TopicNotFound(key)
    return workshop


def authorize_board(key: str, user: Any) -> None:
    workshop = _workshop(key)
    if not permissions.can_see(user, workshop):
        raise TopicNotFound(key)
    if not can_view_board(user, workshop):
        raise TopicForbidden(key)


def board_snapshot(key: str) -> dict[str, Any]:
    if not key.isdigit():
        raise TopicNotFound(key)
    try:
        return board_state(int(key))
    except Workshop.DoesNotExist:
        raise TopicNotFound(key) from None


def register() -> None:
    register_topic_kind(
        "workshop", "board", authorize=authorize_board, snapshot=board_snapshot, presence=True
    )
