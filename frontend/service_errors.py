"""A service's refusal put back on a page form.

Service refusals (``ValidationError`` with field names and stable codes) go under the fields
they name, so the same messages the API gives appear on the page.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """Attach a service's ``ValidationError`` to ``form``: known fields get their messages,
    anything else (``phase``, ``status``, ``target``…) goes to the form's summary."""
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        target = aliases.get(name, name)
        form.add_error(target if target in form.fields else None, errors)
