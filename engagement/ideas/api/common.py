"""What every ideas endpoint shares: the documented refusals, error codes in the body,
list pagination, and the idea as its detail endpoint shows it."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from engagement.ideas import selectors
from engagement.ideas.api.serializers.ideas import IdeaDetailOutput
from engagement.ideas.models import ParticipatoryProcess

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


def idea_context(request: Request, process: ParticipatoryProcess) -> dict[str, Any]:
    return {"user": request.user, "currency": process.currency}


def idea_detail(request: Request, idea_id: int) -> dict[str, Any]:
    """The idea as its detail endpoint shows it (re-read after a write)."""
    idea = selectors.visible_idea(request.user, idea_id)
    return IdeaDetailOutput(idea, context=idea_context(request, idea.process)).data
