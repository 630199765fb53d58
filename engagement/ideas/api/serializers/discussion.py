"""Serializers of the discussion: comments in, threads out (placeholders keep their shape)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from engagement.http.api import Input
from engagement.ideas import permissions as rules
from engagement.ideas.api.serializers.ideas import author_name
from engagement.ideas.models import Comment
from engagement.ideas.services.discussion import COMMENT_MAX


class IdeaCommentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    depth = serializers.IntegerField()
    author = serializers.SerializerMethodField()
    is_mine = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField(
        help_text="Sanitised HTML; empty for deleted comments, and for hidden ones unless you "
        "are the organisation's staff."
    )
    deleted = serializers.SerializerMethodField()
    hidden = serializers.BooleanField()
    moderation_note = serializers.SerializerMethodField(
        help_text="Why moderators hid the comment (public)."
    )
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    replies = serializers.SerializerMethodField()

    def _shown(self, obj: Comment) -> bool:
        return not obj.is_deleted and (not obj.hidden or self.context.get("staff", False))

    def get_author(self, obj: Comment) -> str | None:
        return author_name(obj.author) if self._shown(obj) else None

    def get_is_mine(self, obj: Comment) -> bool:
        return rules.is_author(self.context.get("user"), obj)

    def get_body(self, obj: Comment) -> str:
        return obj.body if self._shown(obj) else ""

    def get_deleted(self, obj: Comment) -> bool:
        return obj.is_deleted

    def get_moderation_note(self, obj: Comment) -> str:
        return obj.moderation_note if obj.hidden else ""

    def get_replies(self, obj: Comment) -> list[dict[str, Any]]:
        replies = getattr(obj, "thread_replies", [])
        return IdeaCommentOutput(replies, many=True, context=self.context).data


IdeaCommentOutput.get_replies = extend_schema_field(IdeaCommentOutput(many=True))(  # type: ignore[method-assign]
    IdeaCommentOutput.get_replies
)


class IdeaCommentInput(Input):
    body = serializers.CharField(
        max_length=COMMENT_MAX,
        help_text="Rich text: p, br, strong, em, ul, ol, li, a[href]; anything else removed.",
    )
    parent = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="The comment answered."
    )


class IdeaCommentUpdateInput(Input):
    body = serializers.CharField(max_length=COMMENT_MAX)


class CommentListQuery(serializers.Serializer):
    sort = serializers.ChoiceField(
        choices=[("oldest", _("Oldest first")), ("newest", _("Newest first"))],
        required=False,
        default="oldest",
    )
