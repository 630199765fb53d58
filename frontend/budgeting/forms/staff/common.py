"""What the staff forms of a round share: service errors onto fields, choices with their
explanations, and translated titles and descriptions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from engagement.people.models import Organisation


def choices_with_help(
    choices: list[tuple[str, str]], helps: Mapping[str, Any]
) -> list[dict[str, str]]:
    """Choices with their plain-words explanation, for the template's description list."""
    return [{"value": v, "label": label, "help": helps.get(v, "")} for v, label in choices]


def other_languages(organisation: Organisation) -> list[tuple[str, str]]:
    """Languages staff may translate into: every offered language but the default one."""
    offered = list(organisation.languages or ["en"])
    others = [(code, name) for code, name in settings.LANGUAGES if code != offered[0]]
    # The organisation's own languages first: those are the ones its residents read.
    return sorted(others, key=lambda item: item[0] not in offered)


class TranslatedContentMixin:
    """Title/description translation fields and read-only locked fields, for a ``Form``.

    Shared by the round and project forms: one title + description pair per language other
    than the organisation's default (``title_<code>``, ``description_<code>``), gathered
    back into the ``translations`` JSON the services validate.
    """

    organisation: Organisation
    fields: dict[str, Any]
    cleaned_data: dict[str, Any]
    data: Any
    initial: dict[str, Any]

    def add_translation_fields(
        self, organisation: Organisation, existing: dict[str, Any] | None, title_max_length: int
    ) -> None:
        self.organisation = organisation
        self.existing_translations = dict(existing or {})
        self.languages = other_languages(organisation)
        for code, name in self.languages:
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title in %(language)s") % {"language": name},
                max_length=title_max_length,
                required=False,
            )
            self.fields[f"description_{code}"] = forms.CharField(
                label=_("Description in %(language)s") % {"language": name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    @staticmethod
    def translation_initial(translations: dict[str, Any] | None) -> dict[str, str]:
        initial = {}
        for code, entry in (translations or {}).items():
            for name in ("title", "description"):
                if entry.get(name):
                    initial[f"{name}_{code}"] = entry[name]
        return initial

    def lock_fields(self, names: set[str]) -> None:
        self.locked = {name for name in names if name in self.fields}
        for name in self.locked:
            self.fields[name].disabled = True
        self.submitted_locked: dict[str, Any] = {}

    def collect_submitted_locked(self) -> None:
        # A locked field sent anyway (an old tab, a crafted request) goes to the service,
        # which refuses it: the page must not silently keep the old value.
        for name in self.locked:
            if name not in self.data:
                continue
            field = self.fields[name]
            try:
                value = field.to_python(field.widget.value_from_datadict(self.data, {}, name))
            except ValidationError:
                continue
            if value != self.initial.get(name):
                self.submitted_locked[name] = value

    def translations(self) -> dict[str, dict[str, str]]:
        """The translation fields as ``translations`` JSON (empty ones left out).

        Languages the page does not offer (e.g. the default one, set through the API) are kept.
        """
        offered = {code for code, _name in self.languages}
        existing = self.existing_translations
        result = {code: entry for code, entry in existing.items() if code not in offered}
        for code in sorted(offered):
            entry = {
                name: self.cleaned_data.get(f"{name}_{code}", "").strip()
                for name in ("title", "description")
            }
            entry = {k: v for k, v in entry.items() if v}
            if entry:
                result[code] = entry
        return result

    def translation_rows(self) -> list[dict[str, Any]]:
        rows = []
        for code, name in self.languages:
            title, description = self[f"title_{code}"], self[f"description_{code}"]  # type: ignore[index]
            filled = any(bool(b.value()) or bool(b.errors) for b in (title, description))
            rows.append(
                {
                    "code": code,
                    "name": name,
                    "title": title,
                    "description": description,
                    "open": filled,
                    "offered": code in (self.organisation.languages or []),
                }
            )
        return rows
