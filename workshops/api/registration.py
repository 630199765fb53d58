"""The signed-in person's registration for a workshop: read it, register (a place, or the
waiting list when full), cancel (the first person waiting gets the place and is told)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from engagement.http.api import IsAuthenticated, WritesThrottled
from workshops import selectors
from workshops.api.events import NOT_FOUND
from workshops.api.serializers.events import (
    MyRegistrationOutput,
    RegistrationInput,
    registration_data,
)
from workshops.services import registration as registering

BAD_REQUEST = OpenApiResponse(
    description='Refused, under "registration" with its code in "error_codes": '
    "not_published, cancelled, started, registration_closed, age_unknown (add your birth "
    "year to your profile), too_young, already_registered, full (no waiting list), "
    "not_registered (DELETE); max_length on an answer."
)
FORBIDDEN = OpenApiResponse(description="Not signed in.")


class WorkshopRegistration(WritesThrottled, APIView):
    permission_classes = [IsAuthenticated]
    # Registering and cancelling, per person: enough to change one's mind, not to flood a
    # waiting list with notifications.
    throttle_scope = "workshop_registration"
    error_codes_in_body = True  # read by engagement.http.api.api_exception_handler

    @extend_schema(
        operation_id="workshops_registration_retrieve",
        summary="Your registration (status null: not registered)",
        responses={200: MyRegistrationOutput, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, workshop_id: int) -> Response:
        workshop = selectors.visible_workshop(request.user, workshop_id)
        return Response(
            registration_data(selectors.my_registration(request.user, workshop), workshop)
        )

    @extend_schema(
        operation_id="workshops_registration_create",
        summary="Register: a confirmed place, or the waiting list when full",
        description="The answers are kept only if the workshop asks for them, and deleted "
        "30 days after the workshop.",
        request=RegistrationInput,
        responses={
            201: MyRegistrationOutput,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, workshop_id: int) -> Response:
        workshop = selectors.visible_workshop(request.user, workshop_id)
        data = RegistrationInput(data=request.data)
        data.is_valid(raise_exception=True)
        registration = registering.register(
            user=request.user, workshop=workshop, **data.validated_data
        )
        return Response(registration_data(registration, workshop), status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="workshops_registration_destroy",
        summary="Cancel your registration (before the start)",
        description="A freed place goes to the first person on the waiting list, who is told.",
        request=None,
        responses={200: MyRegistrationOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request: Request, workshop_id: int) -> Response:
        workshop = selectors.visible_workshop(request.user, workshop_id)
        registration = registering.cancel_registration(user=request.user, workshop=workshop)
        return Response(registration_data(registration, workshop))
