"""Writing an idea and filtering the idea list.

The idea form hands its values to the API's input serializer (``IdeaFieldsInput``:
coordinates, amounts in the process's currency, district slugs), so a page and the API refuse
exactly the same input with the same messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from engagement.ideas.inputs import IdeaFieldsInput
from engagement.ideas.models import Idea, IdeaStatus, ParticipatoryProcess
from engagement.ideas.selectors import SORT_CHOICES
from engagement.ideas.services.ideas import ALT_TEXT_MAX, DESCRIPTION_MAX, TITLE_MAX
from engagement.money import from_minor
from engagement.people.models import District
from frontend.ideas.forms.common import paragraphs, textarea_text
from frontend.service_errors import add_service_errors

# Statuses the public sees, as list filters (drafts are their author's, under "mine").
LIST_STATUSES = [(value, label) for value, label in IdeaStatus.choices if value != "draft"]


def _choice(blank_label: Any, choices: Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", blank_label), *choices]


class IdeaForm(forms.Form):
    """Writing or editing an idea; one image (with its description) per save."""

    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        help_text=_("A short name people will recognise, such as “Benches by the river”."),
    )
    description = forms.CharField(
        label=_("Your idea"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "What should change, where, and who it helps. Leave an empty line between"
            " paragraphs; links are kept, other markup is removed."
        ),
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    latitude = forms.CharField(
        label=_("Latitude"),
        required=False,
        max_length=20,
        help_text=_("Degrees, such as 56.9496. Give both latitude and longitude, or neither."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    longitude = forms.CharField(
        label=_("Longitude"),
        required=False,
        max_length=20,
        help_text=_("Degrees, such as 24.1052."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    estimated_cost = forms.CharField(
        label=_("Your cost estimate"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    image = forms.FileField(
        label=_("Add an image"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 8 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt_text = forms.CharField(
        label=_("Describe the image"),
        required=False,
        max_length=ALT_TEXT_MAX,
        help_text=_("For people who cannot see it, such as “Broken bench next to the playground”."),
    )

    def __init__(
        self,
        *args: Any,
        process: ParticipatoryProcess,
        districts: Iterable[District],
        similar_url: str | None = None,
        exclude: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.process = process
        self.idea_fields: dict[str, Any] = {}
        if similar_url:
            # With htmx: similar ideas appear under the title while it is typed.
            attrs = self.fields["title"].widget.attrs
            attrs.update(
                {
                    "hx-get": similar_url + (f"?exclude={exclude}" if exclude else ""),
                    "hx-trigger": "keyup changed delay:600ms, change",
                    "hx-target": "#similar-ideas",
                    "hx-swap": "innerHTML",
                    "autocomplete": "off",
                }
            )
        if process.categories:
            self.fields["category"].choices = _choice(
                _("No category"), [(c, c) for c in process.categories]
            )
        else:
            del self.fields["category"]
        district_choices = [(d.slug, d.name) for d in districts]
        if district_choices:
            self.fields["district"].choices = _choice(_("Whole city / not sure"), district_choices)
        else:
            del self.fields["district"]
        self.fields["estimated_cost"].help_text = _(
            "In %(currency)s, such as 15000 or 15000.50."
        ) % {"currency": process.currency}

    @classmethod
    def initial_for(cls, idea: Idea) -> dict[str, Any]:
        return {
            "title": idea.title,
            "description": textarea_text(idea.description),
            "category": idea.category,
            "district": idea.district.slug if idea.district_id else "",
            "latitude": "" if idea.latitude is None else str(idea.latitude),
            "longitude": "" if idea.longitude is None else str(idea.longitude),
            "estimated_cost": ""
            if idea.estimated_cost is None
            else str(from_minor(idea.estimated_cost, idea.process.currency)),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # The API's own input serializer reads the values, so both refuse the same input.
        data: dict[str, Any] = {}
        for name in ("title", "description", "category"):
            if name in self.fields and name in cleaned:
                data[name] = cleaned[name]
        for name in ("district", "latitude", "longitude", "estimated_cost"):
            if name in self.fields:
                value = (cleaned.get(name) or "").strip()
                data[name] = value or None
        serializer = IdeaFieldsInput(data=data, context={"process": self.process})
        if not serializer.is_valid():
            add_service_errors(self, serializer.errors)
            return cleaned
        self.idea_fields = dict(serializer.validated_data)
        self.idea_fields["description"] = paragraphs(self.idea_fields.get("description", ""))
        return cleaned


class IdeaFilterForm(forms.Form):
    """The idea list's filters, sort and search (a GET form)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_choice(_("Any status"), LIST_STATUSES)
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[(v, label) for v, label in SORT_CHOICES if v != "oldest"],
    )
    mine = forms.BooleanField(label=_("Only my ideas (drafts too)"), required=False)

    def __init__(
        self,
        *args: Any,
        process: ParticipatoryProcess,
        districts: Iterable[District],
        signed_in: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if process.categories:
            self.fields["category"].choices = _choice(
                _("All categories"), [(c, c) for c in process.categories]
            )
        else:
            del self.fields["category"]
        district_choices = [(d.slug, d.name) for d in districts]
        if district_choices:
            self.fields["district"].choices = _choice(_("All districts"), district_choices)
        else:
            del self.fields["district"]
        if not signed_in:
            del self.fields["mine"]

    def selector_arguments(self) -> dict[str, Any]:
        """What ``selectors.idea_list`` takes; invalid filters are left out."""
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()  # fills cleaned_data with the valid fields only
            data = self.cleaned_data
            for name in self.errors:
                if name in self.fields:  # tie the message to its control
                    self.fields[name].widget.attrs.update(
                        {"aria-invalid": "true", "aria-describedby": f"{self[name].auto_id}-error"}
                    )
        return {
            "q": data.get("q") or None,
            "category": data.get("category") or None,
            "district": data.get("district") or None,
            "status": data.get("status") or None,
            "sort": data.get("sort") or "newest",
            "mine": bool(data.get("mine")),
        }
