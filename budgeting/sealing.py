"""Sealed ballots: what was voted, encrypted while the ballot box is closed. No Django imports.

A cast stores the ballot only sealed, on the voter's participation row (the outer envelope
of a postal vote carries the name, the inner one the vote). Someone who reads the database
without the ballot key sees a blob of the same length for every ballot of a district budget:
not what was voted, not how many projects, not whether a ballot was changed. When the box is
opened (``budgeting/services/ballot_box.py``) the ballots are unsealed and written to the
ballot table in a random order, away from their envelopes.

Format: ``version (1 byte) | key id (4) | nonce (12) | AES-256-GCM(padded JSON)``. The
associated data binds a sealed ballot to its round and district budget, so moving one to
another election makes it fail to open. Several keys may be given: the first seals, all of
them open (rotation).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = 1
_HEADER = 1 + 4 + 12
# JSON room per project a ballot may name: a primary key up to 19 digits, its points up to
# 10, separators. With the fixed part, every ballot of a district pads to the same length.
_PER_PROJECT = 32
_FIXED = 160


class SealError(ValueError):
    """A sealed ballot that cannot be opened: wrong key, wrong election, or damaged."""


@dataclass(frozen=True)
class BallotContent:
    """What a sealed ballot holds: project primary keys (ordinal: best first), cumulative
    points parallel to them, and whether it replaced an earlier ballot (so a retried
    request can be answered as the first one was)."""

    projects: tuple[int, ...]
    points: tuple[int, ...] | None
    changed: bool = False


def derive_key(secret: str | bytes) -> bytes:
    """A 256-bit key from a configured secret of any length."""
    raw = secret.encode() if isinstance(secret, str) else secret
    return hashlib.sha256(b"kopa-ballot-key\x00" + raw).digest()


def _key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"kopa-ballot-key-id\x00" + key).digest()[:4]


def padded_length(projects_in_district: int) -> int:
    """The one length every sealed ballot of a district budget with this many projects has."""
    return _FIXED + _PER_PROJECT * max(projects_in_district, 1)


def election_label(round_id: int, district_budget_id: int) -> bytes:
    return f"kopa-ballot:{round_id}:{district_budget_id}".encode()


class BallotSealer:
    """Seals with the first key, opens with any."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("at least one ballot key is needed")
        self._sealing = keys[0]
        self._by_id = {_key_id(key): AESGCM(key) for key in keys}
        self._sealing_id = _key_id(keys[0])

    def seal(self, content: BallotContent, *, label: bytes, projects_in_district: int) -> bytes:
        body = json.dumps(
            {
                "p": list(content.projects),
                "s": list(content.points) if content.points is not None else None,
                "c": content.changed,
            },
            separators=(",", ":"),
        ).encode()
        length = padded_length(projects_in_district)
        if len(body) > length:
            raise ValueError(f"a ballot of {len(body)} bytes does not fit {length}")
        nonce = os.urandom(12)
        sealed = self._by_id[self._sealing_id].encrypt(nonce, body.ljust(length), label)
        return bytes((VERSION,)) + self._sealing_id + nonce + sealed

    def open(self, blob: bytes | memoryview, *, label: bytes) -> BallotContent:
        blob = bytes(blob)
        if len(blob) < _HEADER + 16 or blob[0] != VERSION:
            raise SealError("not a sealed ballot")
        cipher = self._by_id.get(blob[1:5])
        if cipher is None:
            raise SealError("sealed with a key that is not configured")
        try:
            body = cipher.decrypt(blob[5:17], blob[17:], label)
        except InvalidTag:
            raise SealError("the sealed ballot does not open with its key and label") from None
        data = json.loads(body)
        return BallotContent(
            projects=tuple(data["p"]),
            points=tuple(data["s"]) if data["s"] is not None else None,
            changed=bool(data["c"]),
        )
