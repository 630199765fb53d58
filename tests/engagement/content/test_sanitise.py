"""What people write is stored inert: rich text keeps a small allow-list, plain text none."""

from __future__ import annotations

import pytest

from engagement.content import sanitise
from tests.engagement.ideas.util import assert_plain_inert, assert_rich_inert

# Classic stored-XSS payloads; every text field of ideas, comments, reports and moderation is
# tested with them (here the functions, in tests/engagement/ideas/test_xss.py through the API).
PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<svg onload="alert(1)"></svg>',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<iframe src="https://evil.example"></iframe>',
    '"><script>alert(document.cookie)</script>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;",
    '<p style="background:url(javascript:alert(1))" onclick="alert(1)">x</p>',
    '<math><mtext><table><mglyph><style><img src=x onerror="alert(1)">',
    "<!--<img src=x onerror=alert(1)>-->",
    '<form action="https://evil.example"><button>go</button></form>',
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_rich_text_keeps_nothing_active(payload):
    assert_rich_inert(sanitise.rich_text(f"<p>Before</p>{payload}<p>after</p>"))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_plain_text_keeps_no_markup(payload):
    assert_plain_inert(sanitise.plain_text(f"Title {payload} end"))


def test_rich_text_keeps_the_allowed_formatting():
    html = (
        "<p>One <strong>two</strong> <em>three</em><br></p>"
        '<ul><li>a</li></ul><ol><li>b</li></ol><a href="https://kopa.example/x">link</a>'
    )
    assert sanitise.rich_text(html) == (
        "<p>One <strong>two</strong> <em>three</em><br></p>"
        "<ul><li>a</li></ul><ol><li>b</li></ol>"
        '<a href="https://kopa.example/x" rel="nofollow noopener">link</a>'
    )


def test_rich_text_drops_other_tags_and_attributes_but_keeps_words():
    html = '<h1 class="x">Big</h1><div id="y"><b>bold</b> <u>u</u></div><p title="t">p</p>'
    assert sanitise.rich_text(html) == "Bigbold u<p>p</p>"


def test_links_get_rel_and_lose_other_schemes():
    assert sanitise.rich_text('<a href="mailto:a@b.example" target="_blank">m</a>') == (
        '<a href="mailto:a@b.example" rel="nofollow noopener">m</a>'
    )
    assert sanitise.rich_text('<a href="data:text/html,x">d</a>') == (
        '<a rel="nofollow noopener">d</a>'
    )


def test_plain_text_is_stored_as_read():
    assert sanitise.plain_text("  5 < 6 &  7 > 3  ") == "5 < 6 & 7 > 3"
    assert sanitise.plain_text("Tom &amp; Jerry") == "Tom & Jerry"
    assert sanitise.plain_text("line\x00one\x07") == "lineone"


def test_plain_text_keeps_line_breaks_when_asked():
    assert sanitise.plain_text("a  b\n\n c ", multiline=True) == "a b\n\nc"
    assert sanitise.plain_text("a\nb") == "a b"


def test_text_of_rich_text_for_search_and_projects():
    assert sanitise.text_of("<p>Trees <strong>now</strong></p><ul><li>a</li><li>b</li></ul>") == (
        "Trees now\na\nb"
    )
