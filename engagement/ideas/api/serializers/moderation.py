"""Serializers of moderation: reports in, the queue and the log out."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from engagement.http.api import Input, exactly_one_of
from engagement.ideas.api.serializers.ideas import author_name
from engagement.ideas.inputs import field_error
from engagement.ideas.models import ModerationLog, Report, ReportReason, ReportStatus
from engagement.ideas.services.checks import NOTE_MAX
from engagement.ideas.services.moderation import DETAILS_MAX


class ModerationTargetInput(Input):
    schema_rules = exactly_one_of("idea", "comment")

    idea = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    comment = serializers.IntegerField(required=False, allow_null=True, min_value=1)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs.get("idea") is None) == (attrs.get("comment") is None):
            raise field_error("idea", _("Name one idea or one comment."), "one_target")
        return attrs


class ContentReportInput(ModerationTargetInput):
    reason = serializers.ChoiceField(choices=ReportReason.choices)
    details = serializers.CharField(max_length=DETAILS_MAX, allow_blank=True, required=False)


class ContentReportOutput(serializers.ModelSerializer):
    class Meta:
        model = Report
        fields = ["id", "idea", "comment", "reason", "details", "status", "created_at"]
        read_only_fields = fields


class ModerationInput(ModerationTargetInput):
    note = serializers.CharField(
        max_length=NOTE_MAX,
        allow_blank=True,
        required=False,
        help_text="Public: shown where the content was, and sent to its author.",
    )


class ReportedContentOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[("idea", "idea"), ("comment", "comment")])
    id = serializers.IntegerField()
    idea = serializers.IntegerField(help_text="The idea (itself, or the one commented on).")
    process = serializers.CharField()
    title = serializers.CharField(help_text="The idea's title.")
    text = serializers.CharField(help_text="The reported text (sanitised HTML).")
    author = serializers.CharField(allow_null=True)
    hidden = serializers.BooleanField()
    deleted = serializers.BooleanField()


class QueueEntryOutput(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    reporter = serializers.SerializerMethodField()
    content = serializers.SerializerMethodField()
    open_reports = serializers.IntegerField(
        read_only=True, help_text="Open reports on the same content."
    )

    class Meta:
        model = Report
        fields = [
            "id",
            "organisation",
            "reason",
            "details",
            "status",
            "reporter",
            "content",
            "open_reports",
            "created_at",
            "resolved_at",
        ]
        read_only_fields = fields

    def get_reporter(self, obj: Report) -> str | None:
        return author_name(obj.reporter)

    @extend_schema_field(ReportedContentOutput)
    def get_content(self, obj: Report) -> dict[str, Any]:
        if obj.comment_id:
            comment = obj.comment
            idea = comment.idea
            return {
                "kind": "comment",
                "id": comment.pk,
                "idea": idea.pk,
                "process": idea.process.slug,
                "title": idea.title,
                "text": comment.body,
                "author": author_name(comment.author),
                "hidden": comment.hidden,
                "deleted": comment.is_deleted,
            }
        idea = obj.idea
        return {
            "kind": "idea",
            "id": idea.pk,
            "idea": idea.pk,
            "process": idea.process.slug,
            "title": idea.title,
            "text": idea.description,
            "author": author_name(idea.author),
            "hidden": idea.hidden,
            "deleted": False,
        }


class ModerationLogOutput(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    actor = serializers.SerializerMethodField()

    class Meta:
        model = ModerationLog
        fields = [
            "id",
            "organisation",
            "actor",
            "action",
            "idea",
            "comment",
            "note",
            "reports_closed",
            "created_at",
        ]
        read_only_fields = fields

    def get_actor(self, obj: ModerationLog) -> str | None:
        return author_name(obj.actor)


class ModerationQueueQuery(serializers.Serializer):
    organisation = serializers.SlugField(max_length=80, required=False)
    status = serializers.ChoiceField(
        choices=ReportStatus.choices, required=False, default=ReportStatus.OPEN
    )


class ModerationLogQuery(serializers.Serializer):
    organisation = serializers.SlugField(max_length=80, required=False)
