"""Implementation tracking endpoints: read a project's progress, report on it, follow it.

Thin, like ``budgeting.api.views``: find the round and project the visitor may see, validate
the input shape, make one service or selector call (``budgeting.services.implementation``), answer
with an output serializer. Rule failures are 400 with ``error_codes``
(``wrong_phase``, ``not_selected``, ``progress_out_of_range``, ``image_invalid`` …).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiRequest, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from budgeting import statistics
from budgeting.api.views import BAD_REQUEST, FORBIDDEN, BudgetingView
from budgeting.models import (
    ImplementationImage,
    ImplementationStatus,
    ImplementationUpdate,
    Project,
)
from budgeting.selectors import rounds as selectors
from budgeting.services import implementation, reads
from engagement.http.api import IMAGE_PARTS, UPLOAD_PARSERS, Input, IsAuthenticated
from engagement.people import permissions

NOT_STAFF = _("Only staff of this organisation can see these statistics.")
NOT_FOUND = OpenApiResponse(
    description="No such round or project, or the project was not selected in the vote."
)


def _project(request: Request, slug: str, project_id: str, *, tracked: bool = True) -> Project:
    budget_round = reads.visible_round(request.user, slug)
    project = generics.get_object_or_404(
        selectors.projects_visible_to(request.user, budget_round), external_id=project_id
    )
    if tracked and project.status not in implementation.TRACKED_STATUSES:
        raise Http404
    project.round = budget_round
    return project


# --- serializers -----------------------------------------------------------------------------


class ImageOutput(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ImplementationImage
        fields = ["url", "width", "height", "description"]

    def get_url(self, obj: ImplementationImage) -> str:
        return obj.image.url


class UpdateOutput(serializers.ModelSerializer):
    text = serializers.CharField(help_text="Sanitised HTML (a few formatting tags and links).")
    images = ImageOutput(many=True, read_only=True)

    class Meta:
        model = ImplementationUpdate
        fields = ["id", "happened_on", "text", "status", "progress", "images", "created_at"]


class ProjectBrief(serializers.Serializer):
    id = serializers.CharField(source="external_id")
    title = serializers.CharField()
    status = serializers.CharField()


class ImplementationOutput(serializers.Serializer):
    project = ProjectBrief()
    status = serializers.ChoiceField(choices=ImplementationStatus.choices)
    progress = serializers.IntegerField(min_value=0, max_value=100)
    updated_at = serializers.DateTimeField(allow_null=True)
    followers = serializers.IntegerField()
    following = serializers.BooleanField(
        allow_null=True, help_text="Whether you follow it; null when signed out."
    )
    updates = UpdateOutput(many=True)


class ImplementationInput(Input):
    status = serializers.ChoiceField(choices=ImplementationStatus.choices, required=False)
    progress = serializers.IntegerField(min_value=0, max_value=100, required=False)


class UpdateInput(Input):
    text = serializers.CharField(
        max_length=implementation.MAX_TEXT_LENGTH,
        help_text="Rich text; anything but a few formatting tags and links is removed.",
    )
    happened_on = serializers.DateField(required=False, help_text="Default: today.")
    status = serializers.ChoiceField(choices=ImplementationStatus.choices, required=False)
    progress = serializers.IntegerField(min_value=0, max_value=100, required=False)


class UpdateUploadInput(UpdateInput):
    """The same as multipart form data, with photos."""

    images = serializers.ListField(
        child=serializers.ImageField(allow_empty_file=False),
        required=False,
        max_length=implementation.MAX_IMAGES_PER_UPDATE,
        help_text="JPEG, PNG or WebP; re-encoded, metadata dropped.",
    )
    image_descriptions = serializers.ListField(
        child=serializers.CharField(max_length=300, allow_blank=True),
        required=False,
        help_text="Alternative text of each image, in the same order.",
    )


class FollowOutput(serializers.Serializer):
    following = serializers.BooleanField()
    followers = serializers.IntegerField()


def _output(request: Request, project: Project) -> dict[str, Any]:
    return ImplementationOutput(implementation.implementation_of(project, viewer=request.user)).data


# --- views -----------------------------------------------------------------------------------


class ProjectImplementationView(BudgetingView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="rounds_projects_implementation_retrieve",
        summary="How a selected project is being carried out",
        description="Status, progress and the dated updates with photos, newest first.",
        responses={200: ImplementationOutput, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str, project_id: str) -> Response:
        return Response(_output(request, _project(request, slug, project_id)))

    @extend_schema(
        operation_id="rounds_projects_implementation_update",
        summary="Set status and progress (administrators; results to evaluation phases)",
        description="Followers are notified. `completed` sets progress to 100 and marks the "
        "project implemented.",
        request=ImplementationInput,
        responses={200: ImplementationOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request: Request, slug: str, project_id: str) -> Response:
        project = _project(request, slug, project_id, tracked=False)
        implementation.require_reporter(request.user, project)
        data = ImplementationInput(data=request.data)
        data.is_valid(raise_exception=True)
        implementation.implementation_set(
            actor=request.user, project=project, **data.validated_data
        )
        return Response(_output(request, project))


class ImplementationUpdates(BudgetingView):
    permission_classes = [IsAuthenticated]
    parser_classes = UPLOAD_PARSERS

    @extend_schema(
        operation_id="rounds_projects_implementation_updates_create",
        summary="Publish a dated update, with optional photos (administrators)",
        description="JSON, or multipart/form-data to attach `images`. May also set `status` "
        "and `progress`. Followers are notified after the update is saved.",
        request={
            "application/json": UpdateInput,
            "multipart/form-data": OpenApiRequest(
                UpdateUploadInput, encoding={"images": IMAGE_PARTS}
            ),
        },
        responses={201: UpdateOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, slug: str, project_id: str) -> Response:
        project = _project(request, slug, project_id, tracked=False)
        implementation.require_reporter(request.user, project)
        multipart = request.content_type.startswith("multipart/")
        data = (UpdateUploadInput if multipart else UpdateInput)(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        files = fields.pop("images", [])
        descriptions = fields.pop("image_descriptions", [])
        uploads = [
            implementation.ImageUpload(file, descriptions[i] if i < len(descriptions) else "")
            for i, file in enumerate(files)
        ]
        update = implementation.implementation_update_post(
            actor=request.user, project=project, images=uploads, **fields
        )
        return Response(UpdateOutput(update).data, status=status.HTTP_201_CREATED)


class ProjectFollowView(BudgetingView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="rounds_projects_follow",
        summary="Follow a project: be notified of its implementation updates",
        description="Idempotent.",
        request=None,
        responses={200: FollowOutput, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, slug: str, project_id: str) -> Response:
        project = _project(request, slug, project_id, tracked=False)
        implementation.project_follow(user=request.user, project=project)
        return Response(self._state(request, project))

    @extend_schema(
        operation_id="rounds_projects_unfollow",
        summary="Stop following a project",
        description="Idempotent.",
        request=None,
        responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request: Request, slug: str, project_id: str) -> Response:
        project = _project(request, slug, project_id, tracked=False)
        implementation.project_unfollow(user=request.user, project=project)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _state(self, request: Request, project: Project) -> dict[str, Any]:
        return FollowOutput({"following": True, "followers": project.follows.count()}).data


# --- participation statistics ----------------------------------------------------------------


class CountCell(serializers.Serializer):
    count = serializers.IntegerField(allow_null=True)
    suppressed = serializers.BooleanField()


class PercentCell(serializers.Serializer):
    percent = serializers.FloatField(allow_null=True)
    suppressed = serializers.BooleanField()


class GroupRow(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    voters = CountCell()
    residents = CountCell()
    turnout = PercentCell(help_text="Voters as a share of residents registered on Kopa.")


class Breakdown(serializers.Serializer):
    voters_total = CountCell()
    residents_total = CountCell()
    groups = GroupRow(many=True)


class TargetGroupRow(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    voters = CountCell()


class ChannelRow(serializers.Serializer):
    key = serializers.CharField()
    ballots = CountCell()


class ChannelBreakdown(serializers.Serializer):
    total = CountCell()
    groups = ChannelRow(many=True)


class PeopleRow(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    people = CountCell()


class PeopleBreakdown(serializers.Serializer):
    people_total = CountCell()
    groups = PeopleRow(many=True)


class ContributionCounts(serializers.Serializer):
    ideas = CountCell(help_text="Public ideas (not drafts, not hidden).")
    comments = CountCell()
    supports = CountCell()
    contributors = CountCell(
        help_text="Distinct people who wrote an idea or comment, or supported an idea."
    )
    by_district = PeopleBreakdown(
        allow_null=True, help_text="Contributors by district of residence."
    )
    by_age_group = PeopleBreakdown(allow_null=True)


class StatisticsOutput(serializers.Serializer):
    round = serializers.SlugField()
    phase = serializers.CharField()
    threshold = serializers.IntegerField(help_text="Groups smaller than this are suppressed.")
    reference_year = serializers.IntegerField(help_text="Ages are those reached in this year.")
    breakdowns_public = serializers.BooleanField()
    voters = CountCell()
    by_district = Breakdown(allow_null=True, help_text="By district of residence.")
    by_age_group = Breakdown(allow_null=True)
    contributions = ContributionCounts(
        allow_null=True, help_text="Ideas, comments and supports; null until ideas exist."
    )


class StaffStatisticsOutput(StatisticsOutput):
    by_target_group = TargetGroupRow(
        many=True, help_text="People may belong to several groups; cells are not additive."
    )
    ballots_by_channel = ChannelBreakdown()


STATISTICS_RULES = (
    "Counts are of people. Any group smaller than `threshold` (5, zero included) is "
    "`null` with `suppressed: true`, and further groups are suppressed when a total minus "
    "the shown groups would give a small group back (complementary suppression)."
)


class RoundStatistics(BudgetingView):
    @extend_schema(
        operation_id="rounds_statistics",
        summary="Participation statistics of a round (aggregates only)",
        description=STATISTICS_RULES + " Breakdowns by district and age group are shown "
        "once voting is over (`by_district` and `by_age_group` are null before).",
        responses={200: StatisticsOutput, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> Response:
        budget_round = reads.visible_round(request.user, slug)
        return Response(StatisticsOutput(statistics.round_statistics(budget_round)).data)


class RoundStatisticsStaff(BudgetingView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="rounds_statistics_staff",
        summary="Participation statistics for the organisation's staff",
        description=STATISTICS_RULES + " Breakdowns in every phase, plus target groups and "
        "ballot channels — with the same suppression.",
        responses={200: StaffStatisticsOutput, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> Response:
        budget_round = reads.staff_round(request.user, slug, permissions.is_staff_of, NOT_STAFF)
        return Response(
            StaffStatisticsOutput(statistics.round_statistics(budget_round, staff=True)).data
        )
