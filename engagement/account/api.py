"""The signed-in person's own things: notifications, their preferences, personal data.

Thin views over ``engagement.notifications.services`` and ``engagement.personal_data``. Everything
here is about the requester only: another person's notification is a 404, like a missing
one.

``MeAccount`` serves ``/api/v1/me/``: it is ``engagement.people.api.Me`` (read and change the
profile) plus ``DELETE`` (delete the account); its URL is listed before the engagement URLs.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from engagement import personal_data
from engagement.http.api import Input, IsAuthenticated, Pagination, ScopeThrottle
from engagement.notifications import events
from engagement.notifications import services as notifications
from engagement.notifications.models import EmailDigest, EventGroup, Notification
from engagement.people.api import Me

BAD_REQUEST = OpenApiResponse(
    description='Field errors: {"<field>": ["message", ...], "error_codes": {"<field>": '
    '["code", ...]}}.'
)
NOT_SIGNED_IN = OpenApiResponse(description="Not signed in.")


class AccountView(APIView):
    permission_classes = [IsAuthenticated]
    error_codes_in_body = True  # read by engagement.http.api.api_exception_handler


# --- notifications ---------------------------------------------------------------------------


class NotificationTarget(serializers.Serializer):
    type = serializers.CharField(help_text='"<app>.<model>", e.g. "engagement.idea".')
    id = serializers.IntegerField()


class NotificationOutput(serializers.ModelSerializer):
    group = serializers.SerializerMethodField()
    target = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField(
        help_text="The actor's display name; null if they have none or were the system."
    )
    context = serializers.DictField(help_text="Event details, e.g. title, status, url.")
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "event",
            "group",
            "target",
            "actor",
            "context",
            "created_at",
            "read_at",
            "unread",
        ]

    def get_group(self, obj: Notification) -> str | None:
        spec = events.EVENTS.get(obj.event)
        return spec.group if spec else None

    @extend_schema_field(NotificationTarget(allow_null=True))
    def get_target(self, obj: Notification) -> dict[str, Any] | None:
        if not obj.content_type_id:
            return None
        return {
            "type": f"{obj.content_type.app_label}.{obj.content_type.model}",
            "id": obj.object_id,
        }

    def get_actor(self, obj: Notification) -> str | None:
        return (obj.actor.display_name or None) if obj.actor_id else None

    def get_unread(self, obj: Notification) -> bool:
        return obj.read_at is None


class NotificationPagination(Pagination):
    """The usual page, plus how many of the person's notifications are unread."""

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        response.data["unread"] = self.unread
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["unread"] = {"type": "integer", "example": 3}
        answer["required"] = [*answer.get("required", []), "unread"]
        return answer


class NotificationListQuery(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=False, help_text="Only unread ones.")


class NotificationList(AccountView, generics.GenericAPIView):
    pagination_class = NotificationPagination

    def get_queryset(self) -> Any:
        return Notification.objects.none()  # the schema's view of it; the handler selects

    @extend_schema(
        operation_id="me_notifications_list",
        summary="My notifications, newest first, with the unread count",
        parameters=[NotificationListQuery],
        responses={200: NotificationOutput(many=True), 403: NOT_SIGNED_IN},
    )
    def get(self, request: Request) -> Response:
        query = NotificationListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = notifications.notifications_for(
            user=request.user, unread_only=query.validated_data["unread"]
        )
        self.paginator.unread = notifications.unread_count(user=request.user)  # type: ignore[union-attr]
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(NotificationOutput(page, many=True).data)


class NotificationRead(AccountView):
    @extend_schema(
        operation_id="me_notifications_read",
        summary="Mark one of my notifications read",
        description="Idempotent. Another person's notification is a 404.",
        request=None,
        responses={200: NotificationOutput, 403: NOT_SIGNED_IN, 404: OpenApiResponse()},
    )
    def post(self, request: Request, notification_id: int) -> Response:
        try:
            notification = notifications.notification_mark_read(
                user=request.user, notification_id=notification_id
            )
        except Notification.DoesNotExist:
            raise Http404 from None
        return Response(NotificationOutput(notification).data)


