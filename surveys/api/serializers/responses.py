"""Serializers of responses: answers in (the contract's value formats), a response out."""

from __future__ import annotations

from rest_framework import serializers

from engagement.http.api import Input
from surveys.models import ResponseStatus

ANSWERS_HELP = (
    'Question code -> value: "o2" (single choice, district, age band), ["o1", "o3"] '
    '(multiple choice, target groups), {"other": "text"} or ["o1", {"other": "text"}] '
    '(with "other"), "text", 4 (scale), ["o3", "o1"] (ranking, best first), '
    '{"o1": 4, "o2": 5} (matrix rows), 12.5 (number), "2026-05-01" (date). Missing or null: '
    "unanswered."
)


class AnswersField(serializers.DictField):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(
            child=serializers.JSONField(allow_null=True), help_text=ANSWERS_HELP, **kwargs
        )


class SurveyResponseInput(Input):
    answers = AnswersField()
    form_token = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=400,
        help_text="Without an account: the form_token of the survey's detail.",
    )
    invitation_code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="Where the survey requires one: the single-use code given to you.",
    )


class SurveyOwnResponseInput(Input):
    answers = AnswersField()
    submit = serializers.BooleanField(
        default=False,
        help_text="false: keep as a draft (nothing required yet); true: send the answers.",
    )
    invitation_code = serializers.CharField(required=False, allow_blank=True, max_length=40)


class SurveyOwnResponseOutput(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=ResponseStatus.choices,
        allow_null=True,
        help_text="null: nothing saved yet (answers then hold the profile's prefill).",
    )
    answers = serializers.DictField(child=serializers.JSONField(allow_null=True))
    submitted_on = serializers.DateField(allow_null=True)
    updated_on = serializers.DateField(allow_null=True)
    editable = serializers.BooleanField(help_text="Whether the answers may still be changed.")


class SurveyAnonymousReceiptOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=[ResponseStatus.SUBMITTED])


class SurveyReasonOutput(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class SurveyNotEligibleOutput(serializers.Serializer):
    detail = serializers.CharField()
    reasons = SurveyReasonOutput(
        many=True, required=False, help_text="When the person may not answer: why."
    )
