"""Endpoints of moderation: reports by residents; the queue, the log and the decisions of
moderators."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from engagement.http.api import IsAuthenticated, WritesThrottled
from engagement.ideas import selectors
from engagement.ideas.api.common import (
    BAD_REQUEST,
    FORBIDDEN,
    NOT_FOUND,
    THROTTLED,
    IdeasListView,
    IdeasView,
)
from engagement.ideas.api.serializers.moderation import (
    ContentReportInput,
    ContentReportOutput,
    ModerationInput,
    ModerationLogOutput,
    ModerationLogQuery,
    ModerationQueueQuery,
    QueueEntryOutput,
)
from engagement.ideas.models import ModerationLog, Report
from engagement.ideas.services.checks import require_moderator
from engagement.ideas.services.moderation import (
    content_hide,
    content_restore,
    report_create,
    reports_dismiss,
)
from engagement.people.models import Organisation


def _target(request: Request, data: dict[str, Any]) -> dict[str, Any]:
    """The idea or comment named in ``data``, if the visitor may see it (else 404)."""
    if data.get("comment"):
        return {"comment": selectors.visible_comment(request.user, data["comment"])}
    return {"idea": selectors.visible_idea(request.user, data["idea"], details=False)}


class Reports(WritesThrottled, IdeasView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "report"

    @extend_schema(
        operation_id="reports_create",
        summary="Report an idea or a comment to the moderators (signed in)",
        description="Name one of `idea` or `comment`. One open report per person and item "
        '(400 already_reported). Reason "other" needs `details`. Rate-limited (scope `report`).',
        request=ContentReportInput,
        responses={
            201: ContentReportOutput,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            429: THROTTLED,
        },
    )
    def post(self, request: Request) -> Response:
        data = ContentReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = report_create(
            reporter=request.user,
            reason=data.validated_data["reason"],
            details=data.validated_data.get("details", ""),
            **_target(request, data.validated_data),
        )
        return Response(ContentReportOutput(report).data, status=status.HTTP_201_CREATED)


def _moderated_organisation(request: Request, slug: str | None) -> Organisation | None:
    if not slug:
        return None
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise Http404
    return organisation


class ModerationView(IdeasListView):
    permission_classes = [IsAuthenticated]

    def require_moderator(self, request: Request) -> None:
        if selectors.moderated_organisation_ids(request.user) == set():
            raise PermissionDenied(_("Only moderators can see this."))


class ModerationQueue(ModerationView):
    def get_queryset(self) -> Any:
        return Report.objects.none()

    @extend_schema(
        operation_id="moderation_queue",
        summary="Reports to handle, oldest first (moderators)",
        description="Reports in the organisations where you moderate (`?organisation=<slug>` "
        "to pick one; `?status=open|actioned|dismissed`, default open), each with the "
        "reported content — also when it is hidden.",
        parameters=[ModerationQueueQuery],
        responses={200: QueueEntryOutput(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        self.require_moderator(request)
        query = ModerationQueueQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        organisation = _moderated_organisation(request, query.validated_data.get("organisation"))
        reports = selectors.moderation_queue(
            request.user, organisation=organisation, status=query.validated_data["status"]
        )
        return self.list_response(reports, QueueEntryOutput)


class ModerationLogList(ModerationView):
    def get_queryset(self) -> Any:
        return ModerationLog.objects.none()

    @extend_schema(
        operation_id="moderation_log",
        summary="The moderation log, newest first (moderators)",
        description="Every hide, restore and dismissal: who, what, when, the public note. "
        "Append-only.",
        parameters=[ModerationLogQuery],
        responses={200: ModerationLogOutput(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        self.require_moderator(request)
        query = ModerationLogQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        organisation = _moderated_organisation(request, query.validated_data.get("organisation"))
        return self.list_response(
            selectors.moderation_log(request.user, organisation=organisation),
            ModerationLogOutput,
        )


class _ModerationAction(IdeasView):
    permission_classes = [IsAuthenticated]
    service: Any = None

    def act(self, request: Request) -> Response:
        require_moderator(request.user)  # of some organisation: the body names what
        data = ModerationInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = type(self).service(
            actor=request.user,
            note=data.validated_data.get("note", ""),
            **_target(request, data.validated_data),
        )
        return Response(ModerationLogOutput(entry).data)


class ModerationHide(_ModerationAction):
    service = staticmethod(content_hide)

    @extend_schema(
        operation_id="moderation_hide",
        summary="Hide an idea or a comment, with a public note (moderators)",
        description="The content is kept but shown to the organisation's staff only; open "
        "reports on it are closed; the author is notified.",
        request=ModerationInput,
        responses={200: ModerationLogOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request) -> Response:
        return self.act(request)


class ModerationRestore(_ModerationAction):
    service = staticmethod(content_restore)

    @extend_schema(
        operation_id="moderation_restore",
        summary="Show hidden content again, with a public note (moderators)",
        request=ModerationInput,
        responses={200: ModerationLogOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request) -> Response:
        return self.act(request)


class ModerationDismiss(_ModerationAction):
    service = staticmethod(reports_dismiss)

    @extend_schema(
        operation_id="moderation_dismiss",
        summary="Close the open reports on an item without hiding it (moderators)",
        request=ModerationInput,
        responses={200: ModerationLogOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request) -> Response:
        return self.act(request)
