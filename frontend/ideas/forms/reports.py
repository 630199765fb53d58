"""Reporting an idea or a comment: the reason and details for the moderators."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from engagement.ideas.models import ReportReason
from engagement.ideas.services.moderation import DETAILS_MAX


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong?"), choices=ReportReason.choices, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=DETAILS_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Needed for “Something else”. The moderators read this; the author does not."),
    )
