"""The board's forms for browsers without JavaScript (the script sends the same fields to
the JSON API)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class NoteForm(forms.Form):
    """A note for one prompt. ``client_id`` is made when the form is drawn, so sending the
    same form twice (a double click, a resubmission after a reload) adds one note."""

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    prompt = forms.TypedChoiceField(label=_("Prompt"), coerce=int, choices=())
    text = forms.CharField(
        label=_("Your note"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
    )
    display_name = forms.CharField(
        label=_("Name shown with the note"),
        max_length=60,
        required=False,
        help_text=_("Leave empty to post anonymously."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    idea_consent = forms.BooleanField(
        label=_("My note may become an idea under my name"),
        required=False,
        help_text=_("Only with a name: anonymous notes never become ideas under a name."),
    )

    def __init__(self, *args: Any, prompts: list[dict[str, Any]], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("client_id", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.fields["prompt"].choices = [(p["id"], p["text"]) for p in prompts]
        if len(prompts) == 1:
            self.fields["prompt"].initial = prompts[0]["id"]


class JoinForm(forms.Form):
    code = forms.CharField(
        label=_("Join code"),
        max_length=12,
        help_text=_("The short code shown in the room, for example K7Q2MX."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).upper()


class TimerForm(forms.Form):
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=180)
    label = forms.CharField(label=_("What the time is for"), max_length=120, required=False)


class PromptsForm(forms.Form):
    prompts = forms.CharField(
        label=_("Prompts, one per line"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Each prompt is a column of the board."),
    )

    def clean_prompts(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["prompts"].splitlines()]
        return [line for line in lines if line]
