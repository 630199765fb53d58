"""The one path for live updates: message envelope, error codes, group names.

Every frame a client receives is one JSON object ``{"type", "seq", "payload"}``; replies
to a client's own frame also carry ``in_response`` (the client's ``id``). Errors are
frames of type ``error`` with a numeric ``code`` from :class:`ErrorCode`. The protocol is
documented in docs/realtime.md; features (turnout, results, boards, surveys) add event
types here rather than inventing their own framing.
"""

from __future__ import annotations

import enum
import json
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
) -> str:
    """The wire form of one frame (compact JSON, encoded once per broadcast)."""
    frame: dict[str, Any] = {"type": event_type, "seq": seq, "payload": payload or {}}
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
