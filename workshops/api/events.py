"""Endpoints of workshops as residents see them: the list (per organisation, process or
round; upcoming or past; by format and district), one workshop, its calendar file; and the
staff change of a workshop (PATCH on the same address)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from workshops import calendar, selectors
from workshops.api.serializers.events import (
    WorkshopDetailOutput,
    WorkshopInput,
    WorkshopListQuery,
    WorkshopOutput,
    WorkshopStaffOutput,
)
from workshops.models import Workshop
from workshops.permissions import can_manage, require_manager
from workshops.services import events

NOT_FOUND = OpenApiResponse(description="No such workshop — or a draft the visitor may not see.")
BAD_REQUEST = OpenApiResponse(
    description='Field errors: {"<field>": ["message", ...], "error_codes": {"<field>": '
    '["code", ...]}}. Times: nonexistent_time, ambiguous_time (a wall-clock time the clocks '
    "skip or repeat that day), ends_before_start; capacity_below_registered; "
    "place_required, online_url_required (published workshops); a state change's reason "
    'under "status" (not_draft, already_cancelled, already_ended, cancelled); agenda '
    'problems by path ("agenda.1.title").'
)
FORBIDDEN = OpenApiResponse(description="Not signed in, or not an administrator here.")


def output_of(request: Request, workshop: Workshop) -> dict[str, Any]:
    """The workshop as the caller may see it: staff get the staff form."""
    workshop = selectors.workshop_by_pk(workshop.pk)
    serializer = (
        WorkshopStaffOutput
        if can_manage(request.user, workshop.organisation_id)
        else WorkshopDetailOutput
    )
    return serializer(workshop, context={"request": request}).data


def workshop_for_staff(request: Request, workshop_id: int) -> Workshop:
    """The workshop, if the caller may see it (else 404) and manage it (else 403)."""
    workshop = selectors.visible_workshop(request.user, workshop_id)
    require_manager(request.user, workshop.organisation_id)
    return workshop


class FormatIsAFilter(DefaultContentNegotiation):
    """``?format=`` filters the list by workshop format (the API contract); DRF would
    otherwise read it as the renderer to use and answer 404 for ``online``."""

    def select_renderer(
        self, request: Any, renderers: Any, format_suffix: str | None = None
    ) -> Any:
        return super().select_renderer(request, renderers, format_suffix or "json")


class WorkshopCollection(generics.GenericAPIView):
    filter_backends: list[Any] = []
    content_negotiation_class = FormatIsAFilter

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Workshop.objects.none()
        return selectors.workshop_list(self.request.user)

    @extend_schema(
        operation_id="workshops_list",
        summary="Workshops the visitor may see",
        description="Published and cancelled workshops (drafts too for the organisation's "
        "staff), filtered by `organisation`, `when` (upcoming|past), `format`, `district`, "
        "`process`, `round` (slugs). Times are ISO 8601 with the offset of the "
        "organisation's zone.",
        parameters=[WorkshopListQuery],
        responses=WorkshopOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        query = WorkshopListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        workshops = selectors.workshop_list(
            request.user,
            organisation=filters.get("organisation"),
            when=filters.get("when"),
            format=filters.get("format"),
            district=filters.get("district"),
            process=filters.get("process"),
            budget_round=filters.get("round"),
        )
        page = self.paginate_queryset(workshops)
        return self.get_paginated_response(WorkshopOutput(page, many=True).data)


class WorkshopDetail(APIView):
    # Anyone reads; changing needs a signed-in person (the role is checked next). DRF's own
    # class, which the schema generator knows: reads are documented as needing no sign-in.
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    error_codes_in_body = True  # read by engagement.http.api.api_exception_handler

    @extend_schema(
        operation_id="workshops_retrieve",
        summary="A workshop: times, place, agenda, places, your registration",
        description="`online_url` only for confirmed participants from 30 minutes before "
        "the start; minutes and photos once the outcome is published.",
        responses={200: WorkshopDetailOutput, 404: NOT_FOUND},
    )
    def get(self, request: Request, workshop_id: int) -> Response:
        workshop = selectors.visible_workshop(request.user, workshop_id)
        return Response(output_of(request, workshop))

    @extend_schema(
        operation_id="workshops_partial_update",
        summary="Change a workshop (organisation administrators)",
        description="Any subset of the fields. `agenda` replaces the whole agenda. More "
        "places fill from the waiting list at once (those promoted are told).",
        request=WorkshopInput,
        responses={200: WorkshopStaffOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request: Request, workshop_id: int) -> Response:
        workshop = workshop_for_staff(request, workshop_id)
        data = WorkshopInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        agenda = values.pop("agenda", None)
        workshop = events.update_workshop(actor=request.user, workshop=workshop, **values)
        if agenda is not None:
            events.set_agenda(actor=request.user, workshop=workshop, items=agenda)
        return Response(output_of(request, workshop))


class WorkshopCalendar(APIView):
    @extend_schema(
        operation_id="workshops_calendar",
        summary="The workshop as an iCalendar (.ics) file",
        description="One VEVENT with a stable UID (re-importing updates the same event), "
        "times with the organisation's TZID and VTIMEZONE, STATUS:CANCELLED when cancelled. "
        "Never contains the online meeting link.",
        responses={
            (200, "text/calendar"): OpenApiResponse(OpenApiTypes.BINARY, description="iCalendar"),
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, workshop_id: int) -> HttpResponse:
        workshop = selectors.visible_workshop(request.user, workshop_id)
        body = calendar.workshop_ics(workshop, site_url=settings.SITE_URL)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="workshop-{workshop.pk}.ics"'
        return response
