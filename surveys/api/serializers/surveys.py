"""Serializers of the survey list and detail: texts in the reader's language."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from engagement.content.languages import localised
from surveys import permissions
from surveys.models import Question, Section, Survey, SurveyState
from surveys.selectors import localised_settings


class SurveyListQuery(serializers.Serializer):
    organisation = serializers.SlugField(
        max_length=80, required=False, help_text="The organisation's slug."
    )


class SurveyLinks(serializers.Serializer):
    self = serializers.CharField(help_text="This survey in the API.")
    page = serializers.CharField(help_text="Where residents answer it.")
    responses = serializers.CharField(help_text="POST a response here.")
    results = serializers.CharField(help_text="Its results (when published).")


def survey_links(survey: Survey) -> dict[str, str]:
    here = reverse("api:survey-detail", args=[survey.slug])
    return {
        "self": here,
        "page": survey.get_absolute_url(),
        "responses": reverse("api:survey-responses", args=[survey.slug]),
        "results": f"{here}results/",
    }


class SurveyOutput(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    title = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField(
        help_text="The state in force (opening and closing times included): draft, "
        "scheduled, open or closed."
    )
    results_public = serializers.SerializerMethodField(
        help_text="Whether anyone may read the results now."
    )
    links = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = [
            "slug",
            "title",
            "organisation",
            "state",
            "purpose",
            "opens_at",
            "closes_at",
            "anonymous_allowed",
            "invitation_required",
            "results_public",
            "links",
        ]
        read_only_fields = fields

    def get_title(self, obj: Survey) -> str:
        return localised(obj, "title")

    @extend_schema_field(serializers.ChoiceField(choices=SurveyState.choices))
    def get_state(self, obj: Survey) -> str:
        return permissions.current_state(obj)

    def get_results_public(self, obj: Survey) -> bool:
        return permissions.results_published(obj)

    @extend_schema_field(SurveyLinks)
    def get_links(self, obj: Survey) -> dict[str, str]:
        return survey_links(obj)


class SurveyOptionOutput(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()


class SurveyQuestionOutput(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.ChoiceField(choices=Question._meta.get_field("kind").choices)
    text = serializers.SerializerMethodField()
    help_text = serializers.SerializerMethodField()
    required = serializers.BooleanField()
    shuffle_options = serializers.BooleanField(
        help_text="Show the options in a random order (the same for one respondent)."
    )
    prefill = serializers.BooleanField(
        help_text="Profile questions: the form starts from the resident's profile."
    )
    settings = serializers.SerializerMethodField(
        help_text="What the kind needs: min_picks, max_picks, allow_other, max_length, "
        "scale_min, scale_max, low_label, high_label, rank_count, min, max, integer, unit."
    )
    condition = serializers.JSONField(
        allow_null=True,
        help_text='Shown only when an earlier answer matches: {"question": "q2", "options": '
        '["o1"]} or {"question": "q3", "min": 4, "max": 7}; null: always shown.',
    )
    options = serializers.SerializerMethodField(
        help_text="Choices, items to rank, or the rows of a matrix."
    )

    def get_text(self, obj: Question) -> str:
        return localised(obj, "text")

    def get_help_text(self, obj: Question) -> str:
        return localised(obj, "help_text")

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_settings(self, obj: Question) -> dict[str, Any]:
        return localised_settings(obj)

    @extend_schema_field(SurveyOptionOutput(many=True))
    def get_options(self, obj: Question) -> list[dict[str, str]]:
        return [
            {"code": option.code, "text": localised(option, "text")} for option in obj.options.all()
        ]


class SurveySectionOutput(serializers.Serializer):
    title = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    questions = SurveyQuestionOutput(many=True, source="questions.all")

    def get_title(self, obj: Section) -> str:
        return localised(obj, "title")

    def get_description(self, obj: Section) -> str:
        return localised(obj, "description")


class SurveyEligibilityOutput(serializers.Serializer):
    min_age = serializers.IntegerField(allow_null=True)
    residence_required = serializers.BooleanField()
    verified_email_required = serializers.BooleanField()


class SurveyDetailOutput(SurveyOutput):
    description = serializers.SerializerMethodField()
    eligibility = serializers.SerializerMethodField()
    sections = SurveySectionOutput(many=True, source="sections.all")
    form_token = serializers.SerializerMethodField(
        help_text="For answering without an account: send it back with the response "
        "(single use, valid for a day). Null when not needed."
    )

    class Meta(SurveyOutput.Meta):
        fields = [
            *SurveyOutput.Meta.fields,
            "description",
            "responses_editable",
            "eligibility",
            "sections",
            "form_token",
        ]
        read_only_fields = fields

    def get_description(self, obj: Survey) -> str:
        return localised(obj, "description")

    @extend_schema_field(SurveyEligibilityOutput)
    def get_eligibility(self, obj: Survey) -> dict[str, Any]:
        return {
            "min_age": obj.min_age,
            "residence_required": obj.residence_required,
            "verified_email_required": obj.verified_email_required,
        }

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_form_token(self, obj: Survey) -> str | None:
        return self.context.get("form_token")
