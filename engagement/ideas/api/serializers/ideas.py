"""Serializers of the idea endpoints: lists and queries, what authors send, the idea out.

Authors' fields are checked as in ``engagement.ideas.inputs.IdeaFieldsInput`` (shared with
the pages). Money needs ``context["currency"]``, per-viewer fields ``context["user"]``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from engagement.http.api import Input
from engagement.http.fields import AmountDisplay
from engagement.ideas import permissions as rules
from engagement.ideas.inputs import IdeaFieldsInput
from engagement.ideas.models import Idea, IdeaImage, IdeaStatus
from engagement.ideas.selectors import SORT_CHOICES
from engagement.ideas.services.ideas import DESCRIPTION_MAX, TITLE_MAX
from engagement.people.models import District


def author_name(user: Any) -> str | None:
    """What others see of an author: the display name, never the e-mail address."""
    if user is None:
        return None
    return user.display_name or str(_("Anonymous resident"))


def _coordinate_output() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=9, decimal_places=6, coerce_to_string=False, read_only=True, allow_null=True
    )


class IdeaDistrictOutput(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["slug", "name"]
        read_only_fields = fields


class IdeaImageOutput(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = IdeaImage
        fields = ["id", "url", "width", "height", "alt_text"]
        read_only_fields = fields

    def get_url(self, obj: IdeaImage) -> str:
        return obj.file.url


class IdeaRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class IdeaProjectOutput(serializers.Serializer):
    round = serializers.CharField(source="round.slug", help_text="The round's slug.")
    id = serializers.CharField(source="external_id", help_text="The project's id in the round.")
    title = serializers.CharField()
    status = serializers.CharField()
    district = serializers.CharField(source="district_budget.key")


class IdeaReviewOutput(serializers.Serializer):
    feasible = serializers.BooleanField(allow_null=True)
    cost = serializers.IntegerField(source="admin_cost", allow_null=True)
    cost_display = AmountDisplay(source="admin_cost", allow_null=True)
    public_reason = serializers.CharField()
    reviewed_at = serializers.DateTimeField(allow_null=True)


class IdeaOutput(serializers.ModelSerializer):
    process = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    description = serializers.CharField(
        read_only=True, help_text="Sanitised HTML: p, br, strong, em, ul, ol, li, a[href]."
    )
    district = IdeaDistrictOutput(read_only=True, allow_null=True)
    latitude = _coordinate_output()
    longitude = _coordinate_output()
    estimated_cost_display = AmountDisplay(source="estimated_cost", allow_null=True)
    author = serializers.SerializerMethodField(
        help_text="The author's display name; null once the account was deleted."
    )
    is_mine = serializers.SerializerMethodField()
    images = IdeaImageOutput(many=True, read_only=True)
    support_count = serializers.IntegerField(read_only=True)
    comment_count = serializers.IntegerField(read_only=True)
    supported = serializers.BooleanField(read_only=True, help_text="By the signed-in person.")
    following = serializers.BooleanField(read_only=True, help_text="By the signed-in person.")
    review = serializers.SerializerMethodField()
    merged_into = serializers.SerializerMethodField()
    project = serializers.SerializerMethodField(
        help_text="The ballot project this accepted idea became."
    )
    hidden = serializers.BooleanField(
        read_only=True, help_text="Hidden by moderators (shown to the organisation's staff only)."
    )

    class Meta:
        model = Idea
        fields = [
            "id",
            "process",
            "title",
            "description",
            "category",
            "district",
            "latitude",
            "longitude",
            "estimated_cost",
            "estimated_cost_display",
            "status",
            "author",
            "is_mine",
            "images",
            "support_count",
            "comment_count",
            "supported",
            "following",
            "review",
            "merged_into",
            "project",
            "hidden",
            "moderation_note",
            "submitted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_author(self, obj: Idea) -> str | None:
        return author_name(obj.author)

    def get_is_mine(self, obj: Idea) -> bool:
        return rules.is_author(self.context.get("user"), obj)

    @extend_schema_field(IdeaReviewOutput(allow_null=True))
    def get_review(self, obj: Idea) -> dict[str, Any] | None:
        if obj.reviewed_at is None:
            return None
        return IdeaReviewOutput(obj, context=self.context).data

    @extend_schema_field(IdeaRefOutput(allow_null=True))
    def get_merged_into(self, obj: Idea) -> dict[str, Any] | None:
        target = obj.merged_into
        if target is None or target.hidden:
            return None
        return {"id": target.pk, "title": target.title}

    @extend_schema_field(IdeaProjectOutput(allow_null=True))
    def get_project(self, obj: Idea) -> dict[str, Any] | None:
        return IdeaProjectOutput(obj.project).data if obj.project_id else None


class IdeaPermissionsOutput(serializers.Serializer):
    edit = serializers.BooleanField()
    submit = serializers.BooleanField()
    withdraw = serializers.BooleanField()
    comment = serializers.BooleanField()
    support = serializers.BooleanField()
    review = serializers.BooleanField()
    merge = serializers.BooleanField()
    moderate = serializers.BooleanField()


class IdeaDetailOutput(IdeaOutput):
    permissions = serializers.SerializerMethodField(
        help_text="What the signed-in person may do with this idea now."
    )

    class Meta(IdeaOutput.Meta):
        fields = [*IdeaOutput.Meta.fields, "permissions"]
        read_only_fields = fields

    @extend_schema_field(IdeaPermissionsOutput)
    def get_permissions(self, obj: Idea) -> dict[str, bool]:
        return rules.idea_permissions(self.context.get("user"), obj)


class IdeaListQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=IdeaStatus.choices, required=False)
    category = serializers.CharField(max_length=80, required=False)
    district = serializers.SlugField(max_length=80, required=False, help_text="District slug.")
    project = serializers.CharField(
        max_length=120, required=False, help_text="The ballot project id an idea became."
    )
    q = serializers.CharField(max_length=200, required=False, help_text="Words to search for.")
    mine = serializers.BooleanField(
        required=False, default=False, help_text="Only my ideas, drafts included."
    )
    sort = serializers.ChoiceField(choices=SORT_CHOICES, required=False, default="newest")


class SimilarQuery(serializers.Serializer):
    text = serializers.CharField(max_length=2000, help_text="The title and/or text being written.")
    exclude = serializers.IntegerField(
        required=False, min_value=1, help_text="An idea to leave out (the one being edited)."
    )


class IdeaCreateInput(IdeaFieldsInput):
    title = serializers.CharField(max_length=TITLE_MAX)
    description = serializers.CharField(max_length=DESCRIPTION_MAX)
    submit = serializers.BooleanField(
        default=False, help_text="Submit at once instead of keeping a draft."
    )


class IdeaImageInput(Input):
    image = serializers.FileField(
        allow_empty_file=False,
        help_text="JPEG, PNG or WebP (checked by content, not by name); at most 8 MB.",
    )
    alt_text = serializers.CharField(max_length=300, allow_blank=True, required=False)
