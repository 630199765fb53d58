"""Endpoints of supports and follows (``PUT`` adds, ``DELETE`` takes back)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from engagement.http.api import IsAuthenticated, WritesThrottled
from engagement.ideas import selectors
from engagement.ideas.api.common import BAD_REQUEST, FORBIDDEN, NOT_FOUND, THROTTLED, IdeasView
from engagement.ideas.api.serializers.supports import IdeaFollowOutput, IdeaSupportOutput
from engagement.ideas.services.supports import (
    follow_add,
    follow_remove,
    support_add,
    support_remove,
)


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
            200: IdeaSupportOutput,
            201: IdeaSupportOutput,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            429: THROTTLED,
        },
    )
    def put(self, request: Request, idea_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        created = support_add(user=request.user, idea=idea)
        return Response(
            IdeaSupportOutput(_support_state(request, idea_id)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        request=None,
        operation_id="ideas_unsupport",
        summary="Take my support back",
        responses={200: IdeaSupportOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request: Request, idea_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        support_remove(user=request.user, idea=idea)
        return Response(IdeaSupportOutput(_support_state(request, idea_id)).data)


class IdeaFollow(IdeasView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="ideas_follow",
        summary="Follow an idea: hear about its status and new comments",
        request=None,
        responses={200: IdeaFollowOutput, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def put(self, request: Request, idea_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        follow_add(user=request.user, idea=idea)
        return Response(IdeaFollowOutput({"following": True}).data)

    @extend_schema(
        request=None,
        operation_id="ideas_unfollow",
        summary="Stop following an idea",
        responses={200: IdeaFollowOutput, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request: Request, idea_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        follow_remove(user=request.user, idea=idea)
        return Response(IdeaFollowOutput({"following": False}).data)
