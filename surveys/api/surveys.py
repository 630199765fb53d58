"""Endpoints of surveys as residents see them: the list of an organisation's surveys, and
one survey with its sections and questions (texts in the request's language)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from surveys import selectors
from surveys.api.serializers.surveys import SurveyDetailOutput, SurveyListQuery, SurveyOutput
from surveys.models import Survey
from surveys.services.responding import form_token_or_none

NOT_FOUND = OpenApiResponse(description="No such survey — or a draft the visitor may not see.")


class SurveyCollection(generics.GenericAPIView):
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Survey.objects.none()
        return selectors.surveys_visible_to(self.request.user)

    @extend_schema(
        operation_id="surveys_list",
        summary="Surveys the visitor may see",
        description="Past draft; drafts too for the organisation's staff. "
        "`?organisation=<slug>` for one organisation's surveys.",
        parameters=[SurveyListQuery],
        responses=SurveyOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        query = SurveyListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        surveys = selectors.surveys_visible_to(
            request.user, query.validated_data.get("organisation")
        )
        page = self.paginate_queryset(surveys)
        return self.get_paginated_response(SurveyOutput(page, many=True).data)


class SurveyDetail(APIView):
    @extend_schema(
        operation_id="surveys_retrieve",
        summary="A survey: its sections, questions (code, kind, settings, condition) and "
        "options, in the request's language",
        description="For anonymous answering, `form_token` is to be sent back with the "
        "response. Answer formats: see the responses endpoint.",
        responses={200: SurveyDetailOutput, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> Response:
        survey = selectors.visible_survey(request.user, slug)
        context = {"form_token": form_token_or_none(survey, request.user)}
        return Response(SurveyDetailOutput(survey, context=context).data)
