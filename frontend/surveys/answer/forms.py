"""Reading a section's answers from a posted page into the contract's value formats (the
service checks them: a page and the API get the same messages), and the staff forms."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from frontend.surveys.answer.display import OTHER
from surveys import answers as rules
from surveys.models import Question
from surveys.services.responding import INVITATION_LENGTH, MAX_INVITATIONS

_WHOLE = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")


def _number(text: str) -> Any:
    """``"12"`` -> 12, ``"12,5"`` -> 12.5; anything else stays text (and is refused)."""
    text = text.strip()
    if not text:
        return None
    if _WHOLE.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text):
        return float(text.replace(",", "."))
    return text


def _choice_value(question: Question, data: QueryDict) -> Any:
    other = data.get(f"{question.code}__other", "").strip()
    if question.kind in rules.MULTIPLE_KINDS:
        picked: list[Any] = [v for v in data.getlist(question.code) if v != OTHER]
        if OTHER in data.getlist(question.code) or other:
            picked.append({"other": other})
        # Nothing ticked on a page is no answer (the API may send [] for "none of these").
        return picked or None
    value = data.get(question.code)
    if value == OTHER or (not value and other):
        return {"other": other}
    return value or None


def section_answers(questions: Iterable[Question], data: QueryDict) -> dict[str, Any]:
    """The answers of ``questions`` as posted (``None``: unanswered)."""
    found: dict[str, Any] = {}
    for question in questions:
        code, kind = question.code, question.kind
        if kind in rules.CHOICE_KINDS:
            value = _choice_value(question, data)
        elif kind in rules.TEXT_KINDS or kind == rules.DATE:
            value = data.get(code, "").replace("\r\n", "\n") or None
        elif kind == rules.SCALE or kind == rules.NUMBER:
            value = _number(data.get(code, ""))
        elif kind == rules.RANKING:
            slots = sorted(
                (int(key.rsplit("rank", 1)[1]), v)
                for key, v in data.items()
                if key.startswith(f"{code}__rank") and key.rsplit("rank", 1)[1].isdigit()
            )
            ranked = [v for _n, v in slots if v]
            value = ranked or None
        elif kind == rules.MATRIX:
            rows = {
                option.code: _number(data.get(f"{code}__{option.code}", ""))
                for option in question.options.all()
            }
            value = {row: v for row, v in rows.items() if v is not None} or None
        else:
            value = data.get(code) or None
        found[code] = value
    return found


class InvitationForm(forms.Form):
    invitation_code = forms.CharField(
        label=_("Invitation code"),
        max_length=INVITATION_LENGTH + 10,
        required=True,
        help_text=_("The code on the card you were given, like ABCDE-FGHJK."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class GenerateInvitationsForm(forms.Form):
    count = forms.IntegerField(
        label=_("How many codes"),
        min_value=1,
        max_value=MAX_INVITATIONS,
        initial=30,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["count"].help_text = _(
            "One per person, e.g. one for each pupil of a class. Up to %(max)s at a time."
        ) % {"max": MAX_INVITATIONS}
