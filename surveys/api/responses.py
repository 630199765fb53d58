"""Endpoints of responses: send one (signed in or, where allowed, anonymously), and the
signed-in person's own draft or response. Each call goes through
``surveys.services.responding``: the same rules, messages and rate limit as the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from engagement.http.api import IsAuthenticated
from surveys import selectors
from surveys.api.serializers.responses import (
    SurveyAnonymousReceiptOutput,
    SurveyNotEligibleOutput,
    SurveyOwnResponseInput,
    SurveyOwnResponseOutput,
    SurveyResponseInput,
)
from surveys.api.surveys import NOT_FOUND
from surveys.models import Response as SurveyResponse
from surveys.models import Survey
from surveys.services import responding

BAD_REQUEST = OpenApiResponse(
    description='Field errors. Answers per question: {"answers": {"q4": ["Choose a value '
    'from 1 to 5."]}}; otherwise under "survey" (closed, not_open), "status" '
    '(already_answered, already_submitted), "form_token" (required, invalid, expired, '
    'spent) or "invitation_code" (required, invalid); codes in "error_codes". Nothing of a '
    "refused response is stored."
)
FORBIDDEN = OpenApiResponse(
    SurveyNotEligibleOutput,
    description="Not eligible: the reasons (not_signed_in, email_not_verified, age_unknown, "
    "too_young, not_resident), each with its message.",
)
THROTTLED = OpenApiResponse(description="Too many responses from this person or address.")


def _answering(call: Callable[[], Any]) -> Any:
    """Run a service call; its refusals as the API answers them."""
    try:
        return call()
    except responding.AnswersInvalid as invalid:
        raise exceptions.ValidationError(
            {
                "answers": {
                    code: [ErrorDetail(message, code="invalid_answer") for message in messages]
                    for code, messages in invalid.by_question.items()
                }
            }
        ) from None
    except responding.NotEligible as refused:
        raise exceptions.PermissionDenied(
            {"detail": str(refused), "reasons": refused.reasons}
        ) from None
    except responding.TooManyResponses as refused:
        raise exceptions.Throttled(wait=refused.wait) from None


def own_response_data(survey: Survey, request: Request) -> dict[str, Any]:
    response = SurveyResponse.objects.filter(survey=survey, respondent=request.user).first()
    if response is None:
        return {
            "status": None,
            "answers": responding.prefill(survey, request.user),
            "submitted_on": None,
            "updated_on": None,
            "editable": True,
        }
    return {
        "status": response.status,
        "answers": response.answers,
        "submitted_on": response.submitted_on,
        "updated_on": response.updated_on,
        "editable": response.status == "draft" or responding.may_change(survey, response),
    }


class SurveyResponses(APIView):
    error_codes_in_body = True  # read by engagement.http.api.api_exception_handler

    @extend_schema(
        operation_id="surveys_responses_create",
        summary="Send a response",
        description="Signed in: one response per person; sending again changes it where "
        "the survey allows changes (200). Without an account (where the survey allows it): "
        "`form_token` from the survey's detail, single use; nothing identifying is stored and "
        'the answer is only `{"status": "submitted"}`. `invitation_code` where the survey '
        "requires one. Rate-limited per person or address (scope `survey_response`).",
        request=SurveyResponseInput,
        responses={
            201: OpenApiResponse(
                SurveyOwnResponseOutput,
                description="Stored (signed in: the response; anonymous: "
                '{"status": "submitted"}, see AnonymousReceipt).',
            ),
            200: SurveyOwnResponseOutput,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            429: THROTTLED,
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        survey = selectors.visible_survey(request.user, slug)
        data = SurveyResponseInput(data=request.data)
        data.is_valid(raise_exception=True)
        submitted = _answering(
            lambda: responding.submit(
                survey,
                data.validated_data["answers"],
                actor=request.user,
                form_token=data.validated_data.get("form_token"),
                invitation_code=data.validated_data.get("invitation_code"),
                client=request,
            )
        )
        code = status.HTTP_200_OK if submitted.changed else status.HTTP_201_CREATED
        if not request.user.is_authenticated:
            return Response(SurveyAnonymousReceiptOutput({"status": "submitted"}).data, status=code)
        return Response(
            SurveyOwnResponseOutput(own_response_data(survey, request)).data, status=code
        )


class OwnResponse(APIView):
    permission_classes = [IsAuthenticated]
    error_codes_in_body = True

    @extend_schema(
        operation_id="surveys_responses_mine",
        summary="My draft or response (or the profile's prefill when there is none)",
        responses={200: SurveyOwnResponseOutput, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> Response:
        survey = selectors.visible_survey(request.user, slug)
        return Response(SurveyOwnResponseOutput(own_response_data(survey, request)).data)

    @extend_schema(
        operation_id="surveys_responses_mine_update",
        summary="Save my draft, or send (change) my response",
        description='`"submit": false` keeps the answers as a draft (each must fit its '
        'question; none is required yet); `"submit": true` sends them (201 the first time, '
        "200 for a change).",
        request=SurveyOwnResponseInput,
        responses={
            200: SurveyOwnResponseOutput,
            201: SurveyOwnResponseOutput,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            429: THROTTLED,
        },
    )
    def put(self, request: Request, slug: str) -> Response:
        survey = selectors.visible_survey(request.user, slug)
        data = SurveyOwnResponseInput(data=request.data)
        data.is_valid(raise_exception=True)
        answers = data.validated_data["answers"]
        code = status.HTTP_200_OK
        if data.validated_data["submit"]:
            submitted = _answering(
                lambda: responding.submit(
                    survey,
                    answers,
                    actor=request.user,
                    invitation_code=data.validated_data.get("invitation_code"),
                    client=request,
                )
            )
            code = status.HTTP_200_OK if submitted.changed else status.HTTP_201_CREATED
        else:
            _answering(lambda: responding.save_draft(survey, answers, actor=request.user))
        return Response(
            SurveyOwnResponseOutput(own_response_data(survey, request)).data, status=code
        )
