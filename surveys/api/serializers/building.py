"""Serializers of the staff build endpoints: a definition and settings in, a survey out.

The inputs check the shape of a request (types, lengths, which kinds exist) and turn the
slugs of a budget round or a process into ids of the survey's organisation; the services
(``surveys.definitions``, ``surveys.services.building``) check everything else and name
each problem by its path (``sections.0.questions.2.settings.max_picks``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from engagement.content.languages import language_codes, validate_translations
from engagement.http.api import Input
from engagement.people.models import Organisation
from surveys import definitions, questions
from surveys.models import QuestionKind, ResultsVisibility, Survey, SurveyPurpose, SurveyState
from surveys.permissions import current_state
from surveys.services import building


def _translations_field(name: str, fields: tuple[str, ...], example: dict) -> type:
    """A ``translations`` field of these text fields, checked as the models check them."""
    entry = {
        "type": "object",
        "properties": {f: {"type": "string", "pattern": r"^[^\x00]*$"} for f in fields},
        "additionalProperties": False,
    }

    @extend_schema_field(
        {
            "type": "object",
            "properties": {code: entry for code in sorted(language_codes())},
            "additionalProperties": False,
            "example": example,
            "description": f"{', '.join(fields)} in other languages, keyed by language code.",
        }
    )
    class Translations(serializers.JSONField):
        def to_internal_value(self, data: Any) -> Any:
            value = super().to_internal_value(data)
            try:
                validate_translations(value, fields=fields)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(
                    [serializers.ErrorDetail(m, code="invalid_translations") for m in exc.messages]
                ) from None
            if any("\x00" in text for entry in value.values() for text in entry.values()):
                raise serializers.ValidationError(
                    _("Null characters are not allowed."), code="null_characters_not_allowed"
                )
            return value

    Translations.__name__ = name
    return Translations


SurveyTranslations = _translations_field(
    "SurveyTranslations", definitions.SURVEY_TRANSLATED, {"pl": {"title": "Ankieta"}}
)
SectionTranslations = _translations_field(
    "SectionTranslations", definitions.SECTION_TRANSLATED, {"pl": {"title": "O tobie"}}
)
QuestionTranslations = _translations_field(
    "QuestionTranslations", definitions.QUESTION_TRANSLATED, {"pl": {"text": "Jak często?"}}
)
OptionTranslations = _translations_field(
    "OptionTranslations", definitions.OPTION_TRANSLATED, {"pl": {"text": "Często"}}
)


_BOUND = {"type": "number", "minimum": -1e15 + 1, "maximum": 1e15 - 1}
_BOUND_OR_DAY = {"anyOf": [_BOUND, {"type": "string", "format": "date"}], "nullable": True}


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            "allow_other": {"type": "boolean"},
            "min_picks": {"type": "integer", "minimum": 0},
            "max_picks": {"type": "integer", "minimum": 1},
            "max_length": {"type": "integer", "minimum": 1},
            "scale_min": {"type": "integer", "enum": [0, 1]},
            "scale_max": {"type": "integer", "enum": [5, 7, 10]},
            "low_label": {"type": "string", "maxLength": questions.LABEL_MAX},
            "high_label": {"type": "string", "maxLength": questions.LABEL_MAX},
            "rank_count": {"type": "integer", "minimum": 1},
            "min": _BOUND_OR_DAY,
            "max": _BOUND_OR_DAY,
            "integer": {"type": "boolean"},
            "unit": {"type": "string", "maxLength": questions.UNIT_MAX},
        },
        "additionalProperties": False,
        "example": {"scale_min": 1, "scale_max": 5, "low_label": "Not at all"},
        "description": "By kind (others are refused, code unknown_setting): single_choice "
        "allow_other; multiple_choice min_picks, max_picks, allow_other; short_text/long_text "
        "max_length (at most 500/20000); scale/matrix scale_min and scale_max (1-5, 1-7 or "
        "0-10), low_label, high_label; ranking rank_count; number min, max (numbers), "
        "integer, unit; date min, max (YYYY-MM-DD).",
    }
)
class SettingsField(serializers.JSONField):
    pass


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "properties": {
            "question": {"type": "string", "minLength": 1},
            "options": {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 1,
                "uniqueItems": True,
            },
            "min": _BOUND,
            "max": _BOUND,
        },
        "required": ["question"],
        "additionalProperties": False,
        "example": {"question": "q1", "options": ["o2"]},
        "description": 'Shown only when an EARLIER answer matches: {"question": "<code>", '
        '"options": ["<option code>", ...]} for a choice or profile question, '
        '{"question": "<code>", "min": x, "max": y} for a scale or number. Null: always.',
    }
)
class ConditionField(serializers.JSONField):
    pass


class OptionInput(Input):
    code = serializers.SlugField(
        max_length=definitions.OPTION_CODE_MAX,
        required=False,
        allow_blank=True,
        help_text="Unique in the question; o1, o2… when empty.",
    )
    text = serializers.CharField(max_length=definitions.OPTION_TEXT_MAX)
    translations = OptionTranslations(required=False)


class QuestionInput(Input):
    code = serializers.SlugField(
        max_length=definitions.QUESTION_CODE_MAX,
        required=False,
        allow_blank=True,
        help_text="Unique in the survey; q1, q2… when empty.",
    )
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    text = serializers.CharField(max_length=definitions.QUESTION_TEXT_MAX)
    help_text = serializers.CharField(
        max_length=definitions.HELP_TEXT_MAX, allow_blank=True, required=False
    )
    translations = QuestionTranslations(required=False)
    required = serializers.BooleanField(required=False)
    shuffle_options = serializers.BooleanField(required=False)
    prefill = serializers.BooleanField(
        required=False, help_text="Profile questions: prefill from the resident's profile."
    )
    settings = SettingsField(required=False)
    condition = ConditionField(required=False, allow_null=True)
    options = OptionInput(
        many=True,
        required=False,
        max_length=100,
        help_text="Choice, ranking and matrix questions: two or more (matrix: its rows). "
        "Profile questions: generated from the organisation, whatever is sent.",
    )


class SectionInput(Input):
    title = serializers.CharField(
        max_length=definitions.TITLE_MAX, allow_blank=True, required=False
    )
    description = serializers.CharField(
        max_length=definitions.DESCRIPTION_MAX, allow_blank=True, required=False
    )
    translations = SectionTranslations(required=False)
    questions = QuestionInput(many=True, required=False, max_length=definitions.MAX_QUESTIONS)


class DefinitionInput(Input):
    """A whole survey: settings and structure (``surveys.definitions``)."""

    title = serializers.CharField(max_length=definitions.TITLE_MAX)
    description = serializers.CharField(
        max_length=definitions.DESCRIPTION_MAX, allow_blank=True, required=False
    )
    translations = SurveyTranslations(required=False)
    purpose = serializers.ChoiceField(choices=SurveyPurpose.choices, required=False)
    anonymous_allowed = serializers.BooleanField(required=False)
    responses_editable = serializers.BooleanField(required=False)
    results_visibility = serializers.ChoiceField(choices=ResultsVisibility.choices, required=False)
    min_age = serializers.IntegerField(min_value=0, max_value=120, allow_null=True, required=False)
    residence_required = serializers.BooleanField(required=False)
    verified_email_required = serializers.BooleanField(required=False)
    sections = SectionInput(many=True, required=False, max_length=definitions.MAX_SECTIONS)


def _linked_id(organisation: Organisation, name: str, slug: str | None) -> int | None:
    """The id of the organisation's budget round or process called ``slug``."""
    if not slug:
        return None
    model = Survey._meta.get_field(name).related_model
    found = (
        model.objects.filter(slug=slug, organisation=organisation)  # type: ignore[union-attr]
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        message = {
            "budget_round": _("This organisation has no such budget round."),
            "process": _("This organisation has no such participatory process."),
        }[name]
        raise serializers.ValidationError(
            {name: [serializers.ErrorDetail(str(message), code="does_not_exist")]}
        )
    return found


class _Links(Input):
    budget_round = serializers.SlugField(
        max_length=120, required=False, allow_null=True, help_text="A round of the organisation."
    )
    process = serializers.SlugField(
        max_length=120,
        required=False,
        allow_null=True,
        help_text="A participatory process of the organisation.",
    )

    def links(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """``budget_round``/``process`` slugs as ``*_id`` of ``context["organisation"]``."""
        organisation = self.context["organisation"]
        found = {}
        for name in ("budget_round", "process"):
            if name in attrs:
                found[f"{name}_id"] = _linked_id(organisation, name, attrs.pop(name))
        return found


class SurveyCreateInput(_Links):
    schema_rules = {
        "oneOf": [
            {"required": ["definition"], "not": {"required": ["template"]}},
            {"required": ["template"], "not": {"required": ["definition"]}},
        ]
    }

    definition = DefinitionInput(required=False, help_text="The whole survey.")
    template = serializers.CharField(
        max_length=40, required=False, help_text="Or start from a built-in template (its key)."
    )
    title = serializers.CharField(
        max_length=definitions.TITLE_MAX,
        required=False,
        help_text="With a template: the title (default: the template's).",
    )
    slug = serializers.SlugField(
        max_length=definitions.SLUG_MAX,
        required=False,
        help_text="The survey's address; made from the title when absent.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("definition" in attrs) == ("template" in attrs):
            raise serializers.ValidationError(
                {
                    "definition": [
                        serializers.ErrorDetail(
                            str(_("Send a definition or a template, not both.")),
                            code="invalid",
                        )
                    ]
                }
            )
        attrs.update(self.links(attrs))
        return attrs


class SurveySettingsInput(_Links):
    """What staff may change of a survey at any time (all optional)."""

    title = serializers.CharField(max_length=definitions.TITLE_MAX, required=False)
    description = serializers.CharField(
        max_length=definitions.DESCRIPTION_MAX, allow_blank=True, required=False
    )
    translations = SurveyTranslations(required=False)
    purpose = serializers.ChoiceField(choices=SurveyPurpose.choices, required=False)
    opens_at = serializers.DateTimeField(required=False, allow_null=True)
    closes_at = serializers.DateTimeField(required=False, allow_null=True)
    anonymous_allowed = serializers.BooleanField(required=False)
    invitation_required = serializers.BooleanField(required=False)
    min_age = serializers.IntegerField(min_value=0, max_value=120, allow_null=True, required=False)
    residence_required = serializers.BooleanField(required=False)
    verified_email_required = serializers.BooleanField(required=False)
    responses_editable = serializers.BooleanField(required=False)
    results_visibility = serializers.ChoiceField(choices=ResultsVisibility.choices, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs.update(self.links(attrs))
        return attrs


class SurveyDuplicateInput(Input):
    slug = serializers.SlugField(
        max_length=definitions.SLUG_MAX,
        required=False,
        help_text="The copy's address; made from the title when absent.",
    )


class SurveyBuildOutput(serializers.ModelSerializer):
    """A survey as its builders see it: settings, state, and whether answers lock it."""

    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    budget_round = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    process = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    state_in_force = serializers.SerializerMethodField(
        help_text="The state now: a scheduled survey past its opening time is open, an open "
        "one past its closing time closed."
    )
    responses = serializers.SerializerMethodField(help_text="Responses, drafts included.")
    locked = serializers.SerializerMethodField(
        help_text="Answers exist: the structure is locked; texts can still be corrected."
    )

    class Meta:
        model = Survey
        fields = [
            "slug",
            "title",
            "description",
            "translations",
            "organisation",
            "purpose",
            "template",
            "budget_round",
            "process",
            "state",
            "state_in_force",
            "opens_at",
            "closes_at",
            "anonymous_allowed",
            "invitation_required",
            "min_age",
            "residence_required",
            "verified_email_required",
            "responses_editable",
            "results_visibility",
            "responses",
            "locked",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=SurveyState.choices))
    def get_state_in_force(self, obj: Survey) -> str:
        return current_state(obj)

    def get_responses(self, obj: Survey) -> int:
        return building.response_count(obj)

    def get_locked(self, obj: Survey) -> bool:
        return building.is_locked(obj)


class OptionOutput(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    translations = serializers.DictField(child=serializers.DictField(child=serializers.CharField()))


class QuestionOutput(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    text = serializers.CharField()
    help_text = serializers.CharField()
    translations = serializers.DictField(child=serializers.DictField(child=serializers.CharField()))
    required = serializers.BooleanField()
    shuffle_options = serializers.BooleanField()
    prefill = serializers.BooleanField()
    settings = serializers.DictField()
    condition = serializers.DictField(allow_null=True)
    options = OptionOutput(many=True)


class SectionOutput(serializers.Serializer):
    title = serializers.CharField()
    description = serializers.CharField()
    translations = serializers.DictField(child=serializers.DictField(child=serializers.CharField()))
    questions = QuestionOutput(many=True)


class DefinitionOutput(serializers.Serializer):
    """The whole survey as a definition: what creating a survey from it makes again."""

    title = serializers.CharField()
    description = serializers.CharField()
    translations = serializers.DictField(child=serializers.DictField(child=serializers.CharField()))
    purpose = serializers.ChoiceField(choices=SurveyPurpose.choices)
    anonymous_allowed = serializers.BooleanField()
    responses_editable = serializers.BooleanField()
    results_visibility = serializers.ChoiceField(choices=ResultsVisibility.choices)
    min_age = serializers.IntegerField(allow_null=True)
    residence_required = serializers.BooleanField()
    verified_email_required = serializers.BooleanField()
    sections = SectionOutput(many=True)
