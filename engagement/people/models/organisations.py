"""Organisations (municipalities), their districts, staff roles and residents."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from engagement.money import CURRENCIES

# The Interreg Baltic Sea Region countries first, then countries whose published
# participatory-budgeting elections Kopa imports.
COUNTRIES: dict[str, str] = {
    "DK": "Denmark",
    "EE": "Estonia",
    "FI": "Finland",
    "DE": "Germany",
    "LV": "Latvia",
    "LT": "Lithuania",
    "PL": "Poland",
    "SE": "Sweden",
    "NO": "Norway",
    "IS": "Iceland",
    "AT": "Austria",
    "BE": "Belgium",
    "CH": "Switzerland",
    "CZ": "Czechia",
    "ES": "Spain",
    "FR": "France",
    "GB": "United Kingdom",
    "HU": "Hungary",
    "IE": "Ireland",
    "IT": "Italy",
    "NL": "Netherlands",
    "PT": "Portugal",
    "SK": "Slovakia",
    "UA": "Ukraine",
    "US": "United States",
}


hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1a5fb4."))


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a known time zone."),
            code="unknown_time_zone",
            params={"value": value},
        )


def validate_languages(value: object) -> None:
    known = {code for code, _name in settings.KOPA_CONTENT_LANGUAGES}
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("List at least one language code."), code="invalid")
    unknown = sorted(set(value) - known)
    if unknown:
        raise ValidationError(
            _("Unsupported language: %(codes)s."),
            code="unknown_language",
            params={"codes": ", ".join(unknown)},
        )


def _default_languages() -> list[str]:
    return ["en"]


class Organisation(models.Model):
    """A municipality (or another public body) running participation on this install."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    country = models.CharField(
        _("country"), max_length=2, choices=sorted(COUNTRIES.items(), key=lambda c: c[1])
    )
    region = models.CharField(_("region"), max_length=120, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Riga", validators=[validate_time_zone]
    )
    languages = models.JSONField(
        _("languages"),
        default=_default_languages,
        validators=[validate_languages],
        help_text=_("Language codes offered to residents, the first being the default."),
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=[(c, c) for c in CURRENCIES], default="EUR"
    )
    is_capital = models.BooleanField(_("capital city"), default=False)
    website = models.URLField(_("website"), blank=True)
    brand_colour = models.CharField(
        _("brand colour"), max_length=7, default="#1a5fb4", validators=[hex_colour]
    )
    logo = models.ImageField(
        _("logo"),
        upload_to="organisations/logos/",
        blank=True,
        help_text=_("Shown in the page header; a wide PNG or JPEG, about 200 by 60 px."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def minor_unit_digits(self) -> int:
        return CURRENCIES[self.currency]


class District(models.Model):
    """An area of the city residents live in; budget rounds may give each its own budget."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="districts"
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="district_unique_slug")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    MODERATOR = "moderator", _("Moderator")
    REVIEWER = "reviewer", _("Reviewer (feasibility and cost)")
    OFFICER = "officer", _("Officer (paper ballots)")


class Membership(models.Model):
    """A staff role a user holds in one organisation. One row per role."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation", "user", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_known_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.organisation}"


class Residence(models.Model):
    """Where a resident lives within an organisation; used only for eligibility."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="residences"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="residences"
    )
    district = models.ForeignKey(
        District, on_delete=models.SET_NULL, null=True, blank=True, related_name="residences"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("residence")
        verbose_name_plural = _("residences")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="residence_one_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.district or self.organisation}"

    def clean(self) -> None:
        if self.district_id and self.district.organisation_id != self.organisation_id:
            raise ValidationError(
                {"district": _("This district belongs to another organisation.")},
                code="wrong_organisation",
            )
