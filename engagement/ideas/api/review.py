"""Endpoints of the review: reviewers answer ideas and merge duplicates."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from engagement.http.api import IsAuthenticated
from engagement.ideas import permissions as rules
from engagement.ideas import selectors
from engagement.ideas.api.common import BAD_REQUEST, FORBIDDEN, NOT_FOUND, IdeasView, idea_detail
from engagement.ideas.api.serializers.ideas import IdeaDetailOutput
from engagement.ideas.api.serializers.review import MergeInput, ReviewInput
from engagement.ideas.inputs import field_error
from engagement.ideas.models import Idea
from engagement.ideas.services.checks import require_reviewer
from engagement.ideas.services.review import idea_merge, idea_review


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
        request=ReviewInput,
        responses={200: IdeaDetailOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, idea_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        require_reviewer(request.user, idea.process.organisation_id)
        data = ReviewInput(data=request.data, context={"process": idea.process})
        data.is_valid(raise_exception=True)
        idea_review(actor=request.user, idea=idea, **data.validated_data)
        return Response(idea_detail(request, idea_id))


class IdeaMerge(IdeasView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="ideas_merge",
        summary="Merge a duplicate into another idea (reviewers)",
        description="The duplicate keeps its comments and supports and links to `into`; "
        "supports are not moved. Its author and followers are notified.",
        request=MergeInput,
        responses={200: IdeaDetailOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, idea_id: int) -> Response:
        idea = selectors.visible_idea(request.user, idea_id, details=False)
        require_reviewer(request.user, idea.process.organisation_id, merging=True)
        data = MergeInput(data=request.data)
        data.is_valid(raise_exception=True)
        into = Idea.objects.filter(pk=data.validated_data["into"]).first()
        if into is None or not rules.can_see_idea(request.user, into):
            raise field_error("into", _("There is no such idea."), "does_not_exist")
        idea_merge(
            actor=request.user,
            idea=idea,
            into=into,
            public_reason=data.validated_data.get("public_reason", ""),
        )
        return Response(idea_detail(request, idea_id))
