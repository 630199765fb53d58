"""The one path for live updates: message envelope, error codes, group names.

Every frame a client receives is one JSON object ``{"type", "seq", "payload"}``; replies
to a client's own frame also carry ``in_response`` (the client's ``id``). Errors are
frames of type ``error`` with a numeric ``code`` from :class:`ErrorCode`. The protocol is
documented in docs/realtime.md; features (turnout, results, boards, surveys) add event
types here rather than inventing their own framing.

Live topics: features register a topic kind (authorisation + snapshot) with
:func:`register_topic_kind`; services call ``engagement.realtime.broadcast.publish_on_commit``
and the per-process :class:`engagement.realtime.broadcast.Broadcaster` does the fan-out.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PROTOCOL_VERSION = 1


class ErrorCode(enum.IntEnum):
    MALFORMED = 4000  # not a JSON object, or missing "type"
    UNKNOWN_TYPE = 4001
    FRAME_TOO_LARGE = 4002
    RATE_LIMITED = 4029
    FORBIDDEN = 4003
    NOT_FOUND = 4004


def encode(
    event_type: str,
    payload: dict[str, Any] | None = None,
    *,
    seq: int = 0,
    in_response: str | int | None = None,
    topic: str | None = None,
) -> str:
    """The wire form of one frame (compact JSON, encoded once per broadcast). Updates of a
    topic also name it (``topic``), so a client can route them without parsing payloads."""
    frame: dict[str, Any] = {"type": event_type, "seq": seq, "payload": payload or {}}
    if topic is not None:
        frame["topic"] = topic
    if in_response is not None:
        frame["in_response"] = in_response
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


def error_frame(code: ErrorCode, message: str, *, in_response: str | int | None = None) -> str:
    return encode("error", {"code": int(code), "message": message}, in_response=in_response)


class FrameError(Exception):
    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def decode(text: str | None, *, max_bytes: int) -> dict[str, Any]:
    """Parse one client frame, raising :class:`FrameError` for anything malformed."""
    if text is None:
        raise FrameError(ErrorCode.MALFORMED, "Binary frames are not accepted.")
    if len(text.encode("utf-8")) > max_bytes:
        raise FrameError(ErrorCode.FRAME_TOO_LARGE, f"Frames are limited to {max_bytes} bytes.")
    try:
        frame = json.loads(text)
    except ValueError:
        raise FrameError(ErrorCode.MALFORMED, "Frames must be JSON objects.") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise FrameError(ErrorCode.MALFORMED, 'Frames must be JSON objects with a "type".')
    frame_id = frame.get("id")
    if frame_id is not None and not isinstance(frame_id, str | int):
        raise FrameError(ErrorCode.MALFORMED, '"id" must be a string or a number.')
    return frame


# --- Topics ---------------------------------------------------------------------------------
#
# A topic is ``<scope>:<key>:<kind>``, e.g. ``round:riga-2026:turnout``. Each kind registers
# how to authorise a subscriber and how to compute the topic's current state (its snapshot);
# the broadcaster (engagement/realtime/broadcast.py) recomputes the state when the topic is
# dirty and pushes it as one pre-encoded frame whose type is the kind.


class TopicNotFound(Exception):
    pass


class TopicForbidden(Exception):
    pass


@dataclass(frozen=True)
class TopicKind:
    scope: str
    kind: str
    # (key, user) -> None; raises TopicNotFound / TopicForbidden. Synchronous (database).
    authorize: Callable[[str, Any], None]
    # key -> JSON-serialisable state. Synchronous (database); read at most once per
    # coalescing interval per process, never per vote.
    snapshot: Callable[[str], dict[str, Any]]
    # Count the sockets watching each topic of this kind across processes
    # (``broadcast.topic_presence``), and mark the topic dirty when one joins or leaves, so a
    # snapshot may show "n people here". Off by default: it costs a Redis write per join.
    presence: bool = False


_topic_kinds: dict[tuple[str, str], TopicKind] = {}


def register_topic_kind(
    scope: str,
    kind: str,
    *,
    authorize: Callable[[str, Any], None],
    snapshot: Callable[[str], dict[str, Any]],
    presence: bool = False,
) -> None:
    _topic_kinds[(scope, kind)] = TopicKind(scope, kind, authorize, snapshot, presence)


def topic_kind(topic: Any) -> tuple[TopicKind, str] | None:
    """The registered kind of ``topic`` and its key, or ``None`` for no such topic."""
    if not isinstance(topic, str) or len(topic) > 200:
        return None
    parts = topic.split(":")
    if len(parts) != 3 or not parts[1]:
        return None
    scope, key, kind = parts
    registered = _topic_kinds.get((scope, kind))
    return (registered, key) if registered else None
