"""Endpoints of the discussion: threaded comments, replies, corrections and deletions."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from engagement.http.api import IsAuthenticated, WritesThrottled
from engagement.ideas import permissions as rules
from engagement.ideas import selectors
from engagement.ideas.api.common import (
    BAD_REQUEST,
    FORBIDDEN,
    NOT_FOUND,
    THROTTLED,
    IdeasListView,
    IdeasView,
)
from engagement.ideas.api.serializers.discussion import (
    CommentListQuery,
    IdeaCommentInput,
    IdeaCommentOutput,
    IdeaCommentUpdateInput,
)
from engagement.ideas.inputs import field_error
from engagement.ideas.models import Comment
from engagement.ideas.services.checks import require_author
from engagement.ideas.services.discussion import comment_create, comment_delete, comment_update


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
        parameters=[CommentListQuery],
        responses={200: IdeaCommentOutput(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, idea_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        query = CommentListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = self.paginate_queryset(
            selectors.comment_roots(idea, sort=query.validated_data["sort"]).select_related(
                "author"
            )
        )
        threads = selectors.comment_threads(page)
        context = {"user": request.user, "staff": rules.can_see_hidden(request.user, idea.process)}
        return self.get_paginated_response(
            IdeaCommentOutput(threads, many=True, context=context).data
        )

    @extend_schema(
        operation_id="ideas_comments_create",
        summary="Comment on an idea, or reply to a comment (signed in)",
        description="While the process allows discussion. Followers are notified; so is the "
        "author of the comment answered. Rate-limited (scope `comment`).",
        request=IdeaCommentInput,
        responses={
            201: IdeaCommentOutput,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            429: THROTTLED,
        },
    )
    def post(self, request: Request, idea_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        data = IdeaCommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        parent = None
        if data.validated_data.get("parent"):
            parent = Comment.objects.filter(pk=data.validated_data["parent"], idea=idea).first()
            if parent is None:
                raise field_error(
                    "parent", _("There is no such comment on this idea."), "does_not_exist"
                )
        comment = comment_create(
            author=request.user, idea=idea, body=data.validated_data["body"], parent=parent
        )
        return Response(
            IdeaCommentOutput(comment, context={"user": request.user}).data,
            status=status.HTTP_201_CREATED,
        )


class CommentDetail(WritesThrottled, IdeasView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "comment"

    @extend_schema(
        operation_id="comments_update",
        summary="Correct my comment (within 15 minutes of posting)",
        request=IdeaCommentUpdateInput,
        responses={
            200: IdeaCommentOutput,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            429: THROTTLED,
        },
    )
    def patch(self, request: Request, comment_id: int) -> Response:
        comment = selectors.visible_comment(request.user, comment_id)
        require_author(request.user, comment)
        data = IdeaCommentUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment_update(actor=request.user, comment=comment, body=data.validated_data["body"])
        return Response(IdeaCommentOutput(comment, context={"user": request.user}).data)

    @extend_schema(
        request=None,
        operation_id="comments_delete",
        summary="Delete my comment (a placeholder keeps the thread)",
        responses={204: None, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request: Request, comment_id: int) -> Response:
        comment = selectors.visible_comment(request.user, comment_id)
        comment_delete(actor=request.user, comment=comment)
        return Response(status=status.HTTP_204_NO_CONTENT)
