"""Staff-translated content fields: ``translations = {"pl": {"title": "…"}, …}`` on a model.

The base fields (``title``, ``description``) hold the organisation's default language; a
translation only overrides the fields it has. Readers get their language, else the base.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _


def language_codes() -> set[str]:
    """Languages a translation may be stored in (an organisation's content languages)."""
    return {code for code, _name in settings.KOPA_CONTENT_LANGUAGES}


def validate_translations(value: Any, *, fields: tuple[str, ...]) -> None:
    """Raise ``ValidationError`` unless ``value`` maps known languages to known text fields."""
    if not isinstance(value, dict):
        raise ValidationError(_("Translations must be an object keyed by language code."))
    known = language_codes()
    for code, entry in value.items():
        if code not in known:
            raise ValidationError(
                _("%(code)s is not a language Kopa offers."), params={"code": code}
            )
        if not isinstance(entry, dict):
            raise ValidationError(_("Each translation must be an object of fields."))
        for name, text in entry.items():
            if name not in fields:
                raise ValidationError(_("%(name)s cannot be translated."), params={"name": name})
            if not isinstance(text, str):
                raise ValidationError(_("Translated fields must be text."))


def localised(instance: Any, field: str, language: str | None = None) -> str:
    """``instance.field`` in ``language`` (default: the active one), else the base text."""
    language = language or translation.get_language() or ""
    translations = getattr(instance, "translations", None) or {}
    for code in (language, language.split("-")[0]):
        text = (translations.get(code) or {}).get(field)
        if text:
            return text
    return getattr(instance, field)


class TranslatedFieldsValidator:
    """Model-field validator for ``translations`` (deconstructible for migrations)."""

    def __init__(self, *fields: str) -> None:
        self.fields = fields

    def __call__(self, value: Any) -> None:
        validate_translations(value, fields=self.fields)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TranslatedFieldsValidator) and other.fields == self.fields

    def deconstruct(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        return ("engagement.content.languages.TranslatedFieldsValidator", self.fields, {})
