"""Account page forms. They check the shape of the input; the services write and decide.

The profile form applies the same rules as ``/api/v1/me/`` (``engagement.people.api.MeInput``):
display name up to 80 characters, birth year and target groups as the resident profile
validates them. Errors the services raise are put back on the fields by
:func:`add_service_errors`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from engagement.notifications.models import EmailDigest
from engagement.people.models import ResidentProfile, TargetGroup, User


def _language_choices() -> list[tuple[str, str]]:
    choices = [("", _("The language of the page I am reading"))]
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        choices.append((code, f"{info['name_local']} ({info['name_translated']})"))
    return choices


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        required=False,
        help_text=User._meta.get_field("display_name").help_text,
    )
    language = forms.ChoiceField(
        label=_("Preferred language"),
        required=False,
        help_text=_("Used for the pages you see and the e-mails we send you."),
    )
    birth_year = forms.IntegerField(
        label=_("Birth year"),
        required=False,
        # The profile's own validators (1900 onwards, not in the future).
        validators=ResidentProfile._meta.get_field("birth_year").validators,
        help_text=ResidentProfile._meta.get_field("birth_year").help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "bday-year"}),
    )
    target_groups = forms.MultipleChoiceField(
        label=_("Groups you belong to"),
        choices=TargetGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Optional. Counted only in anonymous statistics, so the city can see who takes part."
        ),
    )

    def __init__(self, *args: Any, organisations: list[Any] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = _language_choices()
        self.fields["display_name"].widget.attrs["autocomplete"] = "nickname"
        # One "where do you live" choice per organisation that has districts.
        self.residence_fields: list[tuple[Any, str]] = []
        for organisation in organisations or []:
            name = f"district_{organisation.slug}"
            self.fields[name] = forms.ChoiceField(
                label=_("Your district in %(organisation)s") % {"organisation": organisation.name},
                required=False,
                choices=[("", _("Not set"))]
                + [(district.slug, district.name) for district in organisation.districts.all()],
                help_text=_("Some votes are only for the residents of a district."),
            )
            self.residence_fields.append((organisation, name))

    def residence_bound_fields(self) -> list[forms.BoundField]:
        return [self[name] for _organisation, name in self.residence_fields]


class NotificationPreferencesForm(forms.Form):
    """One in-app and one e-mail switch per event group, and the e-mail digest."""

    email_digest = forms.ChoiceField(
        label=_("E-mails"),
        choices=[
            (EmailDigest.IMMEDIATE, _("Send me an e-mail for the events I chose below")),
            (EmailDigest.NONE, _("Send me no e-mails at all")),
        ],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, groups: list[dict[str, Any]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.groups = groups
        self.rows: list[dict[str, Any]] = []
        for group in groups:
            key = group["group"]
            in_app = forms.BooleanField(
                label=_("%(group)s: in the app") % {"group": group["label"]}, required=False
            )
            if group["in_app_required"]:
                # Moderation notices are always listed; the box shows it and cannot change it.
                in_app.disabled = True
            self.fields[f"{key}__in_app"] = in_app
            self.fields[f"{key}__email"] = forms.BooleanField(
                label=_("%(group)s: by e-mail") % {"group": group["label"]}, required=False
            )
            self.rows.append(
                {
                    "group": group,
                    "in_app": self[f"{key}__in_app"],
                    "email": self[f"{key}__email"],
                }
            )

    @staticmethod
    def initial_from(preferences: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {"email_digest": preferences["email_digest"]}
        for group in preferences["groups"]:
            initial[f"{group['group']}__in_app"] = group["in_app"] or group["in_app_required"]
            initial[f"{group['group']}__email"] = group["email"]
        return initial

    def group_changes(self) -> dict[str, dict[str, bool]]:
        """``{"<group>": {"in_app": bool, "email": bool}}`` for preferences_update."""
        changes: dict[str, dict[str, bool]] = {}
        for group in self.groups:
            key = group["group"]
            choice = {"email": self.cleaned_data[f"{key}__email"]}
            if not group["in_app_required"]:
                choice["in_app"] = self.cleaned_data[f"{key}__in_app"]
            changes[key] = choice
        return changes


class AccountDeleteForm(forms.Form):
    """Deleting the account: the password, and a plain statement that it is final."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    understood = forms.BooleanField(
        label=_("I understand that my account is deleted for good and cannot be restored."),
        error_messages={"required": _("Tick this box to confirm that you want to delete it.")},
    )
