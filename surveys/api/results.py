"""A survey's results over the API: per question, cross-tabulated by group (suppressed),
free-text answers, and moderators hiding or showing one of them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from engagement.http.api import Input, IsAuthenticated, WholeNumberField
from surveys.models import Survey
from surveys.permissions import can_read_all_results, can_read_results, is_visible
from surveys.services import moderation, results

FORBIDDEN = OpenApiResponse(description="The survey does not (yet) publish its results.")
NOT_FOUND = OpenApiResponse(description="No such survey, or a draft the caller may not see.")
BAD_REQUEST = OpenApiResponse(description="A field-level message per bad parameter.")

ResultsOutput = inline_serializer(
    "SurveyResults",
    {
        "survey": serializers.CharField(),
        "responses": serializers.IntegerField(help_text="Submitted responses counted."),
        "questions": serializers.ListField(
            child=serializers.DictField(),
            help_text="Per question: code, kind, text, respondents and the figures of its "
            "kind (options with count and share, other; distribution, n, mean, median; "
            "average rank and Borda points; matrix rows; dates: unit (month, year or "
            "decade, by how far the answers spread) and periods (YYYY-MM, YYYY, or a "
            "decade's first year) with count, and n; text answers counted, hidden ones for "
            "staff).",
        ),
    },
)


def readable_survey(request: Request, slug: str) -> tuple[Survey, bool]:
    """The survey whose results the caller may read, and whether they are staff (who see
    hidden free text, marked). Drafts do not exist for others (404); results not published
    yet are refused (403)."""
    survey = get_object_or_404(Survey.objects.select_related("organisation"), slug=slug)
    if not is_visible(request.user, survey):
        raise Http404
    if not can_read_results(request.user, survey):
        raise PermissionDenied(_("The results of this survey are not published."))
    return survey, can_read_all_results(request.user, survey.organisation_id)


class CrossQuery(Input):
    question = serializers.SlugField(max_length=40)
    by = serializers.ChoiceField(
        choices=[
            ("district", _("District")),
            ("age_band", _("Age band")),
            ("target_group", _("Target group")),
        ]
    )


class TextQuery(Input):
    question = serializers.SlugField(max_length=40)
    search = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    page = WholeNumberField(min_value=1, max_value=100_000, required=False, default=1)


class SurveyResults(APIView):
    @extend_schema(
        operation_id="surveys_results",
        summary="A survey's results per question",
        description="Published results (live while open, or once closed, as the survey "
        "says) for anyone; staff of the organisation at any time, with hidden free-text "
        "answers counted apart. Answers are counted, not people: nothing here is suppressed "
        "(cross-tabulations by group are).",
        responses={200: ResultsOutput, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> Response:
        survey, staff = readable_survey(request, slug)
        return Response(
            results.survey_results(survey, include_hidden=staff, language=get_language())
        )


class SurveyCrossTab(APIView):
    error_codes_in_body = True  # read by engagement.http.api.api_exception_handler

    @extend_schema(
        operation_id="surveys_results_cross",
        summary="Respondents per option by district, age band or target group",
        description="Groups under the threshold are suppressed (count null, suppressed "
        "true), and so are the cells and totals that would let one be worked out by "
        "subtraction. Choice and profile questions only.",
        parameters=[CrossQuery],
        responses={200: OpenApiTypes.OBJECT, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> Response:
        survey, staff = readable_survey(request, slug)
        query = CrossQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(
            results.cross_tab(
                survey,
                query.validated_data["question"],
                query.validated_data["by"],
                include_hidden=staff,
            )
        )


class SurveyTextAnswers(APIView):
    error_codes_in_body = True  # read by engagement.http.api.api_exception_handler

    @extend_schema(
        operation_id="surveys_results_text",
        summary="Free-text answers of a question, latest written first, searchable",
        description="Twenty per page. Answers hidden by moderators are left out, except for "
        "staff of the organisation, who see them with hidden true.",
        parameters=[TextQuery],
        responses={200: OpenApiTypes.OBJECT, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> Response:
        survey, staff = readable_survey(request, slug)
        query = TextQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        return Response(
            results.text_answers(
                survey,
                data["question"],
                search=data["search"],
                include_hidden=staff,
                page=data["page"],
            )
        )


VISIBILITY_RESPONSES = {
    200: inline_serializer(
        "SurveyAnswerVisibility",
        {"id": serializers.IntegerField(), "hidden": serializers.BooleanField()},
    ),
    400: BAD_REQUEST,
    403: OpenApiResponse(description="Not a moderator of the organisation."),
    404: NOT_FOUND,
}


class _AnswerVisibility(APIView):
    permission_classes = [IsAuthenticated]
    hidden = True

    def post(self, request: Request, slug: str, answer_id: int) -> Response:
        survey = get_object_or_404(Survey.objects.select_related("organisation"), slug=slug)
        if not is_visible(request.user, survey):
            raise Http404
        answer = moderation.set_answer_hidden(
            survey, answer_id, hidden=self.hidden, actor=request.user
        )
        return Response({"id": answer.pk, "hidden": answer.hidden})


class HideAnswer(_AnswerVisibility):
    hidden = True

    @extend_schema(
        operation_id="surveys_results_text_hide",
        summary="Hide a free-text answer from the public (moderators)",
        description="Staff still see it, marked; exports keep it.",
        request=None,
        responses=VISIBILITY_RESPONSES,
    )
    def post(self, request: Request, slug: str, answer_id: int) -> Response:
        return super().post(request, slug, answer_id)


class ShowAnswer(_AnswerVisibility):
    hidden = False

    @extend_schema(
        operation_id="surveys_results_text_show",
        summary="Show a hidden free-text answer again (moderators)",
        request=None,
        responses=VISIBILITY_RESPONSES,
    )
    def post(self, request: Request, slug: str, answer_id: int) -> Response:
        return super().post(request, slug, answer_id)
