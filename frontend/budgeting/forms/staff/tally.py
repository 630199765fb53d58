"""Forms of the tally preview and of publishing the results."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PublishForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked the preview. Publish the results now."),
        required=True,
        error_messages={"required": _("Tick the box to confirm publication.")},
    )


class TallyForm(forms.Form):
    """Nothing to fill in: the button runs every rule (a POST, so it is never prefetched)."""
