"""Endpoints of ideas: lists, search for similar ideas, the CSV export, writing, changing,
submitting and withdrawing ideas, their images."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiRequest, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from engagement.content.sanitise import text_of
from engagement.http.api import IMAGE_PARTS, IsAuthenticated, WritesThrottled
from engagement.http.spreadsheets import safe_row
from engagement.ideas import selectors
from engagement.ideas.api.common import (
    BAD_REQUEST,
    FORBIDDEN,
    NOT_FOUND,
    THROTTLED,
    IdeasListView,
    IdeasView,
    idea_context,
    idea_detail,
)
from engagement.ideas.api.serializers.ideas import (
    IdeaCreateInput,
    IdeaDetailOutput,
    IdeaImageInput,
    IdeaImageOutput,
    IdeaListQuery,
    IdeaOutput,
    SimilarQuery,
)
from engagement.ideas.inputs import IdeaFieldsInput
from engagement.ideas.models import Idea, IdeaImage
from engagement.ideas.services.checks import require_author
from engagement.ideas.services.ideas import (
    idea_create,
    idea_image_add,
    idea_image_remove,
    idea_submit,
    idea_update,
    idea_withdraw,
)
from engagement.money import from_minor


class ProcessIdeas(WritesThrottled, IdeasListView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    throttle_scope = "idea"

    def get_queryset(self) -> Any:
        return Idea.objects.none()  # the schema's view of it; handlers use the selectors

    @extend_schema(
        operation_id="processes_ideas_list",
        summary="Ideas of a process",
        description="Public ideas (hidden ones too, marked, for the organisation's staff). "
        "Filters: `status`, `category`, `district` (slug), `project` (ballot project id), "
        "`q` (words, full-text on PostgreSQL), `mine=true` (my ideas, drafts included). "
        "`sort`: newest, oldest, most_supported, most_discussed.",
        parameters=[IdeaListQuery],
        responses={200: IdeaOutput(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> Response:
        process = selectors.visible_process(request.user, slug)
        query = IdeaListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        ideas = selectors.idea_list(request.user, process, **query.validated_data)
        return self.list_response(ideas, IdeaOutput, **idea_context(request, process))

    @extend_schema(
        operation_id="processes_ideas_create",
        summary="Write an idea (signed in, while the process collects ideas)",
        description="Kept as a draft, seen by its author only, unless `submit` is true. "
        "Amounts are decimal strings in the process's currency. Rate-limited (scope `idea`).",
        request=IdeaCreateInput,
        responses={
            201: IdeaDetailOutput,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            429: THROTTLED,
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        process = selectors.visible_process(request.user, slug)
        data = IdeaCreateInput(data=request.data, context={"process": process})
        data.is_valid(raise_exception=True)
        idea = idea_create(author=request.user, process=process, **data.validated_data)
        return Response(idea_detail(request, idea.pk), status=status.HTTP_201_CREATED)


class ProcessSimilarIdeas(IdeasView):
    @extend_schema(
        operation_id="processes_ideas_similar",
        summary="Up to five public ideas like the text being written",
        description="A hint while writing, so people support an existing idea instead of "
        "repeating it. Full-text ranking on PostgreSQL, word overlap on SQLite.",
        parameters=[SimilarQuery],
        responses={200: IdeaOutput(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> Response:
        process = selectors.visible_process(request.user, slug)
        query = SimilarQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        ideas = selectors.similar_ideas(
            request.user,
            process,
            query.validated_data["text"],
            exclude=query.validated_data.get("exclude"),
        )
        return Response(IdeaOutput(ideas, many=True, context=idea_context(request, process)).data)


IDEA_CSV_COLUMNS = [
    "id",
    "title",
    "status",
    "category",
    "district",
    "estimated_cost",
    "admin_cost",
    "supports",
    "comments",
    "merged_into",
    "project",
    "submitted_at",
    "description",
]


class ProcessIdeasExport(IdeasView):
    @extend_schema(
        operation_id="processes_ideas_export",
        summary="Public ideas of a process as CSV",
        description="Everyone's view: hidden ideas and drafts are never included. Amounts in "
        "currency units.",
        responses={(200, "text/csv"): OpenApiTypes.STR, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> HttpResponse:
        process = selectors.visible_process(request.user, slug)
        ideas = selectors.with_details(selectors.public_ideas(process), None)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(IDEA_CSV_COLUMNS)
        currency = process.currency

        def money(value: int | None) -> str:
            return "" if value is None else str(from_minor(value, currency))

        for idea in ideas.order_by("id"):
            writer.writerow(
                safe_row(
                    [
                        idea.pk,
                        idea.title,
                        idea.status,
                        idea.category,
                        idea.district.slug if idea.district_id else "",
                        money(idea.estimated_cost),
                        money(idea.admin_cost),
                        idea.support_count,
                        idea.comment_count,
                        idea.merged_into_id or "",
                        idea.project.external_id if idea.project_id else "",
                        idea.submitted_at.isoformat() if idea.submitted_at else "",
                        text_of(idea.description),
                    ]
                )
            )
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{process.slug}-ideas.csv"'
        return response


class IdeaDetail(IdeasView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="ideas_retrieve",
        summary="An idea, with what the signed-in person may do with it",
        responses={200: IdeaDetailOutput, 404: NOT_FOUND},
    )
    def get(self, request: Request, idea_id: int) -> Response:
        return Response(idea_detail(request, idea_id))

    @extend_schema(
        operation_id="ideas_update",
        summary="Change my idea (draft or submitted, while ideas are collected)",
        description="After the collecting phase: 400 wrong_phase; once under review: 400 "
        "not_editable; someone else's idea: 403.",
        request=IdeaFieldsInput,
        responses={200: IdeaDetailOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request: Request, idea_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        require_author(request.user, idea)
        data = IdeaFieldsInput(data=request.data, partial=True, context={"process": idea.process})
        data.is_valid(raise_exception=True)
        idea_update(actor=request.user, idea=idea, **data.validated_data)
        return Response(idea_detail(request, idea_id))


class IdeaSubmit(WritesThrottled, IdeasView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "idea"

    @extend_schema(
        operation_id="ideas_submit",
        summary="Submit my draft: it becomes public",
        request=None,
        responses={
            200: IdeaDetailOutput,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            429: THROTTLED,
        },
    )
    def post(self, request: Request, idea_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        idea_submit(actor=request.user, idea=idea)
        return Response(idea_detail(request, idea_id))


class IdeaWithdraw(IdeasView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="ideas_withdraw",
        summary="Withdraw my idea (before a decision)",
        request=None,
        responses={200: IdeaDetailOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, idea_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        idea_withdraw(actor=request.user, idea=idea)
        return Response(idea_detail(request, idea_id))


class IdeaImages(WritesThrottled, IdeasView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]
    throttle_scope = "idea"

    @extend_schema(
        operation_id="ideas_images_add",
        summary="Add an image to my idea (multipart)",
        description="The type is checked by content (JPEG, PNG, WebP), not by name; at most "
        "8 MB and 40 megapixels. Stored re-encoded, scaled to at most 2000 px, without "
        "metadata. Refused: 400 on `image` (image_invalid, image_too_large, "
        "image_too_many_pixels, too_many_images).",
        request={
            "multipart/form-data": OpenApiRequest(IdeaImageInput, encoding={"image": IMAGE_PARTS})
        },
        responses={
            201: IdeaImageOutput,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            429: THROTTLED,
        },
    )
    def post(self, request: Request, idea_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        require_author(request.user, idea)
        data = IdeaImageInput(data=request.data)
        data.is_valid(raise_exception=True)
        image = idea_image_add(
            actor=request.user,
            idea=idea,
            upload=data.validated_data["image"],
            alt_text=data.validated_data.get("alt_text", ""),
        )
        return Response(IdeaImageOutput(image).data, status=status.HTTP_201_CREATED)


class IdeaImageDetail(IdeasView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        operation_id="ideas_images_remove",
        summary="Remove an image from my idea",
        responses={204: None, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request: Request, idea_id: int, image_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        image = get_object_or_404(IdeaImage, pk=image_id, idea=idea)
        idea_image_remove(actor=request.user, idea=idea, image=image)
        return Response(status=status.HTTP_204_NO_CONTENT)
