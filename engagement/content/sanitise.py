"""Sanitising what people write about ideas, so nothing typed can run in a reader's browser.

Rich text (idea descriptions, comments) keeps a small allow-list: ``p``, ``br``,
``strong``, ``em``, ``ul``, ``ol``, ``li`` and ``a`` with an ``http(s)``/``mailto``
``href`` (given ``rel="nofollow noopener"``). Plain text (titles, notes, reasons,
image descriptions) keeps no markup at all and is stored as the reader should see it.

Run on the way in (services), so every reader — pages, API, exports — gets safe text.
"""

from __future__ import annotations

import html
import re

import nh3

RICH_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "a"})
# "*": nothing on every tag (nh3 would otherwise keep ``lang`` and ``title`` everywhere).
RICH_ATTRIBUTES: dict[str, set[str]] = {"a": {"href"}, "*": set()}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"
# Removed with everything inside them, not just unwrapped.
DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "object", "embed", "template", "noscript", "textarea"}
)

_RICH = nh3.Cleaner(
    tags=set(RICH_TAGS),
    attributes={tag: set(attrs) for tag, attrs in RICH_ATTRIBUTES.items()},
    url_schemes=set(URL_SCHEMES),
    link_rel=LINK_REL,
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    strip_comments=True,
)
_NO_TAGS = nh3.Cleaner(
    tags=set(),
    attributes={"*": set()},
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    strip_comments=True,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMPTY_PARAGRAPHS = re.compile(r"(<p>\s*</p>\s*)+")


def rich_text(value: str | None) -> str:
    """Allowed formatting kept, everything else removed; surrounding space trimmed."""
    cleaned = _RICH.clean(_CONTROL.sub("", value or ""))
    return _EMPTY_PARAGRAPHS.sub("", cleaned).strip()


def plain_text(value: str | None, *, multiline: bool = False) -> str:
    """Text without any markup, stored unescaped (``5 < 6`` stays ``5 < 6``).

    Tags are removed, also when they arrive entity-encoded (``&lt;script&gt;``): the text
    is cleaned and unescaped until it no longer changes. Whitespace is collapsed (line
    breaks kept when ``multiline``).
    """
    text = _CONTROL.sub("", value or "")
    for _round in range(5):
        cleaned = html.unescape(_NO_TAGS.clean(text))
        if cleaned == text:
            break
        text = cleaned
    else:
        # Deeply nested encodings: give up on the markup-looking characters altogether.
        text = text.replace("<", "").replace(">", "")
    if multiline:
        lines = [" ".join(line.split()) for line in text.splitlines()]
        return "\n".join(lines).strip()
    return " ".join(text.split())


def text_of(rich: str) -> str:
    """The words of a rich text, for search and plain-text copies (e.g. ballot projects)."""
    spaced = re.sub(r"</(p|li)>|<br\s*/?>", "\n", rich or "")
    return plain_text(spaced, multiline=True)