class ReadAllOutput(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread.")
    unread = serializers.IntegerField()


class NotificationsReadAll(AccountView):
    @extend_schema(
        operation_id="me_notifications_read_all",
        summary="Mark all my notifications read",
        request=None,
        responses={200: ReadAllOutput, 403: NOT_SIGNED_IN},
    )
    def post(self, request: Request) -> Response:
        marked = notifications.notifications_mark_all_read(user=request.user)
        return Response(ReadAllOutput({"marked": marked, "unread": 0}).data)


class GroupPreference(Input):
    group = serializers.ChoiceField(choices=EventGroup.choices)
    in_app = serializers.BooleanField(required=False)
    email = serializers.BooleanField(required=False)


class GroupPreferenceOutput(serializers.Serializer):
    group = serializers.ChoiceField(choices=EventGroup.choices)
    label = serializers.CharField()
    in_app = serializers.BooleanField()
    email = serializers.BooleanField()
    in_app_required = serializers.BooleanField(
        help_text="Always listed in the app, whatever in_app says (moderation notices)."
    )


class PreferencesOutput(serializers.Serializer):
    email_digest = serializers.ChoiceField(
        choices=EmailDigest.choices, help_text='"none": no e-mails at all.'
    )
    groups = GroupPreferenceOutput(many=True)


class PreferencesInput(Input):
    email_digest = serializers.ChoiceField(choices=EmailDigest.choices, required=False)
    groups = GroupPreference(many=True, required=False)

    def validate_groups(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        names = [g["group"] for g in value]
        if len(set(names)) != len(names):
            raise serializers.ValidationError(_("Each group may be listed once."), code="duplicate")
        return value


class NotificationPreferences(AccountView):
    @extend_schema(
        operation_id="me_notification_preferences_retrieve",
        summary="My notification preferences, per group of events",
        responses={200: PreferencesOutput, 403: NOT_SIGNED_IN},
    )
    def get(self, request: Request) -> Response:
        return Response(PreferencesOutput(notifications.preferences_get(user=request.user)).data)

    @extend_schema(
        operation_id="me_notification_preferences_update",
        summary="Change my notification preferences",
        description="Whatever is left out keeps its value: groups not listed, and `in_app` "
        "or `email` not given for a listed group.",
        request=PreferencesInput,
        responses={200: PreferencesOutput, 400: BAD_REQUEST, 403: NOT_SIGNED_IN},
    )
    def put(self, request: Request) -> Response:
        data = PreferencesInput(data=request.data)
        data.is_valid(raise_exception=True)
        groups = {
            g["group"]: {k: v for k, v in g.items() if k in ("in_app", "email")}
            for g in data.validated_data.get("groups", [])
        }
        answer = notifications.preferences_update(
            user=request.user,
            email_digest=data.validated_data.get("email_digest"),
            groups=groups,
        )
        return Response(PreferencesOutput(answer).data)


# --- personal data ---------------------------------------------------------------------------


class PersonalDataThrottled:
    """Exports are heavy and deletion checks a password: limit the unsafe and the heavy."""

    throttle_classes = [ScopeThrottle]
    throttle_scope = "personal_data"


class PersonalData(PersonalDataThrottled, AccountView):
    @extend_schema(
        operation_id="me_data_export",
        summary="Download all my data (JSON)",
        description="Account, e-mail addresses, profile, residences, staff roles, "
        "participations (in secret rounds without ballot content — it is not linked to you), "
        "notifications and preferences, followed projects and ideas, ideas, comments, "
        "supports and reports. Rate-limited (scope `personal_data`).",
        responses={(200, "application/json"): OpenApiTypes.OBJECT, 403: NOT_SIGNED_IN},
    )
    def get(self, request: Request) -> JsonResponse:
        data = personal_data.personal_data_export(user=request.user)
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = 'attachment; filename="kopa-my-data.json"'
        response["Cache-Control"] = "no-store"
        return response


class AccountDeleteInput(Input):
    password = serializers.CharField(
        style={"input_type": "password"}, trim_whitespace=False, help_text="Your password."
    )


class MeAccount(Me):
    """``/me/``: the profile (``engagement.people.api.Me``) and deleting the account."""

    throttle_scope = "personal_data"

    @property
    def error_codes_in_body(self) -> bool:  # read by engagement.http.api.api_exception_handler
        """Codes for deletion refusals; the profile keeps its plain 400 shape."""
        request = getattr(self, "request", None)
        return request is not None and request.method == "DELETE"

    def get_throttles(self) -> list[Any]:
        if self.request.method in SAFE_METHODS or self.request.method == "PATCH":
            return []
        return [ScopeThrottle()]

    @extend_schema(
        operation_id="me_delete",
        summary="Delete my account",
        description="Needs the password. Ballots stay counted (no longer linked to you); "
        "ideas and comments stay, without author; profile, roles, residences, "
        "notifications, follows and supports are removed. Refused with 400 and code "
        "`wrong_password`, `last_administrator` (appoint another administrator first) or "
        "`paper_ballot_records`. Rate-limited (scope `personal_data`).",
        request=AccountDeleteInput,
        responses={204: None, 400: BAD_REQUEST, 403: NOT_SIGNED_IN},
    )
    def delete(self, request: Request) -> Response:
        data = AccountDeleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        personal_data.account_delete(user=request.user, password=data.validated_data["password"])
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
