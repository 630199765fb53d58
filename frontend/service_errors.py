"""Refusals put back on a page form: the one way every page does it.

A service refuses with a ``ValidationError`` naming fields and carrying stable codes; a
shared input check (a serializer in ``*/inputs.py``) answers ``{field: messages}``. Either
goes under the form field it names, so the page shows the messages the API gives; anything
else (``phase``, ``status``, ``target``…) goes to the form's summary.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import ngettext

from engagement.http.rate_limits import rate_limited


def _messages(errors: Any) -> Iterator[str]:
    """Every message in ``errors``, however nested (a list of district budgets has a dict
    of messages per entry)."""
    if isinstance(errors, ValidationError):
        yield from errors.messages
    elif isinstance(errors, Mapping):
        for value in errors.values():
            yield from _messages(value)
    elif isinstance(errors, list | tuple):
        for value in errors:
            yield from _messages(value)
    else:
        yield str(errors)


def add_service_errors(
    form: forms.BaseForm,
    errors: ValidationError | Mapping[str, Any],
    aliases: Mapping[str, str] | None = None,
) -> None:
    """Attach ``errors`` to ``form``: known fields get their messages (``aliases`` maps a
    service's name to the page's field, e.g. ``citywide_budget`` to ``budget``), anything
    else goes to the form's summary. A message a field already shows is not repeated."""
    if not hasattr(form, "cleaned_data"):
        form.is_valid()  # add_error needs a cleaned form
    if isinstance(errors, ValidationError):
        if not hasattr(errors, "error_dict"):
            for message in errors.messages:
                form.add_error(None, message)
            return
        errors = errors.error_dict
    aliases = aliases or {}
    for name, value in errors.items():
        target = aliases.get(name, name)
        field = target if target in form.fields else None
        for message in _messages(value):
            if field is not None and message in form.errors.get(field, []):
                continue
            form.add_error(field, message)


def too_often(request: HttpRequest, scope: str) -> str | None:
    """The API's own rate limit (same scope, same counters): a message, or None if allowed."""
    limited = rate_limited(request, scope)
    if limited is None:
        return None
    wait = limited.seconds()
    return ngettext(
        "Too many attempts in a short time. Please try again in %(seconds)d second.",
        "Too many attempts in a short time. Please try again in %(seconds)d seconds.",
        wait,
    ) % {"seconds": wait}
