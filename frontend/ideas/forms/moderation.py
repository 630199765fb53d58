"""A moderation decision: hide, restore or dismiss the reports of an idea or a comment, with a
public note. The form checks the shape; the moderation services decide.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ModerationForm(forms.Form):
    ACTIONS = (("hide", _("Hide")), ("restore", _("Restore")), ("dismiss", _("Dismiss reports")))

    action = forms.ChoiceField(choices=ACTIONS)
    target = forms.ChoiceField(choices=(("idea", _("Idea")), ("comment", _("Comment"))))
    target_id = forms.IntegerField(min_value=1)
    note = forms.CharField(
        label=_("Public note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown in place of hidden content and sent to its author."),
    )
