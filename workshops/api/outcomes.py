"""Staff endpoints of a workshop's outcome: the minutes, photos (with a description for
people who cannot see them), and publishing the outcome page."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiRequest, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from engagement.http.api import IMAGE_PARTS
from workshops.api.events import BAD_REQUEST, FORBIDDEN, NOT_FOUND, output_of, workshop_for_staff
from workshops.api.serializers.events import (
    MinutesInput,
    PhotoInput,
    PhotoOutput,
    WorkshopStaffOutput,
    photo_data,
)
from workshops.api.staff import StaffView
from workshops.models import WorkshopPhoto
from workshops.services import outcomes


class WorkshopMinutes(StaffView):
    @extend_schema(
        operation_id="workshops_minutes_update",
        summary="Replace the minutes (administrators)",
        description="Rich text; sanitised.",
        request=MinutesInput,
        responses={200: WorkshopStaffOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def put(self, request: Request, workshop_id: int) -> Response:
        workshop = workshop_for_staff(request, workshop_id)
        data = MinutesInput(data=request.data)
        data.is_valid(raise_exception=True)
        workshop = outcomes.set_minutes(
            actor=request.user, workshop=workshop, minutes=data.validated_data["minutes"]
        )
        return Response(output_of(request, workshop))


class WorkshopOutcomePublish(StaffView):
    @extend_schema(
        operation_id="workshops_outcome_publish",
        summary="Publish the outcome page (administrators)",
        description="Minutes and photos become public. Refused before the end (not_ended) "
        "and for a cancelled workshop (cancelled).",
        request=None,
        responses={200: WorkshopStaffOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, workshop_id: int) -> Response:
        workshop = workshop_for_staff(request, workshop_id)
        workshop = outcomes.publish_outcome(actor=request.user, workshop=workshop)
        return Response(output_of(request, workshop))


class WorkshopPhotos(StaffView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="workshops_photos_add",
        summary="Add a photo (administrators, multipart)",
        description="The type is checked by content (JPEG, PNG, WebP); stored re-encoded "
        "without metadata. `alt_text` describes it for people who cannot see it (required). "
        "Refused: 400 on `image` (image_invalid, image_too_large, image_too_many_pixels, "
        "too_many_photos) or `alt_text`.",
        request={
            "multipart/form-data": OpenApiRequest(PhotoInput, encoding={"image": IMAGE_PARTS})
        },
        responses={201: PhotoOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, workshop_id: int) -> Response:
        workshop = workshop_for_staff(request, workshop_id)
        data = PhotoInput(data=request.data)
        data.is_valid(raise_exception=True)
        photo = outcomes.add_photo(
            actor=request.user,
            workshop=workshop,
            upload=data.validated_data["image"],
            alt_text=data.validated_data["alt_text"],
        )
        return Response(photo_data(photo), status=status.HTTP_201_CREATED)


class WorkshopPhotoDetail(StaffView):
    @extend_schema(
        operation_id="workshops_photos_remove",
        summary="Remove a photo (administrators)",
        request=None,
        responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request: Request, workshop_id: int, photo_id: int) -> Response:
        workshop = workshop_for_staff(request, workshop_id)
        photo = get_object_or_404(
            WorkshopPhoto.objects.select_related("workshop"), pk=photo_id, workshop=workshop
        )
        outcomes.remove_photo(actor=request.user, photo=photo)
        return Response(status=status.HTTP_204_NO_CONTENT)
