"""Survey answers and the codebook as files, for the organisation's staff."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from engagement.http.api import IsAuthenticated
from surveys.models import Survey
from surveys.permissions import is_visible
from surveys.services import exports

FORBIDDEN = OpenApiResponse(description="Not signed in, or not staff of the organisation.")
NOT_FOUND = OpenApiResponse(description="No such survey, or a draft the caller may not see.")
FORMAT = OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=["csv", "json"])
FILE_RESPONSES = {
    (200, "text/csv"): OpenApiTypes.STR,
    (200, "application/json"): OpenApiTypes.OBJECT,
    403: FORBIDDEN,
    404: NOT_FOUND,
}


def _survey(request: Request, slug: str) -> Survey:
    survey = get_object_or_404(Survey.objects.select_related("organisation"), slug=slug)
    if not is_visible(request.user, survey):
        raise Http404
    return survey


def _file(
    survey: Survey,
    fmt: str,
    name: str,
    as_csv: Callable[..., str],
    as_json: Callable[..., dict[str, Any]],
    actor: Any,
) -> HttpResponse:
    if fmt == "csv":
        response = HttpResponse(as_csv(survey, actor=actor), content_type="text/csv; charset=utf-8")
    elif fmt == "json":
        response = JsonResponse(
            as_json(survey, actor=actor), json_dumps_params={"ensure_ascii": False}
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{survey.slug}-{name}.{fmt}"'
    return response


class AnswersExport(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="surveys_export",
        summary="Submitted responses as CSV or JSON (staff of the organisation)",
        description="One row per submitted response, one column per question code (matrix "
        "rows as <code>_<row>, other text as <code>_other; choices and rankings as option "
        "codes joined by ';'). No column names a person. Surveys that take anonymous answers: "
        "no response id and the rows in a random order. Dates are days.",
        parameters=[FORMAT],
        responses=FILE_RESPONSES,
    )
    def get(self, request: Request, slug: str, fmt: str) -> HttpResponse:
        survey = _survey(request, slug)
        return _file(survey, fmt, "answers", exports.export_csv, exports.export_json, request.user)


class CodebookExport(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="surveys_codebook",
        summary="What every code of the export means (staff of the organisation)",
        description="Each question's code, section, kind, text, whether it is required, when "
        "it is shown, the export columns it fills, and its option codes with their texts.",
        parameters=[FORMAT],
        responses=FILE_RESPONSES,
    )
    def get(self, request: Request, slug: str, fmt: str) -> HttpResponse:
        survey = _survey(request, slug)
        return _file(
            survey, fmt, "codebook", exports.codebook_csv, exports.codebook_json, request.user
        )
