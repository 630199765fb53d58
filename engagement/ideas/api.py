"""REST endpoints for processes, ideas, discussion, moderation and review.

Each handler finds what the visitor may see (``selectors.visible_process`` /
``visible_idea`` / ``visible_comment``: drafts of processes and ideas, and hidden content,
are a 404 to whoever may not see them), asks the service's role check (so a caller without
the role gets 403 whatever the body says), reads the input with an input serializer, makes
one service or selector call and answers with an output serializer. Services check roles and
phases; their ``ValidationError`` becomes a 400 with field messages and ``error_codes``
(``engagement.http.api``), ``PermissionDenied`` a 403. Writes that people repeat — submitting ideas,
commenting, supporting, reporting — are rate-limited per person (DRF scoped throttles).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiRequest, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from engagement.content.sanitise import text_of
from engagement.http.api import IMAGE_PARTS, IsAuthenticated, WritesThrottled
from engagement.ideas import permissions as rules
from engagement.ideas import selectors, services
from engagement.ideas import serializers as s
from engagement.ideas.models import (
    Comment,
    Idea,
    IdeaImage,
    ModerationLog,
    ParticipatoryProcess,
    Report,
)
from engagement.money import from_minor
from engagement.people.models import Organisation

BAD_REQUEST = OpenApiResponse(
    description='Field errors: {"<field>": ["message", ...], "error_codes": {"<field>": '
    '["code", ...]}}. Phase rules report under "phase" (wrong_phase), the idea\'s state '
    'under "status".'
)
FORBIDDEN = OpenApiResponse(description="Not signed in, or the role needed is missing.")
NOT_FOUND = OpenApiResponse(
    description="No such item — or a draft or hidden item the visitor may not see."
)
THROTTLED = OpenApiResponse(description="Too many requests (rate limit).")


class IdeasErrors:
    error_codes_in_body = True  # read by engagement.http.api.api_exception_handler


class IdeasView(IdeasErrors, APIView):
    pass


class IdeasListView(IdeasErrors, generics.GenericAPIView):
    filter_backends: list[Any] = []

    def list_response(self, queryset: Any, serializer: type, **context: Any) -> Response:
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer(page, many=True, context=context).data)


def _idea_context(request: Request, process: ParticipatoryProcess) -> dict[str, Any]:
    return {"user": request.user, "currency": process.currency}


def _idea_detail(request: Request, idea_id: int) -> dict[str, Any]:
    """The idea as its detail endpoint shows it (re-read after a write)."""
    idea = selectors.visible_idea(request.user, idea_id)
    return s.IdeaDetailOutput(idea, context=_idea_context(request, idea.process)).data


# --- processes ----------------------------------------------------------------------------


class ProcessCollection(IdeasListView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ParticipatoryProcess.objects.none()
        return selectors.processes_visible_to(self.request.user)

    @extend_schema(
        operation_id="processes_list",
        summary="Participatory processes the visitor may see",
        description="Budget processes (a round's idea phase) and idea collections, past "
        "draft; drafts too for the organisation's staff. `?organisation=<slug>`, "
        "`?kind=budget|ideas`.",
        parameters=[s.ProcessListQuery],
        responses=s.ProcessOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        query = s.ProcessListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        processes = self.get_queryset()
        if query.validated_data.get("organisation"):
            processes = processes.filter(organisation__slug=query.validated_data["organisation"])
        if query.validated_data.get("kind"):
            processes = processes.filter(kind=query.validated_data["kind"])
        return self.list_response(processes, s.ProcessOutput)

    @extend_schema(
        operation_id="processes_create",
        summary="Create a process (organisation administrators)",
        description="An idea collection starts in draft (it opens at `collecting_from`, or "
        "when moved on); a budget process names its `round` and follows its phases.",
        request=s.ProcessCreateInput,
        responses={201: s.ProcessOutput, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        services.require_process_admin(request.user)  # of some organisation: the body names it
        data = s.ProcessCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        process = services.process_create(actor=request.user, **data.validated_data)
        return Response(
            s.ProcessOutput(selectors.visible_process(request.user, process.slug)).data,
            status=status.HTTP_201_CREATED,
        )


class ProcessDetail(IdeasView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="processes_retrieve",
        summary="A process: kind, phase, what it allows now, categories",
        responses={200: s.ProcessOutput, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> Response:
        return Response(s.ProcessOutput(selectors.visible_process(request.user, slug)).data)

    @extend_schema(
        operation_id="processes_update",
        summary="Change a process (administrators)",
        request=s.ProcessSettingsInput,
        responses={200: s.ProcessOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request: Request, slug: str) -> Response:
        process = selectors.visible_process(request.user, slug)
        services.require_process_admin(request.user, process.organisation_id)
        data = s.ProcessSettingsInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.process_update(actor=request.user, process=process, **data.validated_data)
        return Response(s.ProcessOutput(selectors.visible_process(request.user, slug)).data)


class ProcessPhase(IdeasView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="processes_phase_advance",
        summary="Move an idea collection to a later phase (administrators)",
        description="Forward only (code invalid_transition). Budget processes follow their "
        "round (code follows_round).",
        request=s.ProcessPhaseInput,
        responses={200: s.ProcessOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, slug: str) -> Response:
        process = selectors.visible_process(request.user, slug)
        services.require_process_admin(request.user, process.organisation_id)
        data = s.ProcessPhaseInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.process_phase_advance(
            actor=request.user, process=process, to_phase=data.validated_data["to_phase"]
        )
        return Response(s.ProcessOutput(selectors.visible_process(request.user, slug)).data)


# --- ideas --------------------------------------------------------------------------------


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
        parameters=[s.IdeaListQuery],
        responses={200: s.IdeaOutput(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> Response:
        process = selectors.visible_process(request.user, slug)
        query = s.IdeaListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        ideas = selectors.idea_list(request.user, process, **query.validated_data)
        return self.list_response(ideas, s.IdeaOutput, **_idea_context(request, process))

    @extend_schema(
        operation_id="processes_ideas_create",
        summary="Write an idea (signed in, while the process collects ideas)",
        description="Kept as a draft, seen by its author only, unless `submit` is true. "
        "Amounts are decimal strings in the process's currency. Rate-limited (scope `idea`).",
        request=s.IdeaCreateInput,
        responses={
            201: s.IdeaDetailOutput,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            429: THROTTLED,
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        process = selectors.visible_process(request.user, slug)
        data = s.IdeaCreateInput(data=request.data, context={"process": process})
        data.is_valid(raise_exception=True)
        idea = services.idea_create(author=request.user, process=process, **data.validated_data)
        return Response(_idea_detail(request, idea.pk), status=status.HTTP_201_CREATED)


class ProcessSimilarIdeas(IdeasView):
    @extend_schema(
        operation_id="processes_ideas_similar",
        summary="Up to five public ideas like the text being written",
        description="A hint while writing, so people support an existing idea instead of "
        "repeating it. Full-text ranking on PostgreSQL, word overlap on SQLite.",
        parameters=[s.SimilarQuery],
        responses={200: s.IdeaOutput(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> Response:
        process = selectors.visible_process(request.user, slug)
        query = s.SimilarQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        ideas = selectors.similar_ideas(
            request.user,
            process,
            query.validated_data["text"],
            exclude=query.validated_data.get("exclude"),
        )
        return Response(
            s.IdeaOutput(ideas, many=True, context=_idea_context(request, process)).data
        )


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
                _csv_safe(
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


def _csv_safe(row: list[Any]) -> list[Any]:
    """Text starting like a formula is prefixed, so spreadsheets do not run it."""
    return [
        f"'{value}" if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") else value
        for value in row
    ]


class IdeaDetail(IdeasView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="ideas_retrieve",
        summary="An idea, with what the signed-in person may do with it",
        responses={200: s.IdeaDetailOutput, 404: NOT_FOUND},
    )
    def get(self, request: Request, idea_id: int) -> Response:
        return Response(_idea_detail(request, idea_id))

    @extend_schema(
        operation_id="ideas_update",
        summary="Change my idea (draft or submitted, while ideas are collected)",
        description="After the collecting phase: 400 wrong_phase; once under review: 400 "
        "not_editable; someone else's idea: 403.",
        request=s.IdeaFieldsInput,
        responses={200: s.IdeaDetailOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request: Request, idea_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        services.require_author(request.user, idea)
        data = s.IdeaFieldsInput(data=request.data, partial=True, context={"process": idea.process})
        data.is_valid(raise_exception=True)
        services.idea_update(actor=request.user, idea=idea, **data.validated_data)
        return Response(_idea_detail(request, idea_id))


class IdeaSubmit(WritesThrottled, IdeasView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "idea"

    @extend_schema(
        operation_id="ideas_submit",
        summary="Submit my draft: it becomes public",
        request=None,
        responses={
            200: s.IdeaDetailOutput,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            429: THROTTLED,
        },
    )
    def post(self, request: Request, idea_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        services.idea_submit(actor=request.user, idea=idea)
        return Response(_idea_detail(request, idea_id))


class IdeaWithdraw(IdeasView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="ideas_withdraw",
        summary="Withdraw my idea (before a decision)",
        request=None,
        responses={200: s.IdeaDetailOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, idea_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        services.idea_withdraw(actor=request.user, idea=idea)
        return Response(_idea_detail(request, idea_id))


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
            "multipart/form-data": OpenApiRequest(s.IdeaImageInput, encoding={"image": IMAGE_PARTS})
        },
        responses={
            201: s.IdeaImageOutput,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            429: THROTTLED,
        },
    )
    def post(self, request: Request, idea_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        services.require_author(request.user, idea)
        data = s.IdeaImageInput(data=request.data)
        data.is_valid(raise_exception=True)
        image = services.idea_image_add(
            actor=request.user,
            idea=idea,
            upload=data.validated_data["image"],
            alt_text=data.validated_data.get("alt_text", ""),
        )
        return Response(s.IdeaImageOutput(image).data, status=status.HTTP_201_CREATED)


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
        services.idea_image_remove(actor=request.user, idea=idea, image=image)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- discussion ---------------------------------------------------------------------------


class IdeaComments(WritesThrottled, IdeasListView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    throttle_scope = "comment"

    def get_queryset(self) -> Any:
        return Comment.objects.none()

    @extend_schema(
        operation_id="ideas_comments_list",
        summary="The discussion of an idea, threaded",
        description="Top-level comments are paginated, each with its replies nested (at most "
        "three levels). Deleted comments and comments hidden by moderators stay as "
        "placeholders without author or text (staff see hidden text), so threads keep "
        "their shape.",
        parameters=[s.CommentListQuery],
        responses={200: s.IdeaCommentOutput(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, idea_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        query = s.CommentListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = self.paginate_queryset(
            selectors.comment_roots(idea, sort=query.validated_data["sort"]).select_related(
                "author"
            )
        )
        threads = selectors.comment_threads(page)
        context = {"user": request.user, "staff": rules.can_see_hidden(request.user, idea.process)}
        return self.get_paginated_response(
            s.IdeaCommentOutput(threads, many=True, context=context).data
        )

    @extend_schema(
        operation_id="ideas_comments_create",
        summary="Comment on an idea, or reply to a comment (signed in)",
        description="While the process allows discussion. Followers are notified; so is the "
        "author of the comment answered. Rate-limited (scope `comment`).",
        request=s.IdeaCommentInput,
        responses={
            201: s.IdeaCommentOutput,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            429: THROTTLED,
        },
    )
    def post(self, request: Request, idea_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        data = s.IdeaCommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        parent = None
        if data.validated_data.get("parent"):
            parent = Comment.objects.filter(pk=data.validated_data["parent"], idea=idea).first()
            if parent is None:
                raise s.field_error(
                    "parent", _("There is no such comment on this idea."), "does_not_exist"
                )
        comment = services.comment_create(
            author=request.user, idea=idea, body=data.validated_data["body"], parent=parent
        )
        return Response(
            s.IdeaCommentOutput(comment, context={"user": request.user}).data,
            status=status.HTTP_201_CREATED,
        )


class CommentDetail(WritesThrottled, IdeasView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "comment"

    @extend_schema(
        operation_id="comments_update",
        summary="Correct my comment (within 15 minutes of posting)",
        request=s.IdeaCommentUpdateInput,
        responses={
            200: s.IdeaCommentOutput,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            429: THROTTLED,
        },
    )
    def patch(self, request: Request, comment_id: int) -> Response:
        comment = selectors.visible_comment(request.user, comment_id)
        services.require_author(request.user, comment)
        data = s.IdeaCommentUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.comment_update(
            actor=request.user, comment=comment, body=data.validated_data["body"]
        )
        return Response(s.IdeaCommentOutput(comment, context={"user": request.user}).data)

    @extend_schema(
        request=None,
        operation_id="comments_delete",
        summary="Delete my comment (a placeholder keeps the thread)",
        responses={204: None, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request: Request, comment_id: int) -> Response:
        comment = selectors.visible_comment(request.user, comment_id)
        services.comment_delete(actor=request.user, comment=comment)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _support_state(request: Request, idea_id: int) -> dict[str, Any]:
    idea = selectors.visible_idea(request.user, idea_id)
    return {"supported": idea.supported, "support_count": idea.support_count}


class IdeaSupport(WritesThrottled, IdeasView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "support"

    @extend_schema(
        operation_id="ideas_support",
        summary="Support an idea (once per person)",
        description="201 when added, 200 when it was already there. While the process allows "
        "discussion, on submitted or under-review ideas. Rate-limited (scope `support`).",
        request=None,
        responses={
            200: s.IdeaSupportOutput,
            201: s.IdeaSupportOutput,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            429: THROTTLED,
        },
    )
    def put(self, request: Request, idea_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        created = services.support_add(user=request.user, idea=idea)
        return Response(
            s.IdeaSupportOutput(_support_state(request, idea_id)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        request=None,
        operation_id="ideas_unsupport",
        summary="Take my support back",
        responses={200: s.IdeaSupportOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request: Request, idea_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        services.support_remove(user=request.user, idea=idea)
        return Response(s.IdeaSupportOutput(_support_state(request, idea_id)).data)


class IdeaFollow(IdeasView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="ideas_follow",
        summary="Follow an idea: hear about its status and new comments",
        request=None,
        responses={200: s.IdeaFollowOutput, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def put(self, request: Request, idea_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        services.follow_add(user=request.user, idea=idea)
        return Response(s.IdeaFollowOutput({"following": True}).data)

    @extend_schema(
        request=None,
        operation_id="ideas_unfollow",
        summary="Stop following an idea",
        responses={200: s.IdeaFollowOutput, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request: Request, idea_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        services.follow_remove(user=request.user, idea=idea)
        return Response(s.IdeaFollowOutput({"following": False}).data)


# --- moderation ---------------------------------------------------------------------------


def _target(request: Request, data: dict[str, Any]) -> dict[str, Any]:
    """The idea or comment named in ``data``, if the visitor may see it (else 404)."""
    if data.get("comment"):
        return {"comment": selectors.visible_comment(request.user, data["comment"])}
    return {"idea": selectors.visible_idea(request.user, data["idea"], details=False)}


class Reports(WritesThrottled, IdeasView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "report"

    @extend_schema(
        operation_id="reports_create",
        summary="Report an idea or a comment to the moderators (signed in)",
        description="Name one of `idea` or `comment`. One open report per person and item "
        '(400 already_reported). Reason "other" needs `details`. Rate-limited (scope `report`).',
        request=s.ContentReportInput,
        responses={
            201: s.ContentReportOutput,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            429: THROTTLED,
        },
    )
    def post(self, request: Request) -> Response:
        data = s.ContentReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_create(
            reporter=request.user,
            reason=data.validated_data["reason"],
            details=data.validated_data.get("details", ""),
            **_target(request, data.validated_data),
        )
        return Response(s.ContentReportOutput(report).data, status=status.HTTP_201_CREATED)


def _moderated_organisation(request: Request, slug: str | None) -> Organisation | None:
    if not slug:
        return None
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise Http404
    return organisation


class ModerationView(IdeasListView):
    permission_classes = [IsAuthenticated]

    def require_moderator(self, request: Request) -> None:
        if selectors.moderated_organisation_ids(request.user) == set():
            raise PermissionDenied(_("Only moderators can see this."))


class ModerationQueue(ModerationView):
    def get_queryset(self) -> Any:
        return Report.objects.none()

    @extend_schema(
        operation_id="moderation_queue",
        summary="Reports to handle, oldest first (moderators)",
        description="Reports in the organisations where you moderate (`?organisation=<slug>` "
        "to pick one; `?status=open|actioned|dismissed`, default open), each with the "
        "reported content — also when it is hidden.",
        parameters=[s.ModerationQueueQuery],
        responses={200: s.QueueEntryOutput(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        self.require_moderator(request)
        query = s.ModerationQueueQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        organisation = _moderated_organisation(request, query.validated_data.get("organisation"))
        reports = selectors.moderation_queue(
            request.user, organisation=organisation, status=query.validated_data["status"]
        )
        return self.list_response(reports, s.QueueEntryOutput)


class ModerationLogList(ModerationView):
    def get_queryset(self) -> Any:
        return ModerationLog.objects.none()

    @extend_schema(
        operation_id="moderation_log",
        summary="The moderation log, newest first (moderators)",
        description="Every hide, restore and dismissal: who, what, when, the public note. "
        "Append-only.",
        parameters=[s.ModerationLogQuery],
        responses={200: s.ModerationLogOutput(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        self.require_moderator(request)
        query = s.ModerationLogQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        organisation = _moderated_organisation(request, query.validated_data.get("organisation"))
        return self.list_response(
            selectors.moderation_log(request.user, organisation=organisation),
            s.ModerationLogOutput,
        )


class _ModerationAction(IdeasView):
    permission_classes = [IsAuthenticated]
    service: Any = None

    def act(self, request: Request) -> Response:
        services.require_moderator(request.user)  # of some organisation: the body names what
        data = s.ModerationInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = type(self).service(
            actor=request.user,
            note=data.validated_data.get("note", ""),
            **_target(request, data.validated_data),
        )
        return Response(s.ModerationLogOutput(entry).data)


class ModerationHide(_ModerationAction):
    service = staticmethod(services.content_hide)

    @extend_schema(
        operation_id="moderation_hide",
        summary="Hide an idea or a comment, with a public note (moderators)",
        description="The content is kept but shown to the organisation's staff only; open "
        "reports on it are closed; the author is notified.",
        request=s.ModerationInput,
        responses={200: s.ModerationLogOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request) -> Response:
        return self.act(request)


class ModerationRestore(_ModerationAction):
    service = staticmethod(services.content_restore)

    @extend_schema(
        operation_id="moderation_restore",
        summary="Show hidden content again, with a public note (moderators)",
        request=s.ModerationInput,
        responses={200: s.ModerationLogOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request) -> Response:
        return self.act(request)


class ModerationDismiss(_ModerationAction):
    service = staticmethod(services.reports_dismiss)

    @extend_schema(
        operation_id="moderation_dismiss",
        summary="Close the open reports on an item without hiding it (moderators)",
        request=s.ModerationInput,
        responses={200: s.ModerationLogOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request) -> Response:
        return self.act(request)


# --- review -------------------------------------------------------------------------------


class IdeaReview(IdeasView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="ideas_review",
        summary="Answer an idea (reviewers, in the review phase)",
        description="`decision`: under_review, accepted or rejected (rejection needs a "
        "public reason). Accepting an idea of a budget process needs the administration's "
        "`cost` and makes it a feasible ballot project of the round (id `idea-<id>`, in "
        "the idea's district or city-wide, or `district`). The author and followers are "
        "notified.",
        request=s.ReviewInput,
        responses={200: s.IdeaDetailOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, idea_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        services.require_reviewer(request.user, idea.process.organisation_id)
        data = s.ReviewInput(data=request.data, context={"process": idea.process})
        data.is_valid(raise_exception=True)
        services.idea_review(actor=request.user, idea=idea, **data.validated_data)
        return Response(_idea_detail(request, idea_id))


class IdeaMerge(IdeasView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="ideas_merge",
        summary="Merge a duplicate into another idea (reviewers)",
        description="The duplicate keeps its comments and supports and links to `into`; "
        "supports are not moved. Its author and followers are notified.",
        request=s.MergeInput,
        responses={200: s.IdeaDetailOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, idea_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        services.require_reviewer(request.user, idea.process.organisation_id, merging=True)
        data = s.MergeInput(data=request.data)
        data.is_valid(raise_exception=True)
        into = Idea.objects.filter(pk=data.validated_data["into"]).first()
        if into is None or not rules.can_see_idea(request.user, into):
            raise s.field_error("into", _("There is no such idea."), "does_not_exist")
        services.idea_merge(
            actor=request.user,
            idea=idea,
            into=into,
            public_reason=data.validated_data.get("public_reason", ""),
        )
        return Response(_idea_detail(request, idea_id))
