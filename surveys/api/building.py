"""Staff build surveys over the API: create (from a definition or a template), change
settings, read and replace the whole definition, duplicate, publish, close, reopen.

Only administrators of the survey's organisation; the role is checked before the body is
read. A draft is not found (404) by anyone who may not see it. Refusals are 400s with
codes (``error_codes``): the services name each problem of a definition by its path
(``sections.0.questions.1.condition.question``: ``condition_later``), and a change the
answers already given forbid with ``structure_locked``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from engagement.http.api import IsAuthenticated
from engagement.people.models import Organisation
from surveys import permissions
from surveys.api.serializers.building import (
    DefinitionInput,
    DefinitionOutput,
    SurveyBuildOutput,
    SurveyCreateInput,
    SurveyDuplicateInput,
    SurveySettingsInput,
)
from surveys.definitions import create_survey, definition_of, require_builder
from surveys.models import Survey
from surveys.services import building

BAD_REQUEST = OpenApiResponse(
    description='Field errors: {"<field or path>": ["message", ...], "error_codes": '
    '{"<field or path>": ["code", ...]}}. A definition\'s problems are keyed by their path '
    '("sections.0.questions.2.settings.max_picks"); a change refused because people have '
    'answered has the code structure_locked; a state change, its reason under "state".'
)
FORBIDDEN = OpenApiResponse(description="Not signed in, or not an administrator here.")
NOT_FOUND = OpenApiResponse(
    description="No such survey or organisation (or a draft you may not see)."
)


class BuildView(APIView):
    permission_classes = [IsAuthenticated]
    error_codes_in_body = True  # read by engagement.http.api.api_exception_handler


def survey_for_builder(request: Request, slug: str) -> Survey:
    """The survey, if the visitor may see it (else 404) and build it (else 403)."""
    survey = get_object_or_404(Survey.objects.select_related("organisation"), slug=slug)
    if not permissions.is_visible(request.user, survey):
        raise Http404
    require_builder(request.user, survey.organisation)
    return survey


def _output(survey: Survey) -> dict[str, Any]:
    survey = Survey.objects.select_related("organisation", "budget_round", "process").get(
        pk=survey.pk
    )
    return SurveyBuildOutput(survey).data


class OrganisationSurveys(BuildView):
    @extend_schema(
        operation_id="organisations_surveys_create",
        summary="Create a survey (organisation administrators)",
        description="From a whole `definition` (see the definition endpoint), or from a "
        "built-in `template` (optionally with a `title`). The survey starts as a draft. "
        "Nothing is stored unless all of it is valid.",
        request=SurveyCreateInput,
        responses={201: SurveyBuildOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, slug: str) -> Response:
        organisation = get_object_or_404(Organisation, slug=slug)
        require_builder(request.user, organisation)
        data = SurveyCreateInput(data=request.data, context={"organisation": organisation})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        links = {k: values[k] for k in ("budget_round_id", "process_id") if k in values}
        if "template" in values:
            survey = building.survey_create(
                actor=request.user,
                organisation=organisation,
                title=values.get("title", ""),
                template=values["template"],
                slug=values.get("slug"),
                **links,
            )
        else:
            survey = create_survey(
                organisation,
                values["definition"],
                actor=request.user,
                slug=values.get("slug"),
                **links,
            )
        return Response(_output(survey), status=status.HTTP_201_CREATED)


class SurveySettings(BuildView):
    @extend_schema(
        operation_id="surveys_settings_update",
        summary="Change a survey's settings (administrators)",
        description="Texts and translations, purpose, the linked round or process (of the "
        "same organisation), opening and closing times, who may answer, results. Allowed "
        "at any time.",
        request=SurveySettingsInput,
        responses={200: SurveyBuildOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request: Request, slug: str) -> Response:
        survey = survey_for_builder(request, slug)
        data = SurveySettingsInput(
            data=request.data, partial=True, context={"organisation": survey.organisation}
        )
        data.is_valid(raise_exception=True)
        survey = building.survey_update(actor=request.user, survey=survey, **data.validated_data)
        return Response(_output(survey))


class SurveyDefinition(BuildView):
    @extend_schema(
        operation_id="surveys_definition_retrieve",
        summary="The whole survey as a definition (administrators)",
        responses={200: DefinitionOutput, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> Response:
        survey = survey_for_builder(request, slug)
        return Response(DefinitionOutput(definition_of(survey)).data)

    @extend_schema(
        operation_id="surveys_definition_replace",
        summary="Replace the whole survey (administrators)",
        description="Settings and structure at once. Once anyone has answered, only the "
        "wording may differ (texts, help texts, labels, translations); any other difference "
        "is refused at its path with the code structure_locked.",
        request=DefinitionInput,
        responses={200: DefinitionOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def put(self, request: Request, slug: str) -> Response:
        survey = survey_for_builder(request, slug)
        data = DefinitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        building.survey_definition_replace(
            actor=request.user, survey=survey, definition=data.validated_data
        )
        return Response(DefinitionOutput(definition_of(survey)).data)


class SurveyDuplicate(BuildView):
    @extend_schema(
        operation_id="surveys_duplicate",
        summary="Copy a survey into a new draft (administrators)",
        description="The same settings and structure, without responses.",
        request=SurveyDuplicateInput,
        responses={201: SurveyBuildOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, slug: str) -> Response:
        survey = survey_for_builder(request, slug)
        data = SurveyDuplicateInput(data=request.data)
        data.is_valid(raise_exception=True)
        copy = building.survey_duplicate(
            actor=request.user, survey=survey, slug=data.validated_data.get("slug")
        )
        return Response(_output(copy), status=status.HTTP_201_CREATED)


def _state_view(
    name: str, change: Callable[..., Survey], summary: str, description: str
) -> type[BuildView]:
    class StateChange(BuildView):
        @extend_schema(
            operation_id=f"surveys_{name}",
            summary=summary,
            description=description,
            request=None,
            responses={200: SurveyBuildOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
        )
        def post(self, request: Request, slug: str) -> Response:
            survey = survey_for_builder(request, slug)
            return Response(_output(change(actor=request.user, survey=survey)))

    StateChange.__name__ = StateChange.__qualname__ = f"Survey{name.title()}"
    return StateChange


SurveyPublish = _state_view(
    "publish",
    building.survey_publish,
    "Publish a draft (administrators)",
    "Scheduled if `opens_at` is in the future, else open at once. Needs a question.",
)
SurveyClose = _state_view(
    "close", building.survey_close, "Close an open survey (administrators)", "No more answers."
)
SurveyReopen = _state_view(
    "reopen",
    building.survey_reopen,
    "Reopen a closed survey (administrators)",
    "Refused once `closes_at` has passed: move it first.",
)
SurveyDraft = _state_view(
    "draft",
    building.survey_to_draft,
    "Make a survey a draft again (administrators)",
    "Only while nobody has answered.",
)
