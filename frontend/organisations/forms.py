"""Forms of an organisation's staff pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class OrganisationBrandingForm(forms.Form):
    """How the organisation's pages look to residents: colour, logo, website."""

    brand_colour = forms.CharField(
        label=_("Brand colour"),
        max_length=7,
        help_text=_(
            "A colour like #1a5fb4, used for buttons, links and the top bar. It must be dark"
            " enough for white text to stay readable."
        ),
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("A wide PNG, JPEG or WebP image, about 200 by 60 pixels; shown in the header."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)
