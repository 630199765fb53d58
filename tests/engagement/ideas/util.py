"""Helpers shared by the ideas tests."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from engagement.content.sanitise import RICH_TAGS

_TAG = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)([^>]*)>")


def codes(error: ValidationError) -> dict[str, list[str | None]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def body_codes(response) -> dict[str, list[str]]:
    return response.json().get("error_codes", {})


def assert_plain_inert(value: str) -> None:
    """Plain text: no markup at all."""
    assert not re.search(r"<\s*[a-zA-Z!/?]", value), value
    assert "javascript:" not in value.lower() or "<" not in value, value


def assert_rich_inert(value: str) -> None:
    """Rich text: only allow-listed tags, no attributes but a safe href and rel."""
    for tag, attributes in _TAG.findall(value):
        assert tag.lower() in RICH_TAGS, value
        names = re.findall(r"([a-zA-Z-]+)\s*=", attributes)
        assert set(n.lower() for n in names) <= {"href", "rel"}, value
        for href in re.findall(r'href="([^"]*)"', attributes):
            assert href.split(":", 1)[0].lower() in {"http", "https", "mailto"}, value
    lowered = value.lower()
    for needle in ("<script", "onerror", "onload", "javascript:", "<iframe", "<img", "<svg"):
        assert needle not in lowered, value
