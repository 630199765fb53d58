"""Forms of implementation tracking: status and progress, and a dated update with photos."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from budgeting.models.implementation import ImplementationStatus


class ImplementationStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ImplementationStatus.choices)
    # The range is checked by the service (progress_out_of_range), so its message shows.
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "inputmode": "numeric"}),
    )


IMAGE_SLOTS = 3


class ImplementationUpdateForm(forms.Form):
    happened_on = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("When it happened; today if empty. Not in the future."),
    )
    text = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20_000,
        help_text=_("Public. Paragraphs, bold, lists and links are kept; other markup removed."),
    )
    status = forms.ChoiceField(
        label=_("New status"),
        required=False,
        choices=[("", _("Unchanged")), *list(ImplementationStatus.choices)],
    )
    progress = forms.IntegerField(
        label=_("New progress (%)"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for slot in range(1, IMAGE_SLOTS + 1):
            self.fields[f"image_{slot}"] = forms.FileField(
                label=_("Photo %(n)s") % {"n": slot},
                required=False,
                widget=forms.ClearableFileInput(
                    attrs={"accept": "image/jpeg,image/png,image/webp"}
                ),
            )
            self.fields[f"alt_{slot}"] = forms.CharField(
                label=_("Description of photo %(n)s") % {"n": slot},
                required=False,
                max_length=300,
                help_text=_("What the photo shows, for people who cannot see it."),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for slot in range(1, IMAGE_SLOTS + 1):
            if data.get(f"image_{slot}") and not (data.get(f"alt_{slot}") or "").strip():
                self.add_error(f"alt_{slot}", _("Describe the photo."))
        return data

    def image_slots(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"image_{n}"], self[f"alt_{n}"]) for n in range(1, IMAGE_SLOTS + 1)]

    def uploads(self) -> list[tuple[Any, str]]:
        return [
            (self.cleaned_data[f"image_{n}"], self.cleaned_data.get(f"alt_{n}", ""))
            for n in range(1, IMAGE_SLOTS + 1)
            if self.cleaned_data.get(f"image_{n}")
        ]
