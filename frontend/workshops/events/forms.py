"""Forms of the resident workshop pages: the list's filters and the registration."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from engagement.people.models import District
from workshops.models import Workshop, WorkshopFormat


class WorkshopFilterForm(forms.Form):
    """The list's filters (a GET form that works without JavaScript)."""

    format = forms.ChoiceField(label=_("Format"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)

    def __init__(self, *args: Any, districts: Iterable[District], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = [("", _("All formats")), *WorkshopFormat.choices]
        district_choices = [(d.slug, d.name) for d in districts]
        if district_choices:
            self.fields["district"].choices = [("", _("All districts")), *district_choices]
        else:
            del self.fields["district"]

    def chosen(self) -> dict[str, str | None]:
        if not self.is_bound or not self.is_valid():
            return {"format": None, "district": None}
        return {
            "format": self.cleaned_data.get("format") or None,
            "district": self.cleaned_data.get("district") or None,
        }


class RegistrationForm(forms.Form):
    """Registering: the questions the workshop asks (both optional)."""

    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"),
        required=False,
        max_length=1000,
        help_text=_("Such as step-free access, a sign-language interpreter or large print."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    dietary_needs = forms.CharField(
        label=_("Dietary needs"),
        required=False,
        max_length=1000,
        help_text=_("Such as vegetarian or no nuts."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, workshop: Workshop, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not workshop.asks_accessibility_needs:
            del self.fields["accessibility_needs"]
        if not workshop.asks_dietary_needs:
            del self.fields["dietary_needs"]

    def answers(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in self.fields}
