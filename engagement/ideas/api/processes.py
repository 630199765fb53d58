"""Endpoints of participatory processes: list, create, change, move an idea collection on."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from engagement.http.api import IsAuthenticated
from engagement.ideas import selectors
from engagement.ideas.api.common import BAD_REQUEST, FORBIDDEN, NOT_FOUND, IdeasListView, IdeasView
from engagement.ideas.api.serializers.processes import (
    ProcessCreateInput,
    ProcessListQuery,
    ProcessOutput,
    ProcessPhaseInput,
    ProcessSettingsInput,
)
from engagement.ideas.models import ParticipatoryProcess
from engagement.ideas.services.checks import require_process_admin
from engagement.ideas.services.processes import (
    process_create,
    process_phase_advance,
    process_update,
)


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
        parameters=[ProcessListQuery],
        responses=ProcessOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        query = ProcessListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        processes = self.get_queryset()
        if query.validated_data.get("organisation"):
            processes = processes.filter(organisation__slug=query.validated_data["organisation"])
        if query.validated_data.get("kind"):
            processes = processes.filter(kind=query.validated_data["kind"])
        return self.list_response(processes, ProcessOutput)

    @extend_schema(
        operation_id="processes_create",
        summary="Create a process (organisation administrators)",
        description="An idea collection starts in draft (it opens at `collecting_from`, or "
        "when moved on); a budget process names its `round` and follows its phases.",
        request=ProcessCreateInput,
        responses={201: ProcessOutput, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        require_process_admin(request.user)  # of some organisation: the body names it
        data = ProcessCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        process = process_create(actor=request.user, **data.validated_data)
        return Response(
            ProcessOutput(selectors.visible_process(request.user, process.slug)).data,
            status=status.HTTP_201_CREATED,
        )


class ProcessDetail(IdeasView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="processes_retrieve",
        summary="A process: kind, phase, what it allows now, categories",
        responses={200: ProcessOutput, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> Response:
        return Response(ProcessOutput(selectors.visible_process(request.user, slug)).data)

    @extend_schema(
        operation_id="processes_update",
        summary="Change a process (administrators)",
        request=ProcessSettingsInput,
        responses={200: ProcessOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request: Request, slug: str) -> Response:
        process = selectors.visible_process(request.user, slug)
        require_process_admin(request.user, process.organisation_id)
        data = ProcessSettingsInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        process_update(actor=request.user, process=process, **data.validated_data)
        return Response(ProcessOutput(selectors.visible_process(request.user, slug)).data)


class ProcessPhase(IdeasView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="processes_phase_advance",
        summary="Move an idea collection to a later phase (administrators)",
        description="Forward only (code invalid_transition). Budget processes follow their "
        "round (code follows_round).",
        request=ProcessPhaseInput,
        responses={200: ProcessOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, slug: str) -> Response:
        process = selectors.visible_process(request.user, slug)
        require_process_admin(request.user, process.organisation_id)
        data = ProcessPhaseInput(data=request.data)
        data.is_valid(raise_exception=True)
        process_phase_advance(
            actor=request.user, process=process, to_phase=data.validated_data["to_phase"]
        )
        return Response(ProcessOutput(selectors.visible_process(request.user, slug)).data)
