"""What the ideas forms share: a service's or the API serializer's errors put back on the
form field they name, a textarea's text as stored paragraphs and back, and the confirmation
form (withdraw, delete).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError


def _messages(errors: Any) -> list[str]:
    if isinstance(errors, Mapping):
        return [m for value in errors.values() for m in _messages(value)]
    if isinstance(errors, list | tuple):
        return [m for value in errors for m in _messages(value)]
    return [str(errors)]


def add_errors(form: forms.BaseForm, errors: Mapping[str, Any]) -> None:
    """Put ``{field: messages}`` on the form: on the field it names, else on the form."""
    if not hasattr(form, "cleaned_data"):
        form.is_valid()  # add_error needs a cleaned form
    for name, value in errors.items():
        target = name if name in form.fields else None
        for message in _messages(value):
            if target is not None and message in form.errors.get(target, []):
                continue
            form.add_error(target, message)


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's refusal on the form (``phase``/``status`` errors go to the top)."""
    if hasattr(error, "error_dict"):
        add_errors(form, error.message_dict)
    else:
        for message in error.messages:
            form.add_error(None, message)


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
