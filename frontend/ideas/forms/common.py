"""What the ideas forms share: a textarea's text as stored paragraphs and back, and the
confirmation form (withdraw, delete)."""

from __future__ import annotations

import html
import re

from django import forms


def paragraphs(text: str) -> str:
    """A textarea's text as paragraphs (blank lines) and line breaks.

    The text is not escaped here: like the API, the service sanitises it (a few tags such
    as links survive, anything else — scripts included — is removed).
    """
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return "".join("<p>" + b.replace("\n", "<br>") + "</p>" for b in blocks)


def textarea_text(stored: str) -> str:
    """Stored rich text back as a textarea's text (the reverse of :func:`_paragraphs`)."""
    text = re.sub(r"</p>\s*<p>", "\n\n", stored.strip())
    text = re.sub(r"^<p>|</p>$", "", text)
    text = re.sub(r"<br\s*/?>", "\n", text)
    return html.unescape(text)


class ConfirmForm(forms.Form):
    """A POST with nothing but the CSRF token (withdraw, delete)."""
