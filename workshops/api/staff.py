"""Staff endpoints: create a workshop, publish, cancel (participants told), copy, and the
check-in list. Administrators of the organisation; facilitators may check people in.
The role is checked before the body is read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from engagement.http.api import IsAuthenticated
from engagement.people.models import Organisation
from workshops import selectors
from workshops.api.events import BAD_REQUEST, FORBIDDEN, NOT_FOUND, output_of, workshop_for_staff
from workshops.api.serializers.events import (
    AttendanceInput,
    AttendanceOutput,
    CancelInput,
    CopyInput,
    WorkshopInput,
    WorkshopStaffOutput,
)
from workshops.models import Registration
from workshops.permissions import require_check_in, require_manager
from workshops.services import events
from workshops.services import registration as registering


class StaffView(APIView):
    permission_classes = [IsAuthenticated]
    error_codes_in_body = True  # read by engagement.http.api.api_exception_handler


class OrganisationWorkshops(StaffView):
    @extend_schema(
        operation_id="organisations_workshops_create",
        summary="Create a workshop (organisation administrators)",
        description="A draft; publish it to announce it. `title`, `format`, `starts_at` and "
        "`ends_at` are needed. `agenda` (a list) is set with it.",
        request=WorkshopInput,
        responses={201: WorkshopStaffOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, slug: str) -> Response:
        organisation = get_object_or_404(Organisation, slug=slug)
        require_manager(request.user, organisation)
        data = WorkshopInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        agenda = values.pop("agenda", None)
        workshop = events.create_workshop(actor=request.user, organisation=organisation, **values)
        if agenda:
            events.set_agenda(actor=request.user, workshop=workshop, items=agenda)
        return Response(output_of(request, workshop), status=status.HTTP_201_CREATED)


def _state_view(
    name: str,
    change: Callable[..., Any],
    summary: str,
    description: str,
    body: type | None = None,
) -> type[StaffView]:
    class StateChange(StaffView):
        @extend_schema(
            operation_id=f"workshops_{name}",
            summary=summary,
            description=description,
            request=body,
            responses={
                (201 if name == "copy" else 200): WorkshopStaffOutput,
                400: BAD_REQUEST,
                403: FORBIDDEN,
                404: NOT_FOUND,
            },
        )
        def post(self, request: Request, workshop_id: int) -> Response:
            workshop = workshop_for_staff(request, workshop_id)
            values: dict[str, Any] = {}
            if body is not None:
                data = body(data=request.data)
                data.is_valid(raise_exception=True)
                values = dict(data.validated_data)
            result = change(actor=request.user, workshop=workshop, **values)
            code = status.HTTP_201_CREATED if name == "copy" else status.HTTP_200_OK
            return Response(output_of(request, result), status=code)

    StateChange.__name__ = StateChange.__qualname__ = f"Workshop{name.title()}"
    return StateChange


WorkshopPublish = _state_view(
    "publish",
    events.publish_workshop,
    "Publish a draft (administrators)",
    "Listed, in the calendar feed, open for registration. In-person and hybrid workshops "
    "need a place, online and hybrid ones the meeting link.",
)
WorkshopCancel = _state_view(
    "cancel",
    events.cancel_workshop,
    "Cancel a workshop (administrators)",
    "Everyone confirmed or waiting is told, with the reason.",
    CancelInput,
)
WorkshopCopy = _state_view(
    "copy",
    events.copy_workshop,
    "Copy a workshop into a new draft (administrators)",
    "Same settings, agenda, prompts and facilitators at a new start time (same length); no "
    "registrations, notes, minutes or photos.",
    CopyInput,
)


class WorkshopAttendance(StaffView):
    def _workshop(self, request: Request, workshop_id: int) -> Any:
        workshop = selectors.visible_workshop(request.user, workshop_id)
        require_check_in(request.user, workshop)
        return workshop

    @extend_schema(
        operation_id="workshops_attendance_list",
        summary="The check-in list (administrators and facilitators)",
        description="People with a confirmed place, by name, with their answers (until "
        "they are deleted 30 days after the workshop).",
        responses={200: AttendanceOutput(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, workshop_id: int) -> Response:
        workshop = self._workshop(request, workshop_id)
        return Response(AttendanceOutput(selectors.attendance(workshop), many=True).data)

    @extend_schema(
        operation_id="workshops_attendance_check_in",
        summary="Check someone in (or undo it)",
        request=AttendanceInput,
        responses={200: AttendanceOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, workshop_id: int) -> Response:
        workshop = self._workshop(request, workshop_id)
        data = AttendanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        registration = get_object_or_404(
            Registration.objects.select_related("workshop", "user"),
            pk=data.validated_data["registration"],
            workshop=workshop,
        )
        registration = registering.check_in(
            actor=request.user, registration=registration, attended=data.validated_data["attended"]
        )
        registration = Registration.objects.select_related("user").get(pk=registration.pk)
        return Response(AttendanceOutput(registration).data)
